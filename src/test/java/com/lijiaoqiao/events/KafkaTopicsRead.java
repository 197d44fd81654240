package com.lijiaoqiao.events;

import com.lijiaoqiao.kafka.KafkaPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads every record now on the seed's topics (with a prefix) with a plain consumer, no group. */
final class KafkaTopicsRead {
  record Rec(String topic, int partition, long offset, String key, String eventId, String value) {}

  private KafkaTopicsRead() {}

  static List<Rec> all(String bootstrap, String prefix) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (Topics.Spec s : Topics.ALL) {
        c.partitionsFor(prefix + s.name(), Duration.ofSeconds(10))
            .forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(10));
      List<Rec> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (ends.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) throw new AssertionError("reading the topics took over 60 s");
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          Header h = r.headers().lastHeader(KafkaPublisher.EVENT_ID_HEADER);
          out.add(new Rec(r.topic().substring(prefix.length()), r.partition(), r.offset(), r.key(),
              h == null ? null : new String(h.value(), StandardCharsets.UTF_8), r.value()));
        }
      }
      return out;
    }
  }
}
