package com.lijiaoqiao.risk;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The risk counters of one node, in memory: per key, tokens in 10-second buckets over the last minute, client IPs
 * seen in the last hour (at most {@value #MAX_IPS}), the models it used (at most {@value #MAX_MODELS}), and spend in
 * 5-minute buckets over the last day. Keys idle for a day are forgotten.
 */
public final class LocalRiskCounters implements RiskCounters {
  static final int MAX_IPS = 1_000;
  static final int MAX_MODELS = 200;
  private static final long TEN_S = 10_000;
  private static final long FIVE_MIN = 300_000;
  private static final int SPEND_SLOTS = 288; // a day of 5-minute buckets

  private static final class KeyState {
    final long[] tokenSlot = new long[6];
    final long[] tokenAt = new long[6];
    final LinkedHashMap<String, Long> ips = new LinkedHashMap<>(16, 0.75f, true);
    final Set<String> models = new HashSet<>();
    long requests;
    final long[] spend = new long[SPEND_SLOTS];
    final long[] spendAt = new long[SPEND_SLOTS];
  }

  private final Cache<Long, KeyState> keys = Caffeine.newBuilder().expireAfterAccess(Duration.ofDays(1))
      .maximumSize(1_000_000).build();

  @Override
  public Future<Observed> observe(RiskSignals s) {
    KeyState k = keys.get(s.keyId(), id -> new KeyState());
    long now = s.nowMillis();
    synchronized (k) {
      long bucket = now / TEN_S;
      int i = (int) (bucket % 6);
      if (k.tokenAt[i] != bucket) {
        k.tokenAt[i] = bucket;
        k.tokenSlot[i] = 0;
      }
      k.tokenSlot[i] += s.estimatedTokens();
      long tokens = 0;
      for (int j = 0; j < 6; j++) if (bucket - k.tokenAt[j] < 6) tokens += k.tokenSlot[j];
      if (s.clientIp() != null) {
        k.ips.put(s.clientIp(), now);
        if (k.ips.size() > MAX_IPS) k.ips.remove(k.ips.keySet().iterator().next());
      }
      k.ips.values().removeIf(t -> now - t > 3_600_000);
      boolean modelNew = !k.models.contains(s.model());
      if (modelNew && k.models.size() < MAX_MODELS) k.models.add(s.model());
      long prior = k.requests++;
      return Future.succeededFuture(new Observed(tokens, k.ips.size(), modelNew, prior, spendNow(k, now),
          baseline(k, now)));
    }
  }

  @Override
  public void spent(long keyId, long micros, long completionTokens, long nowMillis) {
    KeyState k = keys.getIfPresent(keyId);
    if (k == null) return;
    synchronized (k) {
      if (completionTokens > 0) {
        long b10 = nowMillis / TEN_S;
        int t = (int) (b10 % 6);
        if (k.tokenAt[t] != b10) {
          k.tokenAt[t] = b10;
          k.tokenSlot[t] = 0;
        }
        k.tokenSlot[t] += completionTokens;
      }
      if (micros <= 0) return;
      long bucket = nowMillis / FIVE_MIN;
      int i = (int) (bucket % SPEND_SLOTS);
      if (k.spendAt[i] != bucket) {
        k.spendAt[i] = bucket;
        k.spend[i] = 0;
      }
      k.spend[i] += micros;
    }
  }

  private static long spendNow(KeyState k, long now) {
    long bucket = now / FIVE_MIN;
    int i = (int) (bucket % SPEND_SLOTS);
    return k.spendAt[i] == bucket ? k.spend[i] : 0;
  }

  /** The average 5-minute spend of the day before the current bucket (0 without history). */
  private static long baseline(KeyState k, long now) {
    long bucket = now / FIVE_MIN;
    long sum = 0;
    for (int j = 0; j < SPEND_SLOTS; j++) {
      long age = bucket - k.spendAt[j];
      if (age >= 1 && age <= SPEND_SLOTS) sum += k.spend[j];
    }
    return sum / SPEND_SLOTS;
  }

  /** For tests: the keys tracked. */
  long tracked() {
    return keys.estimatedSize();
  }

}
