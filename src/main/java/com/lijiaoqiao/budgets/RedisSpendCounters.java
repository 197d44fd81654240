package com.lijiaoqiao.budgets;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spend counters every node shares, in Redis. A counter is a hash: field {@code s} the period's spend, one
 * field {@code h:<request id>} per open hold ("amount deadline-ms", so a hold of a node that died lapses). Each
 * step is one script, atomic across a request's counters; a counter expires an hour after its period ends.
 */
public final class RedisSpendCounters implements SpendCounters {
  static final long EXPIRY_MARGIN_MS = 3_600_000;

  /** KEYS limited counters; ARGV rid, amount, hold ttl ms, then per key: limit, expire-at ms. */
  private static final String HOLD = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local amount = tonumber(ARGV[2])
      for i, k in ipairs(KEYS) do
        local limit = tonumber(ARGV[2 + 2 * i])
        local all = redis.call('HGETALL', k)
        local spent = 0
        local held = 0
        for j = 1, #all, 2 do
          local f = all[j]
          if f == 's' then
            spent = tonumber(all[j + 1])
          elseif string.sub(f, 1, 2) == 'h:' then
            local v = all[j + 1]
            local sp = string.find(v, ' ')
            if tonumber(string.sub(v, sp + 1)) < now then
              redis.call('HDEL', k, f)
            elseif f ~= 'h:' .. ARGV[1] then
              held = held + tonumber(string.sub(v, 1, sp - 1))
            end
          end
        end
        if amount + spent + held > limit then return {i, string.format('%.0f', spent), string.format('%.0f', held)} end
      end
      local hold = ARGV[2] .. ' ' .. string.format('%.0f', now + tonumber(ARGV[3]))
      for i, k in ipairs(KEYS) do
        redis.call('HSET', k, 'h:' .. ARGV[1], hold)
        redis.call('PEXPIREAT', k, ARGV[3 + 2 * i])
      end
      return {0, '0', '0'}
      """;

  /** KEYS held counters then spend counters; ARGV rid, number held, cost, then per spend key: expire-at ms. */
  private static final String SETTLE = """
      local n = tonumber(ARGV[2])
      for i = 1, n do redis.call('HDEL', KEYS[i], 'h:' .. ARGV[1]) end
      local cost = tonumber(ARGV[3])
      for i = n + 1, #KEYS do
        if cost > 0 then redis.call('HINCRBY', KEYS[i], 's', ARGV[3]) end
        if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIREAT', KEYS[i], ARGV[3 + i - n]) end
      end
      return 1
      """;

  private static final String SPENT = """
      local out = {}
      for i, k in ipairs(KEYS) do out[i] = redis.call('HGET', k, 's') or '0' end
      return out
      """;

  /** KEYS[1] counter; ARGV spend, expire-at ms. Only a counter without spend yet takes the ledger's figure. */
  private static final String SEED = """
      if redis.call('HSETNX', KEYS[1], 's', ARGV[1]) == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
      return 1
      """;

  /** KEYS counter; ARGV spend, expiry: sets the spend (a budget was just set: the ledger's figure counts). */
  private static final String RESET = """
      redis.call('HSET', KEYS[1], 's', ARGV[1])
      redis.call('PEXPIREAT', KEYS[1], ARGV[2])
      return 1
      """;

  private final RedisAPI redis;
  private final String prefix;
  private final long holdTtlMs;

  public RedisSpendCounters(RedisAPI redis, String keyPrefix, long holdTtlMs) {
    this.redis = redis;
    this.prefix = keyPrefix + "bud:";
    this.holdTtlMs = holdTtlMs;
  }

  @Override
  public Future<Verdict> hold(String requestId, List<Line> lines, long amount) {
    List<Line> limited = lines.stream().filter(Line::limited).toList();
    if (limited.isEmpty()) return Future.succeededFuture(Verdict.HELD);
    List<String> args = new ArrayList<>();
    args.add(HOLD);
    args.add(Integer.toString(limited.size()));
    for (Line l : limited) args.add(prefix + l.counter());
    args.add(requestId);
    args.add(Long.toString(amount));
    args.add(Long.toString(holdTtlMs));
    for (Line l : limited) {
      args.add(Long.toString(l.limitMicros()));
      args.add(Long.toString(expireAt(l)));
    }
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, args).map(r -> {
      int i = r.get(0).toInteger();
      if (i == 0) return Verdict.HELD;
      return new Verdict(limited.get(i - 1), Long.parseLong(r.get(1).toString()), Long.parseLong(r.get(2).toString()));
    });
  }

  @Override
  public Future<Void> settle(String requestId, List<String> heldCounters, List<Line> spend, long costMicros) {
    List<String> args = new ArrayList<>();
    args.add(SETTLE);
    args.add(Integer.toString(heldCounters.size() + spend.size()));
    for (String c : heldCounters) args.add(prefix + c);
    for (Line l : spend) args.add(prefix + l.counter());
    args.add(requestId);
    args.add(Integer.toString(heldCounters.size()));
    args.add(Long.toString(Math.max(0, costMicros)));
    for (Line l : spend) args.add(Long.toString(expireAt(l)));
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, args).mapEmpty();
  }

  @Override
  public Future<Void> release(String requestId, List<String> heldCounters) {
    return settle(requestId, heldCounters, List.of(), 0);
  }

  @Override
  public Future<Map<String, Long>> spent(List<String> counters) {
    if (counters.isEmpty()) return Future.succeededFuture(Map.of());
    List<String> args = new ArrayList<>();
    args.add(SPENT);
    args.add(Integer.toString(counters.size()));
    for (String c : counters) args.add(prefix + c);
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, args).map(r -> {
      Map<String, Long> out = new LinkedHashMap<>();
      for (int i = 0; i < counters.size(); i++) out.put(counters.get(i), parse(r.get(i)));
      return out;
    });
  }

  /** Gives a counter the ledger's figure if no node has counted in it yet (Redis was empty at start-up). */
  public Future<Void> seed(Line line, long micros) {
    if (micros <= 0) return Future.succeededFuture();
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(SEED, "1", prefix + line.counter(), Long.toString(micros),
        Long.toString(expireAt(line)))).mapEmpty();
  }

  /** Sets a counter's spend to the ledger's figure (holds in flight are kept). */
  public Future<Void> reset(Line line, long micros) {
    return com.lijiaoqiao.limits.RedisScripts.eval(redis, List.of(RESET, "1", prefix + line.counter(),
        Long.toString(Math.max(0, micros)), Long.toString(expireAt(line)))).mapEmpty();
  }

  private static long parse(Response r) {
    return r == null ? 0 : Long.parseLong(r.toString());
  }

  private static long expireAt(Line l) {
    return l.resetsAt().toEpochMilli() + EXPIRY_MARGIN_MS;
  }
}
