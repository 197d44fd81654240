package com.lijiaoqiao.app;

import com.lijiaoqiao.events.EventBus;
import com.lijiaoqiao.events.EventSource;
import com.lijiaoqiao.events.OutboxRelay;
import com.lijiaoqiao.events.Publisher;
import com.lijiaoqiao.store.OutboxRepository;
import io.vertx.core.Vertx;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the event outbox: the store, the relay (one node at a time publishes, by lease) and where it publishes — the
 * in-process bus, or Kafka when configured — and the source consumers (webhooks) subscribe to.
 */
final class EventsRoom implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventsRoom.class);

  final OutboxRepository outbox;
  final EventBus bus = new EventBus();
  final OutboxRelay relay;
  private final Vertx vertx;
  private final long timer;
  private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();

  EventsRoom(Vertx vertx, GatewayConfig config, DataSource ds, String nodeId) {
    this.vertx = vertx;
    this.outbox = new OutboxRepository(ds);
    GatewayConfig.Events ec = config.events;
    Publisher publisher = bus;
    this.relay = new OutboxRelay(outbox, publisher, nodeId, Math.max(2_000L, ec.relayIntervalMs * 10L),
        Math.max(1, ec.batchSize));
    this.timer = vertx.setPeriodic(Math.max(20, ec.relayIntervalMs), id -> {
      if (!running.compareAndSet(false, true)) return; // one round at a time
      vertx.executeBlocking(relay::drain, false).onComplete(ar -> {
        running.set(false);
        if (ar.failed()) log.warn("relaying the outbox: {}", ar.cause().toString());
      });
    });
  }

  /** Where consumers take events from. */
  EventSource source() {
    return bus;
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    try {
      relay.drain(); // what is in the outbox now goes out before the node stops (if it holds the lease)
    } catch (RuntimeException e) {
      log.warn("last relay round: {}", e.toString());
    }
    relay.stop();
  }
}
