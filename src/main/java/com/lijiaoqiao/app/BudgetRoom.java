package com.lijiaoqiao.app;

import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.budgets.Budgets;
import com.lijiaoqiao.budgets.RedisSpendCounters;
import com.lijiaoqiao.budgets.TenantLimits;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.api.BudgetsApi;
import com.lijiaoqiao.limits.LocalRateLimiter;
import com.lijiaoqiao.limits.RateLimiter;
import com.lijiaoqiao.limits.RedisRateLimiter;
import com.lijiaoqiao.pipeline.BudgetStage;
import com.lijiaoqiao.pipeline.RateLimitStage;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.ApiKeyRepository;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.BudgetRepository;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Instant;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires spend budgets and the tenant and gateway rate limits: counters in Redis when configured (else this
 * node's, seeded from the ledger), tenants' limits re-read every key-sync interval, the API, and the stages.
 */
final class BudgetRoom implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BudgetRoom.class);

  final Budgets budgets;
  final TenantLimits tenants;
  private final RateLimitStage.Wider wider;
  private final BillingService billing;
  private final Vertx vertx;
  private final long timer;

  /** Blocking (reads the ledger); run at start-up after billing has replayed its journal. */
  BudgetRoom(Vertx vertx, GatewayConfig config, Redis redisClient, DataSource ds, BillingService billing,
             ApiKeyRepository keyRows, KeyRegistry keys, AccountRepository accounts, AuditRepository audit,
             ApiRouter api) {
    this.vertx = vertx;
    this.billing = billing;
    BudgetRepository store = new BudgetRepository(ds);
    this.tenants = new TenantLimits(store);
    tenants.reload();
    RedisAPI redis = redisClient == null ? null : RedisAPI.api(redisClient);
    long holdTtlMs = Math.max(60_000L, config.routing.totalTimeoutMs + 60_000L); // longer than any request runs
    this.budgets = new Budgets(redis == null ? null : new RedisSpendCounters(redis, config.redis.keyPrefix, holdTtlMs),
        Instant::now);
    budgets.seed(store);
    billing.onSettled(budgets);
    String prefix = config.redis.keyPrefix;
    RateLimiter tenantBuckets = redis == null ? new LocalRateLimiter() : new RedisRateLimiter(redis, prefix + "tenant:");
    RateLimiter globalBuckets = redis == null ? new LocalRateLimiter() : new RedisRateLimiter(redis, prefix + "global:");
    this.wider = new RateLimitStage.Wider(tenantBuckets, tenants, globalBuckets, Math.max(0, config.limits.globalRpm),
        Math.max(0, config.limits.globalTpm));
    new BudgetsApi(budgets, tenants, store, keyRows, keys, accounts, audit, billing.currency()).register(api);
    int every = config.security.keySyncIntervalMs;
    this.timer = every <= 0 ? -1 : vertx.setPeriodic(Math.max(100, every), id -> vertx.executeBlocking(() -> {
      tenants.reload();
      return null;
    }, false).onFailure(t -> log.warn("reading tenants' budgets and limits: {}", t.toString())));
  }

  RateLimitStage rateLimitStage(RateLimiter keyBuckets) {
    return new RateLimitStage(keyBuckets, wider);
  }

  BudgetStage budgetStage() {
    return new BudgetStage(budgets, tenants, billing.prices(), billing.currency());
  }

  @Override
  public void close() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }
}
