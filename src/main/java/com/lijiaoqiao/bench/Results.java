package com.lijiaoqiao.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** Value types for one benchmark run. */
public final class Results {
  private Results() {}

  /**
   * One target (direct, nginx or a gateway) in one round of a phase.
   *
   * @param cpuNanos     CPU of the target's process tree during the slice; -1 when not measured (direct)
   * @param peakRssBytes highest RSS of the target's process tree sampled during the slice; -1 when not measured
   */
  public record TargetResult(String target, int ok, int errors, Map<String, Integer> errorKinds, double seconds,
                             Latencies.Summary total, Latencies.Summary ttfb, long cpuNanos, long peakRssBytes) {
    /** Successful requests per second. */
    public double reqPerSec() {
      return seconds <= 0 ? 0 : ok / seconds;
    }

    /** Process-tree CPU time per request (ok + failed) in µs; NaN when not measured. */
    public double cpuMicrosPerRequest() {
      int n = ok + errors;
      return cpuNanos < 0 || n == 0 ? Double.NaN : cpuNanos / 1000.0 / n;
    }

    /** Average number of cores the process tree kept busy; NaN when not measured. */
    public double coresBusy() {
      return cpuNanos < 0 || seconds <= 0 ? Double.NaN : cpuNanos / 1e9 / seconds;
    }
  }

  /** All rounds of one target in one phase; figures are medians over the rounds. */
  public record TargetStats(String target, List<TargetResult> rounds) {
    public double median(ToDoubleFunction<TargetResult> f) {
      return Stalls.median(rounds.stream().mapToDouble(f).toArray());
    }

    /** Median over rounds of a latency percentile, in ms. */
    public double ms(ToDoubleFunction<Latencies.Summary> f, boolean ttfb) {
      return median(r -> {
        Latencies.Summary s = ttfb ? r.ttfb() : r.total();
        return s.count() == 0 ? Double.NaN : f.applyAsDouble(s) / 1e6;
      });
    }

    public double reqPerSec() {
      return median(TargetResult::reqPerSec);
    }

    public double cpuMicrosPerRequest() {
      return median(TargetResult::cpuMicrosPerRequest);
    }

    public double coresBusy() {
      return median(TargetResult::coresBusy);
    }

    /** Highest peak RSS over the rounds, bytes; -1 when not measured. */
    public long peakRssBytes() {
      return rounds.stream().mapToLong(TargetResult::peakRssBytes).max().orElse(-1);
    }

    public int ok() {
      return rounds.stream().mapToInt(TargetResult::ok).sum();
    }

    public int errors() {
      return rounds.stream().mapToInt(TargetResult::errors).sum();
    }

    public Map<String, Integer> errorKinds() {
      Map<String, Integer> m = new TreeMap<>();
      rounds.forEach(r -> r.errorKinds().forEach((k, v) -> m.merge(k, v, Integer::sum)));
      return m;
    }
  }

  /** A measured phase: the same load against every target, in interleaved rounds. targets[0] is direct. */
  public record PhaseResult(String name, int concurrency, boolean stream, List<TargetStats> targets) {
    public boolean hasErrors() {
      return targets.stream().anyMatch(t -> t.errors() > 0);
    }

    public TargetStats direct() {
      return targets.get(0);
    }

    public TargetStats target(String name) {
      return targets.stream().filter(t -> t.target().equals(name)).findFirst().orElse(null);
    }

    /**
     * Median over rounds of (target's value − direct's value in the same round), in ms: the added latency, paired
     * by round so that both sides saw the same machine state.
     */
    public double addedMs(String target, ToDoubleFunction<Latencies.Summary> f, boolean ttfb) {
      TargetStats t = target(target);
      TargetStats d = direct();
      if (t == null) {
        return Double.NaN;
      }
      int n = Math.min(t.rounds().size(), d.rounds().size());
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        Latencies.Summary ts = ttfb ? t.rounds().get(i).ttfb() : t.rounds().get(i).total();
        Latencies.Summary ds = ttfb ? d.rounds().get(i).ttfb() : d.rounds().get(i).total();
        v[i] = ts.count() == 0 || ds.count() == 0 ? Double.NaN
            : (f.applyAsDouble(ts) - f.applyAsDouble(ds)) / 1e6;
      }
      return Stalls.median(v);
    }
  }

  /**
   * One target in one round of the many-streams scenario.
   *
   * @param loadGeneratorCpuNanos CPU of the bench JVM itself during the burst (-1 when not measured)
   */
  public record BurstRound(int streams, int ok, int errors, int retryAfter503, Map<String, Integer> errorKinds,
                           double seconds, Latencies.Summary ttft, Latencies.Summary total, int stallFree,
                           long cpuNanos, long peakRssBytes, long loadGeneratorCpuNanos) {
    /** Cores the load generator (this JVM) kept busy during the burst: near 1 would mean it is the bottleneck. */
    public double loadGeneratorCores() {
      return loadGeneratorCpuNanos < 0 || seconds <= 0 ? Double.NaN : loadGeneratorCpuNanos / 1e9 / seconds;
    }

    public double streamsPerSecond() {
      return seconds <= 0 ? 0 : ok / seconds;
    }
  }

  /** All rounds of one target in the many-streams scenario. */
  public record BurstStats(String target, List<BurstRound> rounds) {
    public double median(ToDoubleFunction<BurstRound> f) {
      return Stalls.median(rounds.stream().mapToDouble(f).toArray());
    }

    public long peakRssBytes() {
      return rounds.stream().mapToLong(BurstRound::peakRssBytes).max().orElse(-1);
    }

    public int errors() {
      return rounds.stream().mapToInt(BurstRound::errors).sum();
    }

    public int retryAfter503() {
      return rounds.stream().mapToInt(BurstRound::retryAfter503).sum();
    }

    public Map<String, Integer> errorKinds() {
      Map<String, Integer> m = new TreeMap<>();
      rounds.forEach(r -> r.errorKinds().forEach((k, v) -> m.merge(k, v, Integer::sum)));
      return m;
    }
  }

  /** The many-streams scenario: N streams at once, chunks × gap, per target. targets[0] is direct. */
  public record BurstResult(int streams, int chunks, int gapMs, long gapLimitNs, List<BurstStats> targets) {
    public boolean hasErrors() {
      return targets.stream().anyMatch(t -> t.errors() > 0);
    }
  }

  /**
   * Start-up of one gateway child: from launching the JVM to the announcement lines on stdout, and to its first
   * successful proxied chat request.
   */
  public record Startup(String target, double announcedMs, double firstServedMs) {}

  /** One minute of the soak. Latencies in ms; heap -1 when the gateway's /metrics could not be read. */
  public record SoakMinute(String target, int minute, double reqPerSec, int errors, double p50Ms, double p99Ms,
                           double addedP50Ms, double addedP99Ms, long rssBytes, long heapUsedBytes) {}

  /** Run conditions printed above the table. */
  public record BenchInfo(int cpus, String java, String pinning, int warmupSeconds, int durationSeconds, int rounds,
                          String streamDirectives, int warmupOk, int warmupErrors, Map<String, Integer> warmupErrorKinds,
                          String nginx, List<String> notes) {}
}
