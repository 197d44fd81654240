package com.lijiaoqiao.routing;

import static com.lijiaoqiao.routing.RoutingFixture.fault;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A request served after fall-overs is charged once, at the price of what served it; failed attempts cost nothing. */
class FallbackBillingTest {
  static final ModelPrice CHAT = new ModelPrice("chat", 1_000_000, 4_000_000, 500_000, 4096);
  static final ModelPrice BIG = new ModelPrice("big", 5_000_000, 20_000_000, 5_000_000, 4096);
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {
      c.billing.models.put("chat", price("1.00", "4.00", "0.50"));
      c.billing.models.put("solo", price("1.00", "4.00", "0.50"));
      c.billing.models.put("big", price("5.00", "20.00", "5.00"));
      c.routing.fallbacks.put("solo", java.util.List.of("big"));
    });
    f.gw.gateway.billing().credit(f.gw.tenantId, 50_000_000, "fallback-billing", null, null);
  }

  static GatewayConfig.PriceSpec price(String in, String out, String cached) {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = in;
    p.output = out;
    p.cachedInput = cached;
    return p;
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.reset();
  }

  /** The tenant's carried fraction of a micro-unit (its next charge includes it). */
  long carry() {
    return f.gw.gateway.billing().wallets().carry(f.gw.tenantId);
  }

  long balance() {
    return f.gw.gateway.billing().wallets().snapshot(f.gw.tenantId).balance();
  }

  static JsonNode usageOf(RoutingFixture.Result r) throws Exception {
    if (r.events().isEmpty()) return r.body().get("usage");
    return Http.JSON.readTree(r.events().get(r.events().size() - 2)).get("usage");
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void servedByTheFallbackAfterFailuresIsChargedOnce(boolean stream) throws Exception {
    fault(f.primary, "fault=503");
    long before = balance();
    long carry = carry();
    RoutingFixture.Result r = f.chat("chat", stream);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.provider()).isEqualTo("fallback");
    JsonNode u = usageOf(r);
    long expected = com.lijiaoqiao.billing.Wallets.charged(carry,
        CHAT.exactCost(u.get("prompt_tokens").asLong(), 0, 0, u.get("completion_tokens").asLong()));
    assertThat(new java.math.BigDecimal(u.get("cost").asText()).movePointRight(6).longValueExact()).isEqualTo(expected);
    assertThat(balance()).isEqualTo(before - expected);
    assertThat(f.gw.gateway.billing().wallets().snapshot(f.gw.tenantId).reserved()).isZero();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aConfiguredFallbackModelServesWhenEveryProviderOfTheModelFailedAndIsChargedAtItsPrice(boolean stream)
      throws Exception {
    fault(f.primary, "fault=503");
    long before = balance();
    long carry = carry();
    RoutingFixture.Result r = f.chat("solo", stream); // solo has one provider; routing.fallbacks: solo → big
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.provider()).isEqualTo("fallback");
    assertThat(r.model()).isEqualTo("gpt-4.1");
    JsonNode u = usageOf(r);
    long expected = com.lijiaoqiao.billing.Wallets.charged(carry,
        BIG.exactCost(u.get("prompt_tokens").asLong(), 0, 0, u.get("completion_tokens").asLong()));
    assertThat(new java.math.BigDecimal(u.get("cost").asText()).movePointRight(6).longValueExact()).isEqualTo(expected);
    assertThat(balance()).isEqualTo(before - expected);
    JsonNode d = f.decision(r.requestId());
    assertThat(d.at("/route/context_fallback_model").asText()).isEqualTo("big");
  }

  @org.junit.jupiter.api.Test
  void aCallerNamesItsOwnFallbackModelsAndAMalformedListIsRefusedBeforeAnyMoneyMoves() throws Exception {
    fault(f.primary, "fault=503");
    RoutingFixture.Result r = f.chat("solo", false, "x-ljq-fallbacks", "chat");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.provider()).isEqualTo("fallback");
    assertThat(r.model()).isEqualTo("gpt-4o-mini"); // chat's fallback provider, not routing.fallbacks' big
    long before = balance();
    RoutingFixture.Result bad = f.chat("solo", false, "x-ljq-fallbacks", "a,,b");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().at("/error/details/field").asText()).isEqualTo("x-ljq-fallbacks");
    assertThat(balance()).isEqualTo(before);
  }

  @org.junit.jupiter.api.Test
  void aRescuedStreamIsChargedOnceForBothPartsAndShowsOneUsage() throws Exception {
    fault(f.primary, "fault=cut,after=3");
    long before = balance();
    long carry = carry();
    RoutingFixture.Result r = f.chat("chat", true);
    assertThat(r.endsWithDone()).isTrue();
    assertThat(r.hasErrorEvent()).isFalse();
    JsonNode u = usageOf(r); // the one final usage covers the cut part and the continuation
    long expected = com.lijiaoqiao.billing.Wallets.charged(carry,
        CHAT.exactCost(u.get("prompt_tokens").asLong(), 0, 0, u.get("completion_tokens").asLong()));
    assertThat(new java.math.BigDecimal(u.get("cost").asText()).movePointRight(6).longValueExact()).isEqualTo(expected);
    assertThat(balance()).isEqualTo(before - expected);
    assertThat(f.gw.gateway.billing().wallets().snapshot(f.gw.tenantId).reserved()).isZero();
    JsonNode d = f.decision(r.requestId()); // the usage record has both parts' tokens; the decision both attempts
    assertThat(d.at("/usage/prompt_tokens").asLong()).isEqualTo(u.get("prompt_tokens").asLong());
    assertThat(d.at("/usage/completion_tokens").asLong()).isEqualTo(u.get("completion_tokens").asLong());
    assertThat(d.at("/usage/provider").asText()).isEqualTo("fallback");
    assertThat(d.at("/route/attempts").size()).isEqualTo(2);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aLargerContextFallbackIsChargedAtTheModelThatServed(boolean stream) throws Exception {
    fault(f.primary, "fault=context_length");
    long before = balance();
    long carry = carry();
    RoutingFixture.Result r = f.chat("solo", stream);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.model()).isEqualTo("gpt-4.1");
    JsonNode u = usageOf(r);
    long expected = com.lijiaoqiao.billing.Wallets.charged(carry,
        BIG.exactCost(u.get("prompt_tokens").asLong(), 0, 0, u.get("completion_tokens").asLong()));
    assertThat(new java.math.BigDecimal(u.get("cost").asText()).movePointRight(6).longValueExact()).isEqualTo(expected);
    assertThat(balance()).isEqualTo(before - expected);
  }

  @org.junit.jupiter.api.Test
  void aLargerContextFallbackIsHeldAgainAtItsOwnPriceBeforeItIsCalled() throws Exception {
    var g = f.gw.gateway;
    long tenant = g.accounts().createTenant("ctx");
    long user = g.accounts().createUser("ctx-" + System.nanoTime() + "@t.local", "x", "c", tenant, "member");
    String key = g.keyIssuer().issue(user, tenant, "k", java.util.Set.of(), 1000, 10_000_000, null).secret();
    // Enough for "solo" (~0.016 at most for 4096 output tokens) but not for "big" (~0.082).
    g.billing().credit(tenant, 30_000, "ctx-" + tenant, null, null);
    fault(f.primary, "fault=context_length");
    int fallbackCallsBefore = RoutingFixture.chats(f.fallback);
    Http.Reply r = Http.postJson(g.baseUrl() + "/chat/completions", key,
        "{\"model\":\"solo\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}");
    assertThat(r.status()).isEqualTo(402);
    assertThat(r.json().at("/error/code").asText()).isEqualTo("BILLING_001");
    assertThat(RoutingFixture.chats(f.fallback)).as("the larger model is not called").isEqualTo(fallbackCallsBefore);
    assertThat(g.billing().wallets().snapshot(tenant).balance()).isEqualTo(30_000);
    assertThat(g.billing().wallets().snapshot(tenant).reserved()).isZero();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void whenEveryProviderFailsNothingIsCharged(boolean stream) {
    fault(f.primary, "fault=500");
    fault(f.fallback, "fault=500");
    long before = balance();
    RoutingFixture.Result r = f.chat("chat", stream);
    assertThat(r.status()).isGreaterThanOrEqualTo(500);
    assertThat(balance()).isEqualTo(before);
    assertThat(f.gw.gateway.billing().wallets().snapshot(f.gw.tenantId).reserved()).isZero();
  }
}
