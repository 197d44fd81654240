package com.lijiaoqiao.bench;

import com.lijiaoqiao.bench.LoadGenerator.RunResult;
import com.lijiaoqiao.bench.Results.BenchInfo;
import com.lijiaoqiao.bench.Results.BurstResult;
import com.lijiaoqiao.bench.Results.BurstRound;
import com.lijiaoqiao.bench.Results.BurstStats;
import com.lijiaoqiao.bench.Results.PhaseResult;
import com.lijiaoqiao.bench.Results.SoakMinute;
import com.lijiaoqiao.bench.Results.Startup;
import com.lijiaoqiao.bench.Results.TargetResult;
import com.lijiaoqiao.bench.Results.TargetStats;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Runs the whole benchmark: starts the simulator, nginx (when installed) and one demo gateway per storage mode as
 * separate processes, warms up, measures every phase against every target in interleaved rounds, the many-streams
 * scenario, optionally a soak; prints the tables; always cleans up.
 */
public final class BenchRunner {
  private static final int WARMUP_CONCURRENCY = 16;
  private static final int MAX_CONCURRENCY = 64;

  private final BenchOptions opt;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private volatile ChildProcess simulator;
  private volatile ChildProcess nginx;
  private final List<ChildProcess> gateways = new CopyOnWriteArrayList<>();
  private final List<String[]> pgSchemas = new CopyOnWriteArrayList<>();
  private final boolean cpuSupported = ProcCpu.supported();
  private volatile LoadGenerator load;
  private volatile Path tempDir;
  private Thread hook;
  private volatile boolean finished;

  public BenchRunner(BenchOptions opt, PrintStream out, PrintStream err) {
    this.opt = opt;
    this.out = out;
    this.err = err;
    this.terminal = isTerminal();
  }

