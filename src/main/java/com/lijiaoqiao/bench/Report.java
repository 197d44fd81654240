package com.lijiaoqiao.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.bench.Results.BenchInfo;
import com.lijiaoqiao.bench.Results.BurstResult;
import com.lijiaoqiao.bench.Results.BurstRound;
import com.lijiaoqiao.bench.Results.BurstStats;
import com.lijiaoqiao.bench.Results.PhaseResult;
import com.lijiaoqiao.bench.Results.SoakMinute;
import com.lijiaoqiao.bench.Results.Startup;
import com.lijiaoqiao.bench.Results.TargetResult;
import com.lijiaoqiao.bench.Results.TargetStats;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The tables (stdout) and the JSON file. */
public final class Report {
  private static final String ROW = "%-18s %-7s %9s %9s %9s %9s %9s %10s %8s %8s%n";
  private static final String BROW = "%-8s %9s %9s %9s %9s %9s %11s %7s %7s %9s %8s%n";

  private Report() {}

  /** How the summary names a target. */
  public static String label(String target) {
    return switch (target) {
      case "direct" -> "direct (simulator)";
      case "nginx" -> "nginx";
      case "gw-h2" -> "ours, embedded H2";
      case "gw-pg" -> "ours, PostgreSQL";
      default -> target;
    };
  }

