package com.lijiaoqiao.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** How the gateway's Kafka clients are made (from the {@code kafka} settings). */
public record KafkaSettings(String bootstrapServers, String clientId, int replicationFactor, String topicPrefix,
                            String groupPrefix, int deliveryTimeoutMs, int retryBackoffMs) {

  public Map<String, Object> adminProps() {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-admin");
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, deliveryTimeoutMs / 3));
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(2_000, deliveryTimeoutMs));
    return p;
  }

  /** Idempotent, every replica in sync acknowledges: a send that succeeded is on the brokers, exactly once. */
  public Map<String, Object> producerProps() {
    int requestTimeout = Math.max(1_000, deliveryTimeoutMs / 3);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-relay");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // in order with idempotence
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(deliveryTimeoutMs, requestTimeout + 10));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryTimeoutMs);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return p;
  }

  /** Manual commits after the handler returned; a new group starts at the oldest record kept. */
  public Map<String, Object> consumerProps(String group, String clientSuffix) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + clientSuffix);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group(group));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return p;
  }

  /** The cluster's id of a consumer group. */
  public String group(String group) {
    return (groupPrefix == null ? "" : groupPrefix) + group;
  }
}
