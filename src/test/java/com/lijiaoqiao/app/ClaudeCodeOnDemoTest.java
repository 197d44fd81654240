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
 * `ljq demo` as Claude Code (2.x) uses it with only ANTHROPIC_BASE_URL and a key set: its turns carry
 * context_management, cache_control, metadata, thinking, tools, `?beta=true`, anthropic-beta and a dated default
 * model id. Claude models are served through the simulator's Anthropic dialect (passthrough); the default ids
 * resolve through the demo's alias patterns and are priced, routed and recorded as the configured model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaudeCodeOnDemoTest {
  Gateway g;
  String key;
  String root;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createTempDirectory("ljq-demo-cc").resolve("data");
    g = Gateway.start(DemoCommand.demoConfig(TestGateway.freePort(), dir));
    key = Bootstrap.ensureDemo(g, dir, Bootstrap.DemoLimits.DEFAULT).apiKey();
    root = "http://127.0.0.1:" + g.port();
  }

  @AfterAll
  void stop() {
    g.close();
  }

  static String turn(String model, boolean stream, String prompt) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":32000,\"stream\":" + stream + ",\"temperature\":1,"
        + "\"metadata\":{\"user_id\":\"user_abc_account_def_session_ghi\"},"
        + "\"context_management\":{\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]},"
        + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
        + "\"system\":[{\"type\":\"text\",\"text\":\"You are Claude Code, Anthropic's official CLI.\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"tools\":[{\"name\":\"Read\",\"description\":\"Reads a file\",\"input_schema\":{\"type\":\"object\","
        + "\"properties\":{\"file_path\":{\"type\":\"string\"}},\"required\":[\"file_path\"]},"
        + "\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + prompt + "\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}}]}]}";
  }

  String[] headers(String... more) {
    List<String> h = new ArrayList<>(List.of("authorization", "Bearer " + key, "anthropic-version", "2023-06-01",
        "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27",
        "x-app", "cli"));
    h.addAll(List.of(more));
    return h.toArray(String[]::new);
  }

  Http.Reply messages(String body, String... more) {
    return Http.postJson(root + "/v1/messages?beta=true", null, body, headers(more));
  }

  @Test
  void aClaudeCodeTurnWithADatedDefaultModelPassesThroughToTheSimulatorsAnthropicDialect() {
    String prompt = "Explain the repository layout " + System.nanoTime();
    Http.Reply r = messages(turn("claude-sonnet-4-5-20250929", false, prompt));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-provider")).isEqualTo("simulator-anthropic");
    assertThat(r.header("x-ljq-model")).isEqualTo("claude-sonnet-4-5");
    assertThat(r.header("x-ljq-dropped")).isNull(); // passthrough: nothing is left out
    assertThat(r.header("x-ljq-cost")).isNotBlank();
    JsonNode j = r.json();
    assertThat(j.get("type").asText()).isEqualTo("message");
    assertThat(j.at("/content/0/type").asText()).isEqualTo("thinking"); // the simulator saw `thinking`
    assertThat(j.at("/usage/cache_creation_input_tokens").asLong()).isPositive(); // …and the cache markers
    Http.Reply again = messages(turn("claude-sonnet-4-5-20250929", false, prompt));
    assertThat(again.json().at("/usage/cache_read_input_tokens").asLong()).isPositive();
  }

  @Test
  void streamsToo() {
    try (Http.Stream s = Http.stream(root + "/v1/messages?beta=true", null,
        turn("claude-opus-4-8", true, "stream " + System.nanoTime()), headers())) {
      assertThat(s.status).isEqualTo(200);
      assertThat(s.headers.firstValue("x-ljq-provider")).hasValue("simulator-anthropic");
      assertThat(s.headers.firstValue("x-ljq-model")).hasValue("claude-opus-4-1");
      assertThat(s.headers.firstValue("x-ljq-dropped")).isEmpty();
      String all = String.join("\n", s.rest());
      assertThat(all).contains("thinking_delta").contains("text_delta");
      assertThat(all.substring(all.lastIndexOf('\n') + 1)).contains("message_stop");
    }
  }

  static final String BASH = "{\"name\":\"Bash\",\"description\":\"Executes a bash command\",\"input_schema\":"
      + "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"},\"timeout\":{\"type\":\"number\"},"
      + "\"run_in_background\":{\"type\":\"boolean\"}},\"required\":[\"command\"]}}";

  /** Claude Code's turn shape: a reminder block, then the prompt; the tools; no tool_choice (auto). */
  static String toolTurn(String model, boolean stream, String moreMessages) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":32000,\"stream\":" + stream + ","
        + "\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"high\"},"
        + "\"context_management\":{\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]},"
        + "\"tools\":[{\"name\":\"Agent\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"prompt\":"
        + "{\"type\":\"string\"}},\"required\":[\"prompt\"]}}," + BASH + "],"
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"<system-reminder>\\nToday's "
        + "date is 2026-12-07.\\n</system-reminder>\\n\"},{\"type\":\"text\",\"text\":\"Use the Bash tool to run "
        + "`echo hi > hello.txt`\",\"cache_control\":{\"type\":\"ephemeral\"}}]}" + moreMessages + "]}";
  }

  /**
   * `claude -p "Use the Bash tool to run …" --allowedTools Bash` on the demo, with its default model and with an
   * OpenAI one (translated): the first turn calls Bash with the command, the turn with its result (and Claude
   * Code's system note after it) is answered with text, so the loop ends.
   */
  @Test
  void aClaudeCodeToolLoopRunsOnTheDefaultModelAndOnAnOpenAiModel() throws Exception {
    for (String model : new String[] {"claude-opus-4-8", "gpt-4o-mini"}) {
      String all;
      try (Http.Stream s = Http.stream(root + "/v1/messages?beta=true", null, toolTurn(model, true, ""), headers())) {
        assertThat(s.status).isEqualTo(200);
        all = String.join("\n", s.rest());
      }
      assertThat(all).as(model).contains("\"stop_reason\":\"tool_use\"").contains("\"name\":\"Bash\"");
      StringBuilder args = new StringBuilder();
      String id = null;
      for (String d : all.split("\n")) {
        JsonNode j = Http.JSON.readTree(d);
        if (j.at("/content_block/type").asText().equals("tool_use")) id = j.at("/content_block/id").asText();
        if (j.at("/delta/type").asText().equals("input_json_delta")) args.append(j.at("/delta/partial_json").asText());
      }
      assertThat(Http.JSON.readTree(args.toString()).toString()).as(model).isEqualTo("{\"command\":\"echo hi > hello.txt\"}");

      String more = ",{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"Bash\","
          + "\"input\":" + args + "}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\""
          + id + "\",\"content\":\"(Bash completed with no output)\"}]},{\"role\":\"system\",\"content\":\"note\"}";
      Http.Reply r = messages(toolTurn(model, false, more));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("stop_reason").asText()).as(model).isEqualTo("end_turn");
      JsonNode content = r.json().get("content");
      assertThat(content.get(content.size() - 1).get("text").asText()).startsWith("Based on the tool result");
    }
  }

  @Test
  void everyDefaultModelIdResolvesAndUnknownOnesStill404() {
    for (String[] c : new String[][] {{"claude-opus-4-8", "claude-opus-4-1"}, {"claude-opus-5-5", "claude-opus-4-1"},
        {"claude-haiku-4-5-20251001", "claude-haiku-4-5"}, {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
        {"claude-3-5-haiku-20241022", "claude-haiku-4-5"}, {"claude-sonnet-4-5", null}}) {
      Http.Reply r = messages(turn(c[0], false, "hi"));
      assertThat(r.status()).as(c[0] + ": " + r.body()).isEqualTo(200);
      assertThat(r.header("x-ljq-model")).as(c[0]).isEqualTo(c[1]);
    }
    Http.Reply unknown = messages(turn("claude-instant-1", false, "hi"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().at("/error/message").asText()).contains("claude-instant-1");
  }

  @Test
  void anAliasIsBilledAndRecordedAsTheModelItResolvesTo() throws Exception {
    String body = "{\"model\":\"%s\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"price me\"}]}";
    Http.Reply viaAlias = messages(body.formatted("claude-haiku-4-5-20251001"));
    Http.Reply direct = messages(body.formatted("claude-haiku-4-5"));
    Http.Reply opus = messages(body.formatted("claude-opus-4-1"));
    assertThat(viaAlias.json().get("usage")).isEqualTo(direct.json().get("usage"));
    BigDecimal a = new BigDecimal(viaAlias.header("x-ljq-cost"));
    BigDecimal d = new BigDecimal(direct.header("x-ljq-cost"));
    assertThat(a).isPositive();
    // Sub-micro fractions carry over between a tenant's requests: equal costs may differ by one micro-unit.
    assertThat(a.subtract(d).abs()).isLessThanOrEqualTo(new BigDecimal("0.000001"));
    assertThat(new BigDecimal(opus.header("x-ljq-cost"))).isGreaterThan(a.multiply(BigDecimal.TEN));
    String id = viaAlias.header("x-request-id");
    JsonNode row = null;
    long until = System.nanoTime() + 20_000_000_000L;
    while (row == null && System.nanoTime() < until) {
      for (JsonNode u : Http.get(root + "/v1/billing/usage?page_size=100", key).json().path("data")) {
        if (id.equals(u.path("request_id").asText())) row = u;
      }
      if (row == null) Thread.sleep(100);
    }
    assertThat(row).as("usage record of " + id).isNotNull();
    assertThat(row.get("model").asText()).isEqualTo("claude-haiku-4-5");
    assertThat(row.get("cost").asText()).isEqualTo(viaAlias.header("x-ljq-cost"));
  }

  @Test
  void openAiClientsAskingForClaudeGetTheTranslationAndAreToldWhatWasDropped() {
    Http.Reply r = Http.postJson(root + "/v1/chat/completions", key, "{\"model\":\"claude-sonnet-4-5-20250929\","
        + "\"store\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-provider")).isEqualTo("simulator-anthropic");
    assertThat(r.header("x-ljq-dropped")).isEqualTo("store");
    assertThat(r.json().get("object").asText()).isEqualTo("chat.completion");
    assertThat(r.json().get("model").asText()).isEqualTo("claude-sonnet-4-5-20250929"); // the name it asked for
  }

  @Test
  void simulatorDirectivesReachTheAnthropicDialect() {
    Http.Reply r = messages("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}", "x-ljq-sim", "tokens=3");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().at("/usage/output_tokens").asLong()).isEqualTo(3);
  }

  @Test
  void theModelListHoldsConcreteModelsOnly() {
    JsonNode list = Http.get(root + "/v1/models", key).json().get("data");
    List<String> ids = new ArrayList<>();
    list.forEach(m -> ids.add(m.get("id").asText()));
    assertThat(ids).contains("claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "gpt-4o-mini");
    assertThat(ids).noneMatch(id -> id.contains("*"));
  }
}
