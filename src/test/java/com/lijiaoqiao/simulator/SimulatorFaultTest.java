package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SimulatorFaultTest extends SimulatorTestBase {

  private static HttpResponse<String> chat(String directives, boolean stream) throws Exception {
    return post("/v1/chat/completions", chatBody("gpt-4o-mini", "fault test", stream,
        stream ? "\"stream_options\":{\"include_usage\":true}" : null), "x-ljq-sim", directives);
  }

  @Test
  void rateLimitWithAndWithoutRetryAfter() throws Exception {
    HttpResponse<String> r = chat("fault=429,retry_after=7", false);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("7");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isPresent();
    assertThat(json(r.body()).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
    HttpResponse<String> r2 = chat("fault=429", true);
    assertThat(r2.statusCode()).isEqualTo(429);
    assertThat(r2.headers().firstValue("retry-after")).isEmpty();
    assertThat(r2.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
  }

  @Test
  void serverErrors() throws Exception {
    HttpResponse<String> r = chat("fault=500", false);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(json(r.body()).path("error").path("type").asText()).isEqualTo("server_error");
    assertThat(chat("fault=502", true).statusCode()).isEqualTo(502);
    HttpResponse<String> r503 = chat("fault=503", true);
    assertThat(r503.statusCode()).isEqualTo(503);
    assertThat(json(r503.body()).path("error").path("message").asText()).isNotBlank();
    HttpResponse<String> a = post("/v1/messages", anthBody("x", false, null), "x-api-key", "k", "x-ljq-sim", "fault=529");
    assertThat(a.statusCode()).isEqualTo(529);
    assertThat(json(a.body()).path("error").path("type").asText()).isEqualTo("overloaded_error");
    HttpResponse<String> u = chat("fault=401", false);
    assertThat(u.statusCode()).isEqualTo(401);
    assertThat(json(u.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
  }

  @Test
  void reset() {
    assertThatThrownBy(() -> chat("fault=reset", false)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> chat("fault=reset", true)).isInstanceOf(IOException.class);
  }

  @Test
  void hang() {
    HttpRequest r = req("/v1/chat/completions").timeout(Duration.ofMillis(500))
        .header("authorization", "Bearer x").header("x-ljq-sim", "fault=hang")
        .POST(HttpRequest.BodyPublishers.ofString(chatBody("gpt-4o", "hang", false, null))).build();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> http.send(r, HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(450);
  }

  /** Reads SSE data lines until EOF or an error; returns the lines and whether the read failed. */
  private static Object[] readLines(InputStream in, List<String> lines) {
    try (BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = br.readLine()) != null) {
        if (line.startsWith("data: ")) {
          lines.add(line.substring(6));
        }
      }
      return new Object[] {lines, false};
    } catch (IOException e) {
      return new Object[] {lines, true};
    }
  }

  private static HttpResponse<InputStream> streamRaw(String directives) throws Exception {
    HttpRequest r = req("/v1/chat/completions").header("authorization", "Bearer x").header("x-ljq-sim", directives)
        .POST(HttpRequest.BodyPublishers.ofString(chatBody("gpt-4o-mini", "stream fault", true, null))).build();
    return http.send(r, HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void cutAfterNChunks() throws Exception {
    // Bytes are collected as they arrive (a consumer, not an InputStream): java.net.http's InputStream drops
    // buffered data once the connection error is known, which made this test depend on thread timing.
    HttpRequest req = req("/v1/chat/completions").header("authorization", "Bearer x")
        .header("x-ljq-sim", "fault=cut,after=3,tokens=10")
        .POST(HttpRequest.BodyPublishers.ofString(chatBody("gpt-4o-mini", "stream fault", true, null))).build();
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    boolean cut = false;
    try {
      HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.ofByteArrayConsumer(
          b -> b.ifPresent(bytes -> got.write(bytes, 0, bytes.length))));
      assertThat(r.statusCode()).isEqualTo(200);
    } catch (IOException e) {
      cut = true;
    }
    assertThat(cut).as("connection cut must surface as IOException").isTrue();
    List<String> lines = new java.util.ArrayList<>();
    for (String line : got.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("data: ")) lines.add(line.substring(6));
    }
    assertThat(lines).hasSize(1 + 3); // role chunk + 3 content chunks
    assertThat(lines).doesNotContain("[DONE]");
  }

  @Test
  void cutNonStreamTruncatesBody() {
    assertThatThrownBy(() -> chat("fault=cut", false)).isInstanceOf(IOException.class);
  }

  @Test
  void stallKeepsConnectionOpen() throws Exception {
    HttpResponse<InputStream> r = streamRaw("fault=stall,after=2,tokens=10");
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread t = Thread.ofVirtual().start(() -> readLines(r.body(), lines));
    t.join(600);
    assertThat(t.isAlive()).as("stream should still be open").isTrue();
    assertThat(lines).hasSize(1 + 2);
    r.body().close();
    t.join(2000);
  }

  @Test
  void malformedChunkThenContinues() throws Exception {
    HttpResponse<String> r = chat("fault=malformed,after=2,tokens=6", true);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataLines(r.body());
    // role + 6 content (one replaced by garbage) + finish + usage + DONE
    assertThat(data).hasSize(10);
    assertThat(data.get(2)).startsWith("{\"id\":\"chatcmpl-x\"").contains("oops");
    assertThatThrownBy(() -> M.readTree(data.get(2))).isInstanceOf(IOException.class);
    assertThat(data.get(9)).isEqualTo("[DONE]");
    for (int i = 0; i < data.size() - 1; i++) {
      if (i != 2) {
        json(data.get(i));
      }
    }
  }

  @Test
  void streamErrorEventAfterNChunks() throws Exception {
    HttpResponse<String> r = chat("fault=stream_error,after=2,tokens=6", true);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataLines(r.body());
    assertThat(data).hasSize(1 + 2 + 1); // role + 2 content + the error, no finish chunk, no [DONE]
    assertThat(json(data.get(3)).path("error").path("type").asText()).isEqualTo("server_error");
    HttpResponse<String> a = post("/v1/messages", anthBody("x", true, null), "x-api-key", "k", "x-ljq-sim",
        "fault=stream_error,after=1,tokens=4");
    assertThat(eventNames(a.body())).endsWith("content_block_delta", "error").doesNotContain("message_stop");
    List<String> ad = dataLines(a.body());
    assertThat(json(ad.get(ad.size() - 1)).path("error").path("type").asText()).isEqualTo("overloaded_error");
    assertThat(chat("fault=stream_error", false).statusCode()).isEqualTo(500);
  }

  @Test
  void noDone() throws Exception {
    HttpResponse<String> r = chat("fault=no_done,tokens=3", true);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataLines(r.body());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(json(data.get(data.size() - 1)).path("usage").path("completion_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void contextLengthAndContentPolicy() throws Exception {
    HttpResponse<String> r = chat("fault=context_length", false);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode e = json(r.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo("context_length_exceeded");
    assertThat(e.path("param").asText()).isEqualTo("messages");
    assertThat(e.path("message").asText()).startsWith("This model's maximum context length is 128000");
    HttpResponse<String> a = post("/v1/messages", anthBody("x", false, null), "x-api-key", "k", "x-ljq-sim",
        "fault=context_length");
    assertThat(a.statusCode()).isEqualTo(400);
    assertThat(json(a.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(json(a.body()).path("error").path("message").asText()).contains("prompt is too long");

    HttpResponse<String> p = chat("fault=content_policy", true);
    assertThat(p.statusCode()).isEqualTo(400);
    assertThat(json(p.body()).path("error").path("code").asText()).isEqualTo("content_policy_violation");
    HttpResponse<String> ap = post("/v1/messages", anthBody("x", false, null), "x-api-key", "k", "x-ljq-sim",
        "fault=content_policy");
    assertThat(ap.statusCode()).isEqualTo(400);
    assertThat(json(ap.body()).path("error").path("message").asText()).contains("policy");
  }

  @Test
  void modelNotFoundAndBadBody() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("gpt-9::fault=model_not_found", "x", false, null));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r.body()).path("error").path("code").asText()).isEqualTo("model_not_found");
    assertThat(json(r.body()).path("error").path("message").asText()).contains("gpt-9").doesNotContain("::");
    HttpResponse<String> a = post("/v1/messages", anthBody("x", false, null), "x-api-key", "k", "x-ljq-sim",
        "fault=model_not_found");
    assertThat(a.statusCode()).isEqualTo(404);
    assertThat(json(a.body()).path("error").path("type").asText()).isEqualTo("not_found_error");

    HttpResponse<String> b = chat("fault=bad_body", false);
    assertThat(b.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> M.readTree(b.body())).isInstanceOf(IOException.class);
  }

  @Test
  void timesAndKey() throws Exception {
    String d = "fault=500;times=1;key=once-" + System.nanoTime();
    assertThat(chat(d, false).statusCode()).isEqualTo(500);
    assertThat(chat(d, false).statusCode()).isEqualTo(200);
    assertThat(chat(d, false).statusCode()).isEqualTo(200);
    String d2 = "fault=503,times=2,key=twice-" + System.nanoTime();
    assertThat(chat(d2, true).statusCode()).isEqualTo(503);
    assertThat(chat(d2, true).statusCode()).isEqualTo(503);
    assertThat(chat(d2, true).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownModelIsServed() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("my-custom-model", "x", false, null));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).path("model").asText()).isEqualTo("my-custom-model");
  }
}
