package com.lijiaoqiao.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.kafka.KafkaEventSource;
import com.lijiaoqiao.kafka.KafkaLag;
import com.lijiaoqiao.kafka.KafkaPublisher;
import com.lijiaoqiao.kafka.KafkaSettings;
import com.lijiaoqiao.kafka.KafkaTopics;
import com.lijiaoqiao.testing.KafkaBroker;
import com.lijiaoqiao.testing.TestGateway;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay and the consumers against a real broker: a publish that fails leaves the batch unpublished (and a
 * later one delivers it); a consumer whose handler throws gets the event again, commits only what it handled, and
 * its group's lag comes to zero.
 */
class KafkaDeliveryTest {
  /** An outbox in memory. */
  static final class MemoryOutbox implements OutboxStore {
    final Map<String, DomainEvent> events = new LinkedHashMap<>();
    final Map<String, Boolean> published = new ConcurrentHashMap<>();
    volatile boolean dieBeforeMarking;

    @Override
    public synchronized void append(List<DomainEvent> batch) {
      batch.forEach(e -> events.put(e.id(), e));
    }

    @Override
    public synchronized List<DomainEvent> unpublished(int limit) {
      return events.values().stream().filter(e -> !published.containsKey(e.id())).limit(limit).toList();
    }

    @Override
    public synchronized void markPublished(List<String> ids) {
      if (dieBeforeMarking) {
        dieBeforeMarking = false;
        throw new IllegalStateException("the node died after Kafka took the batch, before marking it");
      }
      ids.forEach(id -> published.put(id, true));
    }

    @Override
    public synchronized long backlog() {
      return events.size() - published.size();
    }

    @Override
    public boolean holdLease(String job, String nodeId, long ttlMs) {
      return true;
    }

    @Override
    public void releaseLease(String job, String nodeId) {}

    @Override
    public int prunePublished(java.time.Instant before) {
      return 0;
    }
  }

  static KafkaSettings settings(String bootstrap, String prefix, int timeoutMs) {
    return new KafkaSettings(bootstrap, "test", 1, prefix, prefix, timeoutMs, 200);
  }

  static List<DomainEvent> events(int n) {
    List<DomainEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(DomainEvent.of(i % 3 == 0 ? EventTypes.LOW_BALANCE : EventTypes.REQUEST_COMPLETED, (long) (i % 4),
          Map.of("n", i)));
    }
    return out;
  }

  static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError(what + " within 30 s");
      Thread.sleep(50);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aPublishThatFailsLeavesTheEventsUnpublishedAndALaterOneDeliversThem() throws Exception {
    MemoryOutbox outbox = new MemoryOutbox();
    outbox.append(events(10));
    String prefix = "fail" + System.nanoTime() + ".";
    KafkaSettings dead = settings("127.0.0.1:" + TestGateway.freePort(), prefix, 1_500); // nothing listens there
    try (Admin admin = Admin.create(dead.adminProps());
         KafkaPublisher publisher = new KafkaPublisher(dead, new KafkaTopics(admin, prefix, 1, 1_500))) {
      assertThat(new OutboxRelay(outbox, publisher, "n1", 5_000, 4).drain()).isZero();
    }
    assertThat(outbox.backlog()).isEqualTo(10);
    assertThat(outbox.published).isEmpty();

    String bootstrap = KafkaBroker.bootstrapServers();
    KafkaSettings live = settings(bootstrap, prefix, 10_000);
    try (Admin admin = Admin.create(live.adminProps());
         KafkaPublisher publisher = new KafkaPublisher(live, new KafkaTopics(admin, prefix, 1, 10_000))) {
      assertThat(new OutboxRelay(outbox, publisher, "n1", 5_000, 4).drain()).isEqualTo(10);
    }
    assertThat(outbox.backlog()).isZero();
    assertThat(KafkaTopicsRead.all(bootstrap, prefix)).extracting(KafkaTopicsRead.Rec::eventId)
        .containsExactlyInAnyOrderElementsOf(outbox.events.keySet());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aBatchSentButNotMarkedIsSentAgainAndDeDuplicatesToOncePerEvent() throws Exception {
    MemoryOutbox outbox = new MemoryOutbox();
    outbox.append(events(12));
    String prefix = "twice" + System.nanoTime() + ".";
    String bootstrap = KafkaBroker.bootstrapServers();
    // Generous timeouts: on a loaded machine a first publish (topic creation included) can pass 10 s, and a
    // publish that times out is a failed batch, not the crash before marking this test is about.
    KafkaSettings s = settings(bootstrap, prefix, 30_000);
    try (Admin admin = Admin.create(s.adminProps());
         KafkaPublisher publisher = new KafkaPublisher(s, new KafkaTopics(admin, prefix, 1, 30_000))) {
      OutboxRelay relay = new OutboxRelay(outbox, publisher, "n1", 5_000, 5);
      outbox.dieBeforeMarking = true;
      assertThatThrownBy(relay::drain).hasMessageContaining("before marking");
      assertThat(outbox.backlog()).isEqualTo(12);
      assertThat(relay.drain()).isEqualTo(12);
    }
    List<KafkaTopicsRead.Rec> recs = KafkaTopicsRead.all(bootstrap, prefix);
    assertThat(recs).hasSize(12 + 5); // the first batch twice
    assertThat(recs.stream().map(KafkaTopicsRead.Rec::eventId).distinct())
        .containsExactlyInAnyOrderElementsOf(outbox.events.keySet());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aHandlerThatThrowsGetsTheEventAgainAndTheGroupCatchesUp() throws Exception {
    String bootstrap = KafkaBroker.bootstrapServers();
    String prefix = "redo" + System.nanoTime() + ".";
    KafkaSettings s = settings(bootstrap, prefix, 10_000);
    List<DomainEvent> sent = events(30).stream().filter(e -> e.topic().equals(Topics.EVENTS)).toList();
    DomainEvent poison = sent.get(sent.size() / 2);
    AtomicBoolean failedOnce = new AtomicBoolean();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Admin admin = Admin.create(s.adminProps())) {
      KafkaTopics topics = new KafkaTopics(admin, prefix, 1, 10_000);
      try (KafkaPublisher publisher = new KafkaPublisher(s, topics);
           KafkaEventSource source = new KafkaEventSource(s, topics)) {
        publisher.publish(sent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        source.subscribe(Topics.EVENTS, "notification-service", e -> {
          if (e.id().equals(poison.id()) && failedOnce.compareAndSet(false, true)) {
            throw new IllegalStateException("the webhook endpoint is down");
          }
          seen.add(e.id());
        });
        await(() -> seen.containsAll(sent.stream().map(DomainEvent::id).toList()), "every event handled");
        assertThat(failedOnce).isTrue();
        // The failed event was handled once, after the back-off; nothing after it in its partition was skipped.
        assertThat(seen.stream().filter(poison.id()::equals)).hasSize(1);
        KafkaLag lag = new KafkaLag(admin, source::groups, 10_000);
        String group = prefix + "notification-service";
        await(() -> {
          try {
            return Long.valueOf(0).equals(lag.lagByGroup().get(group));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }, "the group's lag back to zero");
        assertThat(source.groups()).containsEntry(group, java.util.Set.of(prefix + Topics.EVENTS));
      }
    }
  }
}
