package com.lijiaoqiao.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Spend budgets end to end through HTTP, on each database: 402 naming the budget, tenant budgets, bounds, restart. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class BudgetContract {
  /** 100 output tokens at 1000.00 per 1M: a request holds about 0.11 and costs up to that. */
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
      + "\"content\":\"Tell me about bridges\"}]}";

  TestGateway gw;

  abstract Databases.Kind database();

  static void expensive(GatewayConfig c) {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = "1000.00";
    p.output = "1000.00";
    c.billing.models.put("gpt-4o-mini", p);
  }

  @BeforeAll
  void start() {
    gw = TestGateway.start(database(), BudgetContract::expensive);
    gw.gateway.api().callerResolver(new TestCallers());
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  /** A tenant with money, a tenant admin and a member: {tenant, admin user, member user}. */
  static long[] tenant(TestGateway g, String name) {
    long t = g.gateway.accounts().createTenant(name);
    long admin = g.gateway.accounts().createUser(name + "-admin-" + System.nanoTime() + "@t.local", "x", "A", t,
        "tenant_admin");
    long member = g.gateway.accounts().createUser(name + "-member-" + System.nanoTime() + "@t.local", "x", "M", t,
        "member");
    g.gateway.billing().credit(t, 1_000L * Money.MICROS_PER_UNIT, "budget-test-" + t, "start", null);
    return new long[] {t, admin, member};
  }

  static Http.Reply manage(TestGateway g, String method, String path, String caller, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.baseUrl() + path)).header(TestCallers.HEADER, caller);
    if (json != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return Http.send(b.build());
  }

  static String caller(long user, long tenant, String role) {
    return user + "," + tenant + "," + role;
  }

  /** Sends chats until one is refused (or {@code max} were sent); returns every reply. */
  static List<Http.Reply> spendUntilRefused(String baseUrl, String key, int max) {
    List<Http.Reply> replies = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      Http.Reply r = Http.postJson(baseUrl + "/chat/completions", key, CHAT);
      replies.add(r);
      if (r.status() != 200) break;
    }
    return replies;
  }

  static JsonNode details(Http.Reply r) {
    return r.json().get("error").get("details");
  }

  @Test
  void aKeyDayBudgetRefusesTheRequestThatWouldExceedIt() {
    long[] t = tenant(gw, "key-day");
    Http.Reply created = manage(gw, "POST", "/keys", caller(t[2], t[0], "member"),
        "{\"name\":\"budgeted\",\"budget_day\":\"0.30\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("budget_day").asText()).isEqualTo("0.30");
    String key = created.json().get("key").asText();
    long keyId = created.json().get("id").asLong();

    List<Http.Reply> replies = spendUntilRefused(gw.baseUrl(), key, 20);
    Http.Reply refused = replies.get(replies.size() - 1);
    assertThat(refused.status()).as(refused.body()).isEqualTo(402);
    assertThat(replies).hasSizeGreaterThan(1); // the first ones fit
    assertThat(refused.json().get("error").get("code").asText()).isEqualTo("BILLING_001");
    JsonNode d = details(refused);
    assertThat(d.get("budget").asText()).isEqualTo("key_day");
    assertThat(d.get("limit").asText()).isEqualTo("0.30");
    assertThat(Instant.parse(d.get("resets_at").asText())).isEqualTo(Period.DAY.end(Instant.now()));
    long spent = Money.parse(d.get("spent").asText(), true);
    long required = Money.parse(d.get("required").asText(), true);
    assertThat(spent).isPositive().isLessThanOrEqualTo(300_000);
    assertThat(spent + required).isGreaterThan(300_000);

    Http.Reply view = manage(gw, "GET", "/keys/" + keyId + "/budget", caller(t[2], t[0], "member"), null);
    assertThat(view.status()).as(view.body()).isEqualTo(200);
    assertThat(view.json().get("day").get("limit").asText()).isEqualTo("0.30");
    assertThat(view.json().get("day").get("spent").asText()).isEqualTo(Money.format(spent));
    assertThat(view.json().get("week").get("limit").isNull()).isTrue();
    assertThat(gw.gateway.budgets().openHolds()).isZero();

    // Raised through the key API: the same key is admitted again at once.
    Http.Reply raised = manage(gw, "PUT", "/keys/" + keyId + "/budget", caller(t[2], t[0], "member"),
        "{\"day\":\"5.00\"}");
    assertThat(raised.status()).as(raised.body()).isEqualTo(200);
    assertThat(Http.postJson(gw.baseUrl() + "/chat/completions", key, CHAT).status()).isEqualTo(200);
  }

  @Test
  void aTenantMonthBudgetHoldsOverAllItsKeys() {
    long[] t = tenant(gw, "tenant-month");
    String admin = caller(t[1], t[0], "tenant_admin");
    Http.Reply put = manage(gw, "PUT", "/tenants/" + t[0] + "/budget", admin, "{\"month\":\"0.40\"}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    assertThat(put.json().get("month").get("limit").asText()).isEqualTo("0.40");
    String k1 = gw.gateway.keyIssuer().issue(t[2], t[0], "k1", Set.of(), 1000, 10_000_000, null).secret();
    String k2 = gw.gateway.keyIssuer().issue(t[2], t[0], "k2", Set.of(), 1000, 10_000_000, null).secret();

    Http.Reply refused = null;
    for (int i = 0; i < 20 && refused == null; i++) {
      Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", i % 2 == 0 ? k1 : k2, CHAT);
      if (r.status() != 200) refused = r;
    }
    assertThat(refused).isNotNull();
    assertThat(refused.status()).as(refused.body()).isEqualTo(402);
    JsonNode d = details(refused);
    assertThat(d.get("budget").asText()).isEqualTo("tenant_month");
    assertThat(Instant.parse(d.get("resets_at").asText())).isEqualTo(Period.MONTH.end(Instant.now()));
    assertThat(Money.parse(d.get("spent").asText(), true)).isPositive().isLessThanOrEqualTo(400_000);

    Http.Reply view = manage(gw, "GET", "/tenants/" + t[0] + "/budget", admin, null);
    assertThat(view.json().get("month").get("spent").asText()).isEqualTo(d.get("spent").asText());
  }

  @Test
  void budgetsAreBoundedAndTenantBudgetsBelongToTheirTenant() {
    long[] t = tenant(gw, "bounds");
    long[] other = tenant(gw, "other");
    Http.Reply bad = manage(gw, "POST", "/keys", caller(t[2], t[0], "member"), "{\"budget_week\":\"-1\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(details(bad).get("field").asText()).isEqualTo("budget_week");
    Http.Reply tooBig = manage(gw, "PUT", "/tenants/" + t[0] + "/budget", caller(t[1], t[0], "tenant_admin"),
        "{\"day\":\"1000000000.01\"}");
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(details(tooBig).get("field").asText()).isEqualTo("day");
    Http.Reply notANumber = manage(gw, "PUT", "/tenants/" + t[0] + "/budget", caller(t[1], t[0], "tenant_admin"),
        "{\"week\":5}");
    assertThat(notANumber.status()).isEqualTo(400);

    // Another tenant's admin: 404, like a missing tenant. A member of the tenant: 403.
    assertThat(manage(gw, "GET", "/tenants/" + t[0] + "/budget", caller(other[1], other[0], "tenant_admin"), null)
        .status()).isEqualTo(404);
    assertThat(manage(gw, "PUT", "/tenants/" + t[0] + "/budget", caller(other[1], other[0], "tenant_admin"),
        "{\"day\":\"1.00\"}").status()).isEqualTo(404);
    assertThat(manage(gw, "GET", "/tenants/" + t[0] + "/budget", caller(t[2], t[0], "member"), null).status())
        .isEqualTo(403);
    assertThat(manage(gw, "GET", "/tenants/999999/budget", TestCallers.admin(), null).status()).isEqualTo(404);
    assertThat(manage(gw, "GET", "/tenants/" + t[0] + "/budget", TestCallers.admin(), null).status()).isEqualTo(200);
    // Rate limits: read by the tenant's admin, changed only by platform admins.
    assertThat(manage(gw, "PUT", "/tenants/" + t[0] + "/limits", caller(t[1], t[0], "tenant_admin"),
        "{\"rpm_limit\":5}").status()).isEqualTo(403);
    Http.Reply limits = manage(gw, "PUT", "/tenants/" + t[0] + "/limits", TestCallers.admin(), "{\"rpm_limit\":-5}");
    assertThat(limits.status()).isEqualTo(400);
    assertThat(details(limits).get("field").asText()).isEqualTo("rpm_limit");
  }

  @Test
  void aRestartKeepsThePeriodsSpend() {
    TestGateway node = TestGateway.start(database(), BudgetContract::expensive);
    try {
      node.gateway.api().callerResolver(new TestCallers());
      long[] t = tenant(node, "restart");
      Http.Reply put = manage(node, "PUT", "/tenants/" + t[0] + "/budget", caller(t[1], t[0], "tenant_admin"),
          "{\"day\":\"0.35\"}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      String key = node.gateway.keyIssuer().issue(t[2], t[0], "k", Set.of(), 1000, 10_000_000, null).secret();
      List<Http.Reply> before = spendUntilRefused(node.baseUrl(), key, 20);
      assertThat(before.get(before.size() - 1).status()).isEqualTo(402);
      String spent = details(before.get(before.size() - 1)).get("spent").asText();

      node = node.restart();
      node.gateway.api().callerResolver(new TestCallers());
      Http.Reply after = Http.postJson(node.baseUrl() + "/chat/completions", key, CHAT);
      assertThat(after.status()).as(after.body()).isEqualTo(402);
      assertThat(details(after).get("budget").asText()).isEqualTo("tenant_day");
      assertThat(details(after).get("spent").asText()).isEqualTo(spent);
    } finally {
      node.close();
    }
  }

  @Test
  void aGlobalRpmLimitHoldsOverEveryTenant() {
    TestGateway node = TestGateway.start(database(), c -> c.limits.globalRpm = 2);
    try {
      long[] a = tenant(node, "global-a");
      long[] b = tenant(node, "global-b");
      String ka = node.gateway.keyIssuer().issue(a[2], a[0], "k", Set.of(), 1000, 10_000_000, null).secret();
      String kb = node.gateway.keyIssuer().issue(b[2], b[0], "k", Set.of(), 1000, 10_000_000, null).secret();
      assertThat(Http.postJson(node.baseUrl() + "/chat/completions", ka, CHAT).status()).isEqualTo(200);
      assertThat(Http.postJson(node.baseUrl() + "/chat/completions", kb, CHAT).status()).isEqualTo(200);
      Http.Reply third = Http.postJson(node.baseUrl() + "/chat/completions", ka, CHAT);
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.json().get("error").get("code").asText()).isEqualTo("RATE_LIMIT_001");
      assertThat(details(third).get("scope").asText()).isEqualTo("global");
      assertThat(third.header("retry-after")).isNotNull();
    } finally {
      node.close();
    }
  }
}
