package com.lijiaoqiao.protocol.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Chat chunks → Responses events, fed one by one as the relay does. */
class ResponsesStreamTest {
  static final String ID = ResponsesOutput.newId();

  static ResponsesRequest request() {
    return ResponsesRequest.parse("{\"model\":\"m\",\"input\":\"x\",\"stream\":true}".getBytes(StandardCharsets.UTF_8));
  }

  static List<JsonNode> events(StringBuilder out) {
    List<JsonNode> ev = new ArrayList<>();
    for (String frame : out.toString().split("\n\n")) {
      int at = frame.indexOf("data: ");
      if (at >= 0) ev.add(com.lijiaoqiao.protocol.Json.tryParse(frame.substring(at + 6)));
    }
    return ev;
  }

  static String chunk(String delta, String finish) {
    return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":" + delta
        + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
  }

  @Test
  void reasoningThenTextThenAToolCall() {
    AtomicReference<ObjectNode> stored = new AtomicReference<>();
    ResponsesStream s = new ResponsesStream(request(), ID, 1, "m", null, stored::set);
    StringBuilder out = new StringBuilder();
    s.onEvent(null, chunk("{\"role\":\"assistant\",\"content\":\"\"}", null), out);
    assertThat(s.contentStarted()).isFalse(); // nothing to commit yet: a failure here can still fall over
    s.onEvent(null, chunk("{\"reasoning_content\":\"think\"}", null), out);
    s.onEvent(null, chunk("{\"content\":\"Hel\"}", null), out);
    s.onEvent(null, chunk("{\"content\":\"lo\"}", null), out);
    s.onEvent(null, chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}", null), out);
    s.onEvent(null, chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}", null), out);
    s.onEvent(null, chunk("{}", "tool_calls"), out);
    s.onEvent(null, "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12,"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}", out);
    s.onEvent(null, "[DONE]", out);
    assertThat(s.complete()).isTrue();
    s.finish(out);
    List<JsonNode> ev = events(out);
    assertThat(ev).extracting(e -> e.get("type").asText()).containsExactly(
        "response.created", "response.in_progress",
        "response.output_item.added", "response.reasoning_text.delta",
        "response.reasoning_text.done", "response.output_item.done",
        "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.output_item.added", "response.function_call_arguments.delta",
        "response.function_call_arguments.done", "response.output_item.done",
        "response.completed");
    JsonNode r = ev.get(ev.size() - 1).get("response");
    assertThat(r.at("/output/0/type").asText()).isEqualTo("reasoning");
    assertThat(r.at("/output/0/content/0/text").asText()).isEqualTo("think");
    assertThat(r.at("/output/1/content/0/text").asText()).isEqualTo("Hello");
    assertThat(r.at("/output/2/call_id").asText()).isEqualTo("call_9");
    assertThat(r.at("/output/2/arguments").asText()).isEqualTo("{}");
    assertThat(r.at("/usage/input_tokens").asLong()).isEqualTo(7);
    assertThat(r.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isEqualTo(1);
    assertThat(s.usage().completionTokens()).isEqualTo(5);
    assertThat(stored.get().get("status").asText()).isEqualTo("completed");
    assertThat(stored.get().get("id").asText()).isEqualTo(ID);
  }

  @Test
  void aCutStreamFailsAndIsNotStored() {
    AtomicReference<ObjectNode> stored = new AtomicReference<>();
    ResponsesStream s = new ResponsesStream(request(), ID, 1, "m", null, stored::set);
    StringBuilder out = new StringBuilder();
    s.onEvent(null, chunk("{\"content\":\"Hel\"}", null), out);
    assertThat(s.complete()).isFalse();
    List<JsonNode> ev = events(new StringBuilder(s.failed("PROVIDER_005", "cut", "req_1")));
    assertThat(ev).extracting(e -> e.get("type").asText()).containsExactly("response.failed");
    assertThat(ev.get(0).at("/response/status").asText()).isEqualTo("failed");
    assertThat(ev.get(0).at("/response/output/0/content/0/text").asText()).isEqualTo("Hel");
    // Numbering goes on from the stream's: created, in_progress, output_item.added, content_part.added, delta.
    assertThat(ev.get(0).get("sequence_number").asInt()).isEqualTo(5);
    assertThat(stored.get()).isNull();
  }

  @Test
  void aLengthFinishIsIncomplete() {
    ResponsesStream s = new ResponsesStream(request(), ID, 1, "m", null, null);
    StringBuilder out = new StringBuilder();
    s.onEvent(null, chunk("{\"content\":\"a\"}", "length"), out);
    s.finish(out);
    JsonNode last = events(out).get(events(out).size() - 1);
    assertThat(last.get("type").asText()).isEqualTo("response.incomplete");
    assertThat(last.at("/response/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
  }
}
