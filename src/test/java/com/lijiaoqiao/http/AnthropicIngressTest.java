package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.conformance.TwoDialectGatewayAccess;
import com.lijiaoqiao.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /v1/messages and /v1/messages/count_tokens as Anthropic clients (Claude Code among them) use them:
 * hostile input first (always a 4xx in Anthropic's error shape carrying our code, trace id and i18n), then
 * keys, headers, ?beta=true, role "system" inside messages, and what passes through or is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicIngressTest {
  static final String AN = "anthropic/chat";
  static final String OA = "openai-compatible/chat";
  TwoDialectGatewayAccess gw;
  String url;

  @BeforeAll
  void start() {
    gw = new TwoDialectGatewayAccess();
    url = gw.root() + "/v1/messages";
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  Http.Reply post(String body, String... extra) {
    String[] h = new String[extra.length + 2];
    h[0] = "x-api-key";
    h[1] = gw.apiKey();
    System.arraycopy(extra, 0, h, 2, extra.length);
    return Http.postJson(url, null, body, h);
  }

  static JsonNode assertAnthropicError(Http.Reply r, int status, String code, String messagePart) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode j = r.json();
    assertThat(j.get("type").asText()).as(r.body()).isEqualTo("error");
    JsonNode err = j.get("error");
    assertThat(err.get("type").asText()).isNotBlank();
    assertThat(err.get("code").asText()).isEqualTo(code);
    assertThat(err.get("message").asText()).containsIgnoringCase(messagePart);
    assertThat(err.at("/message_i18n/zh_CN").asText()).isNotBlank();
    assertThat(err.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
    return err;
  }

  // ---- hostile input ----

  @Test
  void malformedJson() {
    assertAnthropicError(post("{\"model\": \"x\", "), 400, "COMMON_001", "not valid JSON");
  }

  @Test
  void notAnObject() {
    assertAnthropicError(post("[1,2]"), 400, "COMMON_001", "JSON object");
    assertAnthropicError(post(""), 400, "COMMON_001", "empty");
  }

  @Test
  void missingMaxTokens() {
    assertAnthropicError(post("{\"model\":\"" + AN + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        400, "COMMON_001", "max_tokens");
  }

  @Test
  void wrongTypes() {
    String base = "\"model\":\"" + AN + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    assertAnthropicError(post("{\"model\":5,\"max_tokens\":10,\"messages\":[]}"), 400, "COMMON_001", "model");
    assertAnthropicError(post("{" + base.replace("10", "\"ten\"") + "}"), 400, "COMMON_001", "max_tokens");
    assertAnthropicError(post("{" + base.replace("10", "-1") + "}"), 400, "COMMON_001", "max_tokens");
    assertAnthropicError(post("{" + base + ",\"stream\":\"yes\"}"), 400, "COMMON_001", "stream");
    assertAnthropicError(post("{" + base + ",\"temperature\":\"hot\"}"), 400, "COMMON_001", "temperature");
    assertAnthropicError(post("{" + base + ",\"system\":5}"), 400, "COMMON_001", "system");
    assertAnthropicError(post("{" + base + ",\"tools\":{}}"), 400, "COMMON_001", "tools");
    assertAnthropicError(post("{" + base + ",\"tool_choice\":{\"type\":\"sometimes\"}}"), 400, "COMMON_001",
        "tool_choice");
    assertAnthropicError(post("{\"model\":\"" + AN + "\",\"max_tokens\":10,\"messages\":\"hi\"}"), 400,
        "COMMON_001", "messages");
    assertAnthropicError(post("{\"model\":\"" + AN + "\",\"max_tokens\":10,\"messages\":[]}"), 400,
        "COMMON_001", "at least one");
    assertAnthropicError(post("{\"model\":\"" + AN + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"robot\","
        + "\"content\":\"hi\"}]}"), 400, "COMMON_001", "messages[0].role");
  }

  @Test
  void badContentBlocks() {
    String pre = "{\"model\":\"" + AN + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":";
    assertAnthropicError(post(pre + "[5]}]}"), 400, "COMMON_001", "messages[0].content[0]");
    assertAnthropicError(post(pre + "[{\"text\":\"no type\"}]}]}"), 400, "COMMON_001", "type");
    assertAnthropicError(post(pre + "[{\"type\":\"text\"}]}]}"), 400, "COMMON_001", "text");
    assertAnthropicError(post(pre + "[{\"type\":\"image\",\"source\":{\"type\":\"base64\"}}]}]}"), 400,
        "COMMON_001", "media_type");
    assertAnthropicError(post(pre + "[{\"type\":\"tool_result\"}]}]}"), 400, "COMMON_001", "tool_use_id");
    assertAnthropicError(post(pre + "{\"a\":1}}]}"), 400, "COMMON_001", "content");
  }

  @Test
  void unknownModel() {
    assertAnthropicError(post("{\"model\":\"no-such-model\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}"), 404, "PROVIDER_004", "no-such-model");
  }

  @Test
  void wrongMethodAndContentType() {
    Http.Reply r = Http.get(url, gw.apiKey());
    assertAnthropicError(r, 405, "COMMON_001", "POST");
    Http.Reply r2 = Http.postJson(url, gw.apiKey(), "{}", "content-type", "text/plain");
    assertAnthropicError(r2, 415, "COMMON_001", "application/json");
  }

  @Test
  void missingOrBadKey() {
    String body = "{\"model\":\"" + AN + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertAnthropicError(Http.postJson(url, null, body), 401, "AUTH_001", "API key");
    assertAnthropicError(Http.postJson(url, null, body, "x-api-key", "lgw-nope"), 401, "AUTH_001", "Invalid");
  }

  // ---- keys, headers, Claude Code habits ----

  @ParameterizedTest
  @ValueSource(strings = {AN, OA})
  void keyAsBearerOrXApiKeyAndBetaQuery(String model) {
    String body = "{\"model\":\"" + model + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(Http.postJson(url + "?beta=true", gw.apiKey(), body).status()).isEqualTo(200);
    Http.Reply r = post(body, "anthropic-version", "2023-06-01", "anthropic-beta",
        "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("type").asText()).isEqualTo("message");
    assertThat(r.header("x-request-id")).isNotBlank();
    assertThat(r.header("x-ljq-provider")).isNotBlank();
  }

  @Test
  void headRootWarmUpWithoutKey() throws Exception {
    var r = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.root() + "/"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {AN, OA})
  void systemRoleInsideMessages(String model) {
    Http.Reply plain = post("{\"model\":\"" + model + "\",\"max_tokens\":10,\"messages\":["
        + "{\"role\":\"user\",\"content\":\"hi\"}]}");
    Http.Reply r = post("{\"model\":\"" + model + "\",\"max_tokens\":10,\"system\":\"Be kind.\",\"messages\":["
        + "{\"role\":\"system\",\"content\":\"You are Claude Code, a very careful assistant.\"},"
        + "{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().at("/usage/input_tokens").asLong()).isGreaterThan(plain.json().at("/usage/input_tokens").asLong());
  }

  @Test
  void claudeCodeExtrasPassThroughToAnAnthropicUpstream() {
    String body = "{\"model\":\"" + AN + "\",\"max_tokens\":2048,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
        + "\"metadata\":{\"user_id\":\"u1\"},\"context_management\":{\"edits\":[]},\"output_config\":{\"effort\":\"high\"},"
        + "\"system\":[{\"type\":\"text\",\"text\":\"You are a coding agent with a long and stable prompt.\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi " + System.nanoTime() + "\"}]}";
    JsonNode first = post(body).json();
    assertThat(first.get("content").get(0).get("type").asText()).isEqualTo("thinking");
    assertThat(first.at("/usage/cache_creation_input_tokens").asLong()).isPositive();
    JsonNode second = post(body).json();
    assertThat(second.at("/usage/cache_read_input_tokens").asLong()).isPositive();
  }

  /** A Claude Code 2.x turn, trimmed: context editing, cache markers, metadata, thinking, tools. */
  static String claudeCodeTurn(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":2048,\"stream\":" + stream + ",\"temperature\":1,"
        + "\"metadata\":{\"user_id\":\"user_abc_account_def_session_ghi\"},"
        + "\"context_management\":{\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]},"
        + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
        + "\"system\":[{\"type\":\"text\",\"text\":\"You are Claude Code.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"tools\":[{\"name\":\"Read\",\"description\":\"Reads a file\",\"input_schema\":{\"type\":\"object\","
        + "\"properties\":{\"file_path\":{\"type\":\"string\"}}},\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Read README.md\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}}]}]}";
  }

  static final String[] CLAUDE_CODE_HEADERS = {"anthropic-version", "2023-06-01", "anthropic-beta",
      "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27", "x-app", "cli"};

  @Test
  void aClaudeCodeTurnToAnOpenAiUpstreamDropsServerSteeringAndSaysSo() {
    String[] h = new String[CLAUDE_CODE_HEADERS.length + 2];
    h[0] = "x-api-key";
    h[1] = gw.apiKey();
    System.arraycopy(CLAUDE_CODE_HEADERS, 0, h, 2, CLAUDE_CODE_HEADERS.length);
    Http.Reply r = Http.postJson(url + "?beta=true", null, claudeCodeTurn(OA, false), h);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("type").asText()).isEqualTo("message");
    assertThat(r.header("x-ljq-dropped")).isEqualTo("context_management, cache_control, anthropic-beta");
    try (Http.Stream s = Http.stream(url + "?beta=true", null, claudeCodeTurn(OA, true), h)) {
      assertThat(s.status).isEqualTo(200);
      assertThat(s.headers.firstValue("x-ljq-dropped").orElse(null)).isEqualTo("context_management, cache_control, anthropic-beta");
      var rest = s.rest();
      assertThat(rest.get(rest.size() - 1)).contains("message_stop");
    }
    // the same turn to an Anthropic upstream passes through untouched: nothing dropped
    Http.Reply native_ = Http.postJson(url + "?beta=true", null, claudeCodeTurn(AN, false), h);
    assertThat(native_.status()).as(native_.body()).isEqualTo(200);
    assertThat(native_.header("x-ljq-dropped")).isNull();
  }

  @Test
  void whatAnOpenAiUpstreamCannotDoIsRefusedNamingTheField() {
    String msgs = ",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    assertAnthropicError(post("{\"model\":\"" + OA + "\"" + msgs + ",\"mcp_servers\":[{\"type\":\"url\","
        + "\"url\":\"https://mcp.example\",\"name\":\"x\"}]}"), 400, "COMMON_001", "mcp_servers");
    assertAnthropicError(post("{\"model\":\"" + OA + "\"" + msgs + ",\"top_k\":5}"), 400, "COMMON_001", "top_k");
    assertAnthropicError(post("{\"model\":\"" + OA + "\"" + msgs
        + ",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}"), 400, "COMMON_001",
        "tools[0].type");
    assertAnthropicError(post("{\"model\":\"" + OA + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://x/y.pdf\"}}]}]}"), 400, "COMMON_001",
        "messages[0].content[0].type");
    // the same requests are fine for an Anthropic upstream, which takes them as they are
    assertThat(post("{\"model\":\"" + AN + "\"" + msgs + ",\"top_k\":5}").status()).isEqualTo(200);
  }

  @Test
  void openAiIngressRefusesWhatAnthropicCannotDo() {
    Http.Reply r = Http.postJson(gw.root() + "/v1/chat/completions", gw.apiKey(), "{\"model\":\"" + AN
        + "\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().at("/error/message").asText()).contains("'n'");
    Http.Reply t = Http.postJson(gw.root() + "/v1/chat/completions", gw.apiKey(), "{\"model\":\"" + AN
        + "\",\"temperature\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(t.status()).isEqualTo(400);
    assertThat(t.json().at("/error/message").asText()).contains("temperature");
  }

  @ParameterizedTest
  @ValueSource(strings = {AN, OA})
  void countTokensAcceptsBetaAndNoMaxTokens(String model) {
    Http.Reply r = Http.postJson(gw.root() + "/v1/messages/count_tokens?beta=true", null,
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}",
        "x-api-key", gw.apiKey());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("input_tokens").asLong()).isPositive();
    Http.Reply bad = Http.postJson(gw.root() + "/v1/messages/count_tokens", null, "{\"model\":\"" + model + "\"}",
        "x-api-key", gw.apiKey());
    assertAnthropicError(bad, 400, "COMMON_001", "messages");
  }

  @Test
  void largeClaudeCodeShapedBodyWithManyTools() {
    StringBuilder tools = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      if (i > 0) tools.append(',');
      tools.append("{\"name\":\"tool_").append(i).append("\",\"description\":\"").append("x".repeat(2000))
          .append("\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}");
    }
    for (String model : new String[] {AN, OA}) {
      String body = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":true,\"tools\":[" + tools
          + "],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      assertThat(body.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(80_000);
      try (Http.Stream s = Http.stream(url, null, body, "x-api-key", gw.apiKey())) {
        assertThat(s.status).isEqualTo(200);
        var rest = s.rest();
        assertThat(rest.get(rest.size() - 1)).contains("message_stop");
      }
    }
  }
}
