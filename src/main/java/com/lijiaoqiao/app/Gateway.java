package com.lijiaoqiao.app;

import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.access.SecretFiles;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.DataPlane;
import com.lijiaoqiao.http.HttpFrontend;
import com.lijiaoqiao.pipeline.AuthenticateStage;
import com.lijiaoqiao.pipeline.DecodeStage;
import com.lijiaoqiao.pipeline.ListModelsStage;
import com.lijiaoqiao.pipeline.RecordStage;
import com.lijiaoqiao.pipeline.RelayStage;
import com.lijiaoqiao.pipeline.RouteStage;
import com.lijiaoqiao.pipeline.Stage;
import com.lijiaoqiao.providers.OpenAiCompatibleProvider;
import com.lijiaoqiao.providers.Provider;
import com.lijiaoqiao.providers.SimulatorProvider;
import com.lijiaoqiao.routing.ModelCatalog;
import com.lijiaoqiao.routing.RouteTarget;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.ApiKeyRepository;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.UsageRepository;
import com.lijiaoqiao.usage.UsageRecorder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running gateway: the only place that knows every room and wires them together. */
public final class Gateway implements AutoCloseable, DataPlane {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final GatewayConfig config;
  private final Vertx vertx;
  private final Simulator simulator;
  private final Database database;
  private final KeyRegistry keys;
  private final KeyIssuer keyIssuer;
  private final AccountRepository accounts;
  private final UsageRepository usageRepository;
  private final UsageRecorder recorder;
  private final AtomicReference<ModelCatalog> catalog = new AtomicReference<>();
  private final List<Stage> relayPipeline;
  private final List<Stage> modelsPipeline;
  private final List<Stage> countTokensPipeline;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ApiRouter api = new ApiRouter();
  private final int port;
  private String deploymentId;
  private volatile boolean closed;

  private Gateway(GatewayConfig config) {
    this.config = config;
    int loops = config.server.eventLoops > 0 ? config.server.eventLoops : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    boolean ok = false;
    Simulator sim = null;
    Database db = null;
    UsageRecorder rec = null;
    try {
      if (config.simulator.enabled) {
        sim = Simulator.start(vertx, config.simulator.host, config.simulator.port);
      }
      Path dataDir = Path.of(config.dataDir);
      String url = config.database.url == null || config.database.url.isBlank()
          ? Database.embeddedUrl(dataDir) : config.database.url;
      db = Database.open(url, config.database.username, config.database.password, config.database.maxPoolSize);
      db.migrate();
      ApiKeySecrets secrets = new ApiKeySecrets(
          SecretFiles.resolve(config.security.keyHashSecret, dataDir.resolve("secrets").resolve("key-hash.secret")));
      ApiKeyRepository keyRepo = new ApiKeyRepository(db.dataSource());
      this.keys = new KeyRegistry(keyRepo, vertx);
      keys.loadAll();
      this.keyIssuer = new KeyIssuer(keyRepo, secrets, keys);
      this.accounts = new AccountRepository(db.dataSource());
      this.usageRepository = new UsageRepository(db.dataSource(), db.isPostgres());
      rec = new UsageRecorder(usageRepository, config.usage.queueCapacity, config.usage.batchSize,
          config.usage.flushIntervalMs);
      this.catalog.set(buildCatalog(config, sim == null ? null : sim.baseUrl() + "/v1"));
      this.relayPipeline = List.of(
          new AuthenticateStage(keys, secrets),
          new RecordStage(rec),
          new DecodeStage(),
          new RouteStage(catalog::get),
          new RelayStage(config.upstream.idleTimeoutMs));
      this.countTokensPipeline = List.of(
          new AuthenticateStage(keys, secrets),
          new com.lijiaoqiao.pipeline.AnthropicDecodeStage(true),
          new RouteStage(catalog::get),
          new com.lijiaoqiao.pipeline.CountTokensStage());
      this.modelsPipeline = List.of(
          new AuthenticateStage(keys, secrets),
          new ListModelsStage(catalog::get, Instant.now().getEpochSecond()));
      this.simulator = sim;
      this.database = db;
      this.recorder = rec;
      HttpFrontend.Settings settings = new HttpFrontend.Settings(config.server.host, config.server.port,
          config.server.maxBodyBytes, config.upstream.maxConnectionsPerHost, config.upstream.connectTimeoutMs,
          config.server.shutdownGraceSeconds);
      this.deploymentId = await(vertx.deployVerticle(() -> new HttpFrontend(settings, this),
          new DeploymentOptions().setInstances(loops)));
      this.port = config.server.port;
      ok = true;
    } finally {
      if (!ok) {
        if (rec != null) rec.close();
        if (db != null) db.close();
        if (sim != null) sim.close();
        vertx.close();
      }
    }
  }

