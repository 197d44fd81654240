package com.lijiaoqiao.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.app.Gateway;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes on one PostgreSQL: one balance for the whole cluster. Each request costs exactly what it reserves
 * (10 output tokens at 0.001 each, input free), so a tenant with 0.05 can be served five times in all — however
 * its requests are spread over the nodes — and a top-up or a price change made on one node reaches the others.
 */
class SharedBalanceTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final long COST = 10_000; // micro-units: 10 tokens × 0.001

  static GatewayConfig priced(GatewayConfig c) {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = "0";
    p.output = "1000.00"; // per 1M tokens: 0.001 a token
    c.billing.models.put("gpt-4o-mini", p);
    c.billing.refreshIntervalMs = 200;
    c.billing.leaseIdleMs = 500; // an idle node gives its unused lease back quickly here
    return c;
  }

  record Tenant(long id, String key) {}

  static Tenant tenant(Gateway g, String name, long balanceMicros) {
    long t = g.accounts().createTenant(name);
    long u = g.accounts().createUser(name + "-" + System.nanoTime() + "@t.local", "x", "u", t, "member");
    String key = g.keyIssuer().issue(u, t, "k", Set.of(), 100_000, 100_000_000, null).secret();
    if (balanceMicros > 0) g.billing().credit(t, balanceMicros, "start-" + t, null, null);
    return new Tenant(t, key);
  }

  /** 30 concurrent requests, 10 to each node; the statuses. */
  static List<Integer> burst(List<Gateway> nodes, String key) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(15);
    try {
      List<Future<Integer>> out = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Gateway g = nodes.get(i % nodes.size());
        out.add(pool.submit(() -> Http.postJson(g.baseUrl() + "/chat/completions", key, CHAT).status()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : out) statuses.add(f.get(30, TimeUnit.SECONDS));
      return statuses;
    } finally {
      pool.shutdownNow();
    }
  }

  static int statusWithin(Gateway g, String key, int wanted, long ms) throws InterruptedException {
    long until = System.currentTimeMillis() + ms;
    int status;
    do {
      status = Http.postJson(g.baseUrl() + "/chat/completions", key, CHAT).status();
      if (status == wanted) return status;
      Thread.sleep(50);
    } while (System.currentTimeMillis() < until);
    return status;
  }

  static long ledgerBalance(Gateway g, long tenant) throws Exception {
    long until = System.currentTimeMillis() + 10_000;
    while (g.billing().pendingShipments() > 0 && System.currentTimeMillis() < until) Thread.sleep(20);
    Thread.sleep(200);
    try (var c = g.database().dataSource().getConnection();
         var ps = c.prepareStatement("SELECT balance_micros FROM wallets WHERE tenant_id = ?")) {
      ps.setLong(1, tenant);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  static GatewayConfig node(String url, boolean redis, String prefix) throws Exception {
    return priced(redis ? TwoNodesTest.node(url, com.lijiaoqiao.testing.Redises.require(), prefix) : TwoNodesTest.node(url));
  }

  /** With Redis the nodes share one live balance; without, they lease slices of it from PostgreSQL. */
  @org.junit.jupiter.params.ParameterizedTest(name = "redis={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aTenantCannotSpendMoreThanItsBalanceAcrossNodes(boolean redis) throws Exception {
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-test-" + System.nanoTime() + ":";
    try (Gateway a = Gateway.start(node(url, redis, prefix));
         Gateway b = Gateway.start(node(url, redis, prefix));
         Gateway c = Gateway.start(node(url, redis, prefix))) {
      List<Gateway> nodes = List.of(a, b, c);
      Tenant t = tenant(a, "small", 5 * COST);
      // Every node has read the balance from the ledger: each alone would serve it five times.
      long until = System.currentTimeMillis() + 5_000;
      while (nodes.stream().anyMatch(g -> g.billing().wallets().snapshot(t.id()).balance() != 5 * COST)
          && System.currentTimeMillis() < until) {
        Thread.sleep(20);
      }
      assertThat(nodes).allMatch(g -> g.billing().wallets().snapshot(t.id()).balance() == 5 * COST);
      List<Integer> statuses = burst(nodes, t.key());
      long served = statuses.stream().filter(s -> s == 200).count();
      assertThat(statuses).allMatch(s -> s == 200 || s == 402);
      // Each request reserves exactly what it costs: five in all, wherever they landed.
      assertThat(served).isEqualTo(5);
      for (Gateway g : nodes) {
        assertThat(Http.postJson(g.baseUrl() + "/chat/completions", t.key(), CHAT).status()).isEqualTo(402);
      }
      assertThat(ledgerBalance(a, t.id())).isZero();
      if (redis) {
        for (Gateway g : nodes) {
          // Every node shows the one balance they all reserve from.
          Http.Reply bal = Http.get(g.baseUrl() + "/billing/balance", t.key());
          assertThat(bal.json().get("balance").asText()).isEqualTo("0.00");
          assertThat(bal.json().get("reserved").asText()).isEqualTo("0.00");
        }
      }

      // A top-up through one node is usable on the others within a second (leases: once the idle one gave its back).
      a.billing().credit(t.id(), 2 * COST, "top-up-" + t.id(), null, null);
      assertThat(statusWithin(c, t.key(), 200, redis ? 1_000 : 5_000)).isEqualTo(200);
      assertThat(statusWithin(b, t.key(), 200, redis ? 1_000 : 5_000)).isEqualTo(200);
      assertThat(Http.postJson(a.baseUrl() + "/chat/completions", t.key(), CHAT).status()).isEqualTo(402);
      assertThat(ledgerBalance(a, t.id())).isZero();
    } finally {
      Databases.dropIfPostgres(url);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void withoutRedisTopUpsAndPricesReachEveryNodeWithinASecond() throws Exception {
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    try (Gateway a = Gateway.start(priced(TwoNodesTest.node(url)));
         Gateway b = Gateway.start(priced(TwoNodesTest.node(url)))) {
      Tenant t = tenant(a, "topped", 0);
      assertThat(Http.postJson(b.baseUrl() + "/chat/completions", t.key(), CHAT).status()).isEqualTo(402);
      a.billing().credit(t.id(), 3 * COST, "top-up-" + t.id(), null, null);
      assertThat(statusWithin(b, t.key(), 200, 1_000)).isEqualTo(200);

      // Spending on one node is seen by the other at its next read of the ledger. (A is served once B, idle, has
      // given back the part of its lease it does not use.)
      long before = 2 * COST;
      assertThat(statusWithin(a, t.key(), 200, 5_000)).isEqualTo(200);
      long until = System.currentTimeMillis() + 2_000;
      while (b.billing().wallets().snapshot(t.id()).balance() == before && System.currentTimeMillis() < until) {
        Thread.sleep(20);
      }
      assertThat(b.billing().wallets().snapshot(t.id()).balance()).isEqualTo(before - COST);

      // A price set on one node applies on the other within a second.
      a.billing().savePrice(new ModelPrice("gpt-4o-mini", 0, 2_000_000_000L, 0, 16_384));
      until = System.currentTimeMillis() + 1_000;
      while (b.billing().prices().priceOf("gpt-4o-mini").outputPer1M() != 2_000_000_000L
          && System.currentTimeMillis() < until) {
        Thread.sleep(20);
      }
      assertThat(b.billing().prices().priceOf("gpt-4o-mini").outputPer1M()).isEqualTo(2_000_000_000L);
    } finally {
      Databases.dropIfPostgres(url);
    }
  }
}
