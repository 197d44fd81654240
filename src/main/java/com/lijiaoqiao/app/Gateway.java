package com.lijiaoqiao.app;

import com.lijiaoqiao.access.AccessTokens;
import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.HashingPool;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.access.SecretFiles;
import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.api.BillingApi;
import com.lijiaoqiao.pipeline.ReserveStage;
import com.lijiaoqiao.pipeline.SettleStage;
import com.lijiaoqiao.store.BillingQueries;
import com.lijiaoqiao.store.LedgerRepository;
import com.lijiaoqiao.http.DataPlane;
import com.lijiaoqiao.http.BodyBudget;
import com.lijiaoqiao.http.EdgeGuard;
import com.lijiaoqiao.http.HttpFrontend;
import com.lijiaoqiao.pipeline.AuthenticateStage;
import com.lijiaoqiao.pipeline.AuthorizeStage;
import com.lijiaoqiao.pipeline.DecodeStage;
import com.lijiaoqiao.identity.AuthService;
import com.lijiaoqiao.identity.GatewayCallerResolver;
import com.lijiaoqiao.identity.IdentityApi;
import com.lijiaoqiao.identity.LoginThrottle;
import com.lijiaoqiao.limits.LocalRateLimiter;
import com.lijiaoqiao.limits.RateLimiter;
import com.lijiaoqiao.pipeline.RecordStage;
import com.lijiaoqiao.pipeline.RelayStage;
import com.lijiaoqiao.pipeline.RouteStage;
import com.lijiaoqiao.pipeline.Stage;
import com.lijiaoqiao.http.api.ProvidersApi;
import com.lijiaoqiao.providers.Providers;
import com.lijiaoqiao.routing.CredentialCipher;
import com.lijiaoqiao.routing.DecisionRecorder;
import com.lijiaoqiao.routing.HealthChecker;
import com.lijiaoqiao.routing.ProviderDef;
import com.lijiaoqiao.routing.ProviderService;
import com.lijiaoqiao.routing.Router;
import com.lijiaoqiao.routing.Weights;
import com.lijiaoqiao.store.ProviderRepository;
import com.lijiaoqiao.store.RouteDecisionRepository;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.ApiKeyRepository;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.SessionRepository;
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
  private final ApiKeyRepository keyRepository;
  private final SessionRepository sessions;
  private final AuditRepository audit;
  private final AuthService auth;
  private final HashingPool hashing;
  private final RateLimiter rateLimiter;
  private final long lastUsedTimer;
  private final long keySyncTimer;
  private io.vertx.redis.client.Redis redisClient;
  private long registrySyncTimer = -1;
  private long ledgerRefreshTimer = -1;
  private final UsageRepository usageRepository;
  private final UsageRecorder recorder;
  private final BillingService billing;
  private final Router router;
  private final ProviderService providerService;
  private final DecisionRecorder decisions;
  private final RouteDecisionRepository decisionRepository;
  private final ProviderRepository providerRepository;
  private HealthChecker health;
  private BudgetRoom budgetRoom;
  private SupplyRoom supplyRoom;
  private EventsRoom eventsRoom;
  private RiskRoom riskRoom;
  private MetricsRoom metricsRoom;
  private WebhooksRoom webhooksRoom;
  private HealthRoom healthRoom;
  private StorageRoom storageRoom;
  /** This process among the cluster's nodes (leases of cluster jobs). */
  private final String nodeId = java.util.UUID.randomUUID().toString();
  private final List<Stage> relayPipeline;
  private final List<Stage> modelsPipeline;
  private final List<Stage> countTokensPipeline;
  private final List<Stage> geminiCountTokensPipeline;
  private final List<Stage> storedResponsesPipeline;
  private final List<Stage> unknownPathPipeline;
  private final com.lijiaoqiao.responses.ResponsesStore responsesStore;
  private long responsesSweepTimer = -1;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ApiRouter api = new ApiRouter();
  private final com.lijiaoqiao.http.OpsRoutes ops = new com.lijiaoqiao.http.OpsRoutes();
  private final int port;
  private String deploymentId;
  private BodyBudget bodyBudget;
  private com.lijiaoqiao.http.RelaySlots relaySlots;
  private volatile boolean closed;

  private Gateway(GatewayConfig config) {
    this.config = config;
    int loops = config.server.eventLoops > 0 ? config.server.eventLoops : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    boolean ok = false;
    Simulator sim = null;
    Database db = null;
    UsageRecorder rec = null;
    BillingService bill = null;
    DecisionRecorder dec = null;
    try {
      com.lijiaoqiao.logging.LogFormat.check(config.logging.format);
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
      this.keyRepository = keyRepo;
      this.sessions = new SessionRepository(db.dataSource());
      this.audit = new AuditRepository(db.dataSource());
      AccessTokens accessTokens = new AccessTokens(
          SecretFiles.resolve(config.security.jwtSigningKey, dataDir.resolve("secrets").resolve("jwt-signing.secret")),
          config.security.accessTokenTtlSeconds);
      this.auth = new AuthService(accounts, sessions, accessTokens, config.security.refreshTokenTtlSeconds,
          config.security.loginMaxFailures, config.security.loginLockSeconds);
      this.rateLimiter = rateLimiter(config);
      GatewayConfig.Security sc = config.security;
      this.hashing = new HashingPool(sc.hashingThreads > 0 ? sc.hashingThreads : HashingPool.defaultThreads(),
          Math.max(0, sc.hashingQueue));
      new IdentityApi(new IdentityApi.Settings(sc.openRegistration, sc.maxKeysPerUser), auth, accounts, sessions,
          keyRepo, keyIssuer, keys, audit, new LoginThrottle(sc.loginPerIpPerMinute, sc.loginPerAccountPerMinute),
          hashing).register(api);
      new com.lijiaoqiao.identity.KeyStatusApi(keyRepo, keys, audit).register(api); // disable / enable a key
      api.callerResolver(new GatewayCallerResolver(vertx, accessTokens, sessions, keys, secrets));
      api.durability(db.durability());
      this.lastUsedTimer = vertx.setPeriodic(Math.max(100, config.security.keyLastUsedFlushMs),
          id -> vertx.executeBlocking(keys::flushLastUsed, false)
              .onFailure(t -> log.warn("writing key last-used times: {}", t.toString())));
      this.keySyncTimer = config.security.keySyncIntervalMs <= 0 ? -1 : startKeySync(config.security.keySyncIntervalMs);
      this.usageRepository = new UsageRepository(db.dataSource(), db.isPostgres());
      rec = new UsageRecorder(usageRepository, config.usage.queueCapacity, config.usage.batchSize,
          config.usage.flushIntervalMs);
      LedgerRepository ledger = new LedgerRepository(db.dataSource(), db.isPostgres(), db.durability());
      bill = new BillingService(ledger, dataDir.resolve("journal"),
          parseMoney(config.billing.lowBalanceThreshold, "billing.low_balance_threshold", true), config.billing.currency);
      seedPrices(bill, config);
      this.ledgerRefreshTimer = shareBalances(bill, config, db, ledger);
      ledger.requestEvents(config.events.requestEventsOn(!config.kafka.bootstrapServers.isBlank()));
      this.eventsRoom = new EventsRoom(vertx, config, db.dataSource(), db.durability(),
          new com.lijiaoqiao.store.ReconcileQueries(db.dataSource(), db.isPostgres()), nodeId);
      new BillingApi(bill, new BillingQueries(db.dataSource()), ledger).audited(audit).register(api);
      new com.lijiaoqiao.http.api.ReconcileApi(bill, new com.lijiaoqiao.store.ReconcileQueries(db.dataSource(),
          db.isPostgres()), rec::pending).register(api);
      this.budgetRoom = new BudgetRoom(vertx, config, redisClient, db.dataSource(), bill, keyRepo, keys, accounts, audit,
          api);
      GatewayConfig.Routing rc = config.routing;
      this.router = new Router(new Router.StateSettings(rc.breakerConsecutiveFailures, rc.breakerWindow,
          rc.breakerMinCalls, rc.breakerFailureRate, rc.breakerOpenMs, rc.latencyWindow, rc.availabilityWindow),
          weights(rc.weights), modelWeights(rc), rc.stickiness, System::nanoTime);
      router.modelOrder(rc.modelOrder);
      router.onBreakerChange((provider, model, opened) -> {
        EventsRoom events = eventsRoom;
        if (events != null) events.circuitChanged(provider, model, opened);
      });
      try {
        router.aliases(rc.modelAliases);
      } catch (IllegalArgumentException e) {
        throw new ConfigLoader.ConfigException(e.getMessage());
      }
      String simUrl = sim == null ? null : sim.baseUrl() + "/v1";
      CredentialCipher cipher = new CredentialCipher(SecretFiles.resolve(config.security.credentialKey,
          dataDir.resolve("secrets").resolve("credential.key")));
      this.providerRepository = new ProviderRepository(db.dataSource());
      this.providerService = new ProviderService(router, providerRepository, cipher, providerDefs(config),
          d -> Providers.create(d, simUrl, config.upstream.connectTimeoutMs, config.upstream.idleTimeoutMs));
      try {
        providerService.load();
      } catch (IllegalArgumentException e) {
        throw new ConfigLoader.ConfigException(e.getMessage());
      }
      this.decisionRepository = new RouteDecisionRepository(db.dataSource(), db.isPostgres());
      dec = new DecisionRecorder(decisionRepository, config.usage.queueCapacity, config.usage.batchSize,
          config.usage.flushIntervalMs);
      this.decisions = dec;
      this.responsesStore = new com.lijiaoqiao.responses.ResponsesStore(config.responses.storeTtlSeconds,
          config.responses.maxStoredPerTenant);
      this.storedResponsesPipeline = List.of(new AuthenticateStage(keys, secrets),
          new com.lijiaoqiao.pipeline.StoredResponsesStage(responsesStore));
      this.unknownPathPipeline = List.of(new AuthenticateStage(keys, secrets),
          com.lijiaoqiao.pipeline.StoredResponsesStage.NOT_FOUND);
      this.riskRoom = new RiskRoom(vertx, config, db.dataSource(), redisClient, bill, audit, api, this::blockKey,
          this::disableUser);
      RelayStage relay = Pipelines.relay(config, router);
      if (config.supply.enabled) {
        this.supplyRoom = new SupplyRoom(vertx, config, db, ledger, redisClient, bill, providerService, router, cipher,
            audit, api,
            java.time.Clock.systemUTC());
        relay.packages(supplyRoom.gate);
      }
      if (config.webhooks.enabled) {
        this.webhooksRoom = new WebhooksRoom(vertx, config, db.dataSource(), eventsRoom.outbox, eventsRoom.source(),
            cipher, audit, api, nodeId);
      }
      this.relaySlots = new com.lijiaoqiao.http.RelaySlots(config.server.maxInFlight);
      this.metricsRoom = new MetricsRoom(vertx, config, this, riskRoom.risk);
      this.storageRoom = new StorageRoom(vertx, config, db, metricsRoom.registry(), nodeId, api, audit, accounts,
          bill.currency(), java.time.Clock.systemUTC());
      this.relayPipeline = List.of(
          new AuthenticateStage(keys, secrets),
          new RecordStage(rec, com.lijiaoqiao.logging.LogFormat.isJson(config.logging.format)
              ? com.lijiaoqiao.pipeline.RequestObserver.withEnd(metricsRoom.observer, com.lijiaoqiao.logging.AccessLog::ended)
              : metricsRoom.observer).requestLogs(storageRoom.requestLogs),
          new DecodeStage(responsesStore),
          AuthorizeStage.resolving(router::resolve), // every authorization decision before limits, money, upstreams
          budgetRoom.rateLimitStage(rateLimiter), // key, tenant, gateway
          riskRoom.stage,
          budgetRoom.budgetStage(),
          new ReserveStage(bill),
          new SettleStage(),
          new RouteStage(router, decisions),
          relay);
      this.countTokensPipeline = Pipelines.countTokens(keys, secrets, router, decisions);
      this.geminiCountTokensPipeline = Pipelines.geminiCountTokens(keys, secrets, router);
      this.modelsPipeline = Pipelines.models(keys, secrets, router);
      ProvidersApi.register(api, providerService, router, usageRepository, decisionRepository, audit);
      com.lijiaoqiao.http.api.AuditApi.register(api, audit);
      com.lijiaoqiao.http.ApiDocs.register(ops); // GET /openapi.json and the viewer at /docs/
      com.lijiaoqiao.console.ConsoleRoutes.register(ops); // the web console at /console/ (docs/console.md)
      com.lijiaoqiao.http.api.EventsApi.register(api, eventsRoom::stats);
      this.simulator = sim;
      this.database = db;
      this.recorder = rec;
      this.billing = bill;
      this.healthRoom = new HealthRoom(config, ops, db.dataSource(), dataDir.resolve("journal"), redisClient,
          eventsRoom.kafkaAdmin(), () -> router.catalog().all().size(), storageRoom.probe());
      GatewayConfig.Server srv = config.server;
      HttpFrontend.Settings settings = new HttpFrontend.Settings(srv.host, srv.port,
          srv.maxBodyBytes, config.upstream.maxConnectionsPerHost > 0 ? config.upstream.maxConnectionsPerHost
              : srv.maxInFlight, config.upstream.connectTimeoutMs,
          srv.shutdownGraceSeconds, srv.idleTimeoutMs, srv.requestReadTimeoutMs, srv.maxHeaderBytes, srv.maxHeaders,
          srv.maxRequestLineBytes, srv.maxConnectionsPerIp);
      this.bodyBudget = new BodyBudget(srv.maxBufferedBodyBytes > 0 ? srv.maxBufferedBodyBytes
          : Math.max(srv.maxBodyBytes, Runtime.getRuntime().maxMemory() / 4));
      EdgeGuard.Shared edge = new EdgeGuard.Shared(bodyBudget, relaySlots);
      this.deploymentId = await(vertx.deployVerticle(() -> new HttpFrontend(settings, this, edge),
          new DeploymentOptions().setInstances(loops)));
      this.port = config.server.port;
      this.health = new HealthChecker(vertx, router, rc.healthIntervalMs, rc.healthTimeoutMs,
          rc.recoveryProbeIntervalMs);
      this.responsesSweepTimer = vertx.setPeriodic(60_000, id -> responsesStore.sweep());
      this.registrySyncTimer = rc.registrySyncIntervalMs <= 0 ? -1
          : vertx.setPeriodic(Math.max(100, rc.registrySyncIntervalMs), id ->
              vertx.executeBlocking(providerService::reloadIfChanged, false)
                  .onFailure(t -> log.warn("picking up provider changes from other nodes: {}", t.toString())));
      ok = true;
    } finally {
      if (!ok) {
        if (healthRoom != null) healthRoom.close();
        if (storageRoom != null) storageRoom.close();
        if (bill != null) bill.close();
        if (rec != null) rec.close();
        if (dec != null) dec.close();
        if (eventsRoom != null) eventsRoom.abandon();
        if (db != null) db.close();
        if (sim != null) sim.close();
        vertx.close();
      }
    }
  }

  public static Gateway start(GatewayConfig config) {
    com.lijiaoqiao.protocol.TokenCounter.loadInBackground();
    com.lijiaoqiao.identity.AuthService.prepareInBackground();
    Gateway g = new Gateway(config);
    log.info("gateway listening on {}:{} with {} models", config.server.host, g.port, g.router.catalog().all().size());
    return g;
  }

  /**
   * Balances every node shares (Redis, when configured), and the timer that reads balances and prices from the
   * ledger each second so that other nodes' charges, credits and price changes reach this one.
   */
  private long shareBalances(BillingService bill, GatewayConfig config, Database db, LedgerRepository ledger) {
    com.lijiaoqiao.billing.RedisBalance redisBalance = null;
    com.lijiaoqiao.billing.LeasedBalance leased = null;
    if (redisClient != null) {
      long holdTtlMs = Math.max(60_000L, config.routing.totalTimeoutMs + 60_000L); // longer than any request runs
      redisBalance = new com.lijiaoqiao.billing.RedisBalance(io.vertx.redis.client.RedisAPI.api(redisClient),
          config.redis.keyPrefix, holdTtlMs, tenant -> vertx.executeBlocking(() -> bill.ledgerBalance(tenant), false));
      bill.useCluster(redisBalance);
    } else if (db.isPostgres() && config.billing.balanceLeases) {
      // Several nodes may share this database: they share balances by leasing slices of them.
      String node = java.util.UUID.randomUUID().toString();
      leased = new com.lijiaoqiao.billing.LeasedBalance(new com.lijiaoqiao.store.LeaseRepository(db.dataSource()), node,
          Math.max(1_000, config.billing.leaseTtlMs), Math.max(0, config.billing.leaseIdleMs),
          work -> vertx.executeBlocking(work, false));
      ledger.leaseNode(node);
      bill.useCluster(leased);
    }
    int every = config.billing.refreshIntervalMs;
    if (every <= 0 && leased == null) return -1;
    com.lijiaoqiao.billing.RedisBalance shared = redisBalance;
    com.lijiaoqiao.billing.LeasedBalance leases = leased;
    return vertx.setPeriodic(Math.max(100, every > 0 ? every : 1_000), id -> {
      if (shared != null) shared.reloadSuspects();
      vertx.executeBlocking(() -> {
        if (leases != null) leases.housekeeping();
        if (every > 0) bill.refreshFromLedger();
        return null;
      }, false).onFailure(t -> log.warn("reading balances and prices from the ledger: {}", t.toString()));
    });
  }

  /** Limits shared by every node through Redis when configured, else per node in memory. */
  private RateLimiter rateLimiter(GatewayConfig config) {
    if (config.redis.url == null || config.redis.url.isBlank()) return new LocalRateLimiter();
    io.vertx.redis.client.Redis client = new com.lijiaoqiao.limits.PerLoopRedis(vertx,
        new io.vertx.redis.client.RedisOptions().setConnectionString(config.redis.url)
            .setMaxPoolSize(Math.max(1, config.redis.maxPoolSize)).setMaxPoolWaiting(10_000));
    this.redisClient = client;
    return new com.lijiaoqiao.limits.RedisRateLimiter(io.vertx.redis.client.RedisAPI.api(client), config.redis.keyPrefix);
  }

  /**
   * Polls for keys and users changed on other nodes. The window overlaps the previous one by a few seconds so
   * clocks that differ a little between nodes lose nothing (re-applying a change is harmless).
   */
  private long startKeySync(int intervalMs) {
    java.util.concurrent.atomic.AtomicReference<Instant> since = new java.util.concurrent.atomic.AtomicReference<>(
        Instant.now().minusSeconds(5));
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    return vertx.setPeriodic(Math.max(100, intervalMs), id -> {
      if (!running.compareAndSet(false, true)) return;
      Instant from = since.get();
      Instant next = Instant.now().minusSeconds(5);
      vertx.executeBlocking(() -> keys.syncChangedSince(from), false)
          .onSuccess(n -> since.set(next))
          .onFailure(t -> log.warn("picking up key changes from other nodes: {}", t.toString()))
          .onComplete(ar -> running.set(false));
    });
  }

  /** The providers of ljq.yaml as definitions; checks ids (kinds and URLs are checked when loaded). */
  static List<ProviderDef> providerDefs(GatewayConfig config) {
    Set<String> ids = new HashSet<>();
    List<ProviderDef> out = new java.util.ArrayList<>();
    for (GatewayConfig.ProviderSpec p : config.providers) {
      if (p.id == null || p.id.isBlank()) {
        throw new ConfigLoader.ConfigException("every provider needs an id");
      }
      if (!ids.add(p.id)) {
        throw new ConfigLoader.ConfigException("provider id '" + p.id + "' is used twice");
      }
      java.util.Map<String, String> models = new java.util.LinkedHashMap<>();
      p.models.forEach((pub, up) -> models.put(pub, up == null || up.isBlank() ? pub : up));
      out.add(new ProviderDef(p.id, p.kind, p.baseUrl, p.apiKey, models, p.streaming, p.tools, p.vision,
          p.maxContext, p.tier, p.quality, p.inputPrice, p.outputPrice, p.ownedBy, p.enabled, "config"));
    }
    return out;
  }

  private static Weights weights(GatewayConfig.WeightSpec w) {
    return new Weights(w.latency, w.availability, w.cost, w.quality);
  }

  private static java.util.Map<String, Weights> modelWeights(GatewayConfig.Routing rc) {
    java.util.Map<String, Weights> m = new java.util.HashMap<>();
    rc.modelWeights.forEach((k, v) -> m.put(k, weights(v)));
    return m;
  }

  static long parseMoney(String text, String setting, boolean allowZero) {
    try {
      return Money.parse(text, allowZero);
    } catch (IllegalArgumentException e) {
      throw new ConfigLoader.ConfigException(setting + " " + e.getMessage() + " (got '" + text + "')");
    }
  }

  /** Config prices seed the catalogue; once a model has a price in the database, admins manage it there. */
  static void seedPrices(BillingService billing, GatewayConfig config) {
    config.billing.models.forEach((model, p) -> {
      String prefix = "billing.models." + model;
      long input = parseMoney(p.input, prefix + ".input", true);
      long cached = p.cachedInput == null || p.cachedInput.isBlank() ? input
          : parseMoney(p.cachedInput, prefix + ".cached_input", true);
      if (p.maxOutputTokens < 1) throw new ConfigLoader.ConfigException(prefix + ".max_output_tokens must be positive");
      long write = p.cacheWriteInput == null || p.cacheWriteInput.isBlank() ? input
          : parseMoney(p.cacheWriteInput, prefix + ".cache_write_input", true);
      billing.seedPrice(new ModelPrice(model, input, parseMoney(p.output, prefix + ".output", true), cached,
          p.maxOutputTokens, write));
    });
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
  public List<Stage> geminiCountTokensPipeline() {
    return geminiCountTokensPipeline;
  }

  @Override
  public List<Stage> modelsPipeline() {
    return modelsPipeline;
  }

  @Override
  public List<Stage> storedResponsesPipeline() {
    return storedResponsesPipeline;
  }

  @Override
  public List<Stage> unknownPathPipeline() {
    return unknownPathPipeline;
  }

  /** Operational endpoints (metrics, probes, the API description), registered by their rooms at start. */
  @Override
  public com.lijiaoqiao.http.OpsRoutes ops() {
    return ops;
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

  /** Request-body bytes held right now by requests still being read (server.max_buffered_body_bytes). */
  /** The node's relay admission limit (server.max_in_flight) and its counts. */
  public com.lijiaoqiao.http.RelaySlots relaySlots() {
    return relaySlots;
  }

  public BodyBudget bodyBudget() {
    return bodyBudget;
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

  public ApiKeyRepository keyRepository() {
    return keyRepository;
  }

  public SessionRepository sessions() {
    return sessions;
  }

  public AuditRepository audit() {
    return audit;
  }

  public AuthService auth() {
    return auth;
  }

  /** The password-hashing pool (tests saturate it). */
  public HashingPool hashingPool() {
    return hashing;
  }

  public KeyRegistry keys() {
    return keys;
  }

  public RateLimiter rateLimiter() {
    return rateLimiter;
  }

  public UsageRepository usage() {
    return usageRepository;
  }

  public UsageRecorder recorder() {
    return recorder;
  }

  public com.lijiaoqiao.budgets.Budgets budgets() {
    return budgetRoom.budgets;
  }

  public com.lijiaoqiao.budgets.TenantLimits tenantLimits() {
    return budgetRoom.tenants;
  }

  public BillingService billing() {
    return billing;
  }

  public Router router() {
    return router;
  }

  /** Risk control's block_key: the key stops working here at once and on other nodes at their next key sync. */
  private void blockKey(long keyId) {
    keyRepository.findRow(keyId).ifPresent(k -> {
      if (keyRepository.disable(keyId)) keys.refreshKey(k.keyHash());
    });
  }

  /** Risk control's disable_user: as an administrator's POST /admin/users/{id}/disable. */
  private void disableUser(long userId) {
    accounts.updateStatus(userId, "disabled");
    keys.refreshUser(userId);
    sessions.revokeAllForUser(userId, "user_disabled");
  }

  /** The event outbox (tests, the events API). */
  public com.lijiaoqiao.store.OutboxRepository outbox() {
    return eventsRoom.outbox;
  }

  /** Where consumers take the gateway's events from (the in-process bus, or Kafka). */
  public com.lijiaoqiao.events.EventSource events() {
    return eventsRoom.source();
  }

  /** Each Kafka consumer group's lag in records, measured now (empty without Kafka; seed §7.6). Blocking. */
  public java.util.Map<String, Long> kafkaLag() throws InterruptedException {
    return eventsRoom.kafkaLag();
  }

  /** billing.settled events on Kafka that disagree with the ledger (the billing-service cross-check). */
  public long billingMismatches() {
    return eventsRoom.billingMismatches();
  }

  /** The marketplace's rules, or null when supply.enabled is false. */
  public com.lijiaoqiao.supply.Marketplace marketplace() {
    return supplyRoom == null ? null : supplyRoom.market;
  }

  /** The object store, or null when storage.s3 is off. */
  public com.lijiaoqiao.storage.ObjectStore objectStore() {
    return storageRoom.store;
  }

  public com.lijiaoqiao.store.StorageRepository storageRepository() {
    return storageRoom.repo;
  }

  /** Opt-in request logs, or null when storage.s3 is off. */
  public com.lijiaoqiao.storage.RequestLogs requestLogs() {
    return storageRoom.requestLogs;
  }

  /** Uploads what the request-log spool holds now (tests; the room does it on its timer). Blocking. */
  public int uploadRequestLogs() {
    return storageRoom.spool.upload(storageRoom.store);
  }

  public int requestLogsSpooled() {
    return storageRoom.spool.pending();
  }

  /** An archiver of this node that takes "now" from {@code clock} (the job uses the system clock). */
  public com.lijiaoqiao.storage.Archiver archiver(java.time.Clock clock) {
    return storageRoom.archiver(clock);
  }

  /** Readiness as /readyz last answered it. */
  public com.lijiaoqiao.health.Readiness.State readiness() {
    return healthRoom.readiness.checkNow();
  }

  public ProviderService providers() {
    return providerService;
  }

  public ProviderRepository providerRepository() {
    return providerRepository;
  }

  public Database database() {
    return database;
  }

  /** /readyz turns 503 first, then (health.drain_delay_ms) load balancers have a moment to stop sending here. */
  private void drain() {
    if (healthRoom == null) return;
    healthRoom.drain();
    int delay = config.health.drainDelayMs;
    if (delay <= 0) return;
    log.info("draining: unready for {} ms before the node stops accepting", delay);
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops accepting, lets in-flight requests finish (up to the grace period), writes queued records, stops. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    drain();
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
    if (health != null) health.close();
    if (ledgerRefreshTimer >= 0) vertx.cancelTimer(ledgerRefreshTimer);
    if (webhooksRoom != null) webhooksRoom.close();
    if (supplyRoom != null) supplyRoom.close();
    if (riskRoom != null) riskRoom.close();
    if (metricsRoom != null) metricsRoom.close();
    if (budgetRoom != null) budgetRoom.close();
    // The writers drain (settlements, then usage records and decisions) before the database closes, last.
    billing.close();
    if (billing.cluster() instanceof com.lijiaoqiao.billing.LeasedBalance leases) {
      try {
        leases.giveBackAll(); // everything is shipped now: the other nodes may use this node's leases at once
      } catch (RuntimeException e) {
        log.warn("giving back balance leases: {} (they expire)", e.toString());
      }
    }
    vertx.cancelTimer(lastUsedTimer);
    if (keySyncTimer >= 0) vertx.cancelTimer(keySyncTimer);
    if (redisClient != null) redisClient.close();
    if (registrySyncTimer >= 0) vertx.cancelTimer(registrySyncTimer);
    if (responsesSweepTimer >= 0) vertx.cancelTimer(responsesSweepTimer);
    try {
      keys.flushLastUsed();
    } catch (RuntimeException e) {
      log.warn("writing key last-used times: {}", e.toString());
    }
    recorder.close();
    decisions.close();
    if (storageRoom != null) storageRoom.close(); // queued request logs go to the spool (and up, if the store answers)
    if (eventsRoom != null) eventsRoom.close(); // after the last settlements shipped: their events go out too
    if (hashing != null) hashing.close();
    if (healthRoom != null) healthRoom.close();
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
