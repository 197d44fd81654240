package com.lijiaoqiao.app;

import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.api.RiskApi;
import com.lijiaoqiao.pipeline.RiskStage;
import com.lijiaoqiao.risk.LocalRiskCounters;
import com.lijiaoqiao.risk.RedisRiskCounters;
import com.lijiaoqiao.risk.RiskControl;
import com.lijiaoqiao.risk.RiskCounters;
import com.lijiaoqiao.risk.RiskPolicy;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.RiskRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires risk control: counters in Redis when configured (else this node's), the rules and suppressions re-read every
 * second, tenants' ages for the new-account rule, the stage, spend from settlements, and the operators' API.
 */
final class RiskRoom implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RiskRoom.class);

  final RiskControl risk;
  final RiskStage stage;
  private final Vertx vertx;
  private final long timer;
  private final Map<Long, Long> tenantCreated = new ConcurrentHashMap<>();
  private final DataSource ds;
  private volatile long lastTenantId;

  /** Blocking (reads the rules); run at start-up. */
  RiskRoom(Vertx vertx, GatewayConfig config, DataSource ds, Redis redisClient, BillingService billing,
           AuditRepository audit, ApiRouter api, LongConsumer blockKey, LongConsumer disableUser) {
    this.vertx = vertx;
    this.ds = ds;
    RiskCounters counters = redisClient == null ? new LocalRiskCounters()
        : new RedisRiskCounters(RedisAPI.api(redisClient), config.redis.keyPrefix);
    RiskControl.Blocking blocking = new RiskControl.Blocking() {
      @Override
      public <T> Future<T> run(Callable<T> work) {
        return vertx.executeBlocking(work, false);
      }
    };
    this.risk = new RiskControl(new RiskRepository(ds), counters, blocking, blockKey, disableUser,
        config.risk.enabled ? RiskPolicy.defaults() : RiskPolicy.defaults().withEnabled(false));
    risk.reload();
    loadTenants();
    billing.onSettled(s -> {
      if (s.costMicros() > 0 || s.completionTokens() > 0) risk.spent(s.apiKeyId(), s.costMicros(), s.completionTokens());
    });
    this.stage = new RiskStage(risk, billing.prices(), this::ageDays);
    new RiskApi(risk, audit).register(api);
    this.timer = vertx.setPeriodic(Math.max(100, config.risk.reloadIntervalMs), id -> vertx.executeBlocking(() -> {
      risk.reload();
      loadTenants();
      return null;
    }, false).onFailure(t -> log.warn("re-reading risk rules: {}", t.toString())));
  }

  /** Days since the tenant was created; 0 for one this node has not seen yet (it is new). */
  private long ageDays(long tenantId) {
    Long created = tenantCreated.get(tenantId);
    return created == null ? 0 : Math.max(0, (System.currentTimeMillis() - created) / 86_400_000L);
  }

  /** Tenants created since the last look (ids only grow): their creation times. Blocking. */
  private void loadTenants() {
    try (var c = ds.getConnection();
         var ps = c.prepareStatement("SELECT id, created_at FROM tenants WHERE id > ? ORDER BY id LIMIT 100000")) {
      ps.setLong(1, lastTenantId);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          tenantCreated.put(rs.getLong(1), rs.getTimestamp(2).getTime());
          lastTenantId = Math.max(lastTenantId, rs.getLong(1));
        }
      }
    } catch (java.sql.SQLException e) {
      log.warn("reading tenants' ages: {}", e.toString());
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
