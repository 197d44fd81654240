package com.lijiaoqiao.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.Gateway;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One package sold through two nodes at once (sharing its quota through Redis, or through leases without Redis):
 * it sells out at its quota — never more than one request past it — the tokens it served are exactly what its
 * package counts, its supplier's earnings are exact and the books reconcile.
 */
class MarketplaceAcrossNodesTest {
  static final long QUOTA = 4_000;

  static GatewayConfig node(String url, boolean redis, String prefix) throws Exception {
    GatewayConfig c = redis ? TwoNodesTest.node(url, com.lijiaoqiao.testing.Redises.require(), prefix)
        : TwoNodesTest.node(url);
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = "1.00";
    p.output = "2.00";
    p.cachedInput = "0.50";
    c.billing.models.put("market-mini", p);
    c.supply.allowedAddresses.add("127.0.0.1/32");
    c.supply.syncIntervalMs = 100;
    c.providers.get(0).models.put("market-mini", "gpt-4o-mini");
    c.routing.modelOrder.put("market-mini", List.of("node-co", "sim"));
    return c;
  }

  static Http.Reply call(Gateway g, String method, String path, String caller, String body) {
    String root = g.baseUrl().substring(0, g.baseUrl().length() - 3);
    return Http.send(HttpRequest.newBuilder(URI.create(root + path)).header(TestCallers.HEADER, caller)
        .header("authorization", "Bearer test.session.token").header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  @ParameterizedTest(name = "redis={0}")
  @ValueSource(booleans = {true, false})
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aPackageSellsOutExactlyAcrossTwoNodes(boolean redis) throws Exception {
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-mkt-" + System.nanoTime() + ":";
    try (Gateway a = Gateway.start(node(url, redis, prefix)); Gateway b = Gateway.start(node(url, redis, prefix))) {
      a.api().callerResolver(new TestCallers());
      b.api().callerResolver(new TestCallers());
      long tenant = a.accounts().createTenant("consumer");
      long user = a.accounts().createUser("mkt-consumer-" + System.nanoTime() + "@t.local", "x", "c", tenant, "member");
      KeyIssuer.Issued key = a.keyIssuer().issue(user, tenant, "k", Set.of(), 100_000, 100_000_000, null);
      a.billing().credit(tenant, 50_000_000, "mkt-" + tenant, "start", null);
      long supTenant = a.accounts().createTenant("supplier");
      long supUser = a.accounts().createUser("mkt-sup-" + System.nanoTime() + "@t.local", "x", "s", supTenant, "supplier");
      String supplier = supUser + "," + supTenant + ",supplier";

      String sim = a.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1";
      Http.Reply acc = call(a, "POST", "/v1/supply/accounts", supplier, "{\"name\":\"n\",\"base_url\":\"" + sim
          + "\",\"credential\":\"sk-node-supplier\",\"models\":{\"market-mini\":\"gpt-4o-mini\"}}");
      assertThat(acc.status()).as(acc.body()).isEqualTo(201);
      assertThat(call(a, "PUT", "/admin/suppliers/" + supTenant, TestCallers.admin(), "{\"status\":\"approved\"}")
          .status()).isEqualTo(200);
      Http.Reply pkg = call(a, "POST", "/v1/supply/packages", supplier, "{\"account_id\":" + acc.json().get("id").asLong()
          + ",\"name\":\"p\",\"quota_tokens\":" + QUOTA + ",\"input_per_1m\":\"0.7\",\"output_per_1m\":\"1.3\","
          + "\"cached_input_per_1m\":\"0.3\",\"public_name\":\"node-co\",\"status\":\"active\"}");
      assertThat(pkg.status()).as(pkg.body()).isEqualTo(201);
      long pkgId = pkg.json().get("id").asLong();
      String chat = "{\"model\":\"market-mini\",\"max_tokens\":30,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";
      // Node B learns the package from the database within its sync interval.
      long until = System.currentTimeMillis() + 10_000;
      boolean onB = false;
      AtomicLong tokens = new AtomicLong();
      AtomicLong exact = new AtomicLong();
      AtomicLong served = new AtomicLong();
      AtomicLong largest = new AtomicLong();
      while (!onB && System.currentTimeMillis() < until) {
        Http.Reply r = Http.postJson(b.baseUrl() + "/chat/completions", key.secret(), chat);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        onB = "node-co".equals(r.headers().firstValue("x-ljq-provider").orElse(""));
        if (onB) count(r, tokens, exact, served, largest);
        else Thread.sleep(50);
      }
      assertThat(onB).isTrue();

      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Gateway g = t % 2 == 0 ? a : b;
        runs.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            Http.Reply r = Http.postJson(g.baseUrl() + "/chat/completions", key.secret(), chat);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            if (!"node-co".equals(r.headers().firstValue("x-ljq-provider").orElse(""))) return null;
            count(r, tokens, exact, served, largest);
          }
          return null;
        }));
      }
      for (Future<?> f : runs) f.get(120, TimeUnit.SECONDS);
      pool.shutdown();

      JsonNode p = null;
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        p = call(a, "GET", "/v1/supply/packages/" + pkgId, supplier, null).json();
        if (p.get("used_tokens").asLong() == tokens.get() && "sold_out".equals(p.get("status").asText())) break;
        Thread.sleep(50);
      }
      assertThat(p.get("used_tokens").asLong()).as("tokens the package counted vs served").isEqualTo(tokens.get());
      assertThat(p.get("status").asText()).isEqualTo("sold_out");
      assertThat(tokens.get()).isGreaterThanOrEqualTo(QUOTA);
      assertThat(tokens.get() - QUOTA).as("past the quota").isLessThanOrEqualTo(largest.get());

      // Each node carries its own fraction of a micro-unit: the sum is exact to within one micro-unit per node.
      long expected = exact.get() / 1_000_000;
      JsonNode e = call(a, "GET", "/v1/supply/earnings", supplier, null).json();
      long accrued = Money.parse(e.get("totals").get("accrued").asText(), true);
      assertThat(accrued).isBetween(expected - 1, expected);
      JsonNode rec = call(a, "GET", "/admin/reconcile", TestCallers.admin(), null).json();
      assertThat(rec.get("ok").asBoolean()).as(rec.toString()).isTrue();
      assertThat(Money.parse(rec.get("figures").get("supplier_earnings").asText(), true)).isEqualTo(accrued);
    }
  }

  private static void count(Http.Reply r, AtomicLong tokens, AtomicLong exact, AtomicLong served, AtomicLong largest) {
    JsonNode u = r.json().get("usage");
    long p = u.get("prompt_tokens").asLong();
    long c = u.get("completion_tokens").asLong();
    tokens.addAndGet(p + c);
    exact.addAndGet(p * 700_000 + c * 1_300_000);
    served.incrementAndGet();
    largest.accumulateAndGet(p + c, Math::max);
  }
}
