package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.RawHttp;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.usage.UsageRecord;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that hang up, through real HTTP (SPEC §3): a non-stream call is finished and charged what the
 * upstream billed; a client leaving while the gateway waits to retry ends the request at once, charged
 * nothing; a stream is stopped and charged for what was relayed. Each request uses a key of its own, so its
 * usage record is found although the client never saw its request id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ClientDisconnectContract {
  static final ModelPrice MINI = new ModelPrice("gpt-4o-mini", 150_000, 600_000, 75_000, 16_384);
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":300,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";
  /** Waits of 15–30 s: far longer than the tests wait for a request that should end at once. */
  static final int WAIT_MS = 30_000;
  static final Duration AT_ONCE = Duration.ofSeconds(10);

  TestGateway gw;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database(), c -> {
      c.billing.models.put("gpt-4o-mini", BillingContract.price("0.15", "0.60", "0.075"));
      c.billing.models.put("gpt-4o", BillingContract.price("2.50", "10.00", "1.25"));
      c.billing.models.put("gpt-4.1", BillingContract.price("2.00", "8.00", "0.50"));
      c.routing.backoffBaseMs = WAIT_MS;
      c.routing.backoffMaxMs = WAIT_MS;
      c.routing.totalTimeoutMs = 4 * WAIT_MS;
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 100_000_000, "disconnect-start-" + gw.tenantId, "start", null);
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void aNonStreamWhoseClientHangsUpIsFinishedAndChargedWhatTheAnswerCosts() {
    KeyIssuer.Issued key = key();
    String slow = "latency=1500";
    Http.Reply completed = Http.postJson(gw.baseUrl() + "/chat/completions", key.secret(), CHAT, "x-ljq-sim", slow);
    assertThat(completed.status()).isEqualTo(200);
    long full = BillingContract.micros(completed.header("x-ljq-cost"));
    assertThat(full).isPositive();
    long before = balance();
    long carry = carry();

    hangUpOnceArrived(key.secret(), CHAT, slow, 0);
    UsageRecord left = awaitNewRecord(key.keyId(), Set.of(completed.header("x-request-id")), AT_ONCE);
    assertThat(left.outcome()).isEqualTo("client_closed");
    assertThat(left.statusCode()).isEqualTo(499);
    assertThat(left.tokensEstimated()).as("the upstream's reported usage").isFalse();
    assertThat(left.completionTokens()).isEqualTo(completed.json().at("/usage/completion_tokens").asLong());
    // What the same answer costs, with the fraction of a micro-unit the tenant carried (docs/billing.md).
    long charged = Wallets.charged(carry, MINI.exactCost(left.promptTokens(), 0, 0, left.completionTokens()));
    assertThat(Math.abs(charged - full)).isLessThanOrEqualTo(1);
    assertThat(left.costMicros()).isEqualTo(charged);
    assertThat(left.provider()).isEqualTo("sim");
    assertThat(balance()).isEqualTo(before - charged);
    assertThat(reserved()).isZero();
    JsonNode attempts = decision(left.requestId()).at("/route/attempts");
    assertThat(attempts).hasSize(1);
    assertThat(attempts.get(0).get("outcome").asText()).as("the upstream's answer was good").isEqualTo("ok");
  }

  @Test
  void aNonStreamWhoseUpstreamFailsAfterTheClientLeftCostsNothingAndIsNotRetried() {
    KeyIssuer.Issued key = key();
    long before = balance();
    long calls = simChats();
    hangUpOnceArrived(key.secret(), CHAT, "latency=1000,fault=503", 0);
    UsageRecord left = awaitNewRecord(key.keyId(), Set.of(), AT_ONCE);
    assertThat(left.outcome()).isEqualTo("client_closed");
    assertThat(left.costMicros()).isZero();
    assertThat(balance()).isEqualTo(before);
    assertThat(reserved()).isZero();
    assertThat(simChats()).as("no attempt after the client left").isEqualTo(calls + 1);
  }

  @Test
  void aClientLeavingDuringARetryAfterWaitEndsTheRequestAtOnceChargedNothing() {
    KeyIssuer.Issued key = key();
    long before = balance();
    long calls = simChats();
    // The only provider says "retry after 30 s" once: the gateway waits it out, unless nobody is waiting.
    String json = CHAT.replace("gpt-4o-mini", "gpt-4.1");
    hangUpOnceArrived(key.secret(), json, "fault=429,retry_after=30,times=1,key=ra-" + System.nanoTime(), 300);
    UsageRecord left = awaitNewRecord(key.keyId(), Set.of(), AT_ONCE);
    assertThat(left.outcome()).isEqualTo("client_closed");
    assertThat(left.costMicros()).isZero();
    assertThat(balance()).isEqualTo(before);
    assertThat(reserved()).as("the reservation is released when the request ends").isZero();
    assertThat(simChats()).as("no upstream call after the client left").isEqualTo(calls + 1);
    assertThat(decision(left.requestId()).at("/route/attempts")).hasSize(1);
  }

  @Test
  void aClientLeavingDuringABackOffEndsTheRequestAtOnceChargedNothing() {
    KeyIssuer.Issued key = key();
    long before = balance();
    long calls = simChats();
    String json = CHAT.replace("gpt-4o-mini", "gpt-4o");
    hangUpOnceArrived(key.secret(), json, "fault=500", 300); // retried after a back-off of 15–30 s
    UsageRecord left = awaitNewRecord(key.keyId(), Set.of(), AT_ONCE);
    assertThat(left.outcome()).isEqualTo("client_closed");
    assertThat(left.costMicros()).isZero();
    assertThat(balance()).isEqualTo(before);
    assertThat(reserved()).isZero();
    assertThat(simChats()).as("no upstream call after the client left").isEqualTo(calls + 1);
    assertThat(decision(left.requestId()).at("/route/attempts")).hasSize(1);
  }

  @Test
  void aStreamWhoseClientLeavesBeforeTheFirstContentCostsNothing() {
    KeyIssuer.Issued key = key();
    long before = balance();
    hangUpOnceArrived(key.secret(), STREAM, "ttft=2000", 0);
    UsageRecord left = awaitNewRecord(key.keyId(), Set.of(), AT_ONCE);
    assertThat(left.outcome()).isEqualTo("client_closed");
    assertThat(left.completionTokens()).isZero();
    assertThat(left.costMicros()).isZero();
    assertThat(balance()).isEqualTo(before);
    assertThat(reserved()).isZero();
  }

  @Test
  void aStreamWhoseClientLeavesMidStreamIsChargedForTheRelayedPartOnly() {
    KeyIssuer.Issued key = key();
    long before = balance();
    long carry = carry();
    String requestId;
    try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", key.secret(), STREAM, "x-ljq-sim", "tokens=200,gap=30")) {
      requestId = s.headers.firstValue("x-request-id").orElseThrow();
      for (int n = 0; n < 5; n++) assertThat(s.nextData()).contains("chat.completion.chunk");
    } // the client hangs up
    UsageRecord left = awaitNewRecord(key.keyId(), Set.of(), AT_ONCE);
    assertThat(left.requestId()).isEqualTo(requestId);
    assertThat(left.outcome()).isEqualTo("client_closed");
    assertThat(left.tokensEstimated()).isTrue();
    assertThat(left.completionTokens()).isBetween(1L, 199L); // what was relayed, not the whole answer
    long expected = Wallets.charged(carry, MINI.exactCost(left.promptTokens(), 0, 0, left.completionTokens()));
    assertThat(left.costMicros()).isPositive().isEqualTo(expected);
    assertThat(balance()).isEqualTo(before - expected);
    assertThat(reserved()).isZero();
  }

  // --- helpers

  KeyIssuer.Issued key() {
    return gw.gateway.keyIssuer().issue(gw.userId, gw.tenantId, "k" + System.nanoTime(), Set.of(), 1000, 10_000_000, null);
  }

  /**
   * Sends a chat request on a raw connection and closes it once the simulator has the request (plus
   * {@code thenMs}): the client leaves while the gateway is still working on it, before any response byte.
   */
  void hangUpOnceArrived(String key, String json, String sim, long thenMs) {
    long calls = simChats();
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    try (RawHttp c = new RawHttp(gw.gateway.port())) {
      c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nx-ljq-sim: " + sim + "\r\nContent-Length: " + body.length + "\r\n\r\n");
      c.send(body);
      long end = System.nanoTime() + AT_ONCE.toNanos();
      while (simChats() <= calls) {
        assertThat(System.nanoTime()).as("the request reached the simulator").isLessThan(end);
        sleep(10);
      }
      sleep(thenMs);
    }
  }

  /** The key's one usage record not in {@code known}, waiting for it at most {@code within}. */
  UsageRecord awaitNewRecord(long keyId, Set<String> known, Duration within) {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      List<String> ids = new ArrayList<>();
      for (JsonNode row : usageRows(keyId)) {
        String id = row.get("request_id").asText();
        if (!known.contains(id)) ids.add(id);
      }
      assertThat(ids).hasSizeLessThanOrEqualTo(1);
      if (!ids.isEmpty()) {
        awaitShipped();
        return gw.gateway.usage().findByRequestId(ids.get(0)).get(0);
      }
      sleep(20);
    }
    throw new AssertionError("the request of key " + keyId + " had not ended after " + within);
  }

  JsonNode usageRows(long keyId) {
    Http.Reply r = Http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/billing/usage?key_id=" + keyId))
        .header(TestCallers.HEADER, TestCallers.member(gw.userId, gw.tenantId)).GET().build());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("data");
  }

  JsonNode decision(String requestId) {
    long end = System.nanoTime() + AT_ONCE.toNanos();
    while (System.nanoTime() < end) {
      Http.Reply r = Http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl().replace("/v1", "") + "/admin/requests/" + requestId))
          .header(TestCallers.HEADER, TestCallers.admin()).GET().build());
      if (r.status() == 200 && !r.json().path("route").isNull()) return r.json();
      sleep(20);
    }
    throw new AssertionError("no stored decision for " + requestId);
  }

  long simChats() {
    return Http.get(gw.gateway.simulator().baseUrl() + "/_sim/stats", null).json()
        .path("by_path").path("/v1/chat/completions").asLong(0);
  }

  long balance() {
    return gw.gateway.billing().wallets().snapshot(gw.tenantId).balance();
  }

  long carry() {
    return gw.gateway.billing().wallets().carry(gw.tenantId);
  }

  long reserved() {
    return gw.gateway.billing().wallets().snapshot(gw.tenantId).reserved();
  }

  void awaitShipped() {
    long end = System.nanoTime() + AT_ONCE.toNanos();
    while (gw.gateway.billing().pendingShipments() > 0 && System.nanoTime() < end) sleep(20);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
