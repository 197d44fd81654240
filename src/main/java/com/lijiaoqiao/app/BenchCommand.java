package com.lijiaoqiao.app;

import com.lijiaoqiao.bench.BenchOptions;
import com.lijiaoqiao.bench.BenchRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Gateway overhead benchmark: simulator direct vs nginx vs the gateway(s) (see docs/benchmark.md). */
@Command(name = "bench", description = "Measure the gateway's added latency, CPU per request and memory against "
    + "the simulator directly and nginx as the floor, in interleaved rounds (starts each as its own process). See "
    + "docs/benchmark.md.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--warmup", paramLabel = "S", description = "Warmup seconds (default 20, 5 with --quick).")
  Integer warmup;

  @Option(names = "--duration", paramLabel = "S",
      description = "Measured seconds per target per phase, split over the rounds (default 6, 3 with --quick).")
  Integer duration;

  @Option(names = "--rounds", defaultValue = "3", paramLabel = "N",
      description = "Interleaved rounds per phase (direct, nginx, gateways, direct, ...); medians are reported "
          + "(default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--quick", description = "Smoke run: warmup 5 s, duration 3 s, 200 streams (explicit options win).")
  boolean quick;

  @Option(names = "--pin", description = "Pin the gateways and nginx to CPU 1, simulator + load generator to CPU 0 "
      + "(taskset).")
  boolean pin;

  @Option(names = "--event-loops", defaultValue = "0", paramLabel = "N",
      description = "Event loops of the gateways and the simulator (0 = their default).")
  int eventLoops;

  @Option(names = "--stream-directives", defaultValue = "chunks=20;gap=0", paramLabel = "D",
      description = "x-ljq-sim header of the stream c=1 and c=32 phases (default ${DEFAULT-VALUE}).")
  String streamDirectives;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure (per round and medians) as "
      + "JSON to FILE.")
  Path json;

  @Option(names = "--modes", paramLabel = "LIST", split = ",",
      description = "Gateway storage modes, each its own gateway in the same interleaved run: embedded, postgres "
          + "(default embedded; postgres alone when only --postgres is given).")
  List<String> modes;

  @Option(names = "--postgres", paramLabel = "JDBC_URL", description = "PostgreSQL of the postgres mode, in a fresh "
      + "schema dropped afterwards (default " + BenchOptions.DEFAULT_POSTGRES_URL + " when reachable). Without "
      + "--modes it means --modes postgres.")
  String postgres;

  @Option(names = "--redis", paramLabel = "URL", description = "Share the gateways' limits, budgets and balances "
      + "through this Redis (e.g. redis://127.0.0.1:6379), under a fresh key prefix, as a cluster node would.")
  String redis;

  @Option(names = "--nginx", defaultValue = "auto", paramLabel = "auto|off|PATH",
      description = "nginx as the floor: auto (PATH, then /usr/sbin/nginx; skipped with a line when absent), off, "
          + "or the binary (default ${DEFAULT-VALUE}).")
  String nginx;

  @Option(names = "--streams", paramLabel = "N",
      description = "Concurrent streams of the many-streams scenario, all opened at once (default 1000, 200 with "
          + "--quick; 0 = skip).")
  Integer streams;

  @Option(names = "--stream-chunks", defaultValue = "20", paramLabel = "N",
      description = "Content chunks per stream in that scenario (default ${DEFAULT-VALUE}).")
  int streamChunks;

  @Option(names = "--stream-gap", defaultValue = "50", paramLabel = "MS",
      description = "Milliseconds between chunks in that scenario (default ${DEFAULT-VALUE}).")
  int streamGap;

  @Option(names = "--soak", defaultValue = "0", paramLabel = "MINUTES",
      description = "After the phases, steady mixed load at 64 connections on each gateway for MINUTES, one line a "
          + "minute: req/s, p50/p99 and added, RSS, heap (default 0 = none).")
  int soak;

  @Option(names = "--stages", description = "Only measure the request-path stages in process (auth + limits, "
      + "reserve + settle), a few seconds.")
  boolean stagesOnly;

  @Override
  public Integer call() throws Exception {
    com.lijiaoqiao.bench.StageCosts.print(com.lijiaoqiao.bench.StageCosts.measure(200_000), System.out);
    System.out.println();
    if (stagesOnly) return 0;
    Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
      System.err.println("ljq bench: must run from the jar (./ljq bench); code source is " + jar);
      return 2;
    }
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    int w = warmup != null ? warmup : quick ? 5 : 20;
    int d = duration != null ? duration : quick ? 3 : 6;
    int n = streams != null ? streams : quick ? 200 : 1000;
    if (w < 0 || d < 1 || rounds < 1 || n < 0 || streamChunks < 1 || streamGap < 0 || soak < 0) {
      System.err.println("ljq bench: need --warmup >= 0, --duration >= 1, --rounds >= 1, --streams >= 0, "
          + "--stream-chunks >= 1, --stream-gap >= 0, --soak >= 0");
      return 2;
    }
    List<String> m = modes != null ? modes.stream().map(String::trim).filter(x -> !x.isEmpty()).distinct().toList()
        : List.of(postgres != null ? "postgres" : "embedded");
    if (m.isEmpty() || !m.stream().allMatch(x -> x.equals("embedded") || x.equals("postgres"))) {
      System.err.println("ljq bench: --modes takes embedded and/or postgres, e.g. --modes embedded,postgres");
      return 2;
    }
    BenchOptions opt = new BenchOptions(jar, java, w, d, rounds, pin, eventLoops, streamDirectives, json, m, postgres,
        redis, nginx, n, streamChunks, streamGap, soak);
    return new BenchRunner(opt, System.out, System.err).run();
  }
}
