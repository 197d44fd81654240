package com.lijiaoqiao.app;

import com.lijiaoqiao.billing.BillingCrossCheck;
import com.lijiaoqiao.billing.Books;
import com.lijiaoqiao.events.EventBus;
import com.lijiaoqiao.events.EventSource;
import com.lijiaoqiao.events.OutboxRelay;
import com.lijiaoqiao.events.Publisher;
import com.lijiaoqiao.kafka.KafkaEventSource;
import com.lijiaoqiao.kafka.KafkaLag;
import com.lijiaoqiao.kafka.KafkaPublisher;
import com.lijiaoqiao.kafka.KafkaSettings;
import com.lijiaoqiao.kafka.KafkaTopics;
import com.lijiaoqiao.store.OutboxRepository;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the event outbox: the store, the relay (one node at a time publishes, by lease) and where it publishes — the
 * in-process bus, or Kafka when {@code kafka.bootstrap_servers} is set — and the source consumers (webhooks, the
 * billing cross-check) subscribe to.
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
  private final AtomicBoolean running = new AtomicBoolean();
  private final Kafka kafka;
  private final String nodeId;

  /** The Kafka side, when configured. */
  private record Kafka(Admin admin, KafkaPublisher publisher, KafkaEventSource source, KafkaLag lag,
                       BillingCrossCheck billingCheck, long lagTimer) {}

  EventsRoom(Vertx vertx, GatewayConfig config, DataSource ds, com.lijiaoqiao.store.Durability durability,
             Books.Source books, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.outbox = new OutboxRepository(ds, durability);
    GatewayConfig.Events ec = config.events;
    this.retentionDays = ec.retentionDays;
    this.kafka = config.kafka.bootstrapServers == null || config.kafka.bootstrapServers.isBlank() ? null
        : startKafka(vertx, config.kafka, books);
    Publisher publisher = kafka != null ? kafka.publisher() : bus;
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

  private static Kafka startKafka(Vertx vertx, GatewayConfig.Kafka kc, Books.Source books) {
    KafkaSettings s = new KafkaSettings(kc.bootstrapServers.trim(), kc.clientId, kc.replicationFactor,
        kc.topicPrefix, kc.groupPrefix, kc.deliveryTimeoutMs, kc.retryBackoffMs);
    Admin admin = Admin.create(s.adminProps());
    KafkaTopics topics = new KafkaTopics(admin, kc.topicPrefix, kc.replicationFactor, kc.deliveryTimeoutMs);
    KafkaEventSource source = new KafkaEventSource(s, topics);
    KafkaLag lag = new KafkaLag(admin, source::groups, kc.deliveryTimeoutMs);
    BillingCrossCheck check = kc.billingCheck ? new BillingCrossCheck(books).subscribe(source) : null;
    long lagTimer = kc.lagIntervalMs <= 0 ? -1 : vertx.setPeriodic(kc.lagIntervalMs,
        id -> vertx.executeBlocking(() -> {
          lag.check(kc.lagWarnRecords);
          return null;
        }, false));
    log.info("events go to Kafka at {} (topics {}llm.*)", s.bootstrapServers(), kc.topicPrefix);
    return new Kafka(admin, new KafkaPublisher(s, topics), source, lag, check, lagTimer);
  }

  /** A breaker opened or closed on this node: provider.circuit_opened / closed, written off the event loop. */
  void circuitChanged(String provider, String model, boolean opened) {
    com.lijiaoqiao.events.DomainEvent e = com.lijiaoqiao.events.DomainEvent.of(opened
        ? com.lijiaoqiao.events.EventTypes.CIRCUIT_OPENED : com.lijiaoqiao.events.EventTypes.CIRCUIT_CLOSED, null,
        Map.of("provider", provider, "model", model, "node", nodeId));
    vertx.executeBlocking(() -> {
      outbox.append(java.util.List.of(e));
      return null;
    }, false).onFailure(t -> log.warn("recording a circuit event: {}", t.toString()));
  }

  /** GET /admin/events/stats. Blocking. */
  Map<String, Object> stats() throws InterruptedException {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("outbox_backlog", outbox.backlog());
    m.put("published_by_this_node", relay.published());
    m.put("transport", kafka == null ? "in-process" : "kafka");
    m.put("kafka_consumer_lag", kafkaLag());
    m.put("billing_check_mismatches", billingMismatches());
    return m;
  }

  /** Where consumers take events from. */
  EventSource source() {
    return kafka != null ? kafka.source() : bus;
  }

  /** The Kafka admin client (readiness asks it to describe the cluster), or null without Kafka. */
  Admin kafkaAdmin() {
    return kafka == null ? null : kafka.admin();
  }

  /** Each Kafka consumer group's lag, measured now (empty without Kafka). Blocking. */
  Map<String, Long> kafkaLag() throws InterruptedException {
    return kafka == null ? Map.of() : kafka.lag().lagByGroup();
  }

  /** billing.settled events on Kafka that disagree with the ledger (0 without Kafka or the check). */
  long billingMismatches() {
    return kafka == null || kafka.billingCheck() == null ? 0 : kafka.billingCheck().mismatches();
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
    closeKafka();
  }

  /** After a failed start: stops without a last relay round (the outbox keeps what it has). */
  void abandon() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(noticeTimer);
    closeKafka();
  }

  private void closeKafka() {
    if (kafka != null) {
      if (kafka.lagTimer() >= 0) vertx.cancelTimer(kafka.lagTimer());
      kafka.source().close();
      kafka.publisher().close();
      kafka.admin().close(java.time.Duration.ofSeconds(5));
    }
  }
}
