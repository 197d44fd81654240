package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Breakers count only the provider's own faults, and are kept per (provider, model): requests the gateway
 * refuses and the request's own 4xx never open one, and one model's outage leaves the provider's other
 * models served. Breakers open after 5 consecutive failures here (RoutingFixture).
 */
class BreakerScopeTest {
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {});
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.reset();
  }

  private JsonNode stats() {
    return f.admin("GET", "/admin/providers/primary/stats", null).json();
  }

  private Http.Reply anthropic(String model, String extra) {
    return Http.postJson(f.gw.gateway.baseUrl() + "/messages", f.gw.apiKey, "{\"model\":\"" + model
        + "\",\"max_tokens\":20" + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "anthropic-version", "2023-06-01");
  }

  @Test
  void requestsTheGatewayRefusesNeverOpenABreaker() {
    for (int i = 0; i < 12; i++) {
      // top_k has no OpenAI equivalent: the translation towards the (OpenAI-dialect) simulator refuses it
      Http.Reply r = anthropic("solo", ",\"top_k\":5");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("top_k");
    }
    assertThat(stats().get("breaker").asText()).isEqualTo("closed");
    RoutingFixture.Result ok = f.chat("solo", false);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.provider()).isEqualTo("primary");
  }

  @Test
  void theRequestsOwnUpstreamErrorsNeverOpenABreaker() {
    for (String fault : new String[] {"context_length", "content_policy", "model_not_found"}) {
      for (int i = 0; i < 6; i++) {
        RoutingFixture.Result r = f.chat("solo", false, "x-ljq-sim", "fault=" + fault);
        assertThat(r.status()).as(fault).isBetween(400, 499);
      }
    }
    assertThat(stats().get("breaker").asText()).isEqualTo("closed");
    assertThat(f.chat("solo", false).status()).isEqualTo(200);
  }

  @Test
  void oneModelsOutageLeavesTheProvidersOtherModelsServed() {
    for (int i = 0; i < 6; i++) f.chat("solo", false, "x-ljq-sim", "fault=503");
    JsonNode s = stats();
    assertThat(s.at("/models/solo/breaker").asText()).isEqualTo("open");
    assertThat(s.at("/models/chat/breaker").asText()).isEqualTo("closed");
    RoutingFixture.Result solo = f.chat("solo", false);
    assertThat(solo.status()).as("the open model is not called").isEqualTo(503);
    RoutingFixture.Result chat = f.chat("chat", false);
    assertThat(chat.status()).isEqualTo(200);
    assertThat(chat.provider()).as("the provider's other model still goes to it").isEqualTo("primary");
  }
}
