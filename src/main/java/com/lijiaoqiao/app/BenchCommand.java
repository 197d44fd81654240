package com.lijiaoqiao.app;

import com.lijiaoqiao.bench.BenchOptions;
import com.lijiaoqiao.bench.BenchRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Gateway overhead benchmark: simulator direct vs through the gateway (see docs/benchmark.md). */
@Command(name = "bench", description = "Measure the gateway's added latency and CPU per request against the "
    + "simulator (starts both as separate processes). See docs/benchmark.md.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--warmup", paramLabel = "S", description = "Warmup seconds (default 20, 5 with --quick).")
  Integer warmup;

  @Option(names = "--duration", paramLabel = "S",
      description = "Measured seconds per target per phase (default 10, 3 with --quick).")
  Integer duration;

  @Option(names = "--quick", description = "Smoke run: warmup 5 s, duration 3 s (explicit --warmup/--duration win).")
  boolean quick;

  @Option(names = "--pin", description = "Pin the gateway to CPU 1 and simulator + load generator to CPU 0 (taskset).")
  boolean pin;

  @Option(names = "--event-loops", defaultValue = "0", paramLabel = "N",
      description = "Event loops of the gateway and the simulator (0 = their default).")
  int eventLoops;

  @Option(names = "--stream-directives", defaultValue = "chunks=20;gap=0", paramLabel = "D",
      description = "x-ljq-sim header of the streaming phase (default ${DEFAULT-VALUE}).")
  String streamDirectives;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the numbers as JSON to FILE.")
  Path json;

  @Option(names = "--postgres", paramLabel = "JDBC_URL", description = "Run the gateway on this PostgreSQL "
      + "(e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres) in a fresh schema, dropped afterwards, instead "
      + "of the embedded database: the gateway's CPU then excludes the database's own work.")
  String postgres;

  @Option(names = "--redis", paramLabel = "URL", description = "Share the gateway's limits, budgets and balances "
      + "through this Redis (e.g. redis://127.0.0.1:6379), under a fresh key prefix, as a cluster node would.")
  String redis;

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
    int d = duration != null ? duration : quick ? 3 : 10;
    if (w < 0 || d < 1) {
      System.err.println("ljq bench: --warmup must be >= 0 and --duration >= 1");
      return 2;
    }
    BenchOptions opt = new BenchOptions(jar, java, w, d, pin, eventLoops, streamDirectives, json, postgres, redis);
    return new BenchRunner(opt, System.out, System.err).run();
  }
}
