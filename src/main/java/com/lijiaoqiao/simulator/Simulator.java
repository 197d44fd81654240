package com.lijiaoqiao.simulator;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fake upstream LLM provider speaking the OpenAI, Anthropic and Gemini wire formats, with deterministic output and
 * on-demand fault injection. See {@code docs/simulator.md}.
 *
 * <p>{@link #start} and {@link #close} block; do not call them from a Vert.x event-loop thread.
 */
public final class Simulator implements AutoCloseable {
  private final Vertx vertx;
  private final List<String> deployments;
  private final int port;
  private final String host;

  private Simulator(Vertx vertx, List<String> deployments, String host, int port) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.host = host;
    this.port = port;
  }

  /** One HTTP server per verticle instance; instances on the same host:port share the socket (Vert.x balances). */
  private static final class ServerVerticle extends VerticleBase {
    private final SimHandler handler;
    private final String host;
    private final int port;
    private final AtomicInteger actual;

    ServerVerticle(SimHandler handler, String host, int port, AtomicInteger actual) {
      this.handler = handler;
      this.host = host;
      this.port = port;
      this.actual = actual;
    }

    @Override
    public Future<?> start() {
      return newServer(vertx, handler).listen(port, host).onSuccess(s -> actual.set(s.actualPort()));
    }
  }

  /** Starts listening on host:port (port 0 = ephemeral); blocks until listening. Uses the given Vert.x instance. */
  public static Simulator start(Vertx vertx, String host, int port) {
    // The tokenizer tables load once per process (seconds on a cold JVM): here, not inside the first request,
    // whose caller may be timing it (a health probe, a first-byte limit).
    TextGen.count(TextGen.CL100K, "warm");
    TextGen.count(TextGen.O200K, "warm");
    SimHandler handler = new SimHandler(vertx, new SimState());
    int instances = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    List<String> deployments = new ArrayList<>();
    AtomicInteger actual = new AtomicInteger();
    deployments.add(await(vertx.deployVerticle(new ServerVerticle(handler, host, port, actual))));
    int bound = actual.get();
    if (instances > 1) {
      try {
        deployments.add(await(vertx.deployVerticle(() -> new ServerVerticle(handler, host, bound, new AtomicInteger()),
            new DeploymentOptions().setInstances(instances - 1))));
      } catch (RuntimeException e) {
        // sharing not possible: a single event loop still handles the load
      }
    }
    return new Simulator(vertx, deployments, host, bound);
  }

  private static HttpServer newServer(Vertx vertx, SimHandler handler) {
    HttpServerOptions opts = new HttpServerOptions()
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setCompressionSupported(false)
        .setHandle100ContinueAutomatically(true)
        .setMaxHeaderSize(64 * 1024)
        .setMaxInitialLineLength(16 * 1024);
    return vertx.createHttpServer(opts).requestHandler(handler);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException("simulator: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  /** "http://127.0.0.1:&lt;port&gt;" (the OpenAI base URL is {@code baseUrl() + "/v1"}). */
  public String baseUrl() {
    String h = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("localhost") ? "127.0.0.1" : host;
    if (h.contains(":") && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return "http://" + h + ":" + port;
  }

  /** Stops listening and closes open connections; blocks until closed. */
  @Override
  public void close() {
    List<Future<Void>> fs = new ArrayList<>();
    for (String id : deployments) {
      fs.add(vertx.undeploy(id));
    }
    for (Future<Void> f : fs) {
      try {
        await(f);
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }
}
