package com.lijiaoqiao.events;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where the outbox relay publishes a batch of events, in order: the in-process bus, or Kafka. The future succeeds
 * once every event is durably handed over (Kafka: acknowledged by the brokers); only then are they marked published.
 */
public interface Publisher {
  Future<Void> publish(List<DomainEvent> batch);
}
