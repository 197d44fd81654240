package com.lijiaoqiao.bench;

/**
 * When a stream of the 1,000-stream scenario counts as <b>stalled</b> (see docs/benchmark.md): it ended with
 * {@code [DONE]} but either some gap between two successive reads after the first exceeded {@link #GAP_FACTOR} times
 * the simulator's pacing, or its time to first byte exceeded {@link #TTFT_FACTOR} times the direct (no proxy)
 * TTFT p50 of the same round. Failed streams are counted as errors, not as stalls; stall-free = ok − stalled.
 */
public final class Stalls {
  public static final int GAP_FACTOR = 4;
  public static final int TTFT_FACTOR = 10;
  /** Floor of the TTFT limit, so that a very fast direct round does not make every proxy stream "stalled". */
  public static final long MIN_TTFT_LIMIT_NS = 10_000_000L;

  private Stalls() {}

  /** The longest allowed gap between two reads: GAP_FACTOR × pacing (pacing 0: no gap limit). */
  public static long gapLimitNs(int pacingMs) {
    return pacingMs <= 0 ? Long.MAX_VALUE : GAP_FACTOR * pacingMs * 1_000_000L;
  }

  /** The longest allowed TTFT: TTFT_FACTOR × the direct TTFT p50 of the round, at least 10 ms. */
  public static long ttftLimitNs(long directTtftP50Ns) {
    return Math.max(MIN_TTFT_LIMIT_NS, TTFT_FACTOR * directTtftP50Ns);
  }

  public static boolean stalled(long ttftNs, long maxGapNs, long gapLimitNs, long ttftLimitNs) {
    return maxGapNs > gapLimitNs || ttftNs > ttftLimitNs;
  }

  /** How many of the successful streams (parallel arrays) were not stalled. */
  public static int stallFree(long[] ttftNs, long[] maxGapNs, long gapLimitNs, long ttftLimitNs) {
    int free = 0;
    for (int i = 0; i < ttftNs.length; i++) {
      if (!stalled(ttftNs[i], maxGapNs[i], gapLimitNs, ttftLimitNs)) {
        free++;
      }
    }
    return free;
  }

  /** Median of the values (mean of the two middle ones for an even count); NaN when empty. NaNs are ignored. */
  public static double median(double... values) {
    double[] v = java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
