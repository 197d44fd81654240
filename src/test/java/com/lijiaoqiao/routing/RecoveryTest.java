package com.lijiaoqiao.routing;

import static com.lijiaoqiao.routing.RoutingFixture.chats;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.routing.RoutingFixture.Result;
import com.lijiaoqiao.testing.Databases;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A primary that goes down and comes back (scaled down from a minute to a few seconds): served by the fallback
 * meanwhile, no request failing, and back on the primary within a recovery-probe interval after it recovers. The
 * breaker's own open period is a minute here, and the provider-wide health check (GET /models, every 200 ms) passes
 * throughout the model outage: only the recovery probes of the failing model itself (every second) bring it back.
 */
class RecoveryTest {
  static final int PROBE_MS = 1_000;
  /** A probe interval, plus generous room for the probe's round trip on a busy machine; far below the open period. */
  static final int BACK_WITHIN_MS = PROBE_MS + 9_000;
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {
      c.routing.healthIntervalMs = 200;
      c.routing.healthTimeoutMs = 2_000;
      c.routing.recoveryProbeIntervalMs = PROBE_MS;
      c.routing.breakerOpenMs = 60_000;
    });
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** Requests this test sent through the gateway. */
  int sent;

  @BeforeEach
  void reset() {
    f.reset();
  }

  private Result chat(boolean stream) {
    sent++;
    return f.chat("chat", stream);
  }

  private static void servedByFallback(Result r) {
    assertThat(r.status()).as("no request fails meanwhile").isEqualTo(200);
    assertThat(r.provider()).isEqualTo("fallback");
    assertThat(r.model()).isEqualTo("gpt-4o-mini");
  }

  /** Attempts the primary took from real requests (probes are not attempts: they are not counted there). */
  private static long primaryAttempts() {
    long n = 0;
    for (JsonNode v : f.stats("primary").path("outcomes")) n += v.asLong();
    return n;
  }

  /** Usage records once the writer has caught up (two equal reads apart). */
  private static long settledUsage() throws InterruptedException {
    long last = -1;
    long end = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < end) {
      long n = f.gw.gateway.usage().count();
      if (n == last) return n;
      last = n;
      Thread.sleep(300);
    }
    return last;
  }

  private static JsonNode awaitProbe(String status) throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    JsonNode probe = null;
    while (System.currentTimeMillis() < end) {
      probe = f.stats("primary").at("/models/chat/probe");
      if (status.equals(probe.path("status").asText())) return probe;
      Thread.sleep(50);
    }
    throw new AssertionError("no probe answered " + status + ": " + probe);
  }

  /** Sends requests until the primary serves one (every one must succeed): that one. */
  private Result untilServedByPrimary() throws InterruptedException {
    long t0 = System.currentTimeMillis();
    int i = 0;
    while (System.currentTimeMillis() - t0 < BACK_WITHIN_MS) {
      Result r = chat(i++ % 2 == 1);
      assertThat(r.status()).as("no request fails while the primary recovers").isEqualTo(200);
      if ("primary".equals(r.provider())) return r;
      Thread.sleep(50);
    }
    throw new AssertionError("not back on the primary within " + BACK_WITHIN_MS + " ms of its recovery");
  }

  @Test
  void aModelDownWhileItsProviderAnswersIsProbedWithThatModelAndServedAgainAfterItsProbePasses() throws Exception {
    long usageBefore = settledUsage();
    RoutingFixture.modelFault(f.primary, "gpt-4o", "fault=503");
    int requests = 0;
    long end = System.currentTimeMillis() + 15_000;
    while (!"open".equals(f.stats("primary").at("/models/chat/breaker").asText())) {
      assertThat(System.currentTimeMillis()).as("the model's breaker opens").isLessThan(end);
      servedByFallback(chat(requests++ % 2 == 1));
    }
    long attemptsWhenOpened = primaryAttempts();

    // Three seconds of outage: GET /models passes every 200 ms, the model's own probe fails every second.
    long downUntil = System.currentTimeMillis() + 3_000;
    while (System.currentTimeMillis() < downUntil) {
      servedByFallback(chat(requests++ % 2 == 1));
      Thread.sleep(50);
    }
    JsonNode probe = awaitProbe("503");
    assertThat(probe.get("ok").asBoolean()).isFalse();
    JsonNode stats = f.stats("primary");
    assertThat(stats.at("/health/ok").asBoolean()).as("the provider-wide check passes").isTrue();
    assertThat(stats.at("/models/chat/breaker").asText()).as("a passing GET /models ends nothing").isEqualTo("open");
    assertThat(primaryAttempts()).as("no request was sent to the open model: its probes are not traffic")
        .isEqualTo(attemptsWhenOpened);

    RoutingFixture.clearModelFault(f.primary, "gpt-4o");
    Result first = untilServedByPrimary();
    List<JsonNode> attempts = f.attempts(first.requestId());
    assertThat(attempts).as("closed by the probe: the first request back is no probe of its own").hasSize(1);
    assertThat(attempts.get(0).get("outcome").asText()).isEqualTo("ok");
    assertThat(first.model()).isEqualTo("gpt-4o");
    JsonNode after = f.stats("primary");
    assertThat(after.at("/models/chat/breaker").asText()).isEqualTo("closed");
    assertThat(after.at("/models/chat/probe/ok").asBoolean()).isTrue();
    assertThat(after.at("/models/chat/probe/status").asInt()).isEqualTo(200);
    assertThat(chat(true).provider()).as("and it stays there").isEqualTo("primary");

    // Probes cost tenants nothing: one usage record per request of this test, none for the probes.
    assertThat(settledUsage() - usageBefore).isEqualTo(sent);
  }

  @Test
  void aWholeProviderDownThenHealthyIsAvoidedThenUsedAgain() throws Exception {
    RoutingFixture.fault(f.primary, "fault=503"); // GET /models fails too
    long downUntil = System.currentTimeMillis() + 3_000;
    int requests = 0;
    while (System.currentTimeMillis() < downUntil) {
      servedByFallback(chat(requests % 2 == 1));
      requests++;
      Thread.sleep(100);
    }
    JsonNode stats = f.stats("primary");
    assertThat(stats.get("breaker").asText()).isEqualTo("open");
    assertThat(stats.at("/health/ok").asBoolean()).isFalse();
    assertThat(chats(f.primary)).as("an open breaker keeps requests off the primary (probes included)")
        .isLessThan(2 * requests);

    RoutingFixture.clearFault(f.primary);
    untilServedByPrimary();
    // Breakers are per model: the one that carried the traffic is closed again by its probe.
    assertThat(f.stats("primary").at("/models/chat/breaker").asText()).isEqualTo("closed");
  }
}
