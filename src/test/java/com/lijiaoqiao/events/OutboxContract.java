package com.lijiaoqiao.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The outbox end to end without Kafka: key, user, credit and request events are written with their changes and the
 * relay delivers each to the in-process bus's subscribers of its topic, then marks it published; no payload holds a
 * key's secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class OutboxContract {
  TestGateway gw;
  final Map<String, List<DomainEvent>> received = new ConcurrentHashMap<>();

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database(), c -> c.events.requestEvents = "true");
    for (String topic : List.of(Topics.EVENTS, Topics.BILLING, Topics.REQUESTS)) {
      gw.gateway.events().subscribe(topic, "test", e -> received.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e));
    }
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void everyChangeIsEventedOnceAndDelivered() throws Exception {
    gw.gateway.billing().credit(gw.tenantId, 5_000_000, "outbox-" + gw.tenantId, "start", null);
    KeyIssuer.Issued k = gw.gateway.keyIssuer().issue(gw.userId, gw.tenantId, "evented", Set.of(), 100, 100_000, null);
    for (int i = 0; i < 5; i++) {
      assertThat(Http.postJson(gw.baseUrl() + "/chat/completions", k.secret(), "{\"model\":\"gpt-4o-mini\","
          + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").status()).isEqualTo(200);
    }
    gw.gateway.keyIssuer().revoke(k.keyId(), gw.gateway.keyRepository().findRow(k.keyId()).orElseThrow().keyHash());

    Map<String, String> rows = new HashMap<>();
    long until = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < until) {
      rows = outbox();
      long settled = rows.values().stream().filter(t -> t.equals(EventTypes.BILLING_SETTLED)).count();
      if (settled >= 5 && gw.gateway.outbox().backlog() == 0 && received.keySet().containsAll(rows.keySet())) break;
      Thread.sleep(50);
    }
    assertThat(rows.values()).contains(EventTypes.TOPUP, EventTypes.KEY_CREATED, EventTypes.KEY_DISABLED,
        EventTypes.REQUEST_COMPLETED, EventTypes.BILLING_SETTLED);
    assertThat(rows.values().stream().filter(t -> t.equals(EventTypes.REQUEST_COMPLETED)).count()).isEqualTo(5);
    assertThat(gw.gateway.outbox().backlog()).isZero();
    assertThat(received.keySet()).containsAll(rows.keySet());
    Set<String> topics = new HashSet<>();
    for (var e : received.entrySet()) {
      assertThat(e.getValue()).as("delivered once on this node: " + e.getKey()).hasSize(1);
      DomainEvent ev = e.getValue().get(0);
      topics.add(ev.topic());
      assertThat(ev.topic()).isEqualTo(Topics.of(ev.type()));
      assertThat(ev.payload()).doesNotContain(k.secret()).doesNotContain(gw.apiKey);
    }
    assertThat(topics).contains(Topics.EVENTS, Topics.BILLING, Topics.REQUESTS);
  }

  Map<String, String> outbox() throws Exception {
    Map<String, String> rows = new HashMap<>();
    try (var c = gw.gateway.database().dataSource().getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT event_id, type FROM events WHERE tenant_id = " + gw.tenantId)) {
      while (rs.next()) rows.put(rs.getString(1), rs.getString(2));
    }
    return rows;
  }
}
