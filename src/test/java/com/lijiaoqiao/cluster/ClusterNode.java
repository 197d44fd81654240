package com.lijiaoqiao.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.ChildJvm;
import com.lijiaoqiao.testing.Databases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One gateway node of {@link ClusterMoneyTest}: a child JVM running {@code Main serve --config node.yaml} on its
 * own data directory and port, killable with SIGKILL and restartable on the same data (its journal is replayed).
 */
final class ClusterNode {
  static final String SECRET = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  static final String JWT = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
  static final String ADMIN_EMAIL = "cluster-admin@cluster.test";
  static final String ADMIN_PASSWORD = "cluster-admin-password-1";
  /** Priced so a request costs exactly what it reserves: input free, 0.001 per output token. */
  static final String EXACT_MODEL = "gpt-4o";
  static final String LOAD_MODEL = "gpt-4o-mini";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  final String name;
  final Path dataDir;
  final Path config;
  final int port;
  private Process process;
  private int starts;
  volatile boolean up;

  private ClusterNode(String name, Path dataDir, Path config, int port) {
    this.name = name;
    this.dataDir = dataDir;
    this.config = config;
    this.port = port;
  }

  /**
   * Writes the node's YAML. The first node embeds the simulator (on {@code simPort}) and bootstraps the admin; the
   * others reach that simulator over HTTP.
   */
  static ClusterNode create(Path root, String name, int port, boolean first, int simPort, String dbUrl, String redisUrl,
                            String redisPrefix) throws Exception {
    GatewayConfig c = new GatewayConfig();
    Path data = root.resolve(name);
    Files.createDirectories(data);
    c.dataDir = data.toString();
    c.server.host = "127.0.0.1";
    c.server.port = port;
    c.server.eventLoops = 1;
    c.server.shutdownGraceSeconds = 5;
    c.database.url = dbUrl;
    c.database.username = Databases.PG_USER;
    c.database.maxPoolSize = 4;
    c.security.keyHashSecret = SECRET;
    c.security.jwtSigningKey = JWT;
    c.security.credentialKey = SECRET;
    c.security.keySyncIntervalMs = 200;
    c.usage.flushIntervalMs = 50;
    // Faults end quickly: a stalled upstream fails after 1.5 s of silence, retries wait little.
    c.upstream.idleTimeoutMs = 1_500;
    c.routing.firstByteTimeoutMs = 3_000;
    c.routing.totalTimeoutMs = 15_000;
    c.routing.backoffBaseMs = 20;
    c.routing.backoffMaxMs = 100;
    c.routing.registrySyncIntervalMs = 0;
    c.routing.healthIntervalMs = 600_000;
    // Injected faults must not open the one provider's circuit (that would turn the rest of the run into 503s).
    c.routing.breakerConsecutiveFailures = 1_000_000;
    c.routing.breakerMinCalls = 1_000_000;
    c.billing.refreshIntervalMs = 200;
    c.billing.leaseIdleMs = 500;
    c.billing.models.put(LOAD_MODEL, price("2.50", "10.00"));
    c.billing.models.put(EXACT_MODEL, price("0", "1000.00"));
    if (redisUrl != null) {
      c.redis.url = redisUrl;
      c.redis.keyPrefix = redisPrefix;
    }
    GatewayConfig.ProviderSpec sim = new GatewayConfig.ProviderSpec();
    sim.id = "sim";
    sim.kind = "simulator";
    sim.models.put(LOAD_MODEL, "");
    sim.models.put(EXACT_MODEL, "");
    if (first) {
      c.simulator.enabled = true;
      c.simulator.port = simPort;
      c.bootstrap.adminEmail = ADMIN_EMAIL;
      c.bootstrap.adminPassword = ADMIN_PASSWORD;
    } else {
      sim.baseUrl = "http://127.0.0.1:" + simPort + "/v1";
    }
    c.providers.add(sim);
    Path yaml = root.resolve(name + ".yaml");
    YAML.writeValue(yaml.toFile(), c);
    return new ClusterNode(name, data, yaml, port);
  }

  private static GatewayConfig.PriceSpec price(String in, String out) {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = in;
    p.output = out;
    return p;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  Path journal() {
    return dataDir.resolve("journal");
  }

  Path log() {
    return dataDir.resolveSibling(name + "-" + starts + ".log");
  }

  /** Options of every node's JVM (and of reconcile): small, quick to start. */
  static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
  static final Map<String, String> ENV = Map.of("LJQ_DATABASE_USERNAME", Databases.PG_USER);

  /** Starts the process; returns once it printed its base URL (it is serving). */
  ClusterNode start() throws Exception {
    starts++;
    process = ChildJvm.start(JVM, List.of("serve", "--config", config.toString()), ENV, log(), Set.of("LJQ_BASE_URL"),
        Duration.ofSeconds(90)).process();
    up = true;
    return this;
  }

  /** SIGKILL: nothing runs in the node after this, no shutdown hook, no flush. */
  void kill() throws InterruptedException {
    up = false;
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError(name + " survived SIGKILL");
  }

  /** SIGTERM: a graceful stop (drain, ship the journal, flush usage); the exit code. */
  int stop() throws InterruptedException {
    up = false;
    if (process == null || !process.isAlive()) return process == null ? 0 : process.exitValue();
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** Last resort in a finally block. */
  void forceStop() {
    if (process != null && process.isAlive()) process.destroyForcibly();
  }
}