  public static Gateway start(GatewayConfig config) {
    Gateway g = new Gateway(config);
    log.info("gateway listening on {}:{} with {} models", config.server.host, g.port, g.catalog.get().all().size());
    return g;
  }

  /** @param embeddedSimulatorUrl the in-process simulator's OpenAI base URL, or null when none runs */
  static ModelCatalog buildCatalog(GatewayConfig config, String embeddedSimulatorUrl) {
    ModelCatalog.Builder b = ModelCatalog.builder();
    Set<String> ids = new HashSet<>();
    for (GatewayConfig.ProviderSpec p : config.providers) {
      if (p.id == null || p.id.isBlank()) {
        throw new ConfigLoader.ConfigException("every provider needs an id");
      }
      if (!ids.add(p.id)) {
        throw new ConfigLoader.ConfigException("provider id '" + p.id + "' is used twice");
      }
      Provider provider = switch (p.kind) {
        case OpenAiCompatibleProvider.KIND -> {
          if (p.baseUrl == null || p.baseUrl.isBlank()) {
            throw new ConfigLoader.ConfigException("provider '" + p.id + "' needs a base_url");
          }
          yield new OpenAiCompatibleProvider(p.id, p.baseUrl, p.apiKey, config.upstream.connectTimeoutMs,
              config.upstream.idleTimeoutMs);
        }
        case SimulatorProvider.KIND -> {
          String base = p.baseUrl;
          if (base == null || base.isBlank()) {
            if (embeddedSimulatorUrl == null) {
              throw new ConfigLoader.ConfigException("provider '" + p.id
                  + "' is a simulator without base_url, but simulator.enabled is false");
            }
            base = embeddedSimulatorUrl;
          }
          yield new SimulatorProvider(p.id, base, p.apiKey, config.upstream.connectTimeoutMs,
              config.upstream.idleTimeoutMs);
        }
        case com.lijiaoqiao.providers.AnthropicProvider.KIND -> {
          if (p.baseUrl == null || p.baseUrl.isBlank()) {
            throw new ConfigLoader.ConfigException("provider '" + p.id + "' needs a base_url");
          }
          yield new com.lijiaoqiao.providers.AnthropicProvider(p.id, p.baseUrl, p.apiKey,
              config.upstream.connectTimeoutMs, config.upstream.idleTimeoutMs);
        }
        default -> throw new ConfigLoader.ConfigException("provider '" + p.id + "' has unknown kind '" + p.kind
            + "' (use openai-compatible, anthropic or simulator)");
      };
      String owner = p.ownedBy == null || p.ownedBy.isBlank() ? p.id : p.ownedBy;
      p.models.forEach((publicName, upstreamName) -> b.add(publicName,
          new RouteTarget(provider, upstreamName == null || upstreamName.isBlank() ? publicName : upstreamName),
          owner));
    }
    return b.build();
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<Stage> relayPipeline() {
    return relayPipeline;
  }

  @Override
  public List<Stage> countTokensPipeline() {
    return countTokensPipeline;
  }

  @Override
  public List<Stage> modelsPipeline() {
    return modelsPipeline;
  }

  @Override
  public ApiRouter api() {
    return api;
  }

  @Override
  public void begin() {
    inFlight.incrementAndGet();
  }

  @Override
  public void end() {
    inFlight.decrementAndGet();
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port + "/v1";
  }

  public Simulator simulator() {
    return simulator;
  }

  public KeyIssuer keyIssuer() {
    return keyIssuer;
  }

  public AccountRepository accounts() {
    return accounts;
  }

  public UsageRepository usage() {
    return usageRepository;
  }

  public UsageRecorder recorder() {
    return recorder;
  }

  public Database database() {
    return database;
  }

  /** Stops accepting, lets in-flight requests finish (up to the grace period), writes queued records, stops. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    long graceMs = TimeUnit.SECONDS.toMillis(config.server.shutdownGraceSeconds);
    try {
      if (deploymentId != null) {
        vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture().get(graceMs + 5_000,
            TimeUnit.MILLISECONDS);
      }
    } catch (Exception e) {
      log.warn("stopping the HTTP servers: {}", e.toString());
    }
    long deadline = System.currentTimeMillis() + graceMs;
    while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    recorder.close();
    database.close();
    if (simulator != null) simulator.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing Vert.x: {}", e.toString());
    }
    log.info("gateway stopped; {} usage records written", recorder.written());
  }
}
