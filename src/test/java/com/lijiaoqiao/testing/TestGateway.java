package com.lijiaoqiao.testing;

import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.Gateway;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.simulator.SimCatalog;
import com.lijiaoqiao.simulator.SimModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A real gateway for tests: its own data directory, the embedded simulator as upstream (every catalogue
 * model, plus "sim-faulty" for fault directives), a tenant, a user and a platform key.
 */
public final class TestGateway implements AutoCloseable {
  public final Gateway gateway;
  public final String apiKey;
  public final long tenantId;
  public final long userId;
  public final Path dataDir;
  public final GatewayConfig config;
  private final String dbUrl;

  private TestGateway(Gateway gateway, String apiKey, long tenantId, long userId, Path dataDir, GatewayConfig config) {
    this.gateway = gateway;
    this.apiKey = apiKey;
    this.tenantId = tenantId;
    this.userId = userId;
    this.dataDir = dataDir;
    this.config = config;
    this.dbUrl = config.database.url;
  }

  public static TestGateway start(Databases.Kind db) {
    return start(db, c -> {});
  }

  public static TestGateway start(Databases.Kind db, Consumer<GatewayConfig> customize) {
    try {
      Path dir = Files.createTempDirectory("ljq-test");
      GatewayConfig cfg = new GatewayConfig();
      cfg.dataDir = dir.toString();
      cfg.server.host = "127.0.0.1";
      cfg.server.port = freePort();
      cfg.server.eventLoops = 2;
      cfg.server.shutdownGraceSeconds = 5;
      cfg.database.url = Databases.freshUrl(db);
      if (db == Databases.Kind.POSTGRES) cfg.database.username = Databases.PG_USER;
      cfg.simulator.enabled = true;
      cfg.usage.flushIntervalMs = 20;
      cfg.upstream.idleTimeoutMs = 3_000;
      // Tests inject faults into the one shared provider on purpose: its breaker must not open and turn later
      // requests into 503s. Routing tests that exercise breakers set their own thresholds.
      cfg.routing.breakerConsecutiveFailures = 1_000_000;
      cfg.routing.breakerMinCalls = 1_000_000;
      GatewayConfig.ProviderSpec sim = new GatewayConfig.ProviderSpec();
      sim.id = "sim";
      sim.kind = "simulator";
      for (SimModel m : SimCatalog.models()) sim.models.put(m.name(), m.name());
      sim.models.put("renamed-model", "gpt-4o");
      cfg.providers.add(sim);
      customize.accept(cfg);
      Gateway g = Gateway.start(cfg);
      long tenant = g.accounts().createTenant("test tenant");
      long user = g.accounts().createUser("user-" + System.nanoTime() + "@test.local", "x", "Test", tenant, "member");
      KeyIssuer.Issued key = g.keyIssuer().issue(user, tenant, "test", Set.of(), 1000, 10_000_000, null);
      return new TestGateway(g, key.secret(), tenant, user, dir, cfg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String baseUrl() {
    return gateway.baseUrl();
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the gateway (a clean shutdown) but keeps its data directory and database, for {@link #restart}. */
  public void stop() {
    gateway.close();
  }

  /**
   * Starts a new gateway on the same data directory and database (stopping this one first if it still runs):
   * the same tenant, user and key. Close the returned one, not this.
   */
  public TestGateway restart() {
    gateway.close();
    return new TestGateway(Gateway.start(config), apiKey, tenantId, userId, dataDir, config);
  }

  @Override
  public void close() {
    gateway.close();
    Databases.dropIfPostgres(dbUrl);
    try (var files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp dir
    }
  }
}
