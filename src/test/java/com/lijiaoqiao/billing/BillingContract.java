package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.store.BillingQueries;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.usage.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Prepaid billing end to end through HTTP: exact charges, streams, aborts, failures, 402, top-ups, views. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class BillingContract {
  static final ModelPrice MINI = new ModelPrice("gpt-4o-mini", 150_000, 600_000, 75_000, 16_384);
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":300,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";

  TestGateway gw;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database(), c -> {
      c.billing.models.put("gpt-4o-mini", price("0.15", "0.60", "0.075"));
      c.billing.models.put("gpt-4o", price("2.50", "10.00", "1.25"));
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 1_000_000, "test-start-" + gw.tenantId, "start", null);
  }

  static GatewayConfig.PriceSpec price(String in, String out, String cached) {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = in;
    p.output = out;
    p.cachedInput = cached;
    return p;
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  String url(String path) {
    return gw.baseUrl() + path;
  }

  String me() {
    return TestCallers.member(gw.userId, gw.tenantId);
  }

  long balanceMicros(String caller) {
    Http.Reply r = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/billing/balance")))
        .header(TestCallers.HEADER, caller).GET().build());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return Money.parse(r.json().get("balance").asText(), true);
  }

  UsageRecord awaitRecord(String requestId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      List<UsageRecord> found = gw.gateway.usage().findByRequestId(requestId);
      if (!found.isEmpty()) return found.get(0);
      sleep(20);
    }
    throw new AssertionError("no usage record for " + requestId);
  }

  void awaitShipped() {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (gw.gateway.billing().pendingShipments() > 0 && System.nanoTime() < deadline) sleep(20);
    sleep(100); // the batch being written
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static long micros(String decimal) {
    return new BigDecimal(decimal).movePointRight(6).longValueExact();
  }

  /** The tenant's carried fraction of a micro-unit: its next charge includes it (docs/billing.md). */
  long carry() {
    return gw.gateway.billing().wallets().carry(gw.tenantId);
  }

  @Test
  void aNonStreamingRequestIsChargedExactlyItsUsage() {
    long before = balanceMicros(me());
    long carry = carry();
    Http.Reply r = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT);
    assertThat(r.status()).isEqualTo(200);
    JsonNode usage = r.json().get("usage");
    long expected = Wallets.charged(carry, MINI.exactCost(usage.get("prompt_tokens").asLong(),
        usage.at("/prompt_tokens_details/cached_tokens").asLong(), 0, usage.get("completion_tokens").asLong()));
    assertThat(expected).isPositive();
    assertThat(micros(r.header("x-ljq-cost"))).isEqualTo(expected);
    assertThat(micros(usage.get("cost").asText())).isEqualTo(expected);
    assertThat(balanceMicros(me())).isEqualTo(before - expected);
    assertThat(awaitRecord(r.header("x-request-id")).costMicros()).isEqualTo(expected);
  }

  @Test
  void aStreamCarriesItsCostInTheFinalUsageChunk() throws Exception {
    long before = balanceMicros(me());
    long carry = carry();
    List<String> events;
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM)) {
      events = s.rest();
    }
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    JsonNode last = Http.JSON.readTree(events.get(events.size() - 2));
    JsonNode usage = last.get("usage");
    long expected = Wallets.charged(carry,
        MINI.exactCost(usage.get("prompt_tokens").asLong(), 0, 0, usage.get("completion_tokens").asLong()));
    assertThat(micros(usage.get("cost").asText())).isEqualTo(expected);
    assertThat(balanceMicros(me())).isEqualTo(before - expected);
  }

  @Test
  void aStreamTheClientAbortsIsChargedForWhatWasRelayed() {
    for (int i = 0; i < 3; i++) {
      long before = balanceMicros(me());
      long carry = carry();
      String requestId;
      try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM, "x-ljq-sim", "tokens=200,gap=30")) {
        requestId = s.headers.firstValue("x-request-id").orElseThrow();
        for (int n = 0; n < 3 + i; n++) assertThat(s.nextData()).contains("chat.completion.chunk");
      } // closing the stream aborts the request
      UsageRecord rec = awaitRecord(requestId);
      assertThat(rec.outcome()).isEqualTo("client_closed");
      assertThat(rec.tokensEstimated()).isTrue();
      assertThat(rec.completionTokens()).isBetween(1L, 199L); // what was relayed, not the whole answer
      long expected = Wallets.charged(carry, MINI.exactCost(rec.promptTokens(), 0, 0, rec.completionTokens()));
      assertThat(rec.costMicros()).isEqualTo(expected);
      assertThat(balanceMicros(me())).isEqualTo(before - expected);
    }
  }

  @Test
  void aFailedRequestCostsNothing() {
    long before = balanceMicros(me());
    for (String fault : List.of("fault=500", "fault=reset", "fault=context_length", "fault=bad_body")) {
      Http.Reply r = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT, "x-ljq-sim", fault);
      assertThat(r.status()).as(fault).isGreaterThanOrEqualTo(400);
      assertThat(awaitRecord(r.header("x-request-id")).costMicros()).as(fault).isZero();
    }
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM, "x-ljq-sim", "fault=cut,after=0")) {
      s.rest();
    }
    assertThat(balanceMicros(me())).isEqualTo(before);
    assertThat(gw.gateway.billing().wallets().snapshot(gw.tenantId).reserved()).isZero();
  }

  @Test
  void aShortBalanceIs402WithDetailsAndNoUpstreamCall() throws Exception {
    long tenant = gw.gateway.accounts().createTenant("poor");
    long user = gw.gateway.accounts().createUser("poor-" + System.nanoTime() + "@t.local", "x", "p", tenant, "member");
    String key = gw.gateway.keyIssuer().issue(user, tenant, "k", Set.of(), 1000, 10_000_000, null).secret();
    gw.gateway.billing().credit(tenant, 100, "poor-" + tenant, null, null); // 0.0001
    Http.Reply stats0 = Http.get(gw.gateway.simulator().baseUrl() + "/_sim/stats", null);
    long calls0 = stats0.json().get("requests").asLong();
    Http.Reply r = Http.postJson(url("/chat/completions"), key,
        "{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).isEqualTo(402);
    JsonNode err = r.json().get("error");
    assertThat(err.get("code").asText()).isEqualTo("BILLING_001");
    assertThat(micros(err.at("/details/required").asText())).isGreaterThan(100);
    assertThat(err.at("/details/available").asText()).isEqualTo("0.0001");
    assertThat(r.header("x-should-retry")).isEqualTo("false");
    long calls1 = Http.get(gw.gateway.simulator().baseUrl() + "/_sim/stats", null).json().get("requests").asLong();
    assertThat(calls1).isEqualTo(calls0);
  }

  @Test
  void adminCreditIsIdempotentAndValidated() {
    long tenant = gw.gateway.accounts().createTenant("credited");
    String url = url("").replace("/v1", "") + "/admin/tenants/" + tenant + "/credit";
    String body = "{\"amount\":\"5.00\",\"note\":\"welcome\"}";
    Http.Reply first = Http.postJson(url, null, body, TestCallers.HEADER, TestCallers.admin(), "Idempotency-Key", "abc-" + tenant);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    Http.Reply again = Http.postJson(url, null, body, TestCallers.HEADER, TestCallers.admin(), "Idempotency-Key", "abc-" + tenant);
    assertThat(again.json().get("topup_id").asLong()).isEqualTo(first.json().get("topup_id").asLong());
    assertThat(gw.gateway.billing().wallets().snapshot(tenant).balance()).isEqualTo(5_000_000);

    assertThat(Http.postJson(url, null, body, TestCallers.HEADER, TestCallers.admin()).status()).isEqualTo(400);
    for (String bad : List.of("{\"amount\":5}", "{\"amount\":\"-5\"}", "{\"amount\":\"0\"}", "{\"amount\":\"1.0000001\"}", "{}", "[]")) {
      Http.Reply r = Http.postJson(url, null, bad, TestCallers.HEADER, TestCallers.admin(), "Idempotency-Key", "x" + bad.hashCode());
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().at("/error/code").asText()).isEqualTo("COMMON_001");
    }
    assertThat(Http.postJson(url.replace("/" + tenant + "/", "/999999/"), null, body, TestCallers.HEADER,
        TestCallers.admin(), "Idempotency-Key", "nobody").status()).isEqualTo(404);
    assertThat(Http.postJson(url, null, body, TestCallers.HEADER, me(), "Idempotency-Key", "m").status()).isEqualTo(403);
    assertThat(Http.postJson(url, null, body, "Idempotency-Key", "anon").status()).isEqualTo(401);
  }

  @Test
  void aRedemptionCodeWorksExactlyOnceUnderConcurrency() throws Exception {
    String admin = url("").replace("/v1", "") + "/admin/redemption-codes";
    Http.Reply made = Http.postJson(admin, null, "{\"amount\":\"2.50\",\"count\":1}", TestCallers.HEADER, TestCallers.admin());
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    String code = made.json().at("/codes/0").asText();
    long tenant = gw.gateway.accounts().createTenant("redeemer");
    String caller = "7," + tenant + ",member";
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Callable<Integer> c = () -> Http.postJson(url("/billing/redeem"), null, "{\"code\":\"" + code + "\"}",
          TestCallers.HEADER, caller).status();
      results.add(pool.submit(c));
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> f : results) statuses.add(f.get());
    pool.shutdown();
    assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
    assertThat(statuses).filteredOn(s -> s == 404).hasSize(7);
    assertThat(gw.gateway.billing().wallets().snapshot(tenant).balance()).isEqualTo(2_500_000);
    assertThat(Http.postJson(url("/billing/redeem"), null, "{\"code\":42}", TestCallers.HEADER, caller).status()).isEqualTo(400);
  }

  @Test
  void aPriceChangeAppliesToLaterRequests() {
    String admin = url("").replace("/v1", "") + "/admin/models/gpt-4o";
    Http.Reply put = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin))
        .header(TestCallers.HEADER, TestCallers.admin()).header("content-type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"input\":\"1.00\",\"output\":\"2.00\",\"max_output_tokens\":1000}")).build());
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    assertThat(put.json().get("cached_input").asText()).isEqualTo("1.00");
    long carry = carry();
    Http.Reply r = Http.postJson(url("/chat/completions"), gw.apiKey,
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    JsonNode u = r.json().get("usage");
    long expected = Wallets.charged(carry, new ModelPrice("gpt-4o", 1_000_000, 2_000_000, 1_000_000, 1000)
        .exactCost(u.get("prompt_tokens").asLong(), 0, 0, u.get("completion_tokens").asLong()));
    assertThat(micros(r.header("x-ljq-cost"))).isEqualTo(expected);
    Http.Reply bad = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin))
        .header(TestCallers.HEADER, TestCallers.admin()).header("content-type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"input\":\"-1\",\"output\":\"2.00\"}")).build());
    assertThat(bad.status()).isEqualTo(400);
  }

  @Test
  void usageInvoicesAndTheLedgerAgree() throws Exception {
    for (int i = 0; i < 3; i++) Http.postJson(url("/chat/completions"), gw.apiKey, CHAT);
    awaitShipped();
    Http.Reply byModel = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/billing/usage?group_by=model")))
        .header(TestCallers.HEADER, me()).GET().build());
    assertThat(byModel.status()).as(byModel.body()).isEqualTo(200);
    assertThat(byModel.json().at("/data").findValuesAsText("model")).contains("gpt-4o-mini");
    assertThat(byModel.json().at("/pagination/page_size").asInt()).isEqualTo(20);
    Http.Reply csv = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/billing/usage?format=csv&model=gpt-4o-mini")))
        .header(TestCallers.HEADER, me()).GET().build());
    assertThat(csv.header("content-type")).startsWith("text/csv");
    assertThat(csv.body()).startsWith("request_id,created_at,key_id,model");
    assertThat(Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/billing/usage?group_by=week")))
        .header(TestCallers.HEADER, me()).GET().build()).status()).isEqualTo(400);

    String period = YearMonth.now(ZoneOffset.UTC).toString();
    Http.Reply inv = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/billing/invoices/" + period)))
        .header(TestCallers.HEADER, me()).GET().build());
    assertThat(inv.status()).as(inv.body()).isEqualTo(200);
    JsonNode j = inv.json();
    long opening = micros(j.get("opening_balance").asText());
    long topups = micros(j.get("topups").asText());
    long charges = micros(j.get("charges").asText());
    long closing = micros(j.get("closing_balance").asText());
    assertThat(opening + topups - charges).isEqualTo(closing);
    assertThat(closing).isEqualTo(gw.gateway.billing().wallets().snapshot(gw.tenantId).balance());
    long byModelSum = 0;
    for (JsonNode line : j.get("charges_by_model")) byModelSum += micros(line.get("amount").asText());
    assertThat(byModelSum).isEqualTo(charges);
    assertThat(Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/billing/invoices/2026-13")))
        .header(TestCallers.HEADER, me()).GET().build()).status()).isEqualTo(400);

    BillingQueries.LedgerFigures f = new BillingQueries(gw.gateway.database().dataSource()).figures();
    assertThat(f.topups()).isEqualTo(f.walletBalances() + f.charges() - f.refunds());
    assertThat(f.unbalancedTransactions()).isZero();
    assertThat(f.walletMismatches()).isEmpty();
    assertThat(f.chargeEntriesMismatch()).isZero();
  }

  @Test
  void fallingBelowTheThresholdRecordsALowBalanceEvent() throws Exception {
    long tenant = gw.gateway.accounts().createTenant("low");
    long user = gw.gateway.accounts().createUser("low-" + System.nanoTime() + "@t.local", "x", "l", tenant, "member");
    String key = gw.gateway.keyIssuer().issue(user, tenant, "k", Set.of(), 1000, 10_000_000, null).secret();
    gw.gateway.billing().credit(tenant, 1_000_010, "low-" + tenant, null, null); // just above the 1.00 default
    assertThat(Http.postJson(url("/chat/completions"), key, CHAT).status()).isEqualTo(200);
    awaitShipped();
    try (var c = gw.gateway.database().dataSource().getConnection();
         var ps = c.prepareStatement("SELECT COUNT(*) FROM events WHERE type = 'billing.low_balance' AND tenant_id = ?")) {
      ps.setLong(1, tenant);
      try (var rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(1);
      }
    }
  }

  @Test
  void authorizationComesBeforeMoneyAndRefusedModelsLeaveNoTraceInTheBooks() throws Exception {
    long tenant = gw.gateway.accounts().createTenant("broke");
    long user = gw.gateway.accounts().createUser("broke-" + System.nanoTime() + "@t.local", "x", "b", tenant, "member");
    String key = gw.gateway.keyIssuer().issue(user, tenant, "k", Set.of("gpt-4o-mini"), 1000, 10_000_000, null).secret();
    String body = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    // With no balance at all, a model the key may not use answers exactly like an unknown one: 404, no price.
    Http.Reply forbidden = Http.postJson(url("/chat/completions"), key, body.formatted("gpt-4o"));
    Http.Reply unknown = Http.postJson(url("/chat/completions"), key, body.formatted("no-such-model"));
    assertThat(forbidden.status()).isEqualTo(404);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(forbidden.body()).doesNotContain("cost").doesNotContain("balance");
    assertThat(forbidden.json().at("/error/code").asText()).isEqualTo(unknown.json().at("/error/code").asText());
    // An over-long model name is refused at the door, naming the field.
    Http.Reply tooLong = Http.postJson(url("/chat/completions"), key, body.formatted("m".repeat(129)));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().at("/error/details/field").asText()).isEqualTo("model");
    // The allowed model is refused for money only now.
    assertThat(Http.postJson(url("/chat/completions"), key, body.formatted("gpt-4o-mini")).status()).isEqualTo(402);
    awaitShipped();
    try (var c = gw.gateway.database().dataSource().getConnection();
         var ps = c.prepareStatement("SELECT COUNT(*) FROM billing_records WHERE tenant_id = ?")) {
      ps.setLong(1, tenant);
      try (var rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).as("no settlement for requests refused before money").isZero();
      }
    }
  }
}
