package com.lijiaoqiao.bench;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds: a growable {@code long[]}, sorted once when summarised. Not thread-safe; the load
 * generator only touches it from its single event loop.
 */
public final class Latencies {
  private long[] values;
  private int size;

  public Latencies() {
    this(4096);
  }

  public Latencies(int initialCapacity) {
    values = new long[Math.max(16, initialCapacity)];
  }

  public void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[size++] = nanos;
  }

  public void addAll(Latencies other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  public int count() {
    return size;
  }

  public Summary summarize() {
    if (size == 0) {
      return Summary.EMPTY;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return new Summary(size, sorted[0], percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
        sorted[size - 1], sum / size);
  }

  /**
   * Nearest-rank percentile of an ascending array: the smallest value such that at least {@code p}% of the samples
   * are less than or equal to it ({@code sorted[ceil(p/100 * n) - 1]}). p=0 gives the minimum, p=100 the maximum.
   */
  public static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    if (p < 0 || p > 100 || Double.isNaN(p)) {
      throw new IllegalArgumentException("percentile out of range: " + p);
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  /** Order statistics in nanoseconds; {@code count == 0} means no samples (all fields 0). */
  public record Summary(int count, long minNs, long p50Ns, long p90Ns, long p99Ns, long maxNs, double meanNs) {
    public static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0, 0);
  }
}
