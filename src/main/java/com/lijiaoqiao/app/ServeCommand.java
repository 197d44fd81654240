package com.lijiaoqiao.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The production entry: configuration from YAML and the environment. */
@Command(name = "serve", description = "Run the gateway from a configuration file (and LJQ_* environment variables).")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", description = "YAML configuration file (default: ljq.yaml when present).")
  Path config;

  @Override
  public Integer call() throws Exception {
    Path file = config;
    if (file == null && java.nio.file.Files.isRegularFile(Path.of("ljq.yaml"))) {
      file = Path.of("ljq.yaml");
    }
    GatewayConfig cfg = ConfigLoader.load(file, System.getenv());
    com.lijiaoqiao.logging.LogFormat.apply(cfg.logging.format);
    Gateway gateway = Gateway.start(cfg);
    try {
      Bootstrap.ensureAdmin(gateway, cfg);
    } catch (RuntimeException e) {
      gateway.close();
      throw e;
    }
    System.out.println("LJQ_BASE_URL=http://" + displayHost(cfg.server.host) + ":" + gateway.port() + "/v1");
    runUntilStopped(gateway);
    return 0;
  }

  static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  /** Blocks until SIGTERM/SIGINT, then shuts down gracefully (drain, flush). */
  static void runUntilStopped(Gateway gateway) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "ljq-shutdown"));
    stopped.await();
  }
}
