package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * server.max_in_flight: with every relay slot held by a slow stream, one more request is answered 503 with
 * Retry-After at once (it never waits behind whole streams), management and model listing still answer, and the
 * slots come back when the streams end, however they end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayAdmissionTest {
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hold a slot\"}]}";
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  TestGateway gw;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2, c -> c.server.maxInFlight = 2);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  @Test
  void aRequestBeyondTheLimitIsRefusedAtOnceAndTheSlotsComeBack() throws Exception {
    List<Http.Stream> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey, STREAM, "x-ljq-sim", "chunks=40;gap=250");
      assertThat(s.status).isEqualTo(200);
      assertThat(s.nextData()).isNotNull(); // the stream is relaying: its slot is taken
      held.add(s);
    }
    Http.Reply refused = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, CHAT);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("retry-after")).isEqualTo("1");
    JsonNode err = Http.JSON.readTree(refused.body()).get("error");
    assertThat(err.get("code").asText()).isEqualTo("COMMON_004");
    assertThat(err.get("details").get("max_in_flight").asInt()).isEqualTo(2);
    // What is not relayed is not limited.
    assertThat(Http.get(gw.baseUrl() + "/models", gw.apiKey).status()).isEqualTo(200);
    assertThat(Http.get(gw.baseUrl() + "/billing/balance", gw.apiKey).status()).isEqualTo(200);

    // One stream read to its end, one abandoned by its client: both slots are given back.
    held.get(0).rest();
    held.get(0).close();
    held.get(1).close();
    long until = System.nanoTime() + 30_000_000_000L;
    int status = 0;
    while (System.nanoTime() < until) {
      status = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, CHAT).status();
      if (status == 200 && gw.gateway.relaySlots().inFlight() == 0) break;
      Thread.sleep(50);
    }
    assertThat(status).isEqualTo(200);
    assertThat(gw.gateway.relaySlots().inFlight()).isZero();
    assertThat(gw.gateway.relaySlots().refused()).isEqualTo(1);
    String metrics = Http.get(gw.baseUrl().replace("/v1", "") + "/metrics", null).body();
    assertThat(metrics).contains("ljq_relay_refused_total 1.0").contains("ljq_relay_in_flight");
  }
}
