package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An OpenAI client's structured-output request reaching an Anthropic upstream: what the upstream receives is
 * recorded by a small Anthropic-speaking server, so the mapped request itself is checked, not just the answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonSchemaToAnthropicTest {
  static final String ANSWER = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
      + "\"content\":[{\"type\":\"text\",\"text\":\"{\\\"city\\\":\\\"Chongqing\\\"}\"}],\"stop_reason\":\"end_turn\","
      + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":6}}";
  Vertx vertx;
  HttpServer upstream;
  final AtomicReference<JsonNode> received = new AtomicReference<>();
  TestGateway gw;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      try {
        received.set(Http.JSON.readTree(b.getBytes()));
      } catch (java.io.IOException e) {
        received.set(null);
      }
      req.response().putHeader("content-type", "application/json").end(Buffer.buffer(ANSWER));
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gw = TestGateway.start(Databases.Kind.H2, cfg -> {
      GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
      p.id = "recording-anthropic";
      p.kind = "anthropic";
      p.baseUrl = "http://127.0.0.1:" + upstream.actualPort();
      p.apiKey = "sk-ant-test";
      p.models.put("claude-structured", "claude-x");
      cfg.providers.add(p);
    });
  }

  @AfterAll
  void stop() {
    gw.close();
    vertx.close();
  }

  @Test
  void jsonSchemaReachesTheUpstreamAsOutputConfigFormat() throws Exception {
    String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
        + "\"additionalProperties\":false}";
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, "{\"model\":\"claude-structured\","
        + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"place\",\"strict\":true,"
        + "\"schema\":" + schema + "}},\"user\":\"u-7\",\"store\":false,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Where are the bridges?\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode up = received.get();
    assertThat(up.get("model").asText()).isEqualTo("claude-x");
    assertThat(up.at("/output_config/format")).isEqualTo(Http.JSON.readTree(
        "{\"type\":\"json_schema\",\"schema\":" + schema + "}"));
    assertThat(up.has("response_format")).isFalse();
    assertThat(up.at("/metadata/user_id").asText()).isEqualTo("u-7");
    assertThat(up.has("store")).isFalse();
    assertThat(r.header("x-ljq-dropped")).isEqualTo("store");
    JsonNode answer = Http.JSON.readTree(r.json().at("/choices/0/message/content").asText());
    assertThat(answer.get("city").asText()).isEqualTo("Chongqing");
  }

  @Test
  void jsonObjectIsRefusedNamingTheFieldAndNothingIsSent() {
    received.set(null);
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, "{\"model\":\"claude-structured\","
        + "\"response_format\":{\"type\":\"json_object\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().at("/error/message").asText()).contains("response_format.type").contains("json_schema");
    assertThat(received.get()).isNull();
  }
}
