package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.RawHttp;
import com.lijiaoqiao.testing.TestGateway;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The edge against greedy and lying clients: memory follows real bytes, a global body budget, header limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EdgeLimitsTest {
  static final long BUDGET = 2L * 1024 * 1024;
  static final int PER_IP = 150;
  TestGateway gw;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.server.maxBufferedBodyBytes = BUDGET;
      c.server.maxHeaders = 50;
      c.server.maxConnectionsPerIp = PER_IP;
    });
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  int port() {
    return gw.gateway.port();
  }

  String head(long contentLength) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + gw.apiKey + "\r\nContent-Length: " + contentLength + "\r\n\r\n";
  }

  /** A chat request of exactly {@code size} bytes (padded with JSON whitespace, so it stays a short prompt). */
  static byte[] chatOfSize(int size) {
    String suffix = "\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}";
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) ' ');
    out[0] = '{';
    System.arraycopy(suffix.getBytes(StandardCharsets.UTF_8), 0, out, size - suffix.length(), suffix.length());
    return out;
  }

  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }

  void awaitBudget(long expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (gw.gateway.bodyBudget().held() != expected && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertThat(gw.gateway.bodyBudget().held()).isEqualTo(expected);
  }

  @Test
  void connectionsThatOnlyAnnounceHugeBodiesCostNoMemory() throws Exception {
    long before = usedHeapAfterGc();
    List<RawHttp> liars = new ArrayList<>();
    try {
      // 100 × 8 MiB announced: 800 MiB if the gateway believed them.
      for (int i = 0; i < 100; i++) liars.add(new RawHttp(port()).send(head(8L * 1024 * 1024)));
      // A real request after them on fresh connections: the liars' headers have been handled by then.
      for (int i = 0; i < 4; i++) assertThat(Http.get(gw.baseUrl().replace("/v1", "/health"), null).status()).isEqualTo(200);
      Thread.sleep(300);
      long grown = usedHeapAfterGc() - before;
      assertThat(grown).as("heap growth with 100 liars open").isLessThan(256L * 1024 * 1024);
      assertThat(gw.gateway.bodyBudget().held()).isZero();
      assertThat(Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").status()).isEqualTo(200);
    } finally {
      liars.forEach(RawHttp::close);
    }
  }

  @Test
  void bodiesBeyondTheGlobalBudgetAreRefusedWith503AndTheBudgetComesBackWhenTheyEnd() throws Exception {
    int size = 1024 * 1024;
    int sent = 700 * 1024;
    byte[] body = chatOfSize(size);
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        clients.add(new RawHttp(port()).send(head(size)).send(Arrays.copyOf(body, sent)));
      }
      // 6 × 700 KiB do not fit in 2 MiB: at most two bodies are held, the rest are answered 503 at once.
      List<RawHttp> held = new ArrayList<>();
      int refused = 0;
      for (RawHttp c : clients) {
        c.socket.setSoTimeout(3_000);
        try {
          RawHttp.Response r = c.read();
          assertThat(r.status()).as(r.body()).isEqualTo(503);
          JsonNode err = r.json().get("error");
          assertThat(err.get("code").asText()).isEqualTo("COMMON_004");
          assertThat(err.get("retryable").asBoolean()).isTrue();
          assertThat(r.header("retry-after")).isNotBlank();
          refused++;
        } catch (UncheckedIOException timeout) {
          held.add(c); // still being read: no answer yet
        }
      }
      assertThat(refused).isGreaterThanOrEqualTo(4);
      assertThat(gw.gateway.bodyBudget().held()).isLessThanOrEqualTo(BUDGET).isEqualTo((long) held.size() * sent);
      // A held body that completes goes through, and hands its bytes back.
      RawHttp first = held.remove(0);
      first.socket.setSoTimeout(20_000);
      RawHttp.Response ok = first.send(Arrays.copyOfRange(body, sent, size)).read();
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      awaitBudget((long) held.size() * sent);
      // Clients that vanish mid-body hand theirs back too.
      held.forEach(RawHttp::close);
      awaitBudget(0);
    } finally {
      clients.forEach(RawHttp::close);
    }
    awaitBudget(0);
  }

  @Test
  void connectionsBeyondThePerIpCapAreClosedAndTheCountComesBack() {
    List<RawHttp> conns = new ArrayList<>();
    try {
      for (int i = 0; i < PER_IP + 10; i++) conns.add(new RawHttp(port()));
      int answered = 0;
      int closed = 0;
      for (RawHttp c : conns) {
        try {
          RawHttp.Response r = c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read();
          assertThat(r.status()).isEqualTo(200);
          answered++;
        } catch (AssertionError | UncheckedIOException refused) {
          closed++;
        }
      }
      assertThat(answered).isLessThanOrEqualTo(PER_IP);
      assertThat(closed).isGreaterThanOrEqualTo(10);
    } finally {
      conns.forEach(RawHttp::close);
    }
    // Closed connections count no more: a fresh one is served (the server may take a moment to see the closes).
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (RawHttp c = new RawHttp(port())) {
        assertThat(c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        break;
      } catch (AssertionError | UncheckedIOException notYet) {
        if (System.currentTimeMillis() > deadline) throw notYet;
      }
    }
  }

  @Test
  void transferEncodingTogetherWithContentLengthIsRefusedAndTheConnectionClosed() {
    for (String te : List.of("chunked", "gzip, chunked", "identity")) {
      try (RawHttp c = new RawHttp(port())) {
        RawHttp.Response r = c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer " + gw.apiKey + "\r\nTransfer-Encoding: " + te + "\r\nContent-Length: 4\r\n\r\n"
            + "0\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertThat(r.status()).as(te + ": " + r.body()).isEqualTo(400);
        JsonNode err = r.json().get("error");
        assertThat(err.get("code").asText()).isEqualTo("COMMON_001");
        assertThat(err.get("message").asText()).contains("Transfer-Encoding").contains("Content-Length");
        assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(c.closedWithin(10_000)).as("connection closed after " + te).isTrue();
      }
    }
  }

  @Test
  void everyResponseSaysNosniff() {
    assertThat(Http.get(gw.baseUrl().replace("/v1", "/health"), null).header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(Http.get(gw.baseUrl() + "/models", "wrong").header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(Http.get(gw.baseUrl() + "/nowhere", gw.apiKey).header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .header("x-content-type-options")).isEqualTo("nosniff");
  }

  @Test
  void requestIdsAreRandomBeyondTheirMillisecond() {
    Set<String> ids = new HashSet<>();
    String previous = null;
    for (int i = 0; i < 40; i++) {
      String id = Http.get(gw.baseUrl().replace("/v1", "/health"), null).header("x-request-id");
      assertThat(id).matches("req_[A-Za-z0-9_-]{32}");
      if (previous != null) {
        // "req_" and 8 characters of the clock, then the random part: consecutive ids of a counter would share
        // its start, random ones almost never share 5 characters.
        String mine = id.substring(12);
        String theirs = previous.substring(12);
        int common = 0;
        while (common < mine.length() && mine.charAt(common) == theirs.charAt(common)) common++;
        assertThat(common).as(previous + " then " + id).isLessThan(5);
        assertThat(id).as("ids sort by time").isGreaterThanOrEqualTo(previous.substring(0, 12));
      }
      ids.add(id);
      previous = id;
    }
    assertThat(ids).hasSize(40);
  }

  @Test
  void aMegabyteOfHeadersStillGetsIts431ReadByAClientThatIsStillSending() throws Exception {
    // The gateway refuses after 64 KiB while the client goes on writing: closing at once would reset the connection
    // and could destroy the answer before the client reads it (found by the hostile suite, intermittently).
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 12; i++) {
      java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port() + "/v1/models"))
          .header("X-Hx-Pad", "a".repeat(1_000_000)).header("authorization", "Bearer " + gw.apiKey)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build();
      var r = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(431);
    }
  }

  @Test
  void tooManyOrTooLargeHeadersGet431AndATooLongLine414InTheErrorShape() {
    StringBuilder many = new StringBuilder("GET /v1/models HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 60; i++) many.append("x-h").append(i).append(": v\r\n");
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send(many.append("\r\n").toString()).read();
      assertThat(r.status()).as(r.body()).isEqualTo(431);
      assertThat(r.json().at("/error/code").asText()).isEqualTo("COMMON_001");
      assertThat(r.json().at("/error/message").asText()).contains("header");
    }
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-big: " + "a".repeat(70_000) + "\r\n\r\n").read();
      assertThat(r.status()).as(r.body()).isEqualTo(431);
      assertThat(r.json().at("/error/trace_id").asText()).startsWith("req_");
      assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    }
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send("GET /v1/models?q=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(r.status()).as(r.body()).isEqualTo(414);
      assertThat(r.json().at("/error/code").asText()).isEqualTo("COMMON_001");
    }
  }

  @Test
  void clientsThatResetAreNotLoggedAsErrors() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try {
      byte[] body = chatOfSize(64 * 1024);
      for (int i = 0; i < 20; i++) {
        // Mid-body: half a body, then a TCP reset.
        RawHttp half = new RawHttp(port()).send(head(body.length)).send(Arrays.copyOf(body, body.length / 2));
        half.socket.setSoLinger(true, 0);
        half.close();
        // Mid-answer: a stream read until its first bytes, then a reset.
        byte[] stream = ("{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .getBytes(StandardCharsets.UTF_8);
        RawHttp mid = new RawHttp(port()).send(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/json\r\nx-ljq-sim: tokens=200; gap=5\r\nAuthorization: Bearer " + gw.apiKey
            + "\r\nContent-Length: " + stream.length + "\r\n\r\n")).send(stream);
        assertThat(mid.socket.getInputStream().read()).isPositive();
        mid.socket.setSoLinger(true, 0);
        mid.close();
        // Between requests: answered, then a reset on the kept-alive connection.
        RawHttp kept = new RawHttp(port());
        assertThat(kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        kept.socket.setSoLinger(true, 0);
        kept.close();
      }
      awaitBudget(0);
      Thread.sleep(500);
    } finally {
      root.detachAppender(captured);
    }
    List<String> errors = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(captured.list)) {
      if (e.getLevel().isGreaterOrEqual(Level.ERROR)) errors.add(e.getLoggerName() + ": " + e.getFormattedMessage());
    }
    assertThat(errors).isEmpty();
  }
}
