package com.lijiaoqiao.limits;

import io.vertx.core.Future;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Token buckets in this process: each key has a request bucket holding {@code rpm} and refilling at
 * {@code rpm}/minute, and a token bucket holding {@code tpm} and refilling at {@code tpm}/minute. A request
 * estimated above the whole token bucket is admitted only when the bucket is full (and then drains it).
 */
public final class LocalRateLimiter implements RateLimiter {
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private static final class Buckets {
    double requests;
    double tokens;
    long lastNanos;
    int rpm;
    int tpm;

    Buckets(int rpm, int tpm, long now) {
      this.rpm = rpm;
      this.tpm = tpm;
      this.requests = rpm;
      this.tokens = tpm;
      this.lastNanos = now;
    }

    void refill(int newRpm, int newTpm, long now) {
      if (newRpm != rpm) {
        requests = Math.min(requests, newRpm);
        rpm = newRpm;
      }
      if (newTpm != tpm) {
        tokens = Math.min(tokens, newTpm);
        tpm = newTpm;
      }
      long dt = now - lastNanos;
      if (dt > 0) {
        requests = Math.min(rpm, requests + (double) rpm * dt / MINUTE_NANOS);
        tokens = Math.min(tpm, tokens + (double) tpm * dt / MINUTE_NANOS);
        lastNanos = now;
      }
    }
  }

  /** A key idle for two minutes has full buckets again, so forgetting it changes nothing. */
  private final Cache<Long, Buckets> byKey = Caffeine.newBuilder()
      .expireAfterAccess(java.time.Duration.ofMinutes(2)).build();
  private final java.util.function.LongSupplier clock;

  public LocalRateLimiter() {
    this(System::nanoTime);
  }

  public LocalRateLimiter(java.util.function.LongSupplier nanoClock) {
    this.clock = nanoClock;
  }

  @Override
  public Future<Decision> acquire(long keyId, int rpm, int tpm, long tokens) {
    return Future.succeededFuture(tryAcquire(keyId, rpm, tpm, tokens));
  }

  /** The synchronous form (what {@link #acquire} does). */
  public Decision tryAcquire(long keyId, int rpm, int tpm, long tokens) {
    long now = clock.getAsLong();
    Buckets b = byKey.get(keyId, k -> new Buckets(rpm, tpm, now));
    synchronized (b) {
      b.refill(rpm, tpm, now);
      long charge = Math.min(Math.max(0, tokens), tpm);
      Refusal refusal = Refusal.NONE;
      long retry = 0;
      if (b.requests < 1) {
        refusal = Refusal.REQUESTS;
        retry = msUntil(1 - b.requests, rpm);
      } else if (b.tokens < charge) {
        refusal = Refusal.TOKENS;
        retry = msUntil(charge - b.tokens, tpm);
      } else {
        b.requests -= 1;
        b.tokens -= charge;
      }
      return new Decision(refusal, rpm, (long) Math.floor(b.requests), msUntil(rpm - b.requests, rpm),
          tpm, (long) Math.floor(Math.max(0, b.tokens)), msUntil(tpm - b.tokens, tpm), retry,
          refusal == Refusal.NONE ? charge : 0);
    }
  }

  @Override
  public void adjust(long keyId, int tpm, long deltaTokens) {
    if (deltaTokens == 0) return;
    Buckets b = byKey.getIfPresent(keyId);
    if (b == null) return;
    synchronized (b) {
      // may go below zero: a request that used more than estimated delays the next ones
      b.tokens = Math.min(b.tpm, b.tokens - deltaTokens);
    }
  }

  @Override
  public void giveBack(long keyId, int rpm, int tpm, long tokens) {
    Buckets b = byKey.getIfPresent(keyId);
    if (b == null) return;
    synchronized (b) {
      b.requests = Math.min(b.rpm, b.requests + 1);
      b.tokens = Math.min(b.tpm, b.tokens + Math.max(0, tokens));
    }
  }

  private static long msUntil(double missing, int perMinute) {
    if (missing <= 0) return 0;
    return (long) Math.ceil(missing * 60_000.0 / perMinute);
  }
}
