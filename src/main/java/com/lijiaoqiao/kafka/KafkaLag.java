package com.lijiaoqiao.kafka;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag (seed §7.6): per consumer group, the records on its topics it has not committed yet, summed over the
 * partitions (end offset − committed offset; a partition it never committed counts from its start). Blocking.
 */
public final class KafkaLag {
  private static final Logger log = LoggerFactory.getLogger(KafkaLag.class);
  private final Admin admin;
  private final Supplier<Map<String, Set<String>>> groups;
  private final long timeoutMs;
  private volatile Map<String, Long> last = Map.of();

  /** {@code groups}: each consumer group's id on the cluster and its topics' names there. */
  public KafkaLag(Admin admin, Supplier<Map<String, Set<String>>> groups, long timeoutMs) {
    this.admin = admin;
    this.groups = groups;
    this.timeoutMs = timeoutMs;
  }

  /** Measures now: each group's lag, by group id. */
  public Map<String, Long> lagByGroup() throws InterruptedException {
    Map<String, Long> out = new LinkedHashMap<>();
    try {
      for (var g : groups.get().entrySet()) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.getKey())
            .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(g.getValue()).allTopicNames()
            .get(timeoutMs, TimeUnit.MILLISECONDS).values()) {
          d.partitions().forEach(p -> ends.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        long lag = 0;
        for (var e : admin.listOffsets(ends).all().get(timeoutMs, TimeUnit.MILLISECONDS).entrySet()) {
          OffsetAndMetadata at = committed.get(e.getKey());
          lag += Math.max(0, e.getValue().offset() - (at == null ? 0 : at.offset()));
        }
        out.put(g.getKey(), lag);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("measuring consumer lag: " + e, e);
    }
    last = Map.copyOf(out);
    return out;
  }

  /** The last measurement (empty before the first). */
  public Map<String, Long> last() {
    return last;
  }

  /** Measures and logs each group whose lag exceeds {@code warnAbove}; never throws. */
  public void check(long warnAbove) {
    try {
      for (var e : lagByGroup().entrySet()) {
        if (e.getValue() > warnAbove) {
          log.warn("Kafka consumer group {} lags {} records behind", e.getKey(), e.getValue());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.debug("consumer lag: {}", e.toString());
    }
  }
}
