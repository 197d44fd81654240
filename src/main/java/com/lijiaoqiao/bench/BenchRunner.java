package com.lijiaoqiao.bench;

import com.lijiaoqiao.bench.LoadGenerator.RunResult;
import com.lijiaoqiao.bench.Results.BenchInfo;
import com.lijiaoqiao.bench.Results.PhaseResult;
import com.lijiaoqiao.bench.Results.TargetResult;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Runs the whole benchmark: starts the simulator and the demo gateway as separate JVMs, warms up, measures
 * direct-vs-gateway phases (interleaved), prints the table, always cleans up.
 */
public final class BenchRunner {
  private static final int WARMUP_CONCURRENCY = 16;
  private static final int SLICES = 2;
  private static final int MAX_CONCURRENCY = 64;

  private final BenchOptions opt;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private volatile ChildProcess simulator;
  private volatile ChildProcess gateway;
  private volatile LoadGenerator load;
  private volatile Path tempDir;
  private volatile String pgSchema;
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
        err.println("[bench] interrupted: stopping the gateway and the simulator ...");
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
      pinning = "pinned: gateway CPU 1, simulator + load generator CPU 0";
    }
    String javaVersion = System.getProperty("java.version");
    status("%d CPUs, java %s, %s", cpus, javaVersion, pinning);

    tempDir = Files.createTempDirectory("ljq-bench-");

    // 1. the simulator, then the gateway using it as upstream
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

    List<String> gwCmd = new ArrayList<>();
    if (pinned) {
      gwCmd.addAll(List.of(taskset, "-c", "1"));
    }
    gwCmd.addAll(List.of(opt.java(), "-jar", opt.jar().toString(), "demo", "--port", String.valueOf(freePort()),
        // The benchmark measures the gateway, not its limits: a key and a balance that never run out.
        "--key-rpm", "2000000000", "--key-tpm", "2000000000", "--initial-credit", "100000000.00",
        "--data-dir", tempDir.resolve("data").toString(), "--upstream", simUrl));
    if (opt.postgresUrl() != null) {
      pgSchema = "ljq_bench_" + Long.toHexString(System.nanoTime());
      pgAdmin(opt.postgresUrl(), "CREATE SCHEMA " + pgSchema);
      String sep = opt.postgresUrl().contains("?") ? "&" : "?";
      gwCmd.addAll(List.of("--database-url", opt.postgresUrl() + sep + "currentSchema=" + pgSchema));
      status("gateway database: PostgreSQL schema %s", pgSchema);
    }
    if (opt.redisUrl() != null) {
      gwCmd.addAll(List.of("--redis-url", opt.redisUrl(), "--redis-prefix", "ljq-bench-" + Long.toHexString(System.nanoTime()) + ":"));
      status("gateway shares limits, budgets and balances through Redis %s", opt.redisUrl());
    }
    if (opt.eventLoops() > 0) {
      gwCmd.addAll(List.of("--event-loops", String.valueOf(opt.eventLoops())));
    }
    status("starting gateway ...");
    gateway = ChildProcess.start("gateway", gwCmd, tempDir, Set.of("LJQ_BASE_URL", "LJQ_API_KEY"),
        Duration.ofSeconds(120));
    String gwUrl = gateway.value("LJQ_BASE_URL");
    String apiKey = gateway.value("LJQ_API_KEY");
    status("gateway pid %d at %s", gateway.pid(), gwUrl);

    if (pinned) {
      pinSelf(taskset);
    }
    boolean cpuSupported = ProcCpu.supported();

    // 2. requests
    Map<String, String> none = Map.of();
    Map<String, String> streamHdr = Map.of("x-ljq-sim", opt.streamDirectives());
    RequestSpec directChat = RequestSpec.chat("direct", simUrl, "sk-bench-direct", false, none);
    RequestSpec gatewayChat = RequestSpec.chat("gateway", gwUrl, apiKey, false, none);
    RequestSpec directStream = RequestSpec.chat("direct", simUrl, "sk-bench-direct", true, streamHdr);
    RequestSpec gatewayStream = RequestSpec.chat("gateway", gwUrl, apiKey, true, streamHdr);

    load = new LoadGenerator(MAX_CONCURRENCY);
    for (RequestSpec s : List.of(directChat, gatewayChat, directStream, gatewayStream)) {
      String r = load.probe(s);
      if (!r.startsWith("200 ")) {
        throw new IOException("pre-flight " + (s.stream() ? "stream" : "chat") + " request to " + s.target()
            + " failed: " + abbreviate(r, 600) + "\n" + gateway.logTail());
      }
    }

    // 3. warmup: mostly gateway, some direct, non-stream and stream mixed
    List<RequestSpec> warmSpecs = List.of(gatewayChat, gatewayStream, directChat, gatewayChat, gatewayStream,
        directStream);
    RunResult warm = timed("warmup", opt.warmupSeconds(),
        () -> load.run(warmSpecs, WARMUP_CONCURRENCY, Duration.ofSeconds(opt.warmupSeconds())));
    checkAlive();

    // 4. measured phases
    List<PhaseResult> phases = new ArrayList<>();
    phases.add(phase("chat c=1", 1, directChat, gatewayChat, cpuSupported));
    phases.add(phase("chat c=64", 64, directChat, gatewayChat, cpuSupported));
    phases.add(phase("stream c=8", 8, directStream, gatewayStream, cpuSupported));

    BenchInfo info = new BenchInfo(cpus, javaVersion, pinning, opt.warmupSeconds(), opt.durationSeconds(), SLICES,
        opt.streamDirectives(), warm.completed(), warm.errors(), warm.errorKinds());
    err.flush();
    out.println();
    out.print(Report.table(info, phases));
    out.flush();
    if (opt.json() != null) {
      Path parent = opt.json().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(opt.json(), Report.json(info, phases), StandardCharsets.UTF_8);
      status("wrote %s", opt.json());
    }
    return phases.stream().anyMatch(PhaseResult::hasErrors) ? 1 : 0;
  }

  /** One phase: SLICES rounds, direct/gateway in ABBA order, results merged per target. */
  private PhaseResult phase(String name, int concurrency, RequestSpec direct, RequestSpec gw, boolean cpu)
      throws Exception {
    Acc d = new Acc("direct");
    Acc g = new Acc("gateway");
    long sliceMs = Math.max(200, opt.durationSeconds() * 1000L / SLICES);
    for (int s = 0; s < SLICES; s++) {
      boolean directFirst = s % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean isDirect = (k == 0) == directFirst;
        RequestSpec spec = isDirect ? direct : gw;
        Acc acc = isDirect ? d : g;
        String label = String.format(Locale.ROOT, "%s %s (%d/%d)", name, spec.target(), s + 1, SLICES);
        long cpuBefore = !isDirect && cpu ? ProcCpu.cpuNanos(gateway.pid()) : 0;
        RunResult r = timed(label, sliceMs / 1000.0,
            () -> load.run(List.of(spec), concurrency, Duration.ofMillis(sliceMs)));
        if (!isDirect && cpu) {
          acc.cpuNanos += ProcCpu.cpuNanos(gateway.pid()) - cpuBefore;
        }
        acc.add(r);
        checkAlive();
      }
    }
    return new PhaseResult(name, concurrency, direct.stream(), d.result(cpu), g.result(cpu));
  }

  private static final class Acc {
    final String target;
    final Latencies total = new Latencies(1 << 16);
    final Latencies ttfb = new Latencies(1 << 12);
    final Map<String, Integer> kinds = new TreeMap<>();
    int ok;
    int errors;
    long elapsedNs;
    long cpuNanos;

    Acc(String target) {
      this.target = target;
    }

    void add(RunResult r) {
      total.addAll(r.total());
      ttfb.addAll(r.ttfb());
      r.errorKinds().forEach((k, v) -> kinds.merge(k, v, Integer::sum));
      ok += r.completed();
      errors += r.errors();
      elapsedNs += r.elapsedNs();
    }

    TargetResult result(boolean cpu) {
      return new TargetResult(target, ok, errors, kinds, elapsedNs / 1e9, total.summarize(), ttfb.summarize(),
          target.equals("gateway") && cpu ? cpuNanos : -1);
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
    for (ChildProcess c : new ChildProcess[] {simulator, gateway}) {
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

  /** Kills both children, closes the client, deletes the temp dir. Idempotent; also the shutdown hook. */
  private void cleanup() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    LoadGenerator l = load;
    if (l != null) {
      l.close();
    }
    // gateway first (it is the simulator's client), then the simulator
    for (ChildProcess c : new ChildProcess[] {gateway, simulator}) {
      if (c != null) {
        c.close();
      }
    }
    Path dir = tempDir;
    if (dir != null) {
      deleteRecursively(dir);
    }
    if (pgSchema != null) {
      try {
        pgAdmin(opt.postgresUrl(), "DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
      } catch (Exception e) {
        status("warning: could not drop schema %s: %s", pgSchema, e.getMessage());
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
