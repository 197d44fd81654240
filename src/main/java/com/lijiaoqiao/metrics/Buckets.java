package com.lijiaoqiao.metrics;

import java.time.Duration;

/** Histogram bucket bounds shared by the timers (explicit, so each histogram has a known, small series count). */
final class Buckets {
  private Buckets() {}

  /** Request latency and time to first token: 5 ms … 2 min (16 buckets). */
  static final Duration[] REQUEST = ms(5, 10, 25, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000,
      60_000, 90_000, 120_000);

  /** The gateway's own share of a request, and event-loop lateness: 0.1 ms … 1 s (13 buckets). */
  static final Duration[] OVERHEAD = micros(100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000,
      250_000, 500_000, 1_000_000);

  private static Duration[] ms(long... v) {
    Duration[] d = new Duration[v.length];
    for (int i = 0; i < v.length; i++) d[i] = Duration.ofMillis(v[i]);
    return d;
  }

  private static Duration[] micros(long... v) {
    Duration[] d = new Duration[v.length];
    for (int i = 0; i < v.length; i++) d[i] = Duration.ofNanos(v[i] * 1_000);
    return d;
  }
}
