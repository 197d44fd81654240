package com.lijiaoqiao.limits;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key token buckets shared by every gateway node, in Redis: one atomic script per request (Redis's own clock,
 * so nodes with slightly different clocks agree). If Redis cannot be reached the request is let through and
 * the failure counted and logged — the limits protect upstreams, they must not take the gateway down.
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final long MINUTE_MS = 60_000;

  /** KEYS[1] bucket; ARGV rpm, tpm, tokens. Returns {refusal (0 none, 1 requests, 2 tokens), requests, tokens}. */
  private static final String ACQUIRE = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local rpm = tonumber(ARGV[1])
      local tpm = tonumber(ARGV[2])
      local cost = tonumber(ARGV[3])
      local v = redis.call('HMGET', KEYS[1], 'r', 't', 'ts', 'rpm', 'tpm')
      local r = tonumber(v[1])
      local tk = tonumber(v[2])
      local ts = tonumber(v[3])
      if r == nil then r = rpm; tk = tpm; ts = now end
      if tonumber(v[4]) ~= rpm then r = math.min(r, rpm) end
      if tonumber(v[5]) ~= tpm then tk = math.min(tk, tpm) end
      local dt = now - ts
      if dt > 0 then
        r = math.min(rpm, r + rpm * dt / 60000)
        tk = math.min(tpm, tk + tpm * dt / 60000)
        ts = now
      end
      local refusal = 0
      if r < 1 then refusal = 1 elseif tk < cost then refusal = 2 else r = r - 1; tk = tk - cost end
      redis.call('HSET', KEYS[1], 'r', tostring(r), 't', tostring(tk), 'ts', ts, 'rpm', rpm, 'tpm', tpm)
      redis.call('PEXPIRE', KEYS[1], 120000)
      return {refusal, tostring(r), tostring(tk)}
      """;

  /** KEYS[1] bucket; ARGV tpm, delta. A request that used more than estimated may take the bucket below zero. */
  private static final String ADJUST = """
      local t = redis.call('HGET', KEYS[1], 't')
      if not t then return 0 end
      redis.call('HSET', KEYS[1], 't', tostring(math.min(tonumber(ARGV[1]), tonumber(t) - tonumber(ARGV[2]))))
      return 1
      """;

  /** KEYS[1] bucket; ARGV rpm, tpm, tokens: what an admitted request took, given back. */
  private static final String GIVE_BACK = """
      local v = redis.call('HMGET', KEYS[1], 'r', 't')
      if not v[1] then return 0 end
      redis.call('HSET', KEYS[1], 'r', tostring(math.min(tonumber(ARGV[1]), tonumber(v[1]) + 1)),
        't', tostring(math.min(tonumber(ARGV[2]), tonumber(v[2]) + tonumber(ARGV[3]))))
      return 1
      """;

  private final RedisAPI redis;
  private final String prefix;
  private final AtomicLong failures = new AtomicLong();

  public RedisRateLimiter(RedisAPI redis, String keyPrefix) {
    this.redis = redis;
    this.prefix = keyPrefix + "rl:";
  }

  @Override
  public Future<Decision> acquire(long keyId, int rpm, int tpm, long tokens) {
    long charge = Math.min(Math.max(0, tokens), tpm);
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(ACQUIRE, "1", prefix + keyId, Integer.toString(rpm), Integer.toString(tpm),
            Long.toString(charge)))
        .map(r -> decision(r, rpm, tpm, charge))
        .recover(t -> {
          long n = failures.incrementAndGet();
          if (n == 1 || n % 1000 == 0) {
            log.warn("rate limits unavailable ({} requests let through so far): {}", n, t.toString());
          }
          return Future.succeededFuture(new Decision(Refusal.NONE, rpm, rpm, 0, tpm, tpm, 0, 0, 0));
        });
  }

  static Decision decision(Response r, int rpm, int tpm, long charge) {
    int code = r.get(0).toInteger();
    double requests = Double.parseDouble(r.get(1).toString());
    double tokens = Double.parseDouble(r.get(2).toString());
    Refusal refusal = code == 1 ? Refusal.REQUESTS : code == 2 ? Refusal.TOKENS : Refusal.NONE;
    long retry = switch (refusal) {
      case REQUESTS -> msUntil(1 - requests, rpm);
      case TOKENS -> msUntil(charge - tokens, tpm);
      case NONE -> 0;
    };
    return new Decision(refusal, rpm, (long) Math.floor(Math.max(0, requests)), msUntil(rpm - requests, rpm), tpm,
        (long) Math.floor(Math.max(0, tokens)), msUntil(tpm - tokens, tpm), retry,
        refusal == Refusal.NONE ? charge : 0);
  }

  private static long msUntil(double missing, int perMinute) {
    if (missing <= 0 || perMinute <= 0) return 0;
    return (long) Math.ceil(missing * MINUTE_MS / perMinute);
  }

  @Override
  public void adjust(long keyId, int tpm, long deltaTokens) {
    if (deltaTokens == 0) return;
    com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(ADJUST, "1", prefix + keyId, Integer.toString(tpm), Long.toString(deltaTokens)))
        .onFailure(t -> failures.incrementAndGet());
  }

  @Override
  public void giveBack(long keyId, int rpm, int tpm, long tokens) {
    com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(GIVE_BACK, "1", prefix + keyId, Integer.toString(rpm), Integer.toString(tpm),
            Long.toString(Math.max(0, tokens))))
        .onFailure(t -> failures.incrementAndGet());
  }

  public long failures() {
    return failures.get();
  }
}
