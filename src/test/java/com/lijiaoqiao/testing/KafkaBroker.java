package com.lijiaoqiao.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker for tests: one KRaft node (broker and controller combined) in this JVM, on a free loopback
 * port, its logs in a temporary directory. Started once per JVM on first use, stopped when the JVM exits; test
 * classes share it and isolate themselves by topic prefix and group prefix.
 */
public final class KafkaBroker {
  private static final long START_TIMEOUT_S = 60;
  private static KafkaClusterTestKit cluster;
  private static String bootstrap;

  private KafkaBroker() {}

  /** The broker's bootstrap servers (host:port), starting it if needed. */
  public static synchronized String bootstrapServers() {
    if (bootstrap != null) return bootstrap;
    ExecutorService starter = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("kafka-start")
        .unstarted(r));
    try {
      Path dir = Files.createTempDirectory("ljq-kafka");
      Future<KafkaClusterTestKit> started = starter.submit(() -> {
        KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
            .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(dir).build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "5")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
        c.format();
        c.startup();
        c.waitForReadyBrokers();
        return c;
      });
      cluster = started.get(START_TIMEOUT_S, TimeUnit.SECONDS);
      bootstrap = cluster.bootstrapServers();
      Runtime.getRuntime().addShutdownHook(new Thread(KafkaBroker::stop, "kafka-stop"));
      return bootstrap;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the test Kafka broker (KRaft, in-process) did not start within "
          + START_TIMEOUT_S + " s", e);
    } catch (Exception e) {
      throw new IllegalStateException("the test Kafka broker (KRaft, in-process) failed to start: " + e, e);
    } finally {
      starter.shutdown();
    }
  }

  private static synchronized void stop() {
    try {
      if (cluster != null) cluster.close();
    } catch (Exception ignored) {
      // the JVM is exiting
    }
    cluster = null;
    bootstrap = null;
  }
}
