package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorAnthropicTest extends SimulatorTestBase {
  static final String TOOLS = "\"tools\":[{\"name\":\"get_weather\",\"description\":\"weather\",\"input_schema\":"
      + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"days\":{\"type\":\"number\"}}}}]";

  private static HttpResponse<String> messages(String body, String... extra) throws Exception {
    String[] h = new String[extra.length + 4];
    h[0] = "x-api-key";
    h[1] = "sk-ant";
    h[2] = "anthropic-version";
    h[3] = "2023-06-01";
    System.arraycopy(extra, 0, h, 4, extra.length);
    return post("/v1/messages", body, h);
  }

  @Test
  void nonStream() throws Exception {
    HttpResponse<String> r = messages(anthBody("Hello Claude", false, "\"system\":\"be brief\""));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode n = json(r.body());
    assertThat(n.path("id").asText()).startsWith("msg_");
    assertThat(n.path("type").asText()).isEqualTo("message");
    assertThat(n.path("role").asText()).isEqualTo("assistant");
    assertThat(n.path("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(n.path("content").get(0).path("type").asText()).isEqualTo("text");
    assertThat(n.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(n.get("stop_sequence").isNull()).isTrue();
    JsonNode u = n.path("usage");
    assertThat(u.path("input_tokens").asInt()).isGreaterThan(3);
    assertThat(u.path("output_tokens").asInt()).isEqualTo(40);
    assertThat(u.path("cache_creation_input_tokens").asInt()).isZero();
    assertThat(u.path("cache_read_input_tokens").asInt()).isZero();
  }

  @Test
  void bearerAuthAndBetaQueryAccepted() throws Exception {
    HttpResponse<String> r = post("/v1/messages?beta=true", anthBody("hi", false, null), "authorization", "Bearer sk");
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void missingAuthAndMaxTokens() throws Exception {
    HttpResponse<String> r = post("/v1/messages", anthBody("hi", false, null), "x-no-auth", "1");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r.body()).path("type").asText()).isEqualTo("error");
    assertThat(json(r.body()).path("error").path("type").asText()).isEqualTo("authentication_error");
    HttpResponse<String> m = messages("{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(m.statusCode()).isEqualTo(400);
    assertThat(json(m.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(json(m.body()).path("error").path("message").asText()).contains("max_tokens");
  }

  @Test
  void maxTokensCap() throws Exception {
    JsonNode n = json(messages("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}").body());
    assertThat(n.path("stop_reason").asText()).isEqualTo("max_tokens");
    assertThat(n.path("usage").path("output_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void streamEventOrder() throws Exception {
    HttpResponse<String> r = messages(anthBody("stream me", true, null), "x-ljq-sim", "tokens=4");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> names = eventNames(r.body());
    assertThat(names).containsExactly("message_start", "content_block_start", "ping", "content_block_delta",
        "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop");
    List<String> data = dataLines(r.body());
    JsonNode start = json(data.get(0)).path("message");
    assertThat(start.path("content").isEmpty()).isTrue();
    assertThat(start.path("usage").path("output_tokens").asInt()).isEqualTo(1);
    assertThat(start.path("usage").path("input_tokens").asInt()).isPositive();
    StringBuilder text = new StringBuilder();
    for (String d : data) {
      JsonNode n = json(d);
      assertThat(n.path("type").asText()).isNotEmpty();
      if (n.path("delta").path("type").asText().equals("text_delta")) {
        text.append(n.path("delta").path("text").asText());
      }
    }
    JsonNode delta = json(data.get(8));
    assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(4);
    String nonStream = json(messages(anthBody("stream me", false, null), "x-ljq-sim", "tokens=4").body())
        .path("content").get(0).path("text").asText();
    assertThat(text.toString()).isEqualTo(nonStream);
  }

  @Test
  void toolUse() throws Exception {
    JsonNode n = json(messages(anthBody("Weather in Tokyo?", false, TOOLS + ",\"tool_choice\":{\"type\":\"any\"}")).body());
    assertThat(n.path("stop_reason").asText()).isEqualTo("tool_use");
    JsonNode block = n.path("content").get(0);
    assertThat(block.path("type").asText()).isEqualTo("tool_use");
    assertThat(block.path("id").asText()).startsWith("toolu_");
    assertThat(block.path("name").asText()).isEqualTo("get_weather");
    assertThat(block.path("input").toString()).isEqualTo("{\"city\":\"Tokyo\",\"days\":42}");

    HttpResponse<String> s = messages(anthBody("Weather in Tokyo?", true,
        TOOLS + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}"));
    List<String> data = dataLines(s.body());
    JsonNode cbs = json(data.get(1)).path("content_block");
    assertThat(cbs.path("type").asText()).isEqualTo("tool_use");
    assertThat(cbs.path("id").asText()).isEqualTo(block.path("id").asText());
    assertThat(cbs.path("input").isObject()).isTrue();
    StringBuilder partial = new StringBuilder();
    for (String d : data) {
      JsonNode x = json(d);
      if (x.path("delta").path("type").asText().equals("input_json_delta")) {
        partial.append(x.path("delta").path("partial_json").asText());
      }
    }
    assertThat(json(partial.toString())).isEqualTo(block.path("input"));
    assertThat(s.body()).contains("\"stop_reason\":\"tool_use\"");

    JsonNode directive = json(messages(anthBody("Weather?", false, TOOLS), "x-ljq-sim", "tool_call=2").body());
    assertThat(directive.path("content")).hasSize(2);
    JsonNode none = json(messages(anthBody("Weather?", false, TOOLS + ",\"tool_choice\":{\"type\":\"none\"}"),
        "x-ljq-sim", "tool_call=1").body());
    assertThat(none.path("stop_reason").asText()).isEqualTo("end_turn");
  }

  /**
   * Claude Code's turn: tool_choice absent (auto), the prompt after a <system-reminder> block, Bash with one
   * required field; then the tool result followed by a system note between turns — answered with text.
   */
  @Test
  void autoToolChoiceCallsTheNamedToolOnceAsClaudeCodeSendsIt() throws Exception {
    String tools = "\"tools\":[{\"name\":\"Agent\",\"input_schema\":{\"type\":\"object\",\"properties\":"
        + "{\"prompt\":{\"type\":\"string\"}},\"required\":[\"prompt\"]}},{\"name\":\"Bash\",\"input_schema\":"
        + "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"},\"timeout\":{\"type\":\"number\"},"
        + "\"run_in_background\":{\"type\":\"boolean\"}},\"required\":[\"command\"]}}]";
    String ask = "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"<system-reminder>The Agent tool "
        + "is available.</system-reminder>\"},{\"type\":\"text\",\"text\":\"Use the Bash tool to run `echo hi`\"}]}";
    JsonNode n = json(messages("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[" + ask + "],"
        + tools + "}").body());
    assertThat(n.path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(n.at("/content/0/name").asText()).isEqualTo("Bash");
    assertThat(n.at("/content/0/input").toString()).isEqualTo("{\"command\":\"echo hi\"}");

    String id = n.at("/content/0/id").asText();
    JsonNode after = json(messages("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[" + ask + ","
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"Bash\","
        + "\"input\":{\"command\":\"echo hi\"}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
        + "\"tool_use_id\":\"" + id + "\",\"content\":\"hi\"}]},{\"role\":\"system\",\"content\":\"note\"}]," + tools + "}")
        .body());
    assertThat(after.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(after.at("/content/0/text").asText()).startsWith("Based on the tool result \"hi\"");

    JsonNode plain = json(messages(anthBody("Say hello", false, tools)).body());
    assertThat(plain.path("stop_reason").asText()).isEqualTo("end_turn");
  }

  @Test
  void anOutputFormatIsAnsweredWithJsonOfTheSchema() throws Exception {
    JsonNode n = json(messages(anthBody("Invent a person called Ada", false, "\"output_config\":{\"format\":{\"type\":"
        + "\"json_schema\",\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
        + "\"required\":[\"name\"]}}}")).body());
    assertThat(json(n.at("/content/0/text").asText()).toString()).isEqualTo("{\"name\":\"Ada\"}");
  }

  @Test
  void thinking() throws Exception {
    String th = "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}";
    JsonNode n = json(messages(anthBody("think", false, th)).body());
    assertThat(n.path("content").get(0).path("type").asText()).isEqualTo("thinking");
    assertThat(n.path("content").get(0).path("thinking").asText()).isNotBlank();
    assertThat(n.path("content").get(0).path("signature").asText()).isNotBlank();
    assertThat(n.path("content").get(1).path("type").asText()).isEqualTo("text");

    HttpResponse<String> s = messages(anthBody("think", true, th), "x-ljq-sim", "tokens=2");
    List<String> data = dataLines(s.body());
    List<String> deltaTypes = data.stream().map(SimulatorTestBase::json)
        .filter(x -> x.path("type").asText().equals("content_block_delta"))
        .map(x -> x.path("index").asInt() + ":" + x.path("delta").path("type").asText()).distinct().toList();
    assertThat(deltaTypes).containsExactly("0:thinking_delta", "0:signature_delta", "1:text_delta");
    assertThat(json(data.get(1)).path("content_block").path("type").asText()).isEqualTo("thinking");
  }

  @Test
  void promptCaching() throws Exception {
    String sys = "\"system\":[{\"type\":\"text\",\"text\":\"You are a cached assistant " + System.nanoTime()
        + " with a long system prompt.\",\"cache_control\":{\"type\":\"ephemeral\"}}]";
    JsonNode first = json(messages(anthBody("q1", false, sys)).body()).path("usage");
    JsonNode second = json(messages(anthBody("q2 is different", false, sys)).body()).path("usage");
    assertThat(first.path("cache_creation_input_tokens").asInt()).isPositive();
    assertThat(first.path("cache_read_input_tokens").asInt()).isZero();
    assertThat(second.path("cache_creation_input_tokens").asInt()).isZero();
    assertThat(second.path("cache_read_input_tokens").asInt()).isEqualTo(first.path("cache_creation_input_tokens").asInt());
    assertThat(second.path("input_tokens").asInt()).isPositive();
  }

  @Test
  void countTokens() throws Exception {
    HttpResponse<String> r = post("/v1/messages/count_tokens",
        "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"count these tokens\"}]}",
        "x-api-key", "k");
    assertThat(r.statusCode()).isEqualTo(200);
    int n = json(r.body()).path("input_tokens").asInt();
    JsonNode usage = json(messages(anthBody("count these tokens", false, null)).body()).path("usage");
    assertThat(n).isEqualTo(usage.path("input_tokens").asInt()).isPositive();
  }

  @Test
  void streamFaults() throws Exception {
    HttpResponse<String> r = messages(anthBody("x", true, null), "x-ljq-sim", "fault=no_done,tokens=2");
    assertThat(eventNames(r.body())).doesNotContain("message_stop").contains("message_delta");
    HttpResponse<String> m = messages(anthBody("x", true, null), "x-ljq-sim", "fault=malformed,after=1,tokens=3");
    assertThat(m.body()).contains("\"text\":\"oops\"\n\n");
    assertThat(eventNames(m.body())).endsWith("message_stop");
  }
}
