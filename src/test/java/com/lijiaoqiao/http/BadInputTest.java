package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Hostile and careless input: always a 4xx in the documented shape, with a message that says what is wrong. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
  TestGateway gw;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  String chat() {
    return gw.baseUrl() + "/chat/completions";
  }

  static JsonNode assertError(Http.Reply r, int status, String code, String messagePart) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode err = r.json().get("error");
    assertThat(err).as(r.body()).isNotNull();
    assertThat(err.get("code").asText()).isEqualTo(code);
    assertThat(err.get("message").asText()).containsIgnoringCase(messagePart);
    assertThat(err.at("/message_i18n/zh_CN").asText()).isNotBlank();
    assertThat(err.at("/message_i18n/en_US").asText()).isNotBlank();
    assertThat(err.get("type").asText()).isNotBlank();
    assertThat(err.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
    assertThat(err.has("retryable")).isTrue();
    assertThat(err.get("doc_url").asText()).startsWith("https://");
    assertThat(err.has("details")).isTrue();
    return err;
  }

  @Test
  void malformedJson() {
    assertError(Http.postJson(chat(), gw.apiKey, "{\"model\": \"gpt-4o-mini\", "), 400, "COMMON_001", "not valid JSON");
  }

  @Test
  void bodyThatIsNotAnObject() {
    assertError(Http.postJson(chat(), gw.apiKey, "[1,2,3]"), 400, "COMMON_001", "must be a JSON object");
    assertError(Http.postJson(chat(), gw.apiKey, "\"hello\""), 400, "COMMON_001", "must be a JSON object");
  }

  @Test
  void missingOrNonStringModel() {
    assertError(Http.postJson(chat(), gw.apiKey, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400, "COMMON_001", "'model' is required");
    assertError(Http.postJson(chat(), gw.apiKey, "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400, "COMMON_001", "'model' must be a non-empty string");
  }

  @Test
  void messagesNotAnArray() {
    assertError(Http.postJson(chat(), gw.apiKey, "{\"model\":\"gpt-4o-mini\",\"messages\":\"hi\"}"),
        400, "COMMON_001", "'messages' must be an array");
    assertError(Http.postJson(chat(), gw.apiKey, "{\"model\":\"gpt-4o-mini\"}"), 400, "COMMON_001", "'messages' is required");
    assertError(Http.postJson(chat(), gw.apiKey, "{\"model\":\"gpt-4o-mini\",\"messages\":[]}"),
        400, "COMMON_001", "at least one message");
    assertError(Http.postJson(chat(), gw.apiKey, "{\"model\":\"gpt-4o-mini\",\"messages\":[\"hi\"]}"),
        400, "COMMON_001", "'messages[0]' must be an object");
  }

  @Test
  void wrongTypesOfOptionalFields() {
    assertError(Http.postJson(chat(), gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400, "COMMON_001", "'stream' must be a boolean");
    assertError(Http.postJson(chat(), gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"max_tokens\":-5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400, "COMMON_001", "'max_tokens' must be a positive integer");
  }

  @Test
  void unknownModel() {
    assertError(Http.postJson(chat(), gw.apiKey,
        "{\"model\":\"gpt-9-ultra\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        404, "PROVIDER_004", "gpt-9-ultra");
  }

  @Test
  void hugeBodyIsRefusedWith413() {
    byte[] big = new byte[12 * 1024 * 1024];
    Arrays.fill(big, (byte) 'a');
    String prefix = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"";
    System.arraycopy(prefix.getBytes(StandardCharsets.UTF_8), 0, big, 0, prefix.length());
    Http.Reply r = Http.send(Http.post(chat(), gw.apiKey, big).build());
    assertError(r, 413, "COMMON_001", "larger than the limit");
  }

  @Test
  void hugeChunkedBodyWithoutContentLengthIsRefusedToo() {
    byte[] chunk = new byte[1024 * 1024];
    Arrays.fill(chunk, (byte) 'a');
    // java.net.http sends a body of unknown length chunked: build one from 12 × 1 MiB.
    java.util.List<java.io.InputStream> parts = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) parts.add(new java.io.ByteArrayInputStream(chunk));
    HttpRequest req = HttpRequest.newBuilder(URI.create(chat()))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .header("authorization", "Bearer " + gw.apiKey)
        .POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new java.io.SequenceInputStream(java.util.Collections.enumeration(parts))))
        .build();
    try {
      Http.Reply r = Http.send(req);
      assertError(r, 413, "COMMON_001", "larger than the limit");
    } catch (AssertionError e) {
      // The gateway may close the connection while the client is still sending: that is a refusal too,
      // as long as it is not a hang or a 5xx (the timeout above guards the hang).
      assertThat(e.getMessage()).containsAnyOf("IOException", "closed", "reset", "EOF", "Broken pipe");
    }
  }

  @Test
  void invalidUtf8() {
    byte[] prefix = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
    byte[] suffix = "\"}]}".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[prefix.length + 3 + suffix.length];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    body[prefix.length] = (byte) 0xC3;
    body[prefix.length + 1] = (byte) 0x28; // not a continuation byte
    body[prefix.length + 2] = (byte) 0xFF;
    System.arraycopy(suffix, 0, body, prefix.length + 3, suffix.length);
    assertError(Http.send(Http.post(chat(), gw.apiKey, body).build()), 400, "COMMON_001", "UTF-8");
  }

  @Test
  void emptyBody() {
    assertError(Http.postJson(chat(), gw.apiKey, ""), 400, "COMMON_001", "empty");
  }

  @Test
  void wrongContentType() {
    Http.Reply r = Http.send(Http.post(chat(), gw.apiKey,
        "model=gpt-4o-mini".getBytes(StandardCharsets.UTF_8), "content-type", "application/x-www-form-urlencoded").build());
    assertError(r, 415, "COMMON_001", "Content-Type must be application/json");
  }

  @Test
  void unknownPathAndWrongMethod() {
    assertError(Http.get(gw.baseUrl() + "/nope", gw.apiKey), 404, "COMMON_002", "No such endpoint");
    Http.Reply r = Http.get(chat(), gw.apiKey);
    assertError(r, 405, "COMMON_001", "not allowed");
    assertThat(r.header("allow")).isEqualTo("POST");
  }

  @Test
  void credentialsProblems() {
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    assertError(Http.postJson(chat(), null, body), 401, "AUTH_001", "Missing API key");
    assertError(Http.postJson(chat(), "lgw-nope", body), 401, "AUTH_001", "Invalid API key");
    assertError(Http.postJson(chat(), "lgw-" + "A".repeat(43), body), 401, "AUTH_001", "Invalid API key");
    Http.Reply q = Http.postJson(chat() + "?api_key=" + gw.apiKey, null, body);
    JsonNode err = assertError(q, 401, "QUERY_KEY_NOT_ALLOWED", "query string");
    assertThat(q.body()).doesNotContain(gw.apiKey);
    assertThat(err.get("message").asText()).doesNotContain(gw.apiKey);
  }

  @Test
  void warmUpHeadWithoutKeyIsAnswered() throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var r = client.send(HttpRequest.newBuilder(URI.create(gw.baseUrl().replace("/v1", "/")))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(r.statusCode()).isEqualTo(200);
  }
}
