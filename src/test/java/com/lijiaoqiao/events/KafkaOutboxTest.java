package com.lijiaoqiao.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.testing.ChildJvm;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.KafkaBroker;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With kafka.bootstrap_servers set, a gateway under a mixed load publishes its whole outbox to the seed's topics on
 * a real broker: every event id on its topic (once, after de-duplication by id), keyed by its tenant, the topics made
 * with the seed's partitions and retention; the billing consumer finds every charge in the ledger.
 */
class KafkaOutboxTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"stream\":true,"
      + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** An outbox row: what must be on Kafka. */
  record Row(String eventId, String topic, Long tenantId, boolean published) {}

  static List<Row> outbox(DataSource ds) throws Exception {
    List<Row> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT event_id, topic, tenant_id, published_at FROM events ORDER BY id")) {
      while (rs.next()) {
        out.add(new Row(rs.getString(1), rs.getString(2), rs.getObject(3, Long.class), rs.getObject(4) != null));
      }
    }
    return out;
  }

  /** Every outbox event is on its topic, keyed by its tenant; nothing else is there; duplicates only of the same. */
  static void assertOnKafkaOnce(List<Row> rows, List<KafkaTopicsRead.Rec> recs) {
    Map<String, List<KafkaTopicsRead.Rec>> byId = recs.stream()
        .collect(Collectors.groupingBy(KafkaTopicsRead.Rec::eventId));
    for (Row r : rows) {
      List<KafkaTopicsRead.Rec> copies = byId.get(r.eventId());
      assertThat(copies).as("records of " + r.eventId()).isNotEmpty();
      for (KafkaTopicsRead.Rec k : copies) {
        assertThat(k.topic()).as("topic of " + r.eventId()).isEqualTo(r.topic());
        assertThat(k.key()).as("key of " + r.eventId())
            .isEqualTo(r.tenantId() == null ? "platform" : r.tenantId().toString());
        assertThat(k.value()).contains("\"id\":\"" + r.eventId() + "\"");
      }
    }
    assertThat(byId.keySet()).as("event ids on Kafka (de-duplicated)")
        .containsExactlyInAnyOrderElementsOf(rows.stream().map(Row::eventId).toList());
  }

  static void load(String baseUrl, List<String> keys, int perKey) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> calls = new ArrayList<>();
      for (String key : keys) {
        for (int i = 0; i < perKey; i++) {
          String body = i % 2 == 0 ? CHAT : STREAM;
          calls.add(pool.submit(() -> Http.postJson(baseUrl + "/chat/completions", key, body).status()));
        }
      }
      for (Future<Integer> f : calls) assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
    } finally {
      pool.shutdown();
    }
  }

  static void awaitPublished(com.lijiaoqiao.store.OutboxRepository outbox) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (outbox.backlog() > 0) {
      if (System.nanoTime() > deadline) throw new AssertionError(outbox.backlog() + " events still unpublished");
      Thread.sleep(50);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aMixedLoadPutsEveryOutboxEventOnItsTopicOnceKeyedByTenant() throws Exception {
    String bootstrap = KafkaBroker.bootstrapServers();
    String prefix = "mixed" + System.nanoTime() + ".";
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.kafka.bootstrapServers = bootstrap;
      c.kafka.topicPrefix = prefix;
      c.kafka.groupPrefix = prefix;
      c.events.relayIntervalMs = 50;
      c.events.batchSize = 7; // many batches
    })) {
      long tenant2 = gw.gateway.accounts().createTenant("second tenant");
      long user2 = gw.gateway.accounts().createUser("u2-" + System.nanoTime() + "@test.local", "x", "T2", tenant2,
          "member");
      KeyIssuer.Issued key2 = gw.gateway.keyIssuer().issue(user2, tenant2, "t2", Set.of(), 1000, 10_000_000, null);
      load(gw.baseUrl(), List.of(gw.apiKey, key2.secret()), 12);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      List<Row> rows;
      do { // settlements ship in the background: wait until every request's two events are in the outbox
        rows = outbox(gw.gateway.database().dataSource());
        Thread.sleep(50);
      } while (rows.stream().filter(r -> r.topic().equals(Topics.BILLING)).count() < 24 && System.nanoTime() < deadline);
      awaitPublished(gw.gateway.outbox());
      rows = outbox(gw.gateway.database().dataSource());
      assertThat(rows.stream().map(Row::topic).collect(Collectors.toSet()))
          .contains(Topics.REQUESTS, Topics.BILLING);
      assertThat(rows.stream().map(Row::tenantId).collect(Collectors.toSet())).contains(gw.tenantId, tenant2);

      List<KafkaTopicsRead.Rec> recs = KafkaTopicsRead.all(bootstrap, prefix);
      assertOnKafkaOnce(rows, recs);
      // A tenant's events share one partition per topic (they stay in order).
      Map<String, Set<Integer>> partitions = new HashMap<>();
      for (var r : recs) partitions.computeIfAbsent(r.topic() + "/" + r.key(), k -> new java.util.HashSet<>()).add(r.partition());
      assertThat(partitions.values()).allSatisfy(p -> assertThat(p).hasSize(1));

      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Map<String, TopicDescription> found = admin.describeTopics(Topics.ALL.stream()
            .map(s -> prefix + s.name()).toList()).allTopicNames().get(10, TimeUnit.SECONDS);
        for (Topics.Spec s : Topics.ALL) {
          assertThat(found.get(prefix + s.name()).partitions()).as(s.name()).hasSize(s.partitions());
          ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, prefix + s.name());
          String retention = admin.describeConfigs(List.of(res)).all().get(10, TimeUnit.SECONDS).get(res)
              .get("retention.ms").value();
          assertThat(Long.parseLong(retention)).as(s.name() + " retention").isEqualTo(s.retentionMs());
        }
      }

      // The billing consumer (billing-service) reads all of llm.billing and finds each charge in the ledger.
      String group = prefix + "billing-service";
      long lagDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Map<String, Long> lag;
      do {
        lag = gw.gateway.kafkaLag();
        Thread.sleep(100);
      } while (!Long.valueOf(0).equals(lag.get(group)) && System.nanoTime() < lagDeadline);
      assertThat(lag).containsEntry(group, 0L);
      assertThat(gw.gateway.billingMismatches()).isZero();
    }
  }

  record Child(ChildJvm jvm, String baseUrl, String apiKey) {}

  /** Every child this test started: killed after it, whatever happened. */
  private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

  /** {@code ljq demo} as a child JVM with Kafka configured; returns once it serves. */
  Child launch(Path dataDir, String bootstrap, String prefix) throws Exception {
    ChildJvm jvm = ChildJvm.start(List.of("-Xmx384m"), List.of("demo", "--port", Integer.toString(TestGateway.freePort()),
            "--data-dir", dataDir.toString(), "--kafka-bootstrap-servers", bootstrap, "--kafka-topic-prefix", prefix),
        Map.of(), dataDir.resolveSibling("gateway-" + System.nanoTime() + ".log"), Set.of("LJQ_BASE_URL", "LJQ_API_KEY"),
        Duration.ofSeconds(90));
    children.add(jvm);
    return new Child(jvm, jvm.value("LJQ_BASE_URL"), jvm.value("LJQ_API_KEY"));
  }

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void killDashNineMidLoadLosesNoEventAndRestartPublishesTheRest() throws Exception {
    String bootstrap = KafkaBroker.bootstrapServers();
    String prefix = "kill" + System.nanoTime() + ".";
    Path dataDir = Files.createTempDirectory("ljq-kafka-kill").resolve("data");
    Child first = launch(dataDir, bootstrap, prefix);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    for (int t = 0; t < 6; t++) {
      String body = t % 2 == 0 ? CHAT : STREAM;
      pool.submit(() -> {
        while (!stop.get()) {
          try {
            if (Http.postJson(first.baseUrl() + "/chat/completions", first.apiKey(), body).status() == 200) {
              ok.incrementAndGet();
            }
          } catch (Throwable e) {
            // killed mid-request: expected
          }
        }
      });
    }
    try {
      long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (ok.get() < 60 && System.nanoTime() < warm) Thread.sleep(20);
      assertThat(ok.get()).as("requests served before the kill").isGreaterThanOrEqualTo(60);
      first.jvm().kill(); // SIGKILL, mid-load: the relay may have sent a batch it did not mark
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    Child second = launch(dataDir, bootstrap, prefix); // same data: the journal's settlements and their events
    assertThat(Http.postJson(second.baseUrl() + "/chat/completions", second.apiKey(), CHAT).status()).isEqualTo(200);
    // SIGTERM: the last relay round publishes what is left
    assertThat(second.jvm().stop(Duration.ofSeconds(60))).as("a graceful stop").isTrue();

    List<Row> rows;
    try (com.lijiaoqiao.store.Database db = com.lijiaoqiao.store.Database.open(
        com.lijiaoqiao.store.Database.embeddedUrl(dataDir), "", "", 2)) {
      rows = outbox(db.dataSource());
    }
    assertThat(rows.stream().filter(r -> r.topic().equals(Topics.BILLING)).count())
        .as("billing.settled events").isGreaterThanOrEqualTo(ok.get() + 1L);
    assertThat(rows).as("unpublished after a clean stop").allMatch(Row::published);
    List<KafkaTopicsRead.Rec> recs = KafkaTopicsRead.all(bootstrap, prefix);
    assertOnKafkaOnce(rows, recs);
    System.out.println("kill -9: " + rows.size() + " events, " + recs.size() + " records on Kafka ("
        + (recs.size() - rows.size()) + " sent twice)");
  }
}
