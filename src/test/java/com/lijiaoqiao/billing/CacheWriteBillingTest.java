package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.usage.UsageRecord;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prompt-cache writes reported by an Anthropic upstream are kept in the records and charged at their price. */
class CacheWriteBillingTest {
  static final ModelPrice SONNET = new ModelPrice("claude-sonnet-4-5", 3_000_000, 15_000_000, 300_000, 8192, 3_750_000);

  @Test
  void cacheWritesAreRecordedAndPricedAtTheCacheWritePrice() throws Exception {
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, "127.0.0.1", 0);
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
      p.id = "anthropic-up";
      p.kind = "anthropic";
      p.baseUrl = sim.baseUrl();
      p.apiKey = "upstream-secret";
      p.models.put("claude-sonnet-4-5", "claude-sonnet-4-5");
      c.providers.clear();
      c.providers.add(p);
      GatewayConfig.PriceSpec price = new GatewayConfig.PriceSpec();
      price.input = "3.00";
      price.output = "15.00";
      price.cachedInput = "0.30";
      price.cacheWriteInput = "3.75";
      c.billing.models.put("claude-sonnet-4-5", price);
    })) {
      gw.gateway.billing().credit(gw.tenantId, 10_000_000, "cache-" + gw.tenantId, null, null);
      String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"system\":[{\"type\":\"text\",\"text\":\""
          + "You are a careful assistant. ".repeat(40) + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
      Http.Reply r = Http.postJson(gw.baseUrl() + "/messages", null, body, "x-api-key", gw.apiKey,
          "anthropic-version", "2023-06-01");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode u = r.json().get("usage");
      long write = u.get("cache_creation_input_tokens").asLong();
      long read = u.get("cache_read_input_tokens").asLong();
      long input = u.get("input_tokens").asLong();
      assertThat(write).isPositive();
      // The tenant's first charge: nothing carried from earlier requests.
      long expected = Wallets.charged(0, SONNET.exactCost(input + read + write, read, write, u.get("output_tokens").asLong()));
      assertThat(Money.parse(r.header("x-ljq-cost"), true)).isEqualTo(expected);
      UsageRecord rec = await(gw, r.header("x-request-id"));
      assertThat(rec.cacheWriteTokens()).isEqualTo(write);
      assertThat(rec.costMicros()).isEqualTo(expected);
    } finally {
      sim.close();
      vertx.close();
    }
  }

  static UsageRecord await(TestGateway gw, String requestId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      List<UsageRecord> found = gw.gateway.usage().findByRequestId(requestId);
      if (!found.isEmpty()) return found.get(0);
      Thread.sleep(20);
    }
    throw new AssertionError("no usage record for " + requestId);
  }
}
