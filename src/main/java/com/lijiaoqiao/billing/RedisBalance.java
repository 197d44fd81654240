package com.lijiaoqiao.billing;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants' balances shared by every node, in Redis: one atomic script per reservation and one per settlement.
 * Per tenant (one hash slot, {@code {tenant}}): a hash with the live balance {@code b}, the sum of open holds
 * {@code r} and a generation {@code g}; a hash of holds by request id; a sorted set of their deadlines.
 *
 * <p>The ledger stays the system of record. A tenant without a live balance (first use, or Redis lost its data)
 * is loaded from it; a credit or a redemption drops the live balance (bumping the generation, so a load that
 * read the ledger before the credit cannot install a stale figure) and the next reservation loads it again.
 * A hold whose request outlived its deadline — its node died — is released by the next reservation.
 */
public final class RedisBalance implements ClusterBalance {
  private static final Logger log = LoggerFactory.getLogger(RedisBalance.class);

  /** KEYS wallet, holds, deadlines; ARGV request id, amount, ttl ms. Returns {code, available}: -1 not loaded, 0 short, 1 held. */
  private static final String RESERVE = """
      local b = redis.call('HGET', KEYS[1], 'b')
      if not b then return {-1, 0} end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
      for _, id in ipairs(dead) do
        local a = redis.call('HGET', KEYS[2], id)
        if a then
          redis.call('HINCRBY', KEYS[1], 'r', -tonumber(a))
          redis.call('HDEL', KEYS[2], id)
        end
        redis.call('ZREM', KEYS[3], id)
      end
      if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {1, 0} end
      local avail = tonumber(b) - tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
      local amount = tonumber(ARGV[2])
      if amount > avail then return {0, avail} end
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
      redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
      redis.call('HINCRBY', KEYS[1], 'r', amount)
      return {1, avail - amount}
      """;

  /** KEYS wallet, holds, deadlines; ARGV request id, cost. */
  private static final String SETTLE = """
      local a = redis.call('HGET', KEYS[2], ARGV[1])
      if a then
        redis.call('HINCRBY', KEYS[1], 'r', -tonumber(a))
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
      end
      if tonumber(ARGV[2]) ~= 0 and redis.call('HEXISTS', KEYS[1], 'b') == 1 then
        redis.call('HINCRBY', KEYS[1], 'b', -tonumber(ARGV[2]))
      end
      return 1
      """;

  /** KEYS wallet, holds; ARGV balance from the ledger, the generation read before it. 0 = the ledger changed meanwhile. */
  private static final String LOAD = """
      if (redis.call('HGET', KEYS[1], 'g') or '0') ~= ARGV[2] then return 0 end
      if redis.call('HEXISTS', KEYS[1], 'b') == 1 then return 1 end
      local r = 0
      for _, v in ipairs(redis.call('HVALS', KEYS[2])) do r = r + tonumber(v) end
      redis.call('HSET', KEYS[1], 'b', ARGV[1], 'r', r)
      return 1
      """;

  /** KEYS wallet: the ledger changed; the live balance is read from it again on next use. */
  private static final String CHANGED = """
      redis.call('HINCRBY', KEYS[1], 'g', 1)
      redis.call('HDEL', KEYS[1], 'b')
      return 1
      """;

  private final RedisAPI redis;
  private final String prefix;
  private final long holdTtlMs;
  private final LongFunction<Future<Long>> ledgerBalance;
  private final AtomicLong failures = new AtomicLong();
  /** Tenants whose live balance may be off (a settlement that did not reach Redis): reloaded from the ledger. */
  private final java.util.Set<Long> suspect = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param holdTtlMs how long a hold may stay open (longer than any request may run)
   * @param ledgerBalance the tenant's balance in the system of record (off the event loop)
   */
  public RedisBalance(RedisAPI redis, String keyPrefix, long holdTtlMs, LongFunction<Future<Long>> ledgerBalance) {
    this.redis = redis;
    this.prefix = keyPrefix + "bal:{";
    this.holdTtlMs = holdTtlMs;
    this.ledgerBalance = ledgerBalance;
  }

  private String wallet(long tenantId) {
    return prefix + tenantId + "}";
  }

  @Override
  public Future<Hold> reserve(String requestId, long tenantId, long amountMicros) {
    return reserve(requestId, tenantId, amountMicros, 3);
  }

  private Future<Hold> reserve(String requestId, long tenantId, long amount, int loadsLeft) {
    String w = wallet(tenantId);
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(RESERVE, "3", w, w + ":h", w + ":x", requestId, Long.toString(amount),
            Long.toString(holdTtlMs)))
        .compose(r -> {
          int code = r.get(0).toInteger();
          if (code == 1) return Future.succeededFuture(new Hold(true, r.get(1).toLong()));
          if (code == 0) return Future.succeededFuture(new Hold(false, Math.max(0, r.get(1).toLong())));
          if (loadsLeft <= 0) return Future.failedFuture(new IllegalStateException("tenant balance kept changing"));
          return load(tenantId).compose(v -> reserve(requestId, tenantId, amount, loadsLeft - 1));
        });
  }

  /** Installs the tenant's balance from the ledger, unless a credit landed while it was read. */
  private Future<Void> load(long tenantId) {
    String w = wallet(tenantId);
    return redis.hget(w, "g").compose(g -> {
      String gen = g == null ? "0" : g.toString();
      return ledgerBalance.apply(tenantId).compose(balance ->
          com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(LOAD, "2", w, w + ":h", Long.toString(balance), gen)));
    }).mapEmpty();
  }

  @Override
  public void settle(String requestId, long tenantId, long costMicros) {
    String w = wallet(tenantId);
    com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(SETTLE, "3", w, w + ":h", w + ":x", requestId, Long.toString(costMicros)))
        .onFailure(t -> {
          // Not retried (a reply lost after the script ran would charge twice): the balance is read from the
          // ledger again instead, once Redis answers (see reloadSuspects).
          suspect.add(tenantId);
          failed("settling request " + requestId, t);
        });
  }

  @Override
  public Future<Void> release(String requestId, long tenantId) {
    String w = wallet(tenantId);
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(SETTLE, "3", w, w + ":h", w + ":x", requestId, "0")).mapEmpty();
  }

  /** Drops the live balance of tenants whose settlement did not reach Redis, so it is reloaded from the ledger. */
  public void reloadSuspects() {
    for (Long t : List.copyOf(suspect)) {
      com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(CHANGED, "1", wallet(t))).onSuccess(r -> suspect.remove(t));
    }
  }

  @Override
  public void ledgerChanged(long tenantId) {
    com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(CHANGED, "1", wallet(tenantId))).onFailure(t -> failed("refreshing tenant " + tenantId, t));
  }

  @Override
  public Future<Wallets.Snapshot> snapshot(long tenantId) {
    return redis.hmget(List.of(wallet(tenantId), "b", "r")).map(RedisBalance::snapshotOf);
  }

  private static Wallets.Snapshot snapshotOf(Response r) {
    if (r == null || r.size() < 2 || r.get(0) == null) return null;
    return new Wallets.Snapshot(r.get(0).toLong(), r.get(1) == null ? 0 : r.get(1).toLong(), null);
  }

  public long failures() {
    return failures.get();
  }

  private void failed(String what, Throwable t) {
    long n = failures.incrementAndGet();
    if (n == 1 || n % 1000 == 0) log.warn("shared balances: {} failed ({} failures so far): {}", what, n, t.toString());
  }
}
