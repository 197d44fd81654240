package com.lijiaoqiao.app;

import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.billing.ClusterBalance;
import com.lijiaoqiao.billing.LeasedBalance;
import com.lijiaoqiao.billing.RedisBalance;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.api.SupplyApi;
import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.pipeline.PackageGate;
import com.lijiaoqiao.pipeline.ReserveStage;
import com.lijiaoqiao.providers.Providers;
import com.lijiaoqiao.routing.CredentialCipher;
import com.lijiaoqiao.routing.ProviderService;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.LeaseRepository;
import com.lijiaoqiao.store.LedgerRepository;
import com.lijiaoqiao.store.SupplyRepository;
import com.lijiaoqiao.supply.LocalQuotaFactory;
import com.lijiaoqiao.supply.Marketplace;
import com.lijiaoqiao.supply.PackageQuotas;
import com.lijiaoqiao.supply.SupplierEarnings;
import com.lijiaoqiao.supply.SupplyGate;
import com.lijiaoqiao.supply.SupplyPool;
import com.lijiaoqiao.supply.UpstreamAccountProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the supplier marketplace: its store, the rules, the routing pool of packages (synced across nodes), the
 * packages' live quotas (Redis, leases or this node's memory — as tenants' balances are shared), the request path's
 * gate, the API and the background checks of accounts.
 */
final class SupplyRoom implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SupplyRoom.class);

  final PackageGate gate;
  final SupplyPool pool;
  final Marketplace market;
  private final Vertx vertx;
  private final io.vertx.core.http.HttpClient probeClient;
  private final long syncTimer;
  private final long reprobeTimer;

  /** Blocking (reads the store); run at start-up once providers are loaded. */
  SupplyRoom(Vertx vertx, GatewayConfig config, Database db, LedgerRepository ledger, Redis redisClient,
             BillingService billing, ProviderService providers, com.lijiaoqiao.routing.Router router,
             CredentialCipher cipher, AuditRepository audit, ApiRouter api, Clock clock) {
    this.vertx = vertx;
    GatewayConfig.Supply sc = config.supply;
    SupplyRepository store = new SupplyRepository(db.dataSource(), db.isPostgres());
    AddressGuard guard = new AddressGuard(sc.allowPrivateAddresses, sc.allowedAddresses);
    this.probeClient = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(
        Math.min(sc.probeTimeoutMs, 10_000)).setKeepAlive(false));
    PackageQuotas[] quotas = new PackageQuotas[1];
    java.util.function.LongFunction<Future<Long>> remaining = id -> vertx.executeBlocking(() ->
        store.pkg(id).map(p -> p.quotaTokens() - p.usedTokens()).orElse(0L) - quotas[0].unshipped(id), false);
    ClusterBalance live;
    LeasedBalance leases = null;
    if (redisClient != null) {
      live = new RedisBalance(RedisAPI.api(redisClient), config.redis.keyPrefix + "pkg:",
          Math.max(60_000L, config.routing.totalTimeoutMs + 60_000L), remaining);
    } else if (ledger.leaseNode() != null) {
      leases = new LeasedBalance(new LeaseRepository(db.dataSource(), LeaseRepository.Leased.PACKAGE_TOKENS),
          ledger.leaseNode(), Math.max(1_000, config.billing.leaseTtlMs), Math.max(0, config.billing.leaseIdleMs),
          work -> vertx.executeBlocking(work, false));
      live = leases;
    } else {
      live = LocalQuotaFactory.create(remaining);
    }
    quotas[0] = new PackageQuotas(live);
    billing.onSettled(quotas[0]);
    billing.onShippedEarnings(quotas[0]::shipped);
    java.util.function.Function<com.lijiaoqiao.routing.ProviderDef, com.lijiaoqiao.providers.Provider> adapters =
        d -> Providers.create(d, null, config.upstream.connectTimeoutMs, config.upstream.idleTimeoutMs, guard);
    SupplyPool[] poolRef = new SupplyPool[1];
    this.market = new Marketplace(store, cipher, new UpstreamAccountProbe(probeClient, guard, sc.probeTimeoutMs),
        url -> {
          try {
            guard.checkUrl(url);
            guard.resolveBlocking(URI.create(url).getHost());
          } catch (AddressGuard.Refused e) {
            throw new IllegalArgumentException(e.getMessage());
          }
        },
        billing.prices(), providers::providerIdTaken,
        new Marketplace.Settings(Math.max(0, Math.min(10_000, sc.minMarginBps)), Math.max(0, sc.holdDays)), clock,
        () -> poolRef[0].refresh(), quotas[0]::quotaChanged, ledger::tenantExists);
    this.pool = new SupplyPool(store, market, providers, adapters);
    poolRef[0] = pool;
    pool.refresh();
    String prefix = config.redis.keyPrefix;
    com.lijiaoqiao.limits.RateLimiter packageLimits = redisClient == null ? new com.lijiaoqiao.limits.LocalRateLimiter()
        : new com.lijiaoqiao.limits.RedisRateLimiter(RedisAPI.api(redisClient), prefix + "supply-pkg:");
    com.lijiaoqiao.limits.RateLimiter accountLimits = redisClient == null ? new com.lijiaoqiao.limits.LocalRateLimiter()
        : new com.lijiaoqiao.limits.RedisRateLimiter(RedisAPI.api(redisClient), prefix + "supply-acc:");
    this.gate = new SupplyGate(quotas[0], packageLimits, accountLimits, ex -> ReserveStage.maxTokensFor(ex, billing.prices(), ex.model()),
        accountId -> vertx.executeBlocking(() -> {
          store.account(accountId).ifPresent(market::reverify);
          return null;
        }, false));
    billing.onSettled((SupplyGate) gate);
    new SupplyApi(market, new SupplierEarnings(store, market), store, audit, billing.currency(), accountId -> {
      com.lijiaoqiao.routing.ProviderState st = router.existingState("supply-account:" + accountId);
      return st == null ? null : st.snapshot();
    }).register(api);
    LeasedBalance leased = leases;
    this.syncTimer = vertx.setPeriodic(Math.max(100, sc.syncIntervalMs), id -> vertx.executeBlocking(() -> {
      if (leased != null) leased.housekeeping();
      pool.refresh();
      return null;
    }, false).onFailure(t -> log.warn("refreshing the marketplace pool: {}", t.toString())));
    this.reprobeTimer = sc.reprobeIntervalMs <= 0 ? -1 : vertx.setPeriodic(sc.reprobeIntervalMs, id ->
        vertx.executeBlocking(() -> {
          pool.reprobe();
          return null;
        }, false).onFailure(t -> log.warn("probing supply accounts: {}", t.toString())));
  }

  @Override
  public void close() {
    vertx.cancelTimer(syncTimer);
    if (reprobeTimer >= 0) vertx.cancelTimer(reprobeTimer);
    probeClient.close();
  }
}
