package com.lijiaoqiao.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.bench.Results.BenchInfo;
import com.lijiaoqiao.bench.Results.PhaseResult;
import com.lijiaoqiao.bench.Results.TargetResult;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The final table (stdout) and the JSON file. */
public final class Report {
  private static final String ROW = "%-28s %-8s %9s %9s %9s %9s %9s %8s%n";

  private Report() {}

  public static String table(BenchInfo info, List<PhaseResult> phases) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "ljq bench: %d CPUs, java %s, %s%n", info.cpus(), info.java(), info.pinning()));
    sb.append(String.format(Locale.ROOT,
        "warmup %d s (%d ok, %d errors); each phase %d s per target in %d interleaved slices (direct/gateway ABBA)%n",
        info.warmupSeconds(), info.warmupOk(), info.warmupErrors(), info.durationSeconds(), info.slices()));
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, ROW, "phase", "target", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
        "errors"));
    for (PhaseResult p : phases) {
      if (p.stream()) {
        String base = p.name();
        rows(sb, base + " TTFB", p, true);
        rows(sb, base + " total", p, false);
      } else {
        rows(sb, p.name(), p, false);
      }
    }
    sb.append('\n');
    for (PhaseResult p : phases) {
      TargetResult g = p.gateway();
      double us = g.cpuMicrosPerRequest();
      if (!Double.isNaN(us)) {
        sb.append(String.format(Locale.ROOT, "gateway CPU per %s (%s): %.0f µs   (%.2f cores busy)%n",
            p.stream() ? "stream" : "request", p.name(), us, g.coresBusy()));
      }
    }
    if (phases.stream().allMatch(p -> Double.isNaN(p.gateway().cpuMicrosPerRequest()))) {
      sb.append("gateway CPU: not measured (no /proc)\n");
    }
    boolean anyErrors = false;
    for (PhaseResult p : phases) {
      for (TargetResult t : List.of(p.direct(), p.gateway())) {
        if (t.errors() > 0) {
          if (!anyErrors) {
            sb.append('\n');
          }
          anyErrors = true;
          sb.append(String.format(Locale.ROOT, "!! ERRORS in %s / %s: %d of %d requests failed %s: numbers for this "
              + "phase are suspect%n", p.name(), t.target(), t.errors(), t.ok() + t.errors(), kinds(t.errorKinds())));
        }
      }
    }
    if (info.warmupErrors() > 0) {
      sb.append(String.format(Locale.ROOT, "!! warmup had %d errors %s%n", info.warmupErrors(),
          kinds(info.warmupErrorKinds())));
    }
    StringBuilder trimmed = new StringBuilder(sb.length());
    sb.toString().lines().forEach(l -> trimmed.append(l.stripTrailing()).append('\n'));
    return trimmed.toString();
  }

  private static void rows(StringBuilder sb, String label, PhaseResult p, boolean ttfb) {
    TargetResult d = p.direct();
    TargetResult g = p.gateway();
    Latencies.Summary ds = ttfb ? d.ttfb() : d.total();
    Latencies.Summary gs = ttfb ? g.ttfb() : g.total();
    sb.append(row(label, d, ds));
    sb.append(row(label, g, gs));
    String thr = d.reqPerSec() > 0
        ? String.format(Locale.ROOT, "%+.1f%%", (g.reqPerSec() / d.reqPerSec() - 1) * 100) : "-";
    String added = ds.count() > 0 && gs.count() > 0 ? "added" : "added?";
    sb.append(String.format(Locale.ROOT, ROW, "", added, thr,
        delta(gs.p50Ns(), ds.p50Ns()), delta(gs.p90Ns(), ds.p90Ns()), delta(gs.p99Ns(), ds.p99Ns()),
        delta(gs.maxNs(), ds.maxNs()), ""));
  }

  private static String row(String label, TargetResult t, Latencies.Summary s) {
    String errors = t.errors() > 0 ? t.errors() + " !!" : "0";
    return String.format(Locale.ROOT, ROW, label, t.target(), String.format(Locale.ROOT, "%.1f", t.reqPerSec()),
        ms(s.p50Ns()), ms(s.p90Ns()), ms(s.p99Ns()), ms(s.maxNs()), errors);
  }

  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  static String delta(long gatewayNs, long directNs) {
    return String.format(Locale.ROOT, "%+.3f", (gatewayNs - directNs) / 1e6);
  }

  private static String kinds(Map<String, Integer> kinds) {
    StringBuilder sb = new StringBuilder("(");
    kinds.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append(" x").append(v));
    return sb.append(')').toString();
  }

  /** The numbers as JSON (milliseconds for latencies, µs for CPU per request). */
  public static String json(BenchInfo info, List<PhaseResult> phases) {
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = om.createObjectNode();
    root.put("timestamp", Instant.now().toString());
    root.put("cpus", info.cpus());
    root.put("java", info.java());
    root.put("pinning", info.pinning());
    root.put("warmup_seconds", info.warmupSeconds());
    root.put("duration_seconds", info.durationSeconds());
    root.put("slices", info.slices());
    root.put("stream_directives", info.streamDirectives());
    ObjectNode warm = root.putObject("warmup");
    warm.put("ok", info.warmupOk());
    warm.put("errors", info.warmupErrors());
    var phaseArray = root.putArray("phases");
    for (PhaseResult p : phases) {
      ObjectNode pn = phaseArray.addObject();
      pn.put("name", p.name());
      pn.put("concurrency", p.concurrency());
      pn.put("stream", p.stream());
      pn.put("has_errors", p.hasErrors());
      target(pn.putObject("direct"), p.direct(), p.stream());
      target(pn.putObject("gateway"), p.gateway(), p.stream());
      ObjectNode added = pn.putObject("added_ms");
      addDelta(added, p.gateway().total(), p.direct().total());
      if (p.stream()) {
        addDelta(pn.putObject("added_ttfb_ms"), p.gateway().ttfb(), p.direct().ttfb());
      }
    }
    try {
      return om.writeValueAsString(root) + "\n";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void target(ObjectNode n, TargetResult t, boolean stream) {
    n.put("ok", t.ok());
    n.put("errors", t.errors());
    ObjectNode ek = n.putObject("error_kinds");
    t.errorKinds().forEach(ek::put);
    n.put("seconds", round(t.seconds(), 3));
    n.put("req_per_sec", round(t.reqPerSec(), 1));
    summary(n.putObject("latency_ms"), t.total());
    if (stream) {
      summary(n.putObject("ttfb_ms"), t.ttfb());
    }
    if (t.cpuNanos() >= 0) {
      n.put("cpu_ms", round(t.cpuNanos() / 1e6, 1));
      n.put("cpu_us_per_request", round(t.cpuMicrosPerRequest(), 1));
      n.put("cores_busy", round(t.coresBusy(), 3));
    }
  }

  private static void summary(ObjectNode n, Latencies.Summary s) {
    n.put("count", s.count());
    n.put("min", round(s.minNs() / 1e6, 4));
    n.put("mean", round(s.meanNs() / 1e6, 4));
    n.put("p50", round(s.p50Ns() / 1e6, 4));
    n.put("p90", round(s.p90Ns() / 1e6, 4));
    n.put("p99", round(s.p99Ns() / 1e6, 4));
    n.put("max", round(s.maxNs() / 1e6, 4));
  }

  private static void addDelta(ObjectNode n, Latencies.Summary g, Latencies.Summary d) {
    n.put("p50", round((g.p50Ns() - d.p50Ns()) / 1e6, 4));
    n.put("p90", round((g.p90Ns() - d.p90Ns()) / 1e6, 4));
    n.put("p99", round((g.p99Ns() - d.p99Ns()) / 1e6, 4));
    n.put("mean", round((g.meanNs() - d.meanNs()) / 1e6, 4));
  }

  private static double round(double v, int places) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }
}
