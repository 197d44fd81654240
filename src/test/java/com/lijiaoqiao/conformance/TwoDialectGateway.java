package com.lijiaoqiao.conformance;

import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;

/** A gateway whose providers are one per {@link UpstreamKind}, all backed by a standalone simulator. */
public final class TwoDialectGateway implements AutoCloseable {
  public final Vertx vertx = Vertx.vertx();
  public final Simulator simulator;
  public final TestGateway gateway;

  public TwoDialectGateway() {
    simulator = Simulator.start(vertx, "127.0.0.1", TestGateway.freePort());
    String sim = "http://127.0.0.1:" + simulator.port();
    gateway = TestGateway.start(Databases.Kind.H2, cfg -> {
      for (UpstreamKind k : UpstreamKind.values()) cfg.providers.add(k.provider(sim));
    });
  }

  /** The gateway's root URL (no /v1). */
  public String root() {
    return gateway.baseUrl().substring(0, gateway.baseUrl().length() - 3);
  }

  @Override
  public void close() {
    gateway.close();
    simulator.close();
    vertx.close();
  }
}
