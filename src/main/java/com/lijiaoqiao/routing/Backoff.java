package com.lijiaoqiao.routing;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential back-off with jitter: attempt n (1-based) waits a random time in [d/2, d], d = base·2^(n-1) ≤ max. */
public record Backoff(long baseMs, long maxMs) {
  public long delayMs(int attempt) {
    return delayMs(attempt, ThreadLocalRandom.current().nextDouble());
  }

  /** @param random a uniform value in [0, 1) */
  public long delayMs(int attempt, double random) {
    int n = Math.max(1, Math.min(attempt, 30));
    long d = Math.min(maxMs, baseMs << (n - 1));
    if (d <= 0) d = maxMs;
    return d / 2 + (long) ((d - d / 2) * random);
  }
}
