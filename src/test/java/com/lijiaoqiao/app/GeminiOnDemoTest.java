package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `ljq demo` as @google/genai and Gemini CLI use it with only a base URL and a key (x-goog-api-key): Gemini models
 * pass through to the simulator's Gemini dialect, other models are reached through the hub, errors come in
 * Google's shape, and every answer is billed like any other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeminiOnDemoTest {
  Gateway g;
  String key;
  String root;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createTempDirectory("ljq-demo-gemini").resolve("data");
    g = Gateway.start(DemoCommand.demoConfig(TestGateway.freePort(), dir));
    key = Bootstrap.ensureDemo(g, dir, Bootstrap.DemoLimits.DEFAULT).apiKey();
    root = "http://127.0.0.1:" + g.port();
  }

  @AfterAll
  void stop() {
    g.close();
  }

  static final String TURN = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello there\"}]}],"
      + "\"generationConfig\":{\"maxOutputTokens\":64,\"thinkingConfig\":{\"includeThoughts\":false}}}";

  Http.Reply call(String model, String method, String body, String... more) {
    List<String> h = new ArrayList<>(List.of("x-goog-api-key", key));
    h.addAll(List.of(more));
    return Http.postJson(root + "/v1beta/models/" + model + ":" + method, null, body, h.toArray(String[]::new));
  }

  @Test
  void aGeminiModelPassesThroughToTheSimulatorsGeminiDialectAndIsBilled() throws Exception {
    Http.Reply r = call("gemini-2.5-flash", "generateContent", TURN);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-provider")).isEqualTo("simulator-gemini");
    assertThat(r.header("x-ljq-dropped")).isNull(); // passthrough: nothing left out
    JsonNode j = r.json();
    assertThat(j.at("/candidates/0/content/parts/0/text").asText()).isNotBlank();
    assertThat(j.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
    assertThat(j.at("/usageMetadata/cost").decimalValue()).isEqualByComparingTo(new BigDecimal(r.header("x-ljq-cost")));
    String id = r.header("x-request-id");
    JsonNode row = null;
    long until = System.nanoTime() + 20_000_000_000L;
    while (row == null && System.nanoTime() < until) {
      for (JsonNode u : Http.get(root + "/v1/billing/usage?page_size=100", key).json().path("data")) {
        if (id.equals(u.path("request_id").asText())) row = u;
      }
      if (row == null) Thread.sleep(100);
    }
    assertThat(row).as("usage record of " + id).isNotNull();
    assertThat(row.get("model").asText()).isEqualTo("gemini-2.5-flash");
    assertThat(row.get("cost").asText()).isEqualTo(r.header("x-ljq-cost"));
    assertThat(row.get("prompt_tokens").asLong()).isEqualTo(j.at("/usageMetadata/promptTokenCount").asLong());
  }

  @Test
  void streamsArriveAsServerSentEventsEndingWithTheFinishAndUsage() {
    try (Http.Stream s = Http.stream(root + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", null,
        TURN, "x-goog-api-key", key)) {
      assertThat(s.status).isEqualTo(200);
      List<String> events = s.rest();
      assertThat(events.size()).isGreaterThan(2);
      JsonNode last = Http.JSON.valueToTree(parse(events.get(events.size() - 1)));
      assertThat(last.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
      assertThat(last.at("/usageMetadata/candidatesTokenCount").asLong()).isPositive();
    }
  }

  @Test
  void defaultModelIdsOfGeminiClientsResolveThroughTheDemosAliases() {
    Http.Reply r = call("gemini-3-pro-preview", "generateContent", TURN);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-model")).isEqualTo("gemini-2.5-pro");
    Http.Reply lite = call("gemini-2.0-flash-lite", "generateContent", TURN);
    assertThat(lite.header("x-ljq-model")).isEqualTo("gemini-2.5-flash-lite");
  }

  @Test
  void aGeminiClientReachesOpenAiAndClaudeModelsThroughTheHub() {
    for (String model : List.of("gpt-4o-mini", "claude-sonnet-4-5")) {
      Http.Reply r = call(model, "generateContent", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
          + "\"safetySettings\":[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_NONE\"}]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.header("x-ljq-dropped")).isEqualTo("safetySettings");
      assertThat(r.json().at("/candidates/0/content/parts/0/text").asText()).isNotBlank();
      assertThat(r.json().get("modelVersion").asText()).isEqualTo(model);
    }
  }

  @Test
  void openAiAndAnthropicClientsReachGeminiModelsThroughTheHub() {
    Http.Reply chat = Http.postJson(root + "/v1/chat/completions", key,
        "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    assertThat(chat.json().get("object").asText()).isEqualTo("chat.completion");
    assertThat(chat.json().at("/usage/completion_tokens").asLong()).isPositive();
    Http.Reply msg = Http.postJson(root + "/v1/messages", null, "{\"model\":\"gemini-2.5-flash\",\"max_tokens\":50,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", key, "anthropic-version", "2023-06-01");
    assertThat(msg.status()).as(msg.body()).isEqualTo(200);
    assertThat(msg.json().get("type").asText()).isEqualTo("message");
  }

  /**
   * Gemini CLI's tool loop with {@code GEMINI_CLI_CUSTOM_HEADERS="x-ljq-sim: tool_call=1"}: the header comes with
   * every request, the prompt is answered with a call, the call's functionResponse with text, so the turn ends.
   */
  @Test
  void aToolLoopDrivenByTheDirectiveEndsWithTextAfterTheToolsResult() throws Exception {
    String tools = "\"tools\":[{\"functionDeclarations\":[{\"name\":\"list_directory\",\"description\":\"Lists a"
        + " directory\",\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"dir_path\":{\"type\":\"STRING\"}},"
        + "\"required\":[\"dir_path\"]}}]}]";
    String ask = "{\"role\":\"user\",\"parts\":[{\"text\":\"List the files in /tmp/work\"}]}";
    for (String model : List.of("gemini-2.5-flash", "gpt-4o-mini", "claude-sonnet-4-5")) {
      Http.Reply first = call(model, "generateContent", "{\"contents\":[" + ask + "]," + tools + "}",
          "x-ljq-sim", "tool_call=1");
      assertThat(first.status()).as(first.body()).isEqualTo(200);
      JsonNode content = first.json().at("/candidates/0/content");
      JsonNode fc = content.at("/parts/0/functionCall");
      assertThat(fc.get("name").asText()).as(model).isEqualTo("list_directory");
      String answer = "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":" + Http.JSON.writeValueAsString(
          fc.get("id").asText()) + ",\"name\":\"list_directory\",\"response\":{\"output\":\"a.txt b.md\"}}}]}";
      Http.Reply second = call(model, "generateContent", "{\"contents\":[" + ask + "," + content + "," + answer + "],"
          + tools + "}", "x-ljq-sim", "tool_call=1");
      assertThat(second.status()).as(second.body()).isEqualTo(200);
      JsonNode parts = second.json().at("/candidates/0/content/parts");
      assertThat(parts.findValues("functionCall")).as(model + ": " + second.body()).isEmpty();
      assertThat(parts.get(0).get("text").asText()).startsWith("Based on the tool result \"a.txt b.md\"");
    }
  }

  @Test
  void countTokensAndModelsAnswerInGooglesShape() {
    Http.Reply c = call("gemini-2.5-flash", "countTokens", "{\"contents\":[{\"parts\":[{\"text\":\"one two three\"}]}]}");
    assertThat(c.status()).as(c.body()).isEqualTo(200);
    assertThat(c.json().get("totalTokens").asLong()).isPositive();
    Http.Reply list = get("/v1beta/models");
    assertThat(list.status()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    list.json().get("models").forEach(m -> names.add(m.get("name").asText()));
    assertThat(names).contains("models/gemini-2.5-flash", "models/gpt-4o-mini");
    Http.Reply one = get("/v1beta/models/gemini-2.5-pro");
    assertThat(one.json().get("supportedGenerationMethods").toString()).contains("generateContent");
  }

  /** @google/genai with {@code apiVersion: 'v1'} (Gemini CLI: GOOGLE_GENAI_API_VERSION=v1) lists under /v1/models. */
  @Test
  void googlesStableV1PathsListModelsInGooglesShapeForAGoogleKeyHeader() {
    Http.Reply list = get("/v1/models");
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    list.json().get("models").forEach(m -> names.add(m.get("name").asText()));
    assertThat(names).contains("models/gemini-2.5-flash", "models/gpt-4o-mini");
    Http.Reply one = get("/v1/models/gemini-2.5-flash");
    assertThat(one.json().get("name").asText()).as(one.body()).isEqualTo("models/gemini-2.5-flash");
    Http.Reply missing = get("/v1/models/no-such-model");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
    Http.Reply call = Http.postJson(root + "/v1/models/gemini-2.5-flash:generateContent", null, TURN, "x-goog-api-key", key);
    assertThat(call.status()).as(call.body()).isEqualTo(200);
    // an OpenAI client on the same path keeps OpenAI's shape
    assertThat(Http.get(root + "/v1/models", key).json().get("object").asText()).isEqualTo("list");
  }

  /** Found by the hostile suite: the refusals decided before the pipeline (method, header count) ignored the key header. */
  @Test
  void refusalsOnV1ModelsComeInGooglesShapeForAGoogleKeyHeaderToo() {
    var manyHeaders = java.net.http.HttpRequest.newBuilder(java.net.URI.create(root + "/v1/models")).header("x-goog-api-key", key);
    for (int i = 0; i < 120; i++) manyHeaders.header("x-hx-" + i, "v");
    for (Http.Reply r : List.of(Http.postJson(root + "/v1/models", null, "{}", "x-goog-api-key", key),
        Http.postJson(root + "/v1/models/gemini-2.5-flash:GenerateContent", null, TURN, "x-goog-api-key", key),
        Http.send(manyHeaders.GET().build()))) {
      assertThat(r.status()).as(r.body()).isIn(405, 431);
      JsonNode e = r.json().get("error");
      assertThat(e.get("code").asInt()).as(r.body()).isEqualTo(r.status());
      assertThat(e.get("status").asText()).isIn("UNIMPLEMENTED", "INVALID_ARGUMENT");
      assertThat(e.get("ljq_code").asText()).isEqualTo("COMMON_001");
      assertThat(e.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
    }
    // an OpenAI client on the same paths keeps OpenAI's shape
    Http.Reply openAi = Http.postJson(root + "/v1/models", key, "{}");
    assertThat(openAi.status()).isEqualTo(405);
    assertThat(openAi.json().at("/error/code").asText()).isEqualTo("COMMON_001");
  }

  @Test
  void errorsComeInGooglesShapeAndABadKeyIsA401BeforeAnythingElse() {
    Http.Reply bad = Http.postJson(root + "/v1beta/models/nope:generateContent", null, "{", "x-goog-api-key", "lgw-bad");
    assertThat(bad.status()).isEqualTo(401);
    JsonNode e = bad.json().get("error");
    assertThat(e.get("code").asInt()).isEqualTo(401);
    assertThat(e.get("status").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(e.get("ljq_code").asText()).startsWith("AUTH_");
    assertThat(e.at("/details/0/reason").asText()).isEqualTo(e.get("ljq_code").asText());
    Http.Reply unknown = call("no-such-model", "generateContent", TURN);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
    Http.Reply noSse = call("gemini-2.5-flash", "streamGenerateContent", TURN);
    assertThat(noSse.status()).isEqualTo(400);
    assertThat(noSse.json().at("/error/message").asText()).contains("alt=sse");
    Http.Reply badBody = call("gemini-2.5-flash", "generateContent", "{\"contents\":[],\"x\":1}");
    assertThat(badBody.status()).isEqualTo(400);
    assertThat(badBody.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
    Http.Reply queryKey = Http.postJson(root + "/v1beta/models/gemini-2.5-flash:generateContent?key=" + key, null, TURN);
    assertThat(queryKey.status()).isEqualTo(401); // refused: URLs end up in logs
    assertThat(queryKey.body()).contains("x-goog-api-key").doesNotContain(key);
    Http.Reply embed = call("gemini-2.5-flash", "embedContent", "{}");
    assertThat(embed.status()).isEqualTo(404);
    assertThat(embed.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void aMediaPartWithoutItsFieldsIsA400InGooglesShapeNotA500() {
    // found by the hostile suite: inlineData / fileData that is null, not an object, or lacks mimeType or fileUri
    for (String part : List.of("{\"inlineData\":null}", "{\"inlineData\":\"hx\"}", "{\"inlineData\":[]}",
        "{\"inlineData\":{\"data\":\"aGk=\"}}", "{\"inlineData\":{\"mimeType\":null,\"data\":\"aGk=\"}}",
        "{\"inline_data\":{\"mime_type\":7}}", "{\"fileData\":{\"mimeType\":\"image/png\"}}", "{\"fileData\":true}",
        "{\"file_data\":{}}")) {
      for (String model : List.of("gemini-2.5-flash", "gpt-4o-mini")) {
        Http.Reply r = call(model, "generateContent", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"},"
            + part + "]}]}");
        assertThat(r.status()).as(model + " " + part + ": " + r.body()).isEqualTo(400);
        JsonNode e = r.json().get("error");
        assertThat(e.get("code").asInt()).isEqualTo(400);
        assertThat(e.get("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.get("message").asText()).contains("contents[0].parts[1]");
      }
    }
  }

  @Test
  void aCutStreamEndsWithAnErrorEventAndNoFinish() {
    try (Http.Stream s = Http.stream(root + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", null,
        TURN, "x-goog-api-key", key, "x-ljq-sim", "fault=cut,after=2")) {
      assertThat(s.status).isEqualTo(200);
      List<String> events = s.rest();
      JsonNode last = Http.JSON.valueToTree(parse(events.get(events.size() - 1)));
      assertThat(last.at("/error/ljq_code").asText()).isEqualTo("PROVIDER_005");
      for (String e : events) assertThat(e).doesNotContain("finishReason");
    }
  }

  Http.Reply get(String path) {
    return Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(root + path)).header("x-goog-api-key", key)
        .GET().build());
  }

  private static JsonNode parse(String s) {
    try {
      return Http.JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(s, e);
    }
  }
}
