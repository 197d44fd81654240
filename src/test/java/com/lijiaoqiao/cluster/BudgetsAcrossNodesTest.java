package com.lijiaoqiao.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.Gateway;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.Redises;
import com.lijiaoqiao.testing.TestCallers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two nodes on one PostgreSQL and one Redis: spend budgets and tenant rate limits are the cluster's, not a node's. */
class BudgetsAcrossNodesTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
      + "\"content\":\"Tell me about bridges\"}]}";

  static GatewayConfig node(String url, String redis, String prefix) throws Exception {
    GatewayConfig c = TwoNodesTest.node(url, redis, prefix);
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = "1000.00"; // a request holds about 0.11
    p.output = "1000.00";
    c.billing.models.put("gpt-4o-mini", p);
    return c;
  }

  static Http.Reply manage(Gateway g, String method, String path, String caller, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.baseUrl() + path)).header(TestCallers.HEADER, caller);
    if (json != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return Http.send(b.build());
  }

  static Http.Reply chat(Gateway g, String key) {
    return Http.postJson(g.baseUrl() + "/chat/completions", key, CHAT);
  }

  static JsonNode details(Http.Reply r) {
    return r.json().get("error").get("details");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aKeyBudgetSpentOnOneNodeCountsOnTheOther() throws Exception {
    String redis = Redises.require();
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-test-" + System.nanoTime() + ":";
    try (Gateway a = Gateway.start(node(url, redis, prefix)); Gateway b = Gateway.start(node(url, redis, prefix))) {
      a.api().callerResolver(new TestCallers());
      b.api().callerResolver(new TestCallers());
      long tenant = a.accounts().createTenant("budgeted");
      long user = a.accounts().createUser("budgeted@t.local", "x", "u", tenant, "member");
      a.billing().credit(tenant, 1_000L * Money.MICROS_PER_UNIT, "nodes-" + tenant, "start", null);
      String member = user + "," + tenant + ",member";
      Http.Reply created = manage(a, "POST", "/keys", member, "{\"budget_day\":\"0.35\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String key = created.json().get("key").asText();
      long keyId = created.json().get("id").asLong();

      // Spent on A up to the budget.
      int served = 0;
      Http.Reply refusedOnA = null;
      for (int i = 0; i < 20 && refusedOnA == null; i++) {
        Http.Reply r = chat(a, key);
        if (r.status() == 200) served++;
        else refusedOnA = r;
      }
      assertThat(served).isPositive();
      assertThat(refusedOnA).isNotNull();
      assertThat(refusedOnA.status()).as(refusedOnA.body()).isEqualTo(402);
      String spent = details(refusedOnA).get("spent").asText();

      // B has served nothing for this key, yet refuses it: the spend is the cluster's.
      Http.Reply onB = chat(b, key);
      assertThat(onB.status()).as(onB.body()).isEqualTo(402);
      assertThat(details(onB).get("budget").asText()).isEqualTo("key_day");
      assertThat(details(onB).get("spent").asText()).isEqualTo(spent);
      Http.Reply view = manage(b, "GET", "/keys/" + keyId + "/budget", member, null);
      assertThat(view.json().get("day").get("spent").asText()).isEqualTo(spent);
      assertThat(Money.parse(spent, true)).isLessThanOrEqualTo(350_000);
    } finally {
      Databases.dropIfPostgres(url);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aBurstOverBothNodesNeverSpendsBeyondATenantBudget() throws Exception {
    String redis = Redises.require();
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-test-" + System.nanoTime() + ":";
    try (Gateway a = Gateway.start(node(url, redis, prefix)); Gateway b = Gateway.start(node(url, redis, prefix))) {
      a.api().callerResolver(new TestCallers());
      b.api().callerResolver(new TestCallers());
      long tenant = a.accounts().createTenant("burst");
      long user = a.accounts().createUser("burst@t.local", "x", "u", tenant, "member");
      a.billing().credit(tenant, 1_000L * Money.MICROS_PER_UNIT, "burst-" + tenant, "start", null);
      assertThat(manage(a, "PUT", "/tenants/" + tenant + "/budget", TestCallers.admin(), "{\"day\":\"0.50\"}")
          .status()).isEqualTo(200);
      for (int i = 0; i < 100 && b.tenantLimits().of(tenant).budget().dayMicros() == null; i++) Thread.sleep(50);
      String key = a.keyIssuer().issue(user, tenant, "k", Set.of(), 1000, 10_000_000, null).secret();

      // Each node alone would admit four holds of about 0.11; together they must not spend more than 0.50.
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
      List<java.util.concurrent.Future<Http.Reply>> sent = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Gateway g = i % 2 == 0 ? a : b;
        sent.add(pool.submit(() -> chat(g, key)));
      }
      int served = 0;
      for (var f : sent) {
        Http.Reply r = f.get(60, TimeUnit.SECONDS);
        if (r.status() == 200) served++;
        else assertThat(r.status()).as(r.body()).isEqualTo(402);
      }
      pool.shutdown();
      assertThat(served).isPositive();
      Http.Reply view = manage(b, "GET", "/tenants/" + tenant + "/budget", TestCallers.admin(), null);
      assertThat(Money.parse(view.json().get("day").get("spent").asText(), true)).isPositive()
          .isLessThanOrEqualTo(500_000);
      assertThat(a.budgets().openHolds() + b.budgets().openHolds()).isZero();
    } finally {
      Databases.dropIfPostgres(url);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aTenantRpmLimitAdmitsExactlyTheLimitAcrossNodes() throws Exception {
    String redis = Redises.require();
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-test-" + System.nanoTime() + ":";
    try (Gateway a = Gateway.start(TwoNodesTest.node(url, redis, prefix));
         Gateway b = Gateway.start(TwoNodesTest.node(url, redis, prefix))) {
      a.api().callerResolver(new TestCallers());
      long tenant = a.accounts().createTenant("tenant-rpm");
      long user = a.accounts().createUser("tenant-rpm@t.local", "x", "u", tenant, "member");
      Http.Reply put = manage(a, "PUT", "/tenants/" + tenant + "/limits", TestCallers.admin(), "{\"rpm_limit\":3}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      for (int i = 0; i < 100 && b.tenantLimits().of(tenant).rpmLimit() != 3; i++) Thread.sleep(50);
      assertThat(b.tenantLimits().of(tenant).rpmLimit()).isEqualTo(3);
      // Two keys, each allowing far more than the tenant.
      String k1 = a.keyIssuer().issue(user, tenant, "k1", Set.of(), 1000, 10_000_000, null).secret();
      String k2 = a.keyIssuer().issue(user, tenant, "k2", Set.of(), 1000, 10_000_000, null).secret();

      Gateway[] nodes = {a, b, a, b, a, b, a, b};
      List<Http.Reply> replies = new ArrayList<>();
      for (int i = 0; i < nodes.length; i++) {
        replies.add(Http.postJson(nodes[i].baseUrl() + "/chat/completions", i % 3 == 0 ? k1 : k2, TwoNodesTest.CHAT));
      }
      assertThat(replies.stream().filter(r -> r.status() == 200).count()).isEqualTo(3);
      for (Http.Reply r : replies.subList(3, replies.size())) {
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("RATE_LIMIT_001");
        assertThat(details(r).get("scope").asText()).isEqualTo("tenant");
        assertThat(r.header("retry-after")).isNotNull();
      }
    } finally {
      Databases.dropIfPostgres(url);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aBudgetSetMidPeriodCountsWhatThePeriodAlreadySpent() throws Exception {
    String redis = Redises.require();
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-test-" + System.nanoTime() + ":";
    try (Gateway a = Gateway.start(node(url, redis, prefix)); Gateway b = Gateway.start(node(url, redis, prefix))) {
      a.api().callerResolver(new TestCallers());
      b.api().callerResolver(new TestCallers());
      long tenant = a.accounts().createTenant("late-budget");
      long user = a.accounts().createUser("late-budget@t.local", "x", "u", tenant, "member");
      a.billing().credit(tenant, 1_000L * Money.MICROS_PER_UNIT, "late-" + tenant, "start", null);
      String member = user + "," + tenant + ",member";
      Http.Reply created = manage(a, "POST", "/keys", member, "{}");
      String key = created.json().get("key").asText();
      long keyId = created.json().get("id").asLong();
      // Spent with no budget at all (on both nodes), then a budget below that spend is set on B.
      long spent = 0;
      for (int i = 0; i < 3; i++) {
        for (Gateway g : List.of(a, b)) {
          Http.Reply r = chat(g, key);
          assertThat(r.status()).isEqualTo(200);
          spent += Money.parse(r.header("x-ljq-cost"), true);
        }
      }
      long until = System.currentTimeMillis() + 10_000;
      while ((a.billing().pendingShipments() > 0 || b.billing().pendingShipments() > 0)
          && System.currentTimeMillis() < until) {
        Thread.sleep(20);
      }
      Thread.sleep(200);
      // A day budget of exactly what was spent: one more request does not fit — unless that spend were forgotten.
      Http.Reply set = manage(b, "PUT", "/keys/" + keyId + "/budget", member,
          "{\"day\":\"" + Money.format(spent) + "\"}");
      assertThat(set.status()).as(set.body()).isEqualTo(200);
      Thread.sleep(1_500); // node A picks the key's new budget up through its key sync
      Http.Reply onA = chat(a, key);
      assertThat(onA.status()).as("the day's spend before the budget counts on every node").isEqualTo(402);
      assertThat(details(onA).get("budget").asText()).isEqualTo("key_day");
      assertThat(chat(b, key).status()).isEqualTo(402);
    } finally {
      Databases.dropIfPostgres(url);
    }
  }
}
