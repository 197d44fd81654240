package com.lijiaoqiao.bench;

import java.util.Map;

/** Value types for one benchmark run. */
public final class Results {
  private Results() {}

  /** One target (direct or gateway) within a phase; latencies summarised over all its slices. */
  public record TargetResult(String target, int ok, int errors, Map<String, Integer> errorKinds, double seconds,
                             Latencies.Summary total, Latencies.Summary ttfb, long cpuNanos) {
    /** Successful requests per second. */
    public double reqPerSec() {
      return seconds <= 0 ? 0 : ok / seconds;
    }

    /** Process CPU time per request (ok + failed) in µs; NaN when not measured. */
    public double cpuMicrosPerRequest() {
      int n = ok + errors;
      return cpuNanos < 0 || n == 0 ? Double.NaN : cpuNanos / 1000.0 / n;
    }

    /** Average number of cores the process kept busy; NaN when not measured. */
    public double coresBusy() {
      return cpuNanos < 0 || seconds <= 0 ? Double.NaN : cpuNanos / 1e9 / seconds;
    }
  }

  /** A measured phase: the same load against the simulator directly and through the gateway. */
  public record PhaseResult(String name, int concurrency, boolean stream, TargetResult direct, TargetResult gateway) {
    public boolean hasErrors() {
      return direct.errors() > 0 || gateway.errors() > 0;
    }
  }

  /** Run conditions printed above the table. */
  public record BenchInfo(int cpus, String java, String pinning, int warmupSeconds, int durationSeconds, int slices,
                          String streamDirectives, int warmupOk, int warmupErrors, Map<String, Integer> warmupErrorKinds) {}
}
