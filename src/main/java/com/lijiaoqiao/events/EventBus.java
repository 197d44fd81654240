package com.lijiaoqiao.events;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events' way without Kafka: the outbox relay publishes here and every subscriber of the topic gets each event,
 * on the relay's worker thread. A handler that throws fails the batch: it stays unpublished and comes again (at least
 * once; handlers are idempotent by event id). One node publishes at a time (the relay's lease), so each event is
 * handled once in the cluster unless a relay dies between handling and marking.
 */
public final class EventBus implements Publisher, EventSource {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);
  private final Map<String, List<Handler>> byTopic = new ConcurrentHashMap<>();

  @Override
  public void subscribe(String topic, String group, Handler handler) {
    byTopic.computeIfAbsent(topic, k -> new CopyOnWriteArrayList<>()).add(handler);
  }

  /** Blocking: called by the relay on a worker thread. */
  @Override
  public Future<Void> publish(List<DomainEvent> batch) {
    for (DomainEvent e : batch) {
      for (Handler h : byTopic.getOrDefault(e.topic(), List.of())) {
        try {
          h.handle(e);
        } catch (Exception ex) {
          log.warn("a handler of {} failed on {}: {}; the batch is published again", e.topic(), e.id(), ex.toString());
          return Future.failedFuture(ex);
        }
      }
    }
    return Future.succeededFuture();
  }
}
