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
  private final long noticeTimer;
  private final int retentionDays;
  private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();

  EventsRoom(Vertx vertx, GatewayConfig config, DataSource ds, String nodeId) {
    this.vertx = vertx;
    this.outbox = new OutboxRepository(ds);
    GatewayConfig.Events ec = config.events;
    this.retentionDays = ec.retentionDays;
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
    this.noticeTimer = vertx.setPeriodic(10 * 60_000L, id -> expiryNotices(ds, nodeId));
    vertx.setTimer(5_000, id -> expiryNotices(ds, nodeId));
  }

  /** key.expiring a week ahead: checked every ten minutes by the node holding the job's lease. */
  private void expiryNotices(DataSource ds, String nodeId) {
    vertx.executeBlocking(() -> {
      if (outbox.holdLease("key-expiry-notices", nodeId, 20 * 60_000L)) {
        int n = com.lijiaoqiao.store.KeyExpiryNotices.send(ds, java.time.Duration.ofDays(7));
        if (n > 0) log.info("{} key.expiring notices", n);
        if (retentionDays > 0) {
          int pruned = outbox.prunePublished(java.time.Instant.now().minus(java.time.Duration.ofDays(retentionDays)));
          if (pruned > 0) log.info("pruned {} published events older than {} days", pruned, retentionDays);
        }
      }
      return null;
    }, false).onFailure(t -> log.warn("key expiry notices: {}", t.toString()));
  }

  /** Where consumers take events from. */
  EventSource source() {
    return bus;
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(noticeTimer);
    try {
      relay.drain(); // what is in the outbox now goes out before the node stops (if it holds the lease)
    } catch (RuntimeException e) {
      log.warn("last relay round: {}", e.toString());
    }
    relay.stop();
  }
}