  /** The detailed tables: every phase × target (medians of the rounds), the many-streams scenario, start-up. */
  public static String table(BenchInfo info, List<PhaseResult> phases, BurstResult burst, List<Startup> startups) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "ljq bench: %d CPUs, java %s, %s%n", info.cpus(), info.java(), info.pinning()));
    sb.append(info.nginx()).append('\n');
    info.notes().forEach(n -> sb.append(n).append('\n'));
    String order = phases.isEmpty() ? "direct, proxies"
        : String.join(", ", phases.get(0).targets().stream().map(TargetStats::target).toList());
    sb.append(String.format(Locale.ROOT,
        "warmup %d s (%d ok, %d errors); each phase %d s per target in %d interleaved rounds (%s, then again); "
            + "figures are medians of the rounds; CPU and RSS are the target's whole process tree%n",
        info.warmupSeconds(), info.warmupOk(), info.warmupErrors(), info.durationSeconds(), info.rounds(), order));
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, ROW, "phase", "target", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
        "CPU µs/req", "RSS MB", "errors"));
    for (PhaseResult p : phases) {
      if (p.stream()) {
        rows(sb, p.name() + " TTFB", p, true);
        rows(sb, p.name() + " total", p, false);
      } else {
        rows(sb, p.name(), p, false);
      }
    }
    if (burst != null) {
      sb.append('\n').append(burstTable(burst));
    }
    if (!startups.isEmpty()) {
      sb.append('\n');
      for (Startup s : startups) {
        sb.append(String.format(Locale.ROOT, "start-up %-6s launch → ready line %6.0f ms, → first proxied request "
            + "served %6.0f ms%n", s.target(), s.announcedMs(), s.firstServedMs()));
      }
    }
    errors(sb, info, phases, burst);
    return trim(sb);
  }

  private static void errors(StringBuilder sb, BenchInfo info, List<PhaseResult> phases, BurstResult burst) {
    boolean any = false;
    for (PhaseResult p : phases) {
      for (TargetStats t : p.targets()) {
        if (t.errors() > 0) {
          if (!any) {
            sb.append('\n');
          }
          any = true;
          sb.append(String.format(Locale.ROOT, "!! ERRORS in %s / %s: %d of %d requests failed %s: numbers for this "
              + "phase are suspect%n", p.name(), t.target(), t.errors(), t.ok() + t.errors(), kinds(t.errorKinds())));
        }
      }
    }
    if (burst != null) {
      for (BurstStats t : burst.targets()) {
        if (t.errors() > 0) {
          if (!any) {
            sb.append('\n');
          }
          any = true;
          sb.append(String.format(Locale.ROOT, "!! %d streams / %s: %d failed over %d rounds %s%n", burst.streams(),
              t.target(), t.errors(), t.rounds().size(), kinds(t.errorKinds())));
        }
      }
    }
    if (info.warmupErrors() > 0) {
      sb.append(String.format(Locale.ROOT, "!! warmup had %d errors %s%n", info.warmupErrors(),
          kinds(info.warmupErrorKinds())));
    }
  }

  private static void rows(StringBuilder sb, String label, PhaseResult p, boolean ttfb) {
    TargetStats d = p.direct();
    for (TargetStats t : p.targets()) {
      sb.append(String.format(Locale.ROOT, ROW, label, t.target(), num(t.reqPerSec(), 1),
          num(t.ms(Latencies.Summary::p50Ns, ttfb), 3), num(t.ms(Latencies.Summary::p90Ns, ttfb), 3),
          num(t.ms(Latencies.Summary::p99Ns, ttfb), 3), num(t.ms(Latencies.Summary::maxNs, ttfb), 3),
          ttfb ? "" : num(t.cpuMicrosPerRequest(), 0), ttfb ? "" : mb(t.peakRssBytes()),
          t.errors() > 0 ? t.errors() + " !!" : "0"));
      if (t != d) {
        String thr = d.reqPerSec() > 0
            ? String.format(Locale.ROOT, "%+.1f%%", (t.reqPerSec() / d.reqPerSec() - 1) * 100) : "-";
        sb.append(String.format(Locale.ROOT, ROW, "", "  added", thr,
            signed(p.addedMs(t.target(), Latencies.Summary::p50Ns, ttfb)),
            signed(p.addedMs(t.target(), Latencies.Summary::p90Ns, ttfb)),
            signed(p.addedMs(t.target(), Latencies.Summary::p99Ns, ttfb)),
            signed(p.addedMs(t.target(), Latencies.Summary::maxNs, ttfb)), "", "", ""));
      }
    }
  }

  static String burstTable(BurstResult b) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d concurrent streams (%d chunks %d ms apart, all opened at once), medians "
            + "of the rounds; stalled = a gap between reads > %d ms or TTFT > %d× the round's direct TTFT p50 "
            + "(at least %d ms)%n", b.streams(), b.chunks(), b.gapMs(),
        b.gapLimitNs() == Long.MAX_VALUE ? -1 : b.gapLimitNs() / 1_000_000, Stalls.TTFT_FACTOR,
        Stalls.MIN_TTFT_LIMIT_NS / 1_000_000));
    sb.append(String.format(Locale.ROOT, BROW, "target", "TTFT p50", "TTFT p99", "total p50", "total p99",
        "streams/s", "stall-free", "503+RA", "errors", "CPU µs/st", "RSS MB"));
    for (BurstStats t : b.targets()) {
      sb.append(String.format(Locale.ROOT, BROW, t.target(),
          num(t.median(r -> r.ttft().p50Ns() / 1e6), 1), num(t.median(r -> r.ttft().p99Ns() / 1e6), 1),
          num(t.median(r -> r.total().p50Ns() / 1e6), 1), num(t.median(r -> r.total().p99Ns() / 1e6), 1),
          num(t.median(BurstRound::streamsPerSecond), 0),
          String.format(Locale.ROOT, "%.0f/%d", t.median(BurstRound::stallFree), b.streams()),
          String.valueOf(t.retryAfter503()), t.errors() > 0 ? t.errors() + " !!" : "0",
          num(t.median(r -> r.cpuNanos() < 0 || r.streams() == 0 ? Double.NaN : r.cpuNanos() / 1000.0 / r.streams()),
              0), mb(t.peakRssBytes())));
    }
    sb.append("(latencies in ms; 503+RA = answered 503 with Retry-After, also counted in errors)\n");
    return sb.toString();
  }

  /** The table: one row per proxy, the figures that matter, then streams and start-up. */
  public static String summary(BenchInfo info, List<PhaseResult> phases, BurstResult burst, List<Startup> startups) {
    StringBuilder sb = new StringBuilder();
    PhaseResult c1 = find(phases, "chat c=1");
    PhaseResult c64 = find(phases, "chat c=64");
    PhaseResult s1 = find(phases, "stream c=1");
    PhaseResult s32 = find(phases, "stream c=32");
    sb.append(String.format(Locale.ROOT, "SUMMARY (medians of %d interleaved rounds; CPU and RSS of the proxy's "
        + "process tree; PostgreSQL's own CPU not counted)%n", info.rounds()));
    String f = "%-20s %11s %12s %13s %15s %12s%n";
    String directP99 = c1 == null ? "?" : num(c1.direct().ms(Latencies.Summary::p99Ns, false), 2);
    sb.append(String.format(Locale.ROOT, f, "non-stream chat", "req/s @64", "CPU µs/req", "added p50 @1",
        "p99 @1 (dir " + directP99 + ")", "peak RSS MB"));
    if (c64 != null && c1 != null) {
      for (TargetStats t : c64.targets()) {
        TargetStats t1 = c1.target(t.target());
        sb.append(String.format(Locale.ROOT, f, label(t.target()), num(t.reqPerSec(), 0),
            t.target().equals("direct") ? "-" : num(t.cpuMicrosPerRequest(), 0),
            t.target().equals("direct") ? "-" : signed(c1.addedMs(t.target(), Latencies.Summary::p50Ns, false)),
            t1 == null ? "?" : num(t1.ms(Latencies.Summary::p99Ns, false), 2),
            t.target().equals("direct") ? "-" : mb(Math.max(t.peakRssBytes(), t1 == null ? -1 : t1.peakRssBytes()))));
      }
    }
    if (s1 != null || s32 != null) {
      sb.append('\n');
      String g = "%-20s %14s %14s %14s %14s%n";
      sb.append(String.format(Locale.ROOT, g, "streams", "TTFT @1", "+TTFT p50 @32", "+TTFT p99 @32",
          "+total p50 @32"));
      List<TargetStats> ts = (s32 != null ? s32 : s1).targets();
      for (TargetStats t : ts) {
        boolean direct = t.target().equals("direct");
        String at1 = s1 == null ? "?" : direct ? num(s1.direct().ms(Latencies.Summary::p50Ns, true), 2)
            : signed(s1.addedMs(t.target(), Latencies.Summary::p50Ns, true));
        sb.append(String.format(Locale.ROOT, g, label(t.target()), at1,
            s32 == null ? "?" : direct ? num(t.ms(Latencies.Summary::p50Ns, true), 3)
                : signed(s32.addedMs(t.target(), Latencies.Summary::p50Ns, true)),
            s32 == null ? "?" : direct ? num(t.ms(Latencies.Summary::p99Ns, true), 3)
                : signed(s32.addedMs(t.target(), Latencies.Summary::p99Ns, true)),
            s32 == null ? "?" : direct ? num(t.ms(Latencies.Summary::p50Ns, false), 3)
                : signed(s32.addedMs(t.target(), Latencies.Summary::p50Ns, false))));
      }
      sb.append("(ms; direct rows are absolute, others added to direct)\n");
    }
    if (burst != null) {
      sb.append('\n');
      String h = "%-20s %9s %9s %9s %9s %9s %11s %16s %8s%n";
      sb.append(String.format(Locale.ROOT, h, burst.streams() + " streams", "TTFT p50", "TTFT p99", "total p50",
          "total p99", "streams/s", "stall-free", "errors", "RSS MB"));
      for (BurstStats t : burst.targets()) {
        sb.append(String.format(Locale.ROOT, h, label(t.target()),
            num(t.median(r -> r.ttft().p50Ns() / 1e6), 0), num(t.median(r -> r.ttft().p99Ns() / 1e6), 0),
            num(t.median(r -> r.total().p50Ns() / 1e6), 0), num(t.median(r -> r.total().p99Ns() / 1e6), 0),
            num(t.median(BurstRound::streamsPerSecond), 0),
            String.format(Locale.ROOT, "%.0f/%d", t.median(BurstRound::stallFree), burst.streams()),
            t.errors() == 0 ? "0" : t.errors() + (t.retryAfter503() > 0 ? " (" + t.retryAfter503() + " 503+RA)" : ""),
            t.target().equals("direct") ? "-" : mb(t.peakRssBytes())));
      }
      sb.append(String.format(Locale.ROOT, "(ms; %d chunks %d ms apart; errors summed over the rounds)%n",
          burst.chunks(), burst.gapMs()));
    }
    if (!startups.isEmpty()) {
      sb.append('\n');
      StringBuilder st = new StringBuilder("start-up to first served request:");
      for (Startup s : startups) {
        st.append(String.format(Locale.ROOT, "  %s %.2f s", label(s.target()), s.firstServedMs() / 1000));
      }
      sb.append(st).append('\n');
    }
    return trim(sb);
  }

  private static PhaseResult find(List<PhaseResult> phases, String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  static String num(double v, int places) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + places + "f", v);
  }

  static String signed(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%+.3f", v);
  }

  static String mb(long bytes) {
    return bytes < 0 ? "" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
  }

  private static String kinds(Map<String, Integer> kinds) {
    StringBuilder sb = new StringBuilder("(");
    kinds.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append(" x").append(v));
    return sb.append(')').toString();
  }

  private static String trim(StringBuilder sb) {
    StringBuilder trimmed = new StringBuilder(sb.length());
    sb.toString().lines().forEach(l -> trimmed.append(l.stripTrailing()).append('\n'));
    return trimmed.toString();
  }

  /**
   * Heap in use from a Prometheus scrape: the sum of {@code jvm_memory_used_bytes} samples labelled
   * {@code area="heap"}; -1 when there are none.
   */
  public static long heapUsedBytes(String prometheusText) {
    double sum = 0;
    boolean found = false;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        int sp = line.lastIndexOf(' ');
        try {
          sum += Double.parseDouble(line.substring(sp + 1).trim());
          found = true;
        } catch (NumberFormatException e) {
          // skip
        }
      }
    }
    return found ? (long) sum : -1;
  }

  /** Every figure as JSON: per round and medians (ms for latencies, µs for CPU per request, bytes for RSS). */
  public static String json(BenchInfo info, List<PhaseResult> phases, BurstResult burst, List<Startup> startups,
                            List<SoakMinute> soak) {
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = om.createObjectNode();
    root.put("timestamp", Instant.now().toString());
    root.put("cpus", info.cpus());
    root.put("java", info.java());
    root.put("pinning", info.pinning());
    root.put("nginx", info.nginx());
    root.put("warmup_seconds", info.warmupSeconds());
    root.put("duration_seconds", info.durationSeconds());
    root.put("rounds", info.rounds());
    root.put("stream_directives", info.streamDirectives());
    ObjectNode warm = root.putObject("warmup");
    warm.put("ok", info.warmupOk());
    warm.put("errors", info.warmupErrors());
    ArrayNode notes = root.putArray("notes");
    info.notes().forEach(notes::add);
    ArrayNode su = root.putArray("startup");
    for (Startup s : startups) {
      ObjectNode n = su.addObject();
      n.put("target", s.target());
      n.put("announced_ms", round(s.announcedMs(), 1));
      n.put("first_served_ms", round(s.firstServedMs(), 1));
    }
    ArrayNode phaseArray = root.putArray("phases");
    for (PhaseResult p : phases) {
      ObjectNode pn = phaseArray.addObject();
      pn.put("name", p.name());
      pn.put("concurrency", p.concurrency());
      pn.put("stream", p.stream());
      pn.put("has_errors", p.hasErrors());
      ObjectNode tn = pn.putObject("targets");
      for (TargetStats t : p.targets()) {
        ObjectNode n = tn.putObject(t.target());
        n.put("ok", t.ok());
        n.put("errors", t.errors());
        ObjectNode ek = n.putObject("error_kinds");
        t.errorKinds().forEach(ek::put);
        ObjectNode med = n.putObject("median");
        med.put("req_per_sec", round(t.reqPerSec(), 1));
        medianLatency(med.putObject("latency_ms"), t, false);
        if (p.stream()) {
          medianLatency(med.putObject("ttfb_ms"), t, true);
        }
        if (!Double.isNaN(t.cpuMicrosPerRequest())) {
          med.put("cpu_us_per_request", round(t.cpuMicrosPerRequest(), 1));
          med.put("cores_busy", round(t.coresBusy(), 3));
        }
        if (t.peakRssBytes() >= 0) {
          n.put("peak_rss_bytes", t.peakRssBytes());
        }
        if (t != p.direct()) {
          added(n.putObject("added_ms"), p, t.target(), false);
          if (p.stream()) {
            added(n.putObject("added_ttfb_ms"), p, t.target(), true);
          }
        }
        ArrayNode rounds = n.putArray("rounds");
        for (TargetResult r : t.rounds()) {
          ObjectNode rn = rounds.addObject();
          rn.put("ok", r.ok());
          rn.put("errors", r.errors());
          rn.put("seconds", round(r.seconds(), 3));
          rn.put("req_per_sec", round(r.reqPerSec(), 1));
          summary(rn.putObject("latency_ms"), r.total());
          if (p.stream()) {
            summary(rn.putObject("ttfb_ms"), r.ttfb());
          }
          if (r.cpuNanos() >= 0) {
            rn.put("cpu_ms", round(r.cpuNanos() / 1e6, 1));
            rn.put("cpu_us_per_request", round(r.cpuMicrosPerRequest(), 1));
          }
          if (r.peakRssBytes() >= 0) {
            rn.put("peak_rss_bytes", r.peakRssBytes());
          }
        }
      }
    }
    if (burst != null) {
      ObjectNode bn = root.putObject("streams");
      bn.put("streams", burst.streams());
      bn.put("chunks", burst.chunks());
      bn.put("gap_ms", burst.gapMs());
      bn.put("stall_gap_limit_ms", burst.gapLimitNs() == Long.MAX_VALUE ? -1 : burst.gapLimitNs() / 1e6);
      bn.put("stall_ttft_factor", Stalls.TTFT_FACTOR);
      ObjectNode tn = bn.putObject("targets");
      for (BurstStats t : burst.targets()) {
        ObjectNode n = tn.putObject(t.target());
        n.put("errors", t.errors());
        n.put("retry_after_503", t.retryAfter503());
        ObjectNode ek = n.putObject("error_kinds");
        t.errorKinds().forEach(ek::put);
        ObjectNode med = n.putObject("median");
        med.put("ttft_p50_ms", round(t.median(r -> r.ttft().p50Ns() / 1e6), 2));
        med.put("ttft_p99_ms", round(t.median(r -> r.ttft().p99Ns() / 1e6), 2));
        med.put("total_p50_ms", round(t.median(r -> r.total().p50Ns() / 1e6), 2));
        med.put("total_p99_ms", round(t.median(r -> r.total().p99Ns() / 1e6), 2));
        med.put("streams_per_sec", round(t.median(BurstRound::streamsPerSecond), 1));
        med.put("stall_free", t.median(BurstRound::stallFree));
        if (t.peakRssBytes() >= 0) {
          n.put("peak_rss_bytes", t.peakRssBytes());
        }
        ArrayNode rounds = n.putArray("rounds");
        for (BurstRound r : t.rounds()) {
          ObjectNode rn = rounds.addObject();
          rn.put("ok", r.ok());
          rn.put("errors", r.errors());
          rn.put("retry_after_503", r.retryAfter503());
          rn.put("seconds", round(r.seconds(), 3));
          rn.put("streams_per_sec", round(r.streamsPerSecond(), 1));
          rn.put("stall_free", r.stallFree());
          if (r.loadGeneratorCpuNanos() >= 0) {
            rn.put("load_generator_cores", round(r.loadGeneratorCores(), 3));
          }
          summary(rn.putObject("ttft_ms"), r.ttft());
          summary(rn.putObject("total_ms"), r.total());
          if (r.cpuNanos() >= 0) {
            rn.put("cpu_ms", round(r.cpuNanos() / 1e6, 1));
          }
          if (r.peakRssBytes() >= 0) {
            rn.put("peak_rss_bytes", r.peakRssBytes());
          }
        }
      }
    }
    ArrayNode sk = root.putArray("soak");
    for (SoakMinute m : soak) {
      ObjectNode n = sk.addObject();
      n.put("target", m.target());
      n.put("minute", m.minute());
      n.put("req_per_sec", round(m.reqPerSec(), 1));
      n.put("errors", m.errors());
      n.put("p50_ms", round(m.p50Ms(), 4));
      n.put("p99_ms", round(m.p99Ms(), 4));
      n.put("added_p50_ms", round(m.addedP50Ms(), 4));
      n.put("added_p99_ms", round(m.addedP99Ms(), 4));
      n.put("rss_bytes", m.rssBytes());
      n.put("heap_used_bytes", m.heapUsedBytes());
    }
    try {
      return om.writeValueAsString(root) + "\n";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void medianLatency(ObjectNode n, TargetStats t, boolean ttfb) {
    n.put("p50", round(t.ms(Latencies.Summary::p50Ns, ttfb), 4));
    n.put("p90", round(t.ms(Latencies.Summary::p90Ns, ttfb), 4));
    n.put("p99", round(t.ms(Latencies.Summary::p99Ns, ttfb), 4));
    n.put("max", round(t.ms(Latencies.Summary::maxNs, ttfb), 4));
  }

  private static void added(ObjectNode n, PhaseResult p, String target, boolean ttfb) {
    List<Map.Entry<String, ToDoubleFunction<Latencies.Summary>>> fs = List.of(
        Map.entry("p50", Latencies.Summary::p50Ns), Map.entry("p90", Latencies.Summary::p90Ns),
        Map.entry("p99", Latencies.Summary::p99Ns), Map.entry("mean", Latencies.Summary::meanNs));
    for (var e : fs) {
      n.put(e.getKey(), round(p.addedMs(target, e.getValue(), ttfb), 4));
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

  private static double round(double v, int places) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }
}
