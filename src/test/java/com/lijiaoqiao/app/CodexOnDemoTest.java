package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `ljq demo` as Codex CLI (0.171, `wire_api = "responses"`, a custom provider with only base_url and env_key) uses
 * it: every turn streams, sends `client_metadata`, `include: [reasoning.encrypted_content]`, `reasoning.summary`,
 * `store: false`, a `namespace` and a `web_search` tool next to its function tools, and carries the whole history
 * itself. The first turn asks for a shell command (the simulator calls `exec_command` with it), the second sends
 * the command's output back and gets the answer — Codex's tool loop, as docs/clients.md shows it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CodexOnDemoTest {
  Gateway g;
  String key;
  String url;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createTempDirectory("ljq-demo-codex").resolve("data");
    g = Gateway.start(DemoCommand.demoConfig(TestGateway.freePort(), dir));
    key = Bootstrap.ensureDemo(g, dir, Bootstrap.DemoLimits.DEFAULT).apiKey();
    url = "http://127.0.0.1:" + g.port() + "/v1/responses";
  }

  @AfterAll
  void stop() {
    g.close();
  }

  static final String EXEC_COMMAND = "{\"type\":\"function\",\"name\":\"exec_command\",\"description\":\"Runs a "
      + "command in a PTY.\",\"strict\":false,\"parameters\":{\"type\":\"object\",\"properties\":{\"cmd\":{\"type\":"
      + "\"string\"},\"workdir\":{\"type\":\"string\"},\"tty\":{\"type\":\"boolean\"},\"yield_time_ms\":{\"type\":"
      + "\"number\"}},\"required\":[\"cmd\"],\"additionalProperties\":false}}";

  /** A Codex turn: its fields as 0.171 sends them, around the given input items. */
  static ObjectNode turn(String model, ArrayNode input) {
    ObjectNode t = Http.JSON.createObjectNode().put("model", model).put("stream", true);
    t.set("input", input);
    ArrayNode tools = t.putArray("tools");
    try {
      tools.add(Http.JSON.readTree(EXEC_COMMAND));
      tools.add(Http.JSON.readTree("{\"type\":\"namespace\",\"name\":\"multi_agent_v1\",\"description\":\"agents\","
          + "\"tools\":[]}"));
      tools.add(Http.JSON.readTree("{\"type\":\"web_search\",\"external_web_access\":false}"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    t.put("tool_choice", "auto").put("parallel_tool_calls", true);
    t.putObject("reasoning").put("summary", "auto");
    t.put("store", false);
    t.putArray("include").add("reasoning.encrypted_content");
    t.put("prompt_cache_key", "01a250b1-c5f8-7852-bb23-6192c2b25891");
    t.putObject("client_metadata").put("session_id", "01a250b1-c5f8-7852-bb23-6192c2b25891")
        .put("turn_id", "01a250b1-c64a-7760-89a2-321baf72bf5f")
        .put("x-codex-installation-id", "2e106078-81b4-414a-8a64-99e9562a37d1")
        .put("x-codex-turn-metadata", "{\"request_kind\":\"turn\",\"analytics_enabled\":false}");
    return t;
  }

  static ObjectNode message(String role, String type, String text) {
    ObjectNode m = Http.JSON.createObjectNode().put("type", "message").put("role", role);
    m.putArray("content").addObject().put("type", type).put("text", text);
    return m;
  }

  record Event(String name, JsonNode data) {}

  List<Event> send(ObjectNode body, List<String> droppedOut) throws Exception {
    List<Event> out = new ArrayList<>();
    try (Http.Stream s = Http.stream(url, key, body.toString(), "originator", "codex_exec",
        "session-id", "01a250b1-c5f8-7852-bb23-6192c2b25891", "accept", "text/event-stream")) {
      assertThat(s.status).isEqualTo(200);
      droppedOut.add(s.headers.firstValue("x-ljq-dropped").orElse(""));
      for (String d : s.rest()) {
        JsonNode j = Http.JSON.readTree(d);
        out.add(new Event(j.get("type").asText(), j));
      }
    }
    return out;
  }

  void runsItsToolLoop(String model) throws Exception {
    ArrayNode input = Http.JSON.createArrayNode();
    input.add(message("developer", "input_text", "You are a coding agent running in the Codex CLI."));
    input.add(message("user", "input_text", "<environment_context><cwd>/tmp/w</cwd></environment_context>"));
    input.add(message("user", "input_text", "Use your shell tool to run `echo hi > hello.txt`"));
    List<String> dropped = new ArrayList<>();
    List<Event> first = send(turn(model, input), dropped);
    assertThat(dropped.get(0)).contains("client_metadata", "tools.web_search", "tools.namespace", "include");
    assertThat(first.get(first.size() - 1).name()).isEqualTo("response.completed");
    JsonNode call = first.stream().filter(e -> e.name().equals("response.output_item.done")
        && e.data().at("/item/type").asText().equals("function_call")).findFirst().orElseThrow().data().get("item");
    assertThat(call.get("name").asText()).isEqualTo("exec_command");
    assertThat(Http.JSON.readTree(call.get("arguments").asText()).get("cmd").asText()).isEqualTo("echo hi > hello.txt");

    // Codex sends the history back itself (store: false): the call, then the command's output.
    input.add(Http.JSON.createObjectNode().put("type", "function_call").put("name", "exec_command")
        .put("arguments", call.get("arguments").asText()).put("call_id", call.get("call_id").asText()));
    input.add(Http.JSON.createObjectNode().put("type", "function_call_output").put("call_id", call.get("call_id").asText())
        .put("output", "Process exited with code 0"));
    List<Event> second = send(turn(model, input), dropped);
    assertThat(second.get(second.size() - 1).name()).isEqualTo("response.completed");
    JsonNode done = second.get(second.size() - 1).data().get("response");
    assertThat(done.at("/output/0/type").asText()).isEqualTo("message");
    assertThat(done.at("/output/0/content/0/text").asText()).startsWith("Based on the tool result \"Process exited");
    assertThat(done.get("output")).hasSize(1); // no second call: the loop ends
  }

  @Test
  void aCodexTurnRunsItsToolLoopOnAnOpenAiModel() throws Exception {
    runsItsToolLoop("gpt-4o-mini");
  }

  @Test
  void andOnAClaudeModelThroughTheAnthropicTranslation() throws Exception {
    runsItsToolLoop("claude-sonnet-4-5");
  }
}
