package com.lijiaoqiao.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Slows password guessing before any hash is computed: a token bucket per client IP and one per account
 * (the e-mail as typed, normalised, whether or not such a user exists, so the throttle reveals nothing).
 * Each holds {@code perMinute} attempts and refills at that rate. A sign-in that succeeds gives its attempts
 * back, so only failures use up the budget: people and scripts that know their password are never throttled,
 * a guesser is.
 *
 * <p>In memory, per node: with N nodes behind a load balancer the cluster-wide rate is up to N times the
 * limit. That is acceptable because the account lock-out in the database holds across nodes; this throttle
 * only keeps one node's hashing pool for honest sign-ins.
 */
public final class LoginThrottle {
  private static final long MINUTE_NANOS = 60_000_000_000L;
  /** Bounds memory under a flood from many addresses; an evicted bucket simply starts full again. */
  private static final long MAX_TRACKED = 100_000;

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(int capacity, long now) {
      this.tokens = capacity;
      this.lastNanos = now;
    }

    void refill(int perMinute, long now) {
      long dt = now - lastNanos;
      if (dt > 0) {
        tokens = Math.min(perMinute, tokens + (double) perMinute * dt / MINUTE_NANOS);
        lastNanos = now;
      }
    }

    /** Whole seconds until one attempt is available again (at least 1). */
    long secondsUntilOne(int perMinute) {
      double missing = 1 - tokens;
      return Math.max(1, (long) Math.ceil(missing * 60.0 / perMinute));
    }
  }

  private final int perIp;
  private final int perAccount;
  private final LongSupplier clock;
  /** An idle bucket is full again within a minute, so forgetting it after that changes nothing. */
  private final Cache<String, Bucket> byIp = Caffeine.newBuilder()
      .expireAfterAccess(Duration.ofMinutes(1)).maximumSize(MAX_TRACKED).build();
  private final Cache<String, Bucket> byAccount = Caffeine.newBuilder()
      .expireAfterAccess(Duration.ofMinutes(1)).maximumSize(MAX_TRACKED).build();

  /** Limits per minute; 0 turns that limit off. */
  public LoginThrottle(int perIpPerMinute, int perAccountPerMinute) {
    this(perIpPerMinute, perAccountPerMinute, System::nanoTime);
  }

  LoginThrottle(int perIpPerMinute, int perAccountPerMinute, LongSupplier nanoClock) {
    this.perIp = Math.max(0, perIpPerMinute);
    this.perAccount = Math.max(0, perAccountPerMinute);
    this.clock = nanoClock;
  }

  /**
   * Takes one attempt from the IP's and the account's bucket. Returns 0 when the attempt may go ahead, else
   * the seconds to wait (and takes nothing, so a refused attempt does not lengthen the wait).
   */
  public synchronized long tryAcquire(String ip, String account) {
    long now = clock.getAsLong();
    Bucket i = bucket(byIp, perIp, ip, now);
    Bucket a = bucket(byAccount, perAccount, account, now);
    long wait = 0;
    if (i != null && i.tokens < 1) wait = i.secondsUntilOne(perIp);
    if (a != null && a.tokens < 1) wait = Math.max(wait, a.secondsUntilOne(perAccount));
    if (wait > 0) return wait;
    if (i != null) i.tokens -= 1;
    if (a != null) a.tokens -= 1;
    return 0;
  }

  /** Gives back the attempt of a sign-in that succeeded. */
  public synchronized void refund(String ip, String account) {
    refund(byIp, perIp, ip);
    refund(byAccount, perAccount, account);
  }

  private static Bucket bucket(Cache<String, Bucket> cache, int perMinute, String key, long now) {
    if (perMinute <= 0 || key == null) return null;
    Bucket b = cache.get(key, k -> new Bucket(perMinute, now));
    b.refill(perMinute, now);
    return b;
  }

  private static void refund(Cache<String, Bucket> cache, int perMinute, String key) {
    if (perMinute <= 0 || key == null) return;
    Bucket b = cache.getIfPresent(key);
    if (b != null) b.tokens = Math.min(perMinute, b.tokens + 1);
  }
}