  /** @return the exit code: 0, or 1 when a measured phase had errors */
  public int run() throws Exception {
    hook = new Thread(() -> {
      if (!finished && !cleaned.get()) {
        err.println();
        err.println("[bench] interrupted: stopping the gateways, nginx and the simulator ...");
        err.flush();
      }
      cleanup();
    }, "ljq-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return runInner();
    } finally {
      finished = true;
      cleanup();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down
      }
    }
  }

  private int runInner() throws Exception {
    int cpus = Runtime.getRuntime().availableProcessors();
    String taskset = findOnPath("taskset");
    boolean pinned = false;
    String pinning;
    if (!opt.pin()) {
      pinning = "unpinned";
    } else if (taskset == null) {
      pinning = "unpinned (--pin given but taskset not found)";
    } else if (cpus < 2) {
      pinning = "unpinned (--pin needs 2 CPUs, have " + cpus + ")";
    } else {
      pinned = true;
      pinning = "pinned: gateway and nginx CPU 1, simulator + load generator CPU 0";
    }
    String javaVersion = System.getProperty("java.version");
    status("%d CPUs, java %s, %s", cpus, javaVersion, pinning);
    List<String> notes = new ArrayList<>();
    String loadBefore = loadAverage();
    List<String> proxyWrap = pinned ? List.of(taskset, "-c", "1") : List.of();

    tempDir = Files.createTempDirectory("ljq-bench-");
    int maxConc = Math.max(MAX_CONCURRENCY, WARMUP_CONCURRENCY);
    load = new LoadGenerator(maxConc);

    // 1. the simulator
    List<String> simCmd = new ArrayList<>();
    if (pinned) {
      simCmd.addAll(List.of(taskset, "-c", "0"));
    }
    simCmd.addAll(List.of(opt.java(), "-jar", opt.jar().toString(), "simulate", "--port", String.valueOf(freePort())));
    if (opt.eventLoops() > 0) {
      simCmd.addAll(List.of("--event-loops", String.valueOf(opt.eventLoops())));
    }
    status("starting simulator ...");
    simulator = ChildProcess.start("simulator", simCmd, tempDir, Set.of("LJQ_SIMULATOR_URL"), Duration.ofSeconds(60));
    String simUrl = simulator.value("LJQ_SIMULATOR_URL");
    status("simulator pid %d at %s", simulator.pid(), simUrl);
    URI sim = URI.create(simUrl);

    // 2. nginx, the floor
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("direct", "direct (simulator)", simUrl, "sk-bench-direct", null));
    String nginxBin = NginxProcess.find(opt.nginx());
    String nginxInfo;
    if (nginxBin == null) {
      nginxInfo = "off".equals(opt.nginx()) ? "nginx: off (--nginx off)"
          : "nginx: not found (PATH, /usr/sbin/nginx): skipped; install Debian's nginx-light for the floor";
      status("%s", nginxInfo);
    } else {
      NginxConfig cfg = new NginxConfig(tempDir.resolve("nginx"), freePort(), sim.getHost(), sim.getPort(), 0,
          Math.max(opt.streams(), maxConc), ProcTree.uid() == 0 ? System.getProperty("user.name", "root") : null);
      status("starting nginx (%s) ...", nginxBin);
      nginx = NginxProcess.start(nginxBin, cfg, proxyWrap, tempDir, Duration.ofSeconds(20));
      String base = "http://127.0.0.1:" + cfg.listenPort() + sim.getRawPath();
      targets.add(new Target("nginx", "nginx (keep-alive proxy)", base, "sk-bench-direct", nginx));
      nginxInfo = "nginx: " + nginxBin + " " + nginxVersion(nginxBin) + ", worker_processes auto, upstream keepalive 64";
      status("nginx pid %d at %s", nginx.pid(), base);
    }

    // 3. the gateways, one per storage mode, started one after the other (start-up measured alone)
    List<Startup> startups = new ArrayList<>();
    List<String> jvmArgs = gatewayJvmArgs(opt.jar(), System.getenv("LJQ_JAVA_OPTS"));
    notes.add("gateway JVM options: " + (jvmArgs.isEmpty() ? "the JVM's defaults (no jvm.options, no LJQ_JAVA_OPTS)"
        : String.join(" ", jvmArgs)));
    status("%s", notes.get(notes.size() - 1));
    for (String mode : opt.modes()) {
      String dbUrl = null;
      if (mode.equals("postgres")) {
        dbUrl = opt.postgresUrl() != null ? opt.postgresUrl() : BenchOptions.DEFAULT_POSTGRES_URL;
        if (!pgReachable(dbUrl)) {
          String why = "mode postgres skipped: PostgreSQL not reachable at " + dbUrl;
          status("%s", why);
          notes.add(why);
          continue;
        }
      }
      Target t = startGateway(mode, dbUrl, simUrl, proxyWrap, startups);
      targets.add(t);
    }
    if (targets.stream().noneMatch(Target::isGateway)) {
      throw new IOException("no gateway to measure (modes " + opt.modes() + ")");
    }

    if (pinned) {
      pinSelf(taskset);
    }

    // 4. pre-flight: one chat and one stream per target
    Map<String, String> none = Map.of();
    Map<String, String> streamHdr = Map.of("x-ljq-sim", opt.streamDirectives());
    for (Target t : targets) {
      t.chat = RequestSpec.chat(t.name, t.baseUrl, t.key, false, none);
      t.stream = RequestSpec.chat(t.name, t.baseUrl, t.key, true, streamHdr);
      t.paced = RequestSpec.chat(t.name, t.baseUrl, t.key, true,
          Map.of("x-ljq-sim", "chunks=" + opt.streamChunks() + ";gap=" + opt.streamGapMs()));
      for (RequestSpec s : List.of(t.chat, t.stream)) {
        String r = load.probe(s);
        if (!r.startsWith("200 ")) {
          throw new IOException("pre-flight " + (s.stream() ? "stream" : "chat") + " request to " + t.name
              + " failed: " + abbreviate(r, 600) + (t.proc != null ? "\n" + t.proc.logTail() : ""));
        }
      }
    }

    // 5. warmup: every target, gateways most (their JIT), non-stream and stream mixed
    List<RequestSpec> warmSpecs = new ArrayList<>();
    for (Target t : targets) {
      int weight = t.isGateway() ? 3 : 1;
      for (int i = 0; i < weight; i++) {
        warmSpecs.add(t.chat);
        warmSpecs.add(t.stream);
      }
    }
    RunResult warm = timed("warmup", opt.warmupSeconds(),
        () -> load.run(warmSpecs, WARMUP_CONCURRENCY, Duration.ofSeconds(opt.warmupSeconds())));
    checkAlive();

    // 6. measured phases, interleaved rounds
    List<PhaseResult> phases = new ArrayList<>();
    phases.add(phase("chat c=1", 1, false, targets));
    phases.add(phase("chat c=64", 64, false, targets));
    phases.add(phase("stream c=1", 1, true, targets));
    phases.add(phase("stream c=32", 32, true, targets));

    // 7. many concurrent streams
    BurstResult burst = opt.streams() > 0 ? burst(targets) : null;

    if (loadBefore != null) {
      // other work on the machine shows here: a load far above the CPU count makes every figure suspect
      notes.add(String.format(Locale.ROOT, "machine load average (1 min): %s at the start, %s before the tables "
          + "(%d CPUs)", loadBefore, loadAverage(), cpus));
    }
    BenchInfo info = new BenchInfo(cpus, javaVersion, pinning, opt.warmupSeconds(), opt.durationSeconds(),
        opt.rounds(), opt.streamDirectives(), warm.completed(), warm.errors(), warm.errorKinds(), nginxInfo, notes);
    err.flush();
    out.println();
    out.print(Report.table(info, phases, burst, startups));
    out.println();
    out.print(Report.summary(info, phases, burst, startups));
    out.flush();

    // 8. soak
    List<SoakMinute> soak = new ArrayList<>();
    if (opt.soakMinutes() > 0) {
      for (Target t : targets) {
        if (t.isGateway()) {
          soak(t, targets.get(0), soak);
        }
      }
    }

    if (opt.json() != null) {
      Path parent = opt.json().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(opt.json(), Report.json(info, phases, burst, startups, soak), StandardCharsets.UTF_8);
      status("wrote %s", opt.json());
    }
    boolean errors = phases.stream().anyMatch(PhaseResult::hasErrors)
        || soak.stream().anyMatch(m -> m.errors() > 0);
    return errors ? 1 : 0;
  }

  /** A target of the load: the simulator itself, nginx, or a gateway child. */
  private static final class Target {
    final String name;
    final String label;
    final String baseUrl;
    final String key;
    final ChildProcess proc;
    RequestSpec chat;
    RequestSpec stream;
    RequestSpec paced;

    Target(String name, String label, String baseUrl, String key, ChildProcess proc) {
      this.name = name;
      this.label = label;
      this.baseUrl = baseUrl;
      this.key = key;
      this.proc = proc;
    }

    boolean isGateway() {
      return name.startsWith("gw-");
    }
  }

  /** Target name of a storage mode's gateway. */
  static String gatewayName(String mode) {
    return mode.equals("postgres") ? "gw-pg" : "gw-h2";
  }

  private Target startGateway(String mode, String dbUrl, String simUrl, List<String> wrap, List<Startup> startups)
      throws Exception {
    String name = gatewayName(mode);
    List<String> gwCmd = new ArrayList<>(wrap);
    gwCmd.add(opt.java());
    gwCmd.addAll(gatewayJvmArgs(opt.jar(), System.getenv("LJQ_JAVA_OPTS")));
    gwCmd.addAll(classDataSharing(opt.jar(), System.getenv("LJQ_CDS")));
    gwCmd.addAll(List.of("-jar", opt.jar().toString(), "demo", "--port", String.valueOf(freePort()),
        // The benchmark measures the gateway, not its limits: a key and a balance that never run out.
        "--key-rpm", "2000000000", "--key-tpm", "2000000000", "--initial-credit", "100000000.00",
        "--data-dir", tempDir.resolve("data-" + mode).toString(), "--upstream", simUrl));
    if (dbUrl != null) {
      String schema = "ljq_bench_" + Long.toHexString(System.nanoTime());
      pgAdmin(dbUrl, "CREATE SCHEMA " + schema);
      pgSchemas.add(new String[] {dbUrl, schema});
      String sep = dbUrl.contains("?") ? "&" : "?";
      gwCmd.addAll(List.of("--database-url", dbUrl + sep + "currentSchema=" + schema));
      status("%s database: PostgreSQL schema %s", name, schema);
    }
    if (opt.redisUrl() != null) {
      gwCmd.addAll(List.of("--redis-url", opt.redisUrl(), "--redis-prefix",
          "ljq-bench-" + Long.toHexString(System.nanoTime()) + ":"));
      status("%s shares limits, budgets and balances through Redis %s", name, opt.redisUrl());
    }
    if (opt.eventLoops() > 0) {
      gwCmd.addAll(List.of("--event-loops", String.valueOf(opt.eventLoops())));
    }
    status("starting gateway %s (%s) ...", name, mode);
    long t0 = System.nanoTime();
    ChildProcess gw = ChildProcess.start(name, gwCmd, tempDir, Set.of("LJQ_BASE_URL", "LJQ_API_KEY"),
        Duration.ofSeconds(120));
    gateways.add(gw);
    long announced = System.nanoTime();
    String gwUrl = gw.value("LJQ_BASE_URL");
    String apiKey = gw.value("LJQ_API_KEY");
    RequestSpec first = RequestSpec.chat(name, gwUrl, apiKey, false, Map.of());
    String last = "";
    long served = -1;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        last = load.probe(first);
        if (last.startsWith("200 ")) {
          served = System.nanoTime();
          break;
        }
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(5);
    }
    if (served < 0) {
      throw new IOException(name + " served no chat request within 60 s: " + abbreviate(last, 400) + "\n"
          + gw.logTail());
    }
    Startup s = new Startup(name, (announced - t0) / 1e6, (served - t0) / 1e6);
    startups.add(s);
    status("gateway %s pid %d at %s: announced after %.0f ms, first request served after %.0f ms", name, gw.pid(),
        gwUrl, s.announcedMs(), s.firstServedMs());
    String label = mode.equals("postgres") ? "ours, PostgreSQL" : "ours, embedded H2";
    return new Target(name, label, gwUrl, apiKey, gw);
  }

  /**
   * The gateway child's JVM options, as {@code ./ljq} passes them: {@code LJQ_JAVA_OPTS} when set (it replaces the
   * file), else {@code @jvm.options} when that file is beside the jar or in its parent (the repository root for
   * {@code target/ljq.jar}, {@code /app} in the image); else none (the JVM's defaults).
   */
  static List<String> gatewayJvmArgs(Path jar, String envOpts) {
    if (envOpts != null && !envOpts.isBlank()) {
      return List.of(envOpts.trim().split("\\s+"));
    }
    Path dir = jar.toAbsolutePath().getParent();
    for (Path d = dir; d != null && (d.equals(dir) || d.equals(dir.getParent())); d = d.getParent()) {
      Path f = d.resolve("jvm.options");
      if (Files.isRegularFile(f)) {
        return List.of("@" + f);
      }
    }
    return List.of();
  }

  /**
   * The class-data-sharing options {@code ./ljq} adds (unless {@code LJQ_CDS=off}): the archive beside the jar,
   * written by the first run and mapped by the next ones — so the start-up measured is the one a user of
   * {@code ./ljq demo} sees from the second start on.
   */
  static List<String> classDataSharing(Path jar, String env) {
    if ("off".equals(env)) return List.of();
    Path archive = jar.toAbsolutePath().resolveSibling("ljq.jsa");
    try { // one written for an older jar is refused (no sharing at all) and never replaced: start afresh, as ./ljq does
      if (Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
        Files.delete(archive);
      }
    } catch (java.io.IOException ignored) {
      // left as it is: the JVM runs without it
    }
    return List.of("-XX:SharedArchiveFile=" + archive,
        "-XX:+AutoCreateSharedArchive", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  }

  /** One phase: opt.rounds() rounds, each target in turn per round; per-round results kept, medians reported. */
  private PhaseResult phase(String name, int concurrency, boolean stream, List<Target> targets) throws Exception {
    Map<String, List<TargetResult>> byTarget = new LinkedHashMap<>();
    targets.forEach(t -> byTarget.put(t.name, new ArrayList<>()));
    long sliceMs = Math.max(200, opt.durationSeconds() * 1000L / opt.rounds());
    for (int r = 0; r < opt.rounds(); r++) {
      for (Target t : targets) {
        RequestSpec spec = stream ? t.stream : t.chat;
        String label = String.format(Locale.ROOT, "%s %s (%d/%d)", name, t.name, r + 1, opt.rounds());
        long cpuBefore = t.proc != null && cpuSupported ? ProcTree.cpuNanos(t.proc.pid()) : 0;
        ProcTree.PeakSampler rss = t.proc != null && cpuSupported ? new ProcTree.PeakSampler(t.proc.pid(), 200) : null;
        RunResult res;
        try {
          res = timed(label, sliceMs / 1000.0, () -> load.run(List.of(spec), concurrency, Duration.ofMillis(sliceMs)));
        } finally {
          if (rss != null) {
            rss.close();
          }
        }
        long cpu = t.proc != null && cpuSupported ? ProcTree.cpuNanos(t.proc.pid()) - cpuBefore : -1;
        byTarget.get(t.name).add(new TargetResult(t.name, res.completed(), res.errors(), res.errorKinds(),
            res.seconds(), res.total().summarize(), res.ttfb().summarize(), cpu, rss == null ? -1 : rss.peak()));
        checkAlive();
      }
    }
    List<TargetStats> stats = new ArrayList<>();
    byTarget.forEach((k, v) -> stats.add(new TargetStats(k, v)));
    return new PhaseResult(name, concurrency, stream, stats);
  }

  /** N streams at once per target per round; stalls judged against the direct round's TTFT p50. */
  private BurstResult burst(List<Target> targets) throws Exception {
    int n = opt.streams();
    Map<String, List<BurstRound>> byTarget = new LinkedHashMap<>();
    targets.forEach(t -> byTarget.put(t.name, new ArrayList<>()));
    long gapLimit = Stalls.gapLimitNs(opt.streamGapMs());
    Duration timeout = Duration.ofMillis(60_000L + 10L * opt.streamChunks() * Math.max(1, opt.streamGapMs()));
    try (StreamBurst sb = new StreamBurst(n)) {
      // one unmeasured burst per target first: opens the connections and compiles the paths at this concurrency
      for (Target t : targets) {
        StreamBurst.BurstResult w = sb.run(t.paced, n, timeout);
        status("%d streams %s warm-up: %d ok, %d errors %s", n, t.name, w.ok(), w.errors(),
            w.errors() > 0 ? w.errorKinds().toString() : "");
        checkAlive();
        Thread.sleep(500);
      }
      for (int r = 0; r < opt.rounds(); r++) {
        long ttftLimit = Long.MAX_VALUE;
        for (Target t : targets) {
          String label = String.format(Locale.ROOT, "%d streams %s (%d/%d)", n, t.name, r + 1, opt.rounds());
          long cpuBefore = t.proc != null && cpuSupported ? ProcTree.cpuNanos(t.proc.pid()) : 0;
          ProcTree.PeakSampler rss = t.proc != null && cpuSupported ? new ProcTree.PeakSampler(t.proc.pid(), 100)
              : null;
          long selfBefore = cpuSupported ? ProcCpu.cpuNanos(ProcessHandle.current().pid()) : 0;
          StreamBurst.BurstResult b;
          try {
            b = sb.run(t.paced, n, timeout);
          } finally {
            if (rss != null) {
              rss.close();
            }
          }
          long cpu = t.proc != null && cpuSupported ? ProcTree.cpuNanos(t.proc.pid()) - cpuBefore : -1;
          long self = cpuSupported ? ProcCpu.cpuNanos(ProcessHandle.current().pid()) - selfBefore : -1;
          Latencies ttft = new Latencies(n);
          Latencies total = new Latencies(n);
          for (int i = 0; i < b.ok(); i++) {
            ttft.add(b.ttftNs()[i]);
            total.add(b.totalNs()[i]);
          }
          Latencies.Summary ts = ttft.summarize();
          if (t.name.equals("direct")) {
            ttftLimit = Stalls.ttftLimitNs(ts.p50Ns());
          }
          int free = Stalls.stallFree(b.ttftNs(), b.maxGapNs(), gapLimit, ttftLimit);
          BurstRound br = new BurstRound(n, b.ok(), b.errors(), b.retryAfter503(), b.errorKinds(), b.wallNs() / 1e9,
              ts, total.summarize(), free, cpu, rss == null ? -1 : rss.peak(), self);
          byTarget.get(t.name).add(br);
          err.printf(Locale.ROOT, "[bench] %-28s %5.2f s  %5d ok  %6.0f streams/s  TTFT p50 %.1f ms  total p50 "
                  + "%.1f ms  %d stall-free  %d errors  load generator %.2f cores%s%n", label, br.seconds(), br.ok(),
              br.streamsPerSecond(), ts.p50Ns() / 1e6, br.total().p50Ns() / 1e6, free, br.errors(),
              br.loadGeneratorCores(),
              br.errors() > 0 ? "  " + br.errorKinds() : "");
          err.flush();
          checkAlive();
          Thread.sleep(500); // let the last connections' work settle before the next target
        }
      }
    }
    List<BurstStats> stats = new ArrayList<>();
    byTarget.forEach((k, v) -> stats.add(new BurstStats(k, v)));
    return new BurstResult(n, opt.streamChunks(), opt.streamGapMs(), gapLimit, stats);
  }

  /** Steady mixed load at 64 connections against one gateway, one line per minute. */
  private void soak(Target gw, Target direct, List<SoakMinute> minutes) throws Exception {
    int conc = MAX_CONCURRENCY;
    List<RequestSpec> mixD = List.of(direct.chat, direct.chat, direct.stream);
    List<RequestSpec> mixG = List.of(gw.chat, gw.chat, gw.stream);
    RunResult base = timed("soak baseline direct", 10, () -> load.run(mixD, conc, Duration.ofSeconds(10)));
    Latencies.Summary bs = base.total().summarize();
    out.printf(Locale.ROOT, "%nsoak %s: %d min at %d connections (2 chat : 1 stream), direct baseline p50 %.3f ms "
        + "p99 %.3f ms%n", gw.name, opt.soakMinutes(), conc, bs.p50Ns() / 1e6, bs.p99Ns() / 1e6);
    out.printf(Locale.ROOT, "%-6s %-7s %9s %9s %9s %10s %10s %9s %9s %7s%n", "target", "minute", "req/s", "p50 ms",
        "p99 ms", "+p50 ms", "+p99 ms", "RSS MB", "heap MB", "errors");
    out.flush();
    for (int m = 1; m <= opt.soakMinutes(); m++) {
      RunResult r = timed(String.format(Locale.ROOT, "soak %s minute %d", gw.name, m), 60,
          () -> load.run(mixG, conc, Duration.ofSeconds(60)));
      Latencies.Summary s = r.total().summarize();
      long rss = ProcTree.rssBytes(gw.proc.pid());
      long heap = heapUsed(gw.baseUrl);
      SoakMinute sm = new SoakMinute(gw.name, m, r.completed() / Math.max(1e-9, r.seconds()), r.errors(),
          s.p50Ns() / 1e6, s.p99Ns() / 1e6, (s.p50Ns() - bs.p50Ns()) / 1e6, (s.p99Ns() - bs.p99Ns()) / 1e6, rss, heap);
      minutes.add(sm);
      out.printf(Locale.ROOT, "%-6s %-7d %9.1f %9.3f %9.3f %+10.3f %+10.3f %9.0f %9s %7d%n", gw.name, m,
          sm.reqPerSec(), sm.p50Ms(), sm.p99Ms(), sm.addedP50Ms(), sm.addedP99Ms(), rss / 1048576.0,
          heap < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", heap / 1048576.0), sm.errors());
      out.flush();
      checkAlive();
    }
  }

  /** Heap used by the gateway from its Prometheus /metrics (jvm_memory_used_bytes, area heap); -1 when unavailable. */
  private static long heapUsed(String baseUrl) {
    try {
      URI u = URI.create(baseUrl).resolve("/metrics");
      java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      var resp = c.send(java.net.http.HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(5)).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return resp.statusCode() == 200 ? Report.heapUsedBytes(resp.body()) : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  /** The 1-minute load average from /proc/loadavg, or null. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String nginxVersion(String bin) {
    try {
      Process p = new ProcessBuilder(bin, "-v").redirectErrorStream(true).start();
      String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      int slash = o.indexOf('/');
      return slash >= 0 ? o.substring(slash + 1) : o;
    } catch (Exception e) {
      return "";
    }
  }

  private static boolean pgReachable(String url) {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url)) {
      return c.isValid(5);
    } catch (Exception e) {
      return false;
    }
  }

  /** Runs {@code body} while showing progress on stderr; prints one summary line per run. */
  private RunResult timed(String label, double seconds, Callable<RunResult> body) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    long start = System.nanoTime();
    Thread ticker = null;
    if (terminal) {
      ticker = new Thread(() -> {
        while (running.get()) {
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          }
          if (!running.get()) {
            return;
          }
          double el = (System.nanoTime() - start) / 1e9;
          err.printf(Locale.ROOT, "\r[bench] %s %.1f/%.1f s  %d req  %d err   ", label, Math.min(el, seconds),
              seconds, load.progressCompleted(), load.progressErrors());
          err.flush();
        }
      }, "bench-progress");
      ticker.setDaemon(true);
      ticker.start();
    }
    RunResult r;
    try {
      r = body.call();
    } finally {
      running.set(false);
      if (ticker != null) {
        ticker.interrupt();
        ticker.join(1000);
      }
    }
    err.printf(Locale.ROOT, "%s[bench] %-28s %5.1f s  %7d ok  %7.0f req/s  %d errors%s%n", terminal ? "\r" : "",
        label, r.seconds(), r.completed(), r.completed() / Math.max(1e-9, r.seconds()), r.errors(),
        r.errors() > 0 ? "  " + r.errorKinds() : "");
    err.flush();
    return r;
  }

  private void checkAlive() throws IOException {
    List<ChildProcess> all = new ArrayList<>(gateways);
    all.add(simulator);
    all.add(nginx);
    for (ChildProcess c : all) {
      if (c != null && !c.isAlive()) {
        throw new IOException(c.name() + " died during the benchmark\n" + c.logTail());
      }
    }
  }

  private void status(String fmt, Object... args) {
    err.println("[bench] " + String.format(Locale.ROOT, fmt, args));
    err.flush();
  }

  /** Pins every thread of this JVM (the load generator) to CPU 0. */
  private void pinSelf(String taskset) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(taskset, "-a", "-p", "-c", "0", String.valueOf(ProcessHandle.current().pid()))
        .redirectErrorStream(true).start();
    String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      status("warning: could not pin the load generator: %s", o.trim());
    }
  }

  /** Kills the children, closes the client, deletes the temp dir. Idempotent; also the shutdown hook. */
  private void cleanup() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    LoadGenerator l = load;
    if (l != null) {
      l.close();
    }
    // proxies first (they are the simulator's clients), then the simulator
    List<ChildProcess> all = new ArrayList<>(gateways);
    all.add(nginx);
    all.add(simulator);
    for (ChildProcess c : all) {
      if (c != null) {
        c.close();
      }
    }
    Path dir = tempDir;
    if (dir != null) {
      deleteRecursively(dir);
    }
    for (String[] schema : pgSchemas) {
      try {
        pgAdmin(schema[0], "DROP SCHEMA IF EXISTS " + schema[1] + " CASCADE");
      } catch (Exception e) {
        status("warning: could not drop schema %s: %s", schema[1], e.getMessage());
      }
    }
  }

  private static void pgAdmin(String url, String sql) {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
         java.sql.Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("PostgreSQL at the --postgres URL: " + e.getMessage(), e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static String findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  /** Console.isTerminal() exists from Java 22; on 21 a non-null console means a terminal. */
  private static boolean isTerminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }
}
