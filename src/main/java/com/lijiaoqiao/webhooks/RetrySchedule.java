package com.lijiaoqiao.webhooks;

import java.util.function.LongUnaryOperator;

/**
 * When a failed delivery is tried again: exponential back-off with full jitter. After the n-th failed attempt the wait
 * is drawn uniformly from [0, min(max, base × 2^(n−1))] (so 10 s, 20 s, 40 s … capped at 1 h by default), and no
 * attempt is scheduled past the delivery's give-up time (its window, 24 h by default, from its first try).
 * Pure: the random draw is passed in.
 */
public record RetrySchedule(long baseMs, long maxMs, long windowMs, LongUnaryOperator jitter) {
  /** Full jitter: uniform in [0, cap]. */
  public static final LongUnaryOperator FULL_JITTER =
      cap -> cap <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(cap + 1);
  /** No jitter: always the cap (tests that look at the gaps). */
  public static final LongUnaryOperator NONE = cap -> cap;

  public RetrySchedule {
    if (baseMs < 1 || maxMs < baseMs || windowMs < 0) {
      throw new IllegalArgumentException("retry schedule: need 1 <= base <= max and window >= 0");
    }
  }

  /** The longest wait after the n-th failed attempt (n ≥ 1). */
  public long cap(int failedAttempts) {
    int doublings = Math.max(0, Math.min(failedAttempts - 1, 62));
    long cap = baseMs;
    for (int i = 0; i < doublings && cap < maxMs; i++) cap = cap * 2;
    return Math.min(cap, maxMs);
  }

  /** The next attempt's time after the n-th failed attempt, or null when it would fall past {@code giveUpAtMs}. */
  public Long next(int failedAttempts, long nowMs, long giveUpAtMs) {
    long cap = cap(failedAttempts);
    long wait = Math.max(0, Math.min(cap, jitter.applyAsLong(cap)));
    long at = nowMs + wait;
    return at > giveUpAtMs ? null : at;
  }
}
