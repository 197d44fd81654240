package com.lijiaoqiao.routing;

import static com.lijiaoqiao.routing.RoutingFixture.chats;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.routing.RoutingFixture.Result;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A primary that goes down and comes back (scaled down from a minute to a few seconds): served by the
 * fallback meanwhile with the primary's breaker open, and back on the primary soon after it recovers, led
 * by the background health checks (every 200 ms here; the breaker would otherwise stay open for a minute).
 */
class RecoveryTest {
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {
      c.routing.healthIntervalMs = 200;
      c.routing.healthTimeoutMs = 1_000;
      c.routing.breakerOpenMs = 60_000;
    });
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void aPrimaryDownThenHealthyIsAvoidedThenUsedAgain() throws Exception {
    RoutingFixture.fault(f.primary, "fault=503");
    long downUntil = System.currentTimeMillis() + 3_000;
    int requests = 0;
    while (System.currentTimeMillis() < downUntil) {
      Result r = f.chat("chat", requests % 2 == 1);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.provider()).isEqualTo("fallback");
      assertThat(r.model()).isEqualTo("gpt-4o-mini");
      requests++;
      Thread.sleep(100);
    }
    JsonNode stats = f.admin("GET", "/admin/providers/primary/stats", null).json();
    assertThat(stats.get("breaker").asText()).isEqualTo("open");
    assertThat(stats.at("/health/ok").asBoolean()).isFalse();
    int chatsWhileDown = chats(f.primary);
    assertThat(chatsWhileDown).as("an open breaker keeps requests off the primary").isLessThan(2 * requests);

    RoutingFixture.clearFault(f.primary);
    long recoveredAt = System.currentTimeMillis();
    String provider = null;
    while (System.currentTimeMillis() - recoveredAt < 30_000) {
      Result r = f.chat("chat", false);
      assertThat(r.status()).isEqualTo(200);
      provider = r.provider();
      if ("primary".equals(provider)) break;
      Thread.sleep(100);
    }
    assertThat(provider).as("back on the primary within 30 s of recovery").isEqualTo("primary");
    Http.Reply after = f.admin("GET", "/admin/providers/primary/stats", null);
    // Breakers are per model: the one that carried the traffic is closed again (the provider's other models
    // stay half-open until a request of theirs probes them).
    assertThat(after.json().at("/models/chat/breaker").asText()).isEqualTo("closed");
  }
}
