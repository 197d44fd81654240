package com.lijiaoqiao.events;

import java.util.List;

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

  /** Several events at once, in order (per tenant), for consumers that look things up in bulk. */
  @FunctionalInterface
  interface BatchHandler {
    void handle(List<DomainEvent> batch) throws Exception;
  }

  /** Delivers every event of {@code topic} to {@code handler}, as the consumer group {@code group}. */
  void subscribe(String topic, String group, Handler handler);

  /** As {@link #subscribe}, the events as they come in batches; throwing gets the whole batch again. */
  default void subscribeBatch(String topic, String group, BatchHandler handler) {
    subscribe(topic, group, e -> handler.handle(List.of(e)));
  }
}
