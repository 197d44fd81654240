package com.lijiaoqiao.events;

/**
 * Where a consumer (the webhook sender, the billing cross-check) takes its events from: the in-process bus, or a
 * Kafka consumer group. Delivery is at least once: a handler must be idempotent by {@link DomainEvent#id()}.
 */
public interface EventSource {
  /** Blocking work on a worker thread: returning normally acknowledges the event; throwing gets it again later. */
  @FunctionalInterface
  interface Handler {
    void handle(DomainEvent e) throws Exception;
  }

  /** Delivers every event of {@code topic} to {@code handler}, as the consumer group {@code group}. */
  void subscribe(String topic, String group, Handler handler);
}
