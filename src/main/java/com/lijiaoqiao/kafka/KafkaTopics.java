package com.lijiaoqiao.kafka;

import com.lijiaoqiao.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's four topics on the cluster: their names (with the configured prefix) and, once, their creation with
 * the seed's partitions and retention (§7.3). Creating is idempotent: a topic that exists is left as it is (a
 * partition count that differs is logged, never changed). Blocking.
 */
public final class KafkaTopics {
  private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);
  private final Admin admin;
  private final String prefix;
  private final short replicationFactor;
  private final long timeoutMs;
  private volatile boolean ensured;

  public KafkaTopics(Admin admin, String prefix, int replicationFactor, long timeoutMs) {
    this.admin = admin;
    this.prefix = prefix == null ? "" : prefix;
    this.replicationFactor = (short) Math.max(1, replicationFactor);
    this.timeoutMs = timeoutMs;
  }

  /** The cluster's name of one of {@link Topics}' topics. */
  public String name(String topic) {
    return prefix + topic;
  }

  /** The seed's topic a cluster topic stands for. */
  public String logical(String kafkaTopic) {
    return kafkaTopic.startsWith(prefix) ? kafkaTopic.substring(prefix.length()) : kafkaTopic;
  }

  public List<String> names() {
    return Topics.ALL.stream().map(s -> name(s.name())).toList();
  }

  /** Creates whichever of the four topics is missing; returns at once after the first success. */
  public synchronized void ensure() throws InterruptedException {
    if (ensured) return;
    List<NewTopic> wanted = new ArrayList<>();
    for (Topics.Spec s : Topics.ALL) {
      wanted.add(new NewTopic(name(s.name()), s.partitions(), replicationFactor)
          .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(s.retentionMs()))));
    }
    var results = admin.createTopics(wanted).values();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (var e : results.entrySet()) {
      try {
        e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        log.info("created Kafka topic {}", e.getKey());
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("creating Kafka topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
        }
      } catch (java.util.concurrent.TimeoutException ex) {
        throw new IllegalStateException("creating Kafka topic " + e.getKey() + ": no answer in " + timeoutMs + " ms");
      }
    }
    checkPartitions();
    ensured = true;
  }

  private void checkPartitions() throws InterruptedException {
    try {
      Map<String, TopicDescription> found = admin.describeTopics(names()).allTopicNames()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
      for (Topics.Spec s : Topics.ALL) {
        TopicDescription d = found.get(name(s.name()));
        if (d != null && d.partitions().size() != s.partitions()) {
          log.warn("Kafka topic {} has {} partitions; the seed's design has {}", d.name(), d.partitions().size(),
              s.partitions());
        }
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
      log.debug("describing the Kafka topics: {}", ex.toString());
    }
  }
}
