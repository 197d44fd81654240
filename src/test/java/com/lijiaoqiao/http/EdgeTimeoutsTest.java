package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.RawHttp;
import com.lijiaoqiao.testing.TestGateway;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Idle and slow clients are shown the door after short (test-sized) deadlines, but a client waiting for a slow
 * upstream, or reading a stream that goes quiet, is never cut by the edge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EdgeTimeoutsTest {
  static final int IDLE_MS = 1_000;
  static final int READ_MS = 1_000;
  TestGateway gw;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.server.idleTimeoutMs = IDLE_MS;
      c.server.requestReadTimeoutMs = READ_MS;
      c.upstream.idleTimeoutMs = 20_000; // upstream silences in these tests are the point, not a failure
    });
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  int port() {
    return gw.gateway.port();
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() {
    try (RawHttp c = new RawHttp(port())) {
      assertThat(c.closedWithin(15_000)).isTrue();
    }
  }

  @Test
  void aKeptAliveConnectionIsClosedOnceIdle() {
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(c.closedWithin(15_000)).isTrue();
    }
  }

  @Test
  void headersTrickledSlowlyAreCutOff() throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");
      long deadline = System.currentTimeMillis() + 15_000;
      boolean cut = false;
      // A header line every 200 ms: each byte resets no clock, and the headers never end.
      while (!cut && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        try {
          c.send("x-slow: " + System.nanoTime() + "\r\n");
          c.socket.setSoTimeout(1);
          cut = c.socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // go on trickling
        } catch (IOException | java.io.UncheckedIOException gone) {
          cut = true;
        }
      }
      assertThat(cut).as("slowloris connection closed").isTrue();
    }
  }

  @Test
  void aBodyTrickledSlowlyGets408AndTheConnectionCloses() throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + gw.apiKey + "\r\nContent-Length: 1000\r\n\r\n{");
      long deadline = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < deadline && c.socket.getInputStream().available() == 0) {
        Thread.sleep(200);
        try {
          c.send(" ");
        } catch (java.io.UncheckedIOException gone) {
          break;
        }
      }
      RawHttp.Response r = c.read();
      assertThat(r.status()).as(r.body()).isEqualTo(408);
      JsonNode err = r.json().get("error");
      assertThat(err.get("code").asText()).isEqualTo("COMMON_001");
      assertThat(err.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
      assertThat(c.closedWithin(10_000)).isTrue();
    }
    assertThat(gw.gateway.bodyBudget().held()).isZero();
  }

  @Test
  void aStreamWhoseUpstreamIsSilentLongerThanTheIdleTimeoutIsNotCut() {
    // 3 s of silence before the first chunk and again between chunks: three times the edge's deadlines.
    try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-ljq-sim", "ttft=3000; gap=1500; chunks=3")) {
      assertThat(s.status).isEqualTo(200);
      List<String> events = s.rest();
      assertThat(events).last().isEqualTo("[DONE]");
      assertThat(events.stream().filter(e -> e.contains("\"content\"")).count()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aClientWaitingForASlowAnswerIsNotCut() {
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-ljq-sim", "latency=3000");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().at("/choices/0/message/content").asText()).isNotEmpty();
  }
}
