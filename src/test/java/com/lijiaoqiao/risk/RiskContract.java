package com.lijiaoqiao.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Risk control through HTTP: a key driven over the velocity threshold is served but queued for review; with the
 * rule weighing more for its tenant it is blocked with 403 RISK_001 naming the rule; an operator's allow restores it;
 * block_key disables a key; every decision is audited and evented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class RiskContract {
  TestGateway gw;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database());
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 10_000_000, "risk-" + gw.tenantId, "start", null);
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  Http.Reply admin(String method, String path, String body) {
    String root = gw.baseUrl().substring(0, gw.baseUrl().length() - 3);
    return Http.send(HttpRequest.newBuilder(URI.create(root + path)).header(TestCallers.HEADER, TestCallers.admin())
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  Http.Reply chat(String key) {
    return Http.postJson(gw.baseUrl() + "/chat/completions", key, "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
  }

  JsonNode openReviews(long keyId) {
    JsonNode all = admin("GET", "/admin/risk/reviews?status=open&tenant_id=" + gw.tenantId, null).json().get("data");
    com.fasterxml.jackson.databind.node.ArrayNode mine = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    for (JsonNode r : all) if (r.get("api_key_id").asLong() == keyId) mine.add(r);
    return mine;
  }

  JsonNode waitForReview(long keyId) throws InterruptedException {
    long until = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < until) {
      JsonNode r = openReviews(keyId);
      if (r.size() > 0) return r;
      Thread.sleep(30);
    }
    return openReviews(keyId);
  }

  @Test
  void velocityIsReviewedThenBlockedAndAnOperatorsAllowRestoresTheKey() throws Exception {
    Http.Reply rules = admin("PUT", "/admin/risk/rules", "{\"review_at\":40,\"block_at\":70,\"rules\":{"
        + "\"high_velocity\":{\"threshold\":300,\"weight\":45},\"unusual_model\":{\"on\":false},"
        + "\"new_account_high_value\":{\"on\":false},\"spend_spike\":{\"on\":false}}}");
    assertThat(rules.status()).as(rules.body()).isEqualTo(200);
    KeyIssuer.Issued key = gw.gateway.keyIssuer().issue(gw.userId, gw.tenantId, "risky", Set.of(), 1000, 10_000_000, null);

    // Under 300 estimated tokens a minute: nothing. Over it: served, and queued for review.
    assertThat(chat(key.secret()).status()).isEqualTo(200);
    assertThat(openReviews(key.keyId())).isEmpty();
    // Each request counts its prompt when admitted and its output when settled: a few cross 300 a minute.
    for (int i = 0; i < 40 && openReviews(key.keyId()).isEmpty(); i++) {
      assertThat(chat(key.secret()).status()).isEqualTo(200);
    }
    JsonNode reviews = waitForReview(key.keyId());
    assertThat(reviews).hasSize(1);
    JsonNode review = reviews.get(0);
    assertThat(review.get("rules").toString()).isEqualTo("[\"high_velocity\"]");
    assertThat(review.get("score").asInt()).isEqualTo(45);
    assertThat(review.get("context").get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(review.toString()).doesNotContain(key.secret());

    // The tenant's rules weigh velocity above the block threshold: 403 RISK_001, the rule named.
    assertThat(admin("PUT", "/admin/risk/rules/tenants/" + gw.tenantId, "{\"rules\":{\"high_velocity\":{\"weight\":75}}}")
        .status()).isEqualTo(200);
    Http.Reply blocked = chat(key.secret());
    assertThat(blocked.status()).as(blocked.body()).isEqualTo(403);
    assertThat(blocked.json().get("error").get("code").asText()).isEqualTo("RISK_001");
    assertThat(blocked.json().get("error").get("details").get("rules").toString()).isEqualTo("[\"high_velocity\"]");
    assertThat(blocked.body()).doesNotContain("300").doesNotContain("75");

    // An operator allows the pattern for the key: served again; the decision audited and evented.
    Http.Reply allowed = admin("POST", "/admin/risk/reviews/" + review.get("id").asLong() + "/resolve",
        "{\"action\":\"allow\",\"note\":\"batch job\"}");
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.json().get("status").asText()).isEqualTo("allowed");
    assertThat(chat(key.secret()).status()).isEqualTo(200);
    assertThat(admin("POST", "/admin/risk/reviews/" + review.get("id").asLong() + "/resolve", "{\"action\":\"allow\"}")
        .status()).isEqualTo(400);
    long until = System.currentTimeMillis() + 5_000;
    boolean evented = false;
    while (!evented && System.currentTimeMillis() < until) {
      evented = gw.gateway.outbox().unpublished(10_000).stream().anyMatch(e -> e.type().equals("risk.resolved"))
          || count("SELECT COUNT(*) FROM events WHERE type = 'risk.resolved'") > 0;
      Thread.sleep(20);
    }
    assertThat(evented).isTrue();
    assertThat(count("SELECT COUNT(*) FROM events WHERE type IN ('risk.review', 'risk.blocked')")).isPositive();
    assertThat(count("SELECT COUNT(*) FROM audit_events WHERE action = 'risk.review.allow'")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM audit_events WHERE action = 'risk.rules.update'")).isEqualTo(2);
  }

  @Test
  void blockKeyDisablesTheKey() throws Exception {
    KeyIssuer.Issued key = gw.gateway.keyIssuer().issue(gw.userId, gw.tenantId, "to-block", Set.of(), 1000, 10_000_000,
        null);
    assertThat(admin("PUT", "/admin/risk/rules", "{\"rules\":{\"high_velocity\":{\"threshold\":150,\"weight\":45}}}")
        .status()).isEqualTo(200);
    admin("DELETE", "/admin/risk/rules/tenants/" + gw.tenantId, null);
    for (int i = 0; i < 40 && openReviews(key.keyId()).isEmpty(); i++) chat(key.secret());
    JsonNode review = waitForReview(key.keyId()).get(0);
    Http.Reply r = admin("POST", "/admin/risk/reviews/" + review.get("id").asLong() + "/resolve", "{\"action\":\"block_key\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Http.Reply refused = chat(key.secret());
    assertThat(refused.status()).as(refused.body()).isEqualTo(401);
    admin("PUT", "/admin/risk/rules", "{\"rules\":{\"high_velocity\":{\"threshold\":1000,\"weight\":30}}}");
  }

  long count(String sql) throws Exception {
    try (var c = gw.gateway.database().dataSource().getConnection(); var st = c.createStatement();
         var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
