package com.lijiaoqiao.supply;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The marketplace end to end through HTTP: a supplier registers an account against the simulator (the probe
 * passes, a revoked credential and private addresses are refused), an operator approves it, it publishes a
 * package, consumer traffic is served by the package until it sells out, earnings accrue exactly while charges =
 * earnings + platform revenue, a payout is requested, approved and completed, and the books reconcile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class MarketplaceContract {
  /** Consumer price of the model only the package serves: 1.00 in / 2.00 out per 1M tokens. */
  static final long IN = 1_000_000;
  static final long OUT = 2_000_000;

  TestGateway gw;
  String supplier;
  String otherSupplier;
  long supplierTenant;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database(), c -> {
      GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
      p.input = "1.00";
      p.output = "2.00";
      p.cachedInput = "0.50";
      c.billing.models.put("market-mini", p);
      c.supply.allowedAddresses.add("127.0.0.1/32"); // the simulator; every other private address stays refused
      c.supply.syncIntervalMs = 100;
      // The platform's own provider serves the model too, after the packages: consumers are served when they sell out.
      c.providers.get(0).models.put("market-mini", "gpt-4o-mini");
      c.routing.modelOrder.put("market-mini", java.util.List.of("bridge-co", "second-co", "sim"));
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 100_000_000, "mk-" + gw.tenantId, "start", null);
    supplierTenant = gw.gateway.accounts().createTenant("supplier co");
    long u = gw.gateway.accounts().createUser("sup-" + System.nanoTime() + "@t.local", "x", "S", supplierTenant, "supplier");
    supplier = u + "," + supplierTenant + ",supplier";
    long other = gw.gateway.accounts().createTenant("other supplier");
    long u2 = gw.gateway.accounts().createUser("sup2-" + System.nanoTime() + "@t.local", "x", "S2", other, "supplier");
    otherSupplier = u2 + "," + other + ",supplier";
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  Http.Reply call(String method, String path, String caller, String body) {
    // A session-shaped bearer sends /v1/… to the management API (the test resolver names the caller).
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root() + path)).header(TestCallers.HEADER, caller)
        .header("authorization", "Bearer test.session.token").header("content-type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return Http.send(b.build());
  }

  Http.Reply chat(int maxTokens) {
    return Http.send(HttpRequest.newBuilder(URI.create(root() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + gw.apiKey).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"market-mini\",\"max_tokens\":" + maxTokens
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}")).build());
  }

  /** The gateway's address without the /v1 of its base URL. */
  String root() {
    return gw.baseUrl().substring(0, gw.baseUrl().length() - 3);
  }

  String simUrl() {
    return gw.gateway.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1";
  }

  @Test
  void aSupplierSellsAPackageThatSellsOutExactlyAndIsPaid() throws Exception {
    // Refused: a revoked credential, private and metadata addresses.
    Http.Reply bad = call("POST", "/v1/supply/accounts", supplier, "{\"name\":\"a\",\"vendor\":\"openai-compatible\","
        + "\"base_url\":\"" + simUrl() + "\",\"credential\":\"sk-revoked-1\",\"models\":{\"market-mini\":\"gpt-4o-mini\"}}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.json().get("error").get("code").asText()).isEqualTo("SUP_ACC_4001");
    assertThat(bad.body()).doesNotContain("sk-revoked-1");
    for (String url : new String[] {"http://169.254.169.254/v1", "http://10.1.2.3/v1", "http://[::1]:8080/v1",
        "http://localhost:1/v1"}) {
      Http.Reply r = call("POST", "/v1/supply/accounts", supplier, "{\"name\":\"a\",\"base_url\":\"" + url
          + "\",\"credential\":\"sk-x\",\"models\":[\"market-mini\"]}");
      assertThat(r.status()).as(url + " " + r.body()).isEqualTo(400);
    }

    Http.Reply acc = call("POST", "/v1/supply/accounts", supplier, "{\"name\":\"main\",\"vendor\":\"openai-compatible\","
        + "\"base_url\":\"" + simUrl() + "\",\"credential\":\"sk-supplier-secret-123\","
        + "\"models\":{\"market-mini\":\"gpt-4o-mini\"}}");
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    assertThat(acc.body()).doesNotContain("sk-supplier-secret-123");
    assertThat(acc.json().get("status").asText()).isEqualTo("active");
    long accountId = acc.json().get("id").asLong();

    // Another supplier sees nothing of it; a consumer may not use the supply API at all.
    assertThat(call("GET", "/v1/supply/accounts/" + accountId, otherSupplier, null).status()).isEqualTo(404);
    assertThat(call("GET", "/v1/supply/accounts", TestCallers.member(gw.userId, gw.tenantId), null).status())
        .isEqualTo(403);

    // Price above the floor (10% margin: at most 0.90 in) is refused.
    Http.Reply dear = call("POST", "/v1/supply/packages", supplier, "{\"account_id\":" + accountId + ",\"name\":\"p\","
        + "\"quota_tokens\":2000,\"input_per_1m\":\"0.95\",\"output_per_1m\":\"1.00\"}");
    assertThat(dear.status()).as(dear.body()).isEqualTo(400);
    assertThat(dear.json().get("error").get("code").asText()).isEqualTo("SUP_PKG_4001");

    Http.Reply pkg = call("POST", "/v1/supply/packages", supplier, "{\"account_id\":" + accountId + ",\"name\":\"p\","
        + "\"quota_tokens\":2000,\"input_per_1m\":\"0.333333\",\"output_per_1m\":\"1.777777\",\"public_name\":\"bridge-co\"}");
    assertThat(pkg.status()).as(pkg.body()).isEqualTo(201);
    long pkgId = pkg.json().get("id").asLong();
    assertThat(call("GET", "/v1/supply/packages/" + pkgId, otherSupplier, null).status()).isEqualTo(404);
    // Not approved yet: activation is a state conflict.
    Http.Reply early = call("PUT", "/v1/supply/packages/" + pkgId, supplier, "{\"status\":\"active\"}");
    assertThat(early.status()).as(early.body()).isEqualTo(409);
    assertThat(early.json().get("error").get("code").asText()).isEqualTo("SUP_PKG_4091");
    Http.Reply approve = call("PUT", "/admin/suppliers/" + supplierTenant, TestCallers.admin(), "{\"status\":\"approved\"}");
    assertThat(approve.status()).as(approve.body()).isEqualTo(200);
    Http.Reply active = call("PUT", "/v1/supply/packages/" + pkgId, supplier, "{\"status\":\"active\"}");
    assertThat(active.status()).as(active.body()).isEqualTo(200);
    assertThat(active.json().get("status").asText()).isEqualTo("active");

    // Consumer traffic until the package sells out.
    long tokens = 0;
    long exactEarnings = 0;
    int served = 0;
    for (int i = 0; i < 200; i++) {
      Http.Reply r = chat(40);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("sk-supplier-secret-123");
      if (!"bridge-co".equals(r.headers().firstValue("x-ljq-provider").orElse(""))) {
        assertThat(r.headers().firstValue("x-ljq-provider")).contains("sim"); // sold out: the platform serves
        break;
      }
      JsonNode u = r.json().get("usage");
      long p = u.get("prompt_tokens").asLong();
      long c = u.get("completion_tokens").asLong();
      tokens += p + c;
      exactEarnings += p * 333_333 + c * 1_777_777;
      served++;
    }
    assertThat(served).isGreaterThan(3);
    assertThat(tokens).isGreaterThanOrEqualTo(2000);
    long expectedEarnings = exactEarnings / 1_000_000; // the supplier's fractions carried, never lost
    long deadline = System.currentTimeMillis() + 20_000;
    JsonNode p = null;
    while (System.currentTimeMillis() < deadline) {
      p = call("GET", "/v1/supply/packages/" + pkgId, supplier, null).json();
      if (p.get("used_tokens").asLong() == tokens) break;
      Thread.sleep(50);
    }
    assertThat(p.get("used_tokens").asLong()).isEqualTo(tokens);
    assertThat(p.get("status").asText()).isEqualTo("sold_out");
    assertThat(tokens - 2000).as("overrun of the last request").isLessThan(tokens / served + 60);

    JsonNode e = call("GET", "/v1/supply/earnings?group_by=package", supplier, null).json();
    assertThat(Money.parse(e.get("totals").get("accrued").asText(), true)).isEqualTo(expectedEarnings);
    assertThat(Money.parse(e.get("totals").get("available").asText(), true)).isZero(); // on hold for 7 days
    Http.Reply early2 = call("POST", "/v1/supply/payouts", supplier, "{\"amount\":\"0.000001\"}");
    assertThat(early2.status()).as(early2.body()).isEqualTo(400);

    // The hold period passes (the operator sets it to zero days for this supplier).
    assertThat(call("PUT", "/admin/suppliers/" + supplierTenant, TestCallers.admin(), "{\"hold_days\":0}").status())
        .isEqualTo(200);
    String amount = Money.format(expectedEarnings);
    Http.Reply payout = Http.send(HttpRequest.newBuilder(URI.create(root() + "/v1/supply/payouts"))
        .header(TestCallers.HEADER, supplier).header("authorization", "Bearer test.session.token")
        .header("Idempotency-Key", "pay-1").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":\"" + amount + "\"}")).build());
    assertThat(payout.status()).as(payout.body()).isEqualTo(201);
    long payoutId = payout.json().get("id").asLong();
    assertThat(call("POST", "/v1/supply/payouts", supplier, "{\"amount\":\"0.000001\"}").status()).isEqualTo(400);
    assertThat(call("PUT", "/admin/payouts/" + payoutId, TestCallers.admin(), "{\"status\":\"completed\",\"reference\":\"x\"}")
        .status()).isEqualTo(409);
    assertThat(call("PUT", "/admin/payouts/" + payoutId, TestCallers.admin(), "{\"status\":\"processing\"}").status())
        .isEqualTo(200);
    assertThat(call("PUT", "/admin/payouts/" + payoutId, TestCallers.admin(),
        "{\"status\":\"completed\",\"reference\":\"bank-42\"}").status()).isEqualTo(200);
    JsonNode t = call("GET", "/v1/supply/me", supplier, null).json().get("earnings");
    assertThat(Money.parse(t.get("paid").asText(), true)).isEqualTo(expectedEarnings);
    assertThat(Money.parse(t.get("available").asText(), true)).isZero();

    // The books: charges = supplier earnings + platform revenue, and every other check.
    JsonNode rec = call("GET", "/admin/reconcile", TestCallers.admin(), null).json();
    assertThat(rec.toString()).contains("\"ok\":true");
    assertThat(Money.parse(rec.findValue("supplier_earnings").asText(), true)).isEqualTo(expectedEarnings);
    assertThat(Money.parse(rec.findValue("supplier_paid").asText(), true)).isEqualTo(expectedEarnings);
    assertThat(Money.parse(rec.findValue("platform_revenue").asText(), true) + expectedEarnings)
        .isEqualTo(Money.parse(rec.findValue("charges").asText(), true));

    // Statements and CSV.
    Http.Reply csv = call("GET", "/v1/supply/earnings?group_by=model&format=csv", supplier, null);
    assertThat(csv.body()).startsWith("model,requests,tokens,amount\n").contains("market-mini," + served + "," + tokens);
    assertThat(call("GET", "/v1/supply/statements?format=csv", supplier, null).body()).contains("bank-42");
  }

  @Test
  void aRevokedCredentialSuspendsTheAccountWithoutFailingAConsumer() throws Exception {
    call("PUT", "/admin/suppliers/" + supplierTenant, TestCallers.admin(), "{\"status\":\"approved\"}");
    Http.Reply acc = call("POST", "/v1/supply/accounts", supplier, "{\"name\":\"two\",\"base_url\":\"" + simUrl()
        + "\",\"credential\":\"sk-sup-two-secret\",\"models\":{\"market-mini\":\"gpt-4o-mini\"}}");
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    long accountId = acc.json().get("id").asLong();
    Http.Reply pkg = call("POST", "/v1/supply/packages", supplier, "{\"account_id\":" + accountId + ",\"name\":\"big\","
        + "\"quota_tokens\":100000000,\"input_per_1m\":\"0.5\",\"output_per_1m\":\"1\",\"cached_input_per_1m\":\"0.25\",\"public_name\":\"second-co\","
        + "\"status\":\"active\"}");
    assertThat(pkg.status()).as(pkg.body()).isEqualTo(201);
    assertThat(pkg.json().get("status").asText()).isEqualTo("active");
    Http.Reply first = chat(10);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ljq-provider")).contains("second-co");

    String sim = gw.gateway.simulator().baseUrl();
    Http.send(HttpRequest.newBuilder(URI.create(sim + "/_sim/keys/revoke?key=sk-sup-two-secret"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    Http.Reply fellOver = chat(10);
    assertThat(fellOver.status()).as(fellOver.body()).isEqualTo(200);
    assertThat(fellOver.headers().firstValue("x-ljq-provider")).contains("sim");
    assertThat(fellOver.body()).doesNotContain("sk-sup-two-secret");
    long deadline = System.currentTimeMillis() + 15_000;
    String status = "";
    while (System.currentTimeMillis() < deadline) {
      status = call("GET", "/v1/supply/accounts/" + accountId, supplier, null).json().get("status").asText();
      if (status.equals("suspended")) break;
      Thread.sleep(50);
    }
    assertThat(status).isEqualTo("suspended");
    Http.Reply after = chat(10);
    assertThat(after.headers().firstValue("x-ljq-provider")).contains("sim"); // the package left the pool

    // The supplier fixes its upstream and verifies: active again, and serving.
    Http.send(HttpRequest.newBuilder(URI.create(sim + "/_sim/keys/restore?key=sk-sup-two-secret"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    Http.Reply verified = call("POST", "/v1/supply/accounts/" + accountId + "/verify", supplier, null);
    assertThat(verified.json().get("status").asText()).as(verified.body()).isEqualTo("active");
    assertThat(chat(10).headers().firstValue("x-ljq-provider")).contains("second-co");

    // An operator's suspension is the operator's to lift.
    assertThat(call("PUT", "/admin/supply/accounts/" + accountId, TestCallers.admin(),
        "{\"status\":\"suspended\",\"reason\":\"abuse report\"}").status()).isEqualTo(200);
    Http.Reply refused = call("POST", "/v1/supply/accounts/" + accountId + "/verify", supplier, null);
    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.json().get("error").get("code").asText()).isEqualTo("SUP_ACC_4091");
    assertThat(chat(10).headers().firstValue("x-ljq-provider")).contains("sim");
    for (Http.Reply r : new Http.Reply[] {acc, pkg, verified, refused,
        call("GET", "/admin/supply/accounts", TestCallers.admin(), null)}) {
      assertThat(r.body()).doesNotContain("sk-sup-two-secret");
    }
  }
}
