package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeminiApiTest extends SimulatorTestBase {
  static final String FLASH = "gemini-2.5-flash";
  static final String TOOLS = "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":\"weather\","
      + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\"},\"days\":{\"type\":\"NUMBER\"}}}}]}]";
  static final String ANY = "\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}}";

  /** POST /v1beta/models/{model}:{method} with x-goog-api-key. */
  private static HttpResponse<String> gem(String model, String method, String body, String... extra)
      throws IOException, InterruptedException {
    String[] h = new String[extra.length + 4];
    h[0] = "x-goog-api-key";
    h[1] = "AIza-test";
    h[2] = "x-no-auth";
    h[3] = "1";
    System.arraycopy(extra, 0, h, 4, extra.length);
    String q = method.equals("streamGenerateContent") ? "?alt=sse" : "";
    return post("/v1beta/models/" + model + ":" + method + q, body, h);
  }

  private static HttpResponse<String> generate(String body, String... extra) throws Exception {
    return gem(FLASH, "generateContent", body, extra);
  }

  private static HttpResponse<String> stream(String body, String... extra) throws Exception {
    return gem(FLASH, "streamGenerateContent", body, extra);
  }

  static String contents(String prompt, String extra) {
    return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + prompt + "\"}]}]"
        + (extra == null ? "" : "," + extra) + "}";
  }

  private static HttpResponse<String> getWith(String path, String header, String value) throws Exception {
    return http.send(req(path).header(header, value).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode error(HttpResponse<String> r, int code, String status) {
    assertThat(r.statusCode()).isEqualTo(code);
    JsonNode e = json(r.body()).path("error");
    assertThat(e.path("code").asInt()).isEqualTo(code);
    assertThat(e.path("status").asText()).isEqualTo(status);
    assertThat(e.path("message").asText()).isNotBlank();
    return e;
  }

  /** The concatenated non-thought text of the chunks' first candidates. */
  private static String text(List<JsonNode> chunks) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode c : chunks) {
      for (JsonNode part : c.path("candidates").path(0).path("content").path("parts")) {
        if (part.has("text") && !part.path("thought").asBoolean()) {
          sb.append(part.path("text").asText());
        }
      }
    }
    return sb.toString();
  }

  private static List<JsonNode> chunks(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    return dataLines(r.body()).stream().map(SimulatorTestBase::json).toList();
  }

  @Test
  void generateContent() throws Exception {
    HttpResponse<String> r = generate(contents("Hello Gemini", "\"systemInstruction\":{\"parts\":[{\"text\":\"be brief\"}]}"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode n = json(r.body());
    JsonNode c = n.path("candidates").get(0);
    assertThat(c.path("content").path("role").asText()).isEqualTo("model");
    assertThat(c.path("content").path("parts").get(0).path("text").asText()).isNotBlank();
    assertThat(c.path("finishReason").asText()).isEqualTo("STOP");
    assertThat(c.path("index").asInt()).isZero();
    JsonNode u = n.path("usageMetadata");
    assertThat(u.path("promptTokenCount").asInt()).isGreaterThan(3);
    assertThat(u.path("candidatesTokenCount").asInt()).isEqualTo(40);
    assertThat(u.path("totalTokenCount").asInt())
        .isEqualTo(u.path("promptTokenCount").asInt() + u.path("candidatesTokenCount").asInt());
    assertThat(n.path("modelVersion").asText()).isEqualTo(FLASH);
    assertThat(n.path("responseId").asText()).isNotBlank();
  }

  @Test
  void streamChunksJoinToTheSameTextAndTheLastCarriesFinishAndUsage() throws Exception {
    List<JsonNode> chunks = chunks(gem(FLASH + "::tokens=5", "streamGenerateContent", contents("stream me", null)));
    assertThat(chunks).hasSize(5);
    for (int i = 0; i < chunks.size(); i++) {
      JsonNode c = chunks.get(i);
      assertThat(c.path("modelVersion").asText()).isEqualTo(FLASH);
      assertThat(c.path("candidates").get(0).has("finishReason")).isEqualTo(i == chunks.size() - 1);
      assertThat(c.path("usageMetadata").has("candidatesTokenCount")).isEqualTo(i == chunks.size() - 1);
    }
    JsonNode last = chunks.get(4);
    assertThat(last.path("candidates").get(0).path("finishReason").asText()).isEqualTo("STOP");
    assertThat(last.path("usageMetadata").path("candidatesTokenCount").asInt()).isEqualTo(5);
    JsonNode whole = json(generate(contents("stream me", null), "x-ljq-sim", "tokens=5").body());
    assertThat(text(chunks)).isEqualTo(text(List.of(whole)));
    assertThat(last.path("usageMetadata")).isEqualTo(whole.path("usageMetadata"));
    assertThat(chunks(stream(contents("stream me", null), "x-ljq-sim", "tokens=9,chunks=3"))).hasSize(3);
  }

  @Test
  void streamWithoutAltSseIs400() throws Exception {
    HttpResponse<String> r = post("/v1beta/models/" + FLASH + ":streamGenerateContent", contents("x", null),
        "x-goog-api-key", "k");
    error(r, 400, "INVALID_ARGUMENT");
  }

  @Test
  void maxOutputTokensInSnakeCase() throws Exception {
    JsonNode n = json(generate(contents("x", "\"system_instruction\":\"short\",\"generation_config\":"
        + "{\"max_output_tokens\":3}")).body());
    assertThat(n.path("candidates").get(0).path("finishReason").asText()).isEqualTo("MAX_TOKENS");
    assertThat(n.path("usageMetadata").path("candidatesTokenCount").asInt()).isEqualTo(3);
  }

  @Test
  void countTokensMatchesThePromptCountAndTheAnthropicCount() throws Exception {
    String req = contents("count these tokens", "\"systemInstruction\":\"be brief\"," + TOOLS);
    int prompt = json(generate(req).body()).path("usageMetadata").path("promptTokenCount").asInt();
    HttpResponse<String> r = gem(FLASH, "countTokens", "{\"generateContentRequest\":" + req + "}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).path("totalTokens").asInt()).isEqualTo(prompt);
    int contentsOnly = json(gem(FLASH, "countTokens", contents("count these tokens", null)).body()).path("totalTokens").asInt();
    assertThat(contentsOnly).isPositive().isLessThan(prompt);

    int gemini = json(gem("claude-sonnet-4-5", "countTokens", "{\"generateContentRequest\":"
        + contents("count these tokens", "\"systemInstruction\":\"be brief\"") + "}").body()).path("totalTokens").asInt();
    int anthropic = json(post("/v1/messages/count_tokens", "{\"model\":\"claude-sonnet-4-5\",\"system\":\"be brief\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"count these tokens\"}]}", "x-api-key", "k").body())
        .path("input_tokens").asInt();
    assertThat(gemini).isEqualTo(anthropic);
  }

  @Test
  void models() throws Exception {
    HttpResponse<String> r = getWith("/v1beta/models", "x-goog-api-key", "k");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode models = json(r.body()).path("models");
    assertThat(models.findValuesAsText("name")).contains("models/gemini-2.5-flash", "models/gemini-2.5-pro");
    assertThat(models.get(0).path("supportedGenerationMethods").toString()).contains("generateContent", "countTokens");
    JsonNode one = json(getWith("/v1beta/models/gemini-2.5-pro?key=k", "accept", "*/*").body());
    assertThat(one.path("name").asText()).isEqualTo("models/gemini-2.5-pro");
    assertThat(one.path("inputTokenLimit").asInt()).isEqualTo(1_048_576);
    assertThat(one.path("outputTokenLimit").asInt()).isEqualTo(65_536);
    // /v1/models answers in Gemini's shape when the key comes Google's way
    assertThat(json(getWith("/v1/models", "x-goog-api-key", "k").body()).has("models")).isTrue();
    assertThat(json(get("/v1/models").body()).path("object").asText()).isEqualTo("list");
    error(getWith("/v1beta/models/gemini-9", "x-ljq-sim", "fault=model_not_found"), 403, "PERMISSION_DENIED");
    error(http.send(req("/v1beta/models/gemini-9").header("x-goog-api-key", "k").header("x-ljq-sim",
        "fault=model_not_found").GET().build(), HttpResponse.BodyHandlers.ofString()), 404, "NOT_FOUND");
  }

  @Test
  void authByHeaderBearerOrQueryKey() throws Exception {
    assertThat(post("/v1/models/" + FLASH + ":generateContent?key=k", contents("x", null), "x-no-auth", "1").statusCode())
        .isEqualTo(200);
    assertThat(post("/v1beta/models/" + FLASH + ":generateContent", contents("x", null), "authorization", "Bearer t")
        .statusCode()).isEqualTo(200);
    error(post("/v1beta/models/" + FLASH + ":generateContent", contents("x", null), "x-no-auth", "1"), 403,
        "PERMISSION_DENIED");
    JsonNode e = error(generate(contents("x", null), "x-ljq-sim", "fault=401"), 401, "UNAUTHENTICATED");
    assertThat(e.path("details").get(0).path("reason").asText()).isEqualTo("API_KEY_INVALID");
  }

  @Test
  void functionCallThenFunctionResponse() throws Exception {
    JsonNode n = json(generate(contents("Weather in Tokyo?", TOOLS + "," + ANY)).body());
    JsonNode cand = n.path("candidates").get(0);
    assertThat(cand.path("finishReason").asText()).isEqualTo("STOP");
    JsonNode call = cand.path("content").path("parts").get(0).path("functionCall");
    assertThat(call.path("name").asText()).isEqualTo("get_weather");
    assertThat(call.path("args").toString()).isEqualTo("{\"city\":\"Tokyo\",\"days\":42}");
    assertThat(call.path("id").asText()).startsWith("fc_");

    List<JsonNode> chunks = chunks(stream(contents("Weather in Tokyo?", TOOLS + "," + ANY)));
    assertThat(chunks).hasSize(1);
    assertThat(chunks.get(0).path("candidates").get(0).path("content").path("parts").get(0).path("functionCall"))
        .isEqualTo(call);
    assertThat(chunks.get(0).path("candidates").get(0).path("finishReason").asText()).isEqualTo("STOP");

    String roundTrip = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Weather in Tokyo?\"}]},"
        + "{\"role\":\"model\",\"parts\":[{\"functionCall\":" + call + "}]},"
        + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"id\":\"" + call.path("id").asText()
        + "\",\"response\":{\"result\":\"sunny, 21 C\"}}}]}]," + TOOLS + "}";
    JsonNode answer = json(generate(roundTrip).body());
    assertThat(text(List.of(answer))).startsWith("Based on the tool result \"sunny, 21 C\":");
    assertThat(text(chunks(stream(roundTrip)))).isEqualTo(text(List.of(answer)));
  }

  @Test
  void parallelCallsAndModeNone() throws Exception {
    String two = TOOLS.replace("}]}]", "},{\"name\":\"get_time\",\"parametersJsonSchema\":{\"type\":\"object\","
        + "\"properties\":{\"zone\":{\"type\":\"string\",\"enum\":[\"UTC\",\"CET\"]}}}}]}]");
    JsonNode n = json(generate(contents("Weather and time?", two), "x-ljq-sim", "tool_call=2").body());
    JsonNode parts = n.path("candidates").get(0).path("content").path("parts");
    assertThat(parts.findValuesAsText("name")).containsExactly("get_weather", "get_time");
    assertThat(parts.get(1).path("functionCall").path("args").path("zone").asText()).isEqualTo("UTC");
    List<JsonNode> chunks = chunks(stream(contents("Weather and time?", two), "x-ljq-sim", "tool_call=2"));
    assertThat(chunks).hasSize(2);
    assertThat(chunks.get(0).path("candidates").get(0).has("finishReason")).isFalse();
    assertThat(chunks.get(1).path("candidates").get(0).path("finishReason").asText()).isEqualTo("STOP");

    JsonNode none = json(generate(contents("Weather?", TOOLS + ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"NONE\"}}"), "x-ljq-sim", "tool_call=1").body());
    assertThat(none.path("candidates").get(0).path("content").path("parts").get(0).has("text")).isTrue();
    JsonNode forced = json(generate(contents("Time?", two + ",\"toolConfig\":{\"functionCallingConfig\":"
        + "{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_time\"]}}")).body());
    assertThat(forced.findValue("functionCall").path("name").asText()).isEqualTo("get_time");
  }

  @Test
  void thoughtsWhenIncluded() throws Exception {
    String cfg = "\"generationConfig\":{\"thinkingConfig\":{\"includeThoughts\":true,\"thinkingBudget\":1024}}";
    JsonNode n = json(generate(contents("think", cfg)).body());
    JsonNode parts = n.path("candidates").get(0).path("content").path("parts");
    assertThat(parts.get(0).path("thought").asBoolean()).isTrue();
    assertThat(parts.get(1).has("thought")).isFalse();
    JsonNode u = n.path("usageMetadata");
    assertThat(u.path("thoughtsTokenCount").asInt()).isPositive();
    assertThat(u.path("totalTokenCount").asInt()).isEqualTo(u.path("promptTokenCount").asInt()
        + u.path("candidatesTokenCount").asInt() + u.path("thoughtsTokenCount").asInt());
    List<JsonNode> chunks = chunks(stream(contents("think", cfg), "x-ljq-sim", "tokens=2"));
    assertThat(chunks.get(0).path("candidates").get(0).path("content").path("parts").get(0).path("thought").asBoolean())
        .isTrue();
    assertThat(text(chunks)).isEqualTo(text(List.of(json(generate(contents("think", cfg), "x-ljq-sim", "tokens=2").body()))));
    assertThat(json(generate(contents("think", null)).body()).path("usageMetadata").has("thoughtsTokenCount")).isFalse();
  }

  @Test
  void jsonResponseFollowsTheSchema() throws Exception {
    JsonNode n = json(generate(contents("Name a city like Paris", "\"generationConfig\":{\"responseMimeType\":"
        + "\"application/json\",\"responseSchema\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\"},"
        + "\"tags\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"}}}}}")).body());
    JsonNode answer = json(text(List.of(n)));
    assertThat(answer.path("city").asText()).isEqualTo("Paris");
    assertThat(answer.path("tags").isArray()).isTrue();
  }

  @Test
  void statusFaultsInGeminiShape() throws Exception {
    HttpResponse<String> r = generate(contents("x", null), "x-ljq-sim", "fault=429,retry_after=7");
    JsonNode e = error(r, 429, "RESOURCE_EXHAUSTED");
    assertThat(r.headers().firstValue("retry-after")).hasValue("7");
    assertThat(e.path("details").get(0).path("retryDelay").asText()).isEqualTo("7s");
    assertThat(error(stream(contents("x", null), "x-ljq-sim", "fault=429"), 429, "RESOURCE_EXHAUSTED").has("details"))
        .isFalse();
    error(generate(contents("x", null), "x-ljq-sim", "fault=500"), 500, "INTERNAL");
    error(stream(contents("x", null), "x-ljq-sim", "fault=503"), 503, "UNAVAILABLE");
    error(generate(contents("x", null), "x-ljq-sim", "fault=529"), 529, "UNAVAILABLE");
    JsonNode nf = error(gem("gemini-9::fault=model_not_found", "generateContent", contents("x", null)), 404, "NOT_FOUND");
    assertThat(nf.path("message").asText()).startsWith("models/gemini-9 is not found").doesNotContain("::");
    JsonNode cl = error(generate(contents("x", null), "x-ljq-sim", "fault=context_length"), 400, "INVALID_ARGUMENT");
    assertThat(cl.path("message").asText()).contains("input token count", "exceeds the maximum number of tokens", "1048576");
    String d = "fault=500;times=1;key=gem-" + System.nanoTime();
    assertThat(generate(contents("x", null), "x-ljq-sim", d).statusCode()).isEqualTo(500);
    assertThat(generate(contents("x", null), "x-ljq-sim", d).statusCode()).isEqualTo(200);
  }

  @Test
  void contentPolicyBlocksThePrompt() throws Exception {
    HttpResponse<String> r = generate(contents("x", null), "x-ljq-sim", "fault=content_policy");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode n = json(r.body());
    assertThat(n.path("promptFeedback").path("blockReason").asText()).isEqualTo("SAFETY");
    assertThat(n.has("candidates")).isFalse();
    assertThat(n.path("usageMetadata").path("promptTokenCount").asInt()).isPositive();
    List<JsonNode> chunks = chunks(stream(contents("x", null), "x-ljq-sim", "fault=content_policy"));
    assertThat(chunks).hasSize(1);
    assertThat(chunks.get(0).path("promptFeedback").path("blockReason").asText()).isEqualTo("SAFETY");
  }

  @Test
  void bodyAndStreamFaults() throws Exception {
    HttpResponse<String> b = generate(contents("x", null), "x-ljq-sim", "fault=bad_body");
    assertThat(b.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> M.readTree(b.body())).isInstanceOf(IOException.class);

    List<String> m = dataLines(stream(contents("x", null), "x-ljq-sim", "fault=malformed,after=2,tokens=4").body());
    assertThat(m).hasSize(4);
    assertThat(m.get(1)).contains("oops");
    assertThatThrownBy(() -> M.readTree(m.get(1))).isInstanceOf(IOException.class);
    assertThat(json(m.get(3)).path("candidates").get(0).path("finishReason").asText()).isEqualTo("STOP");

    List<String> se = dataLines(stream(contents("x", null), "x-ljq-sim", "fault=stream_error,after=2,tokens=6").body());
    assertThat(se).hasSize(3);
    assertThat(json(se.get(2)).path("error").path("status").asText()).isEqualTo("INTERNAL");

    List<JsonNode> nd = chunks(stream(contents("x", null), "x-ljq-sim", "fault=no_done,tokens=3"));
    assertThat(nd).hasSize(3);
    assertThat(nd.get(2).path("candidates").get(0).has("finishReason")).isFalse();
  }

  @Test
  void cutAfterNChunks() throws Exception {
    HttpRequest req = req("/v1beta/models/" + FLASH + "::fault=cut,after=3,tokens=10:streamGenerateContent?alt=sse")
        .header("x-goog-api-key", "k").POST(HttpRequest.BodyPublishers.ofString(contents("cut", null))).build();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    boolean cut = false;
    try {
      http.send(req, HttpResponse.BodyHandlers.ofByteArrayConsumer(b -> b.ifPresent(x -> got.write(x, 0, x.length))));
    } catch (IOException e) {
      cut = true;
    }
    assertThat(cut).as("connection cut must surface as IOException").isTrue();
    List<String> lines = dataLines(got.toString(StandardCharsets.UTF_8));
    assertThat(lines).hasSize(3).noneMatch(l -> l.contains("finishReason"));
    assertThatThrownBy(() -> generate(contents("x", null), "x-ljq-sim", "fault=cut")).isInstanceOf(IOException.class);
  }

  @Test
  void badInputIs400InGeminiShape() throws Exception {
    assertThat(error(generate("{}"), 400, "INVALID_ARGUMENT").path("message").asText()).contains("contents");
    assertThat(error(generate("{\"messages\":[]}"), 400, "INVALID_ARGUMENT").path("message").asText())
        .contains("Unknown name \"messages\"");
    assertThat(error(generate("{\"contents\":[{\"role\":\"assistant\",\"parts\":[{\"text\":\"x\"}]}]}"), 400,
        "INVALID_ARGUMENT").path("message").asText()).contains("valid role");
    assertThat(error(generate("{\"contents\":[{\"role\":\"user\",\"parts\":[]}]}"), 400, "INVALID_ARGUMENT")
        .path("message").asText()).contains("parts must not be empty");
    error(generate("{\"contents\":[{\"parts\":[{\"bogus\":1}]}]}"), 400, "INVALID_ARGUMENT");
    error(generate(contents("x", "\"generationConfig\":{\"temperature\":\"hot\"}")), 400, "INVALID_ARGUMENT");
    error(generate("{not json"), 400, "INVALID_ARGUMENT");
    assertThat(error(generate(contents("x", null), "x-ljq-sim", "bogus=1"), 400, "INVALID_ARGUMENT")
        .path("message").asText()).contains("bogus");
    error(gem(FLASH, "embedContent", contents("x", null)), 404, "NOT_FOUND");
  }

  @Test
  void statsCountTheGeminiPathsWithoutDirectives() throws Exception {
    http.send(req("/_sim/stats/reset").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    generate(contents("x", null));
    gem(FLASH + "::tokens=2", "generateContent", contents("x", null));
    stream(contents("x", null), "x-ljq-sim", "fault=500");
    JsonNode byPath = json(http.send(req("/_sim/stats").GET().build(), HttpResponse.BodyHandlers.ofString()).body())
        .path("by_path");
    List<String> keys = new ArrayList<>();
    byPath.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyInAnyOrder("/v1beta/models/gemini-2.5-flash:generateContent",
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    assertThat(byPath.path("/v1beta/models/gemini-2.5-flash:generateContent").asInt()).isEqualTo(2);
  }
}
