package com.lijiaoqiao.risk;

import com.lijiaoqiao.limits.RedisScripts;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * The risk counters shared by every node, in Redis: one script per request reads and updates a key's tokens per
 * 10-second bucket, its client IPs of the last hour, its models and request count, and its 5-minute spend buckets
 * of the last day — all in one hash slot per key ({@code {risk:<key>}}), kept a day after the key's last use.
 */
public final class RedisRiskCounters implements RiskCounters {
  /** KEYS tokens, ips, models, count, spend; ARGV now ms, tokens, ip ('' = none), model. */
  private static final String OBSERVE = """
      local now = tonumber(ARGV[1])
      local b10 = math.floor(now / 10000)
      redis.call('HINCRBY', KEYS[1], b10, tonumber(ARGV[2]))
      local tokens = 0
      local t = redis.call('HGETALL', KEYS[1])
      for i = 1, #t, 2 do
        local age = b10 - tonumber(t[i])
        if age < 6 then tokens = tokens + tonumber(t[i + 1]) else redis.call('HDEL', KEYS[1], t[i]) end
      end
      if ARGV[3] ~= '' then redis.call('ZADD', KEYS[2], now, ARGV[3]) end
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
      local ips = redis.call('ZCARD', KEYS[2])
      if ips > 1000 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, ips - 1001); ips = 1000 end
      local new = 0
      if redis.call('SISMEMBER', KEYS[3], ARGV[4]) == 0 then
        new = 1
        if redis.call('SCARD', KEYS[3]) < 200 then redis.call('SADD', KEYS[3], ARGV[4]) end
      end
      local prior = redis.call('INCR', KEYS[4]) - 1
      local b5 = math.floor(now / 300000)
      local spendNow = 0
      local sum = 0
      local s = redis.call('HGETALL', KEYS[5])
      for i = 1, #s, 2 do
        local age = b5 - tonumber(s[i])
        if age == 0 then spendNow = tonumber(s[i + 1])
        elseif age >= 1 and age <= 288 then sum = sum + tonumber(s[i + 1])
        else redis.call('HDEL', KEYS[5], s[i]) end
      end
      for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], 90000000) end
      return {tokens, ips, new, prior, spendNow, math.floor(sum / 288)}
      """;

  /** KEYS spend, tokens; ARGV 5-minute bucket, micros, 10-second bucket, completion tokens. */
  private static final String SPENT = """
      if tonumber(ARGV[2]) > 0 then
        redis.call('HINCRBY', KEYS[1], ARGV[1], tonumber(ARGV[2]))
        redis.call('PEXPIRE', KEYS[1], 90000000)
      end
      if tonumber(ARGV[4]) > 0 then
        redis.call('HINCRBY', KEYS[2], ARGV[3], tonumber(ARGV[4]))
        redis.call('PEXPIRE', KEYS[2], 90000000)
      end
      return 1
      """;

  private final RedisAPI redis;
  private final String prefix;

  public RedisRiskCounters(RedisAPI redis, String keyPrefix) {
    this.redis = redis;
    this.prefix = keyPrefix + "{risk:";
  }

  @Override
  public Future<Observed> observe(RiskSignals s) {
    String k = prefix + s.keyId() + "}:";
    return RedisScripts.eval(redis, List.of(OBSERVE, "5", k + "t", k + "ip", k + "m", k + "n", k + "s",
        Long.toString(s.nowMillis()), Long.toString(Math.max(0, s.estimatedTokens())),
        s.clientIp() == null ? "" : s.clientIp(), s.model() == null ? "" : s.model()))
        .map(RedisRiskCounters::observed);
  }

  private static Observed observed(Response r) {
    return new Observed(r.get(0).toLong(), r.get(1).toLong(), r.get(2).toLong() == 1, r.get(3).toLong(),
        r.get(4).toLong(), r.get(5).toLong());
  }

  @Override
  public void spent(long keyId, long micros, long completionTokens, long nowMillis) {
    if (micros <= 0 && completionTokens <= 0) return;
    String k = prefix + keyId + "}:";
    RedisScripts.eval(redis, List.of(SPENT, "2", k + "s", k + "t", Long.toString(nowMillis / 300_000),
        Long.toString(Math.max(0, micros)), Long.toString(nowMillis / 10_000), Long.toString(Math.max(0, completionTokens))));
  }
}
