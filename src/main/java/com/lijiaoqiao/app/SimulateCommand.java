package com.lijiaoqiao.app;

import com.lijiaoqiao.simulator.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The upstream simulator alone (see docs/simulator.md). */
@Command(name = "simulate", description = "Run the built-in upstream simulator alone (OpenAI, Anthropic and Gemini dialects).")
final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "9090", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--event-loops", defaultValue = "0", description = "Event loops (0 = CPU cores).")
  int eventLoops;

  @Override
  public Integer call() throws Exception {
    int loops = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    Simulator sim = Simulator.start(vertx, host, port);
    System.out.println("LJQ_SIMULATOR_URL=" + sim.baseUrl() + "/v1");
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sim.close();
      vertx.close();
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }
}
