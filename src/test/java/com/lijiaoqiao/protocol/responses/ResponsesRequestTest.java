package com.lijiaoqiao.protocol.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses request → chat-completions view: the mapping table of docs/responses.md. */
class ResponsesRequestTest {
  static ResponsesRequest parse(String json) {
    return ResponsesRequest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aStringInputWithInstructions() {
    ObjectNode chat = parse("{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"hi\",\"max_output_tokens\":20,"
        + "\"temperature\":0.5,\"top_p\":0.9,\"user\":\"u\",\"prompt_cache_key\":\"k\",\"reasoning\":{\"effort\":\"low\"},"
        + "\"stream\":true,\"store\":false,\"metadata\":{\"a\":\"b\"}}").toChat(List.of());
    assertThat(chat.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(chat.at("/messages/0/content").asText()).isEqualTo("Be brief.");
    assertThat(chat.at("/messages/1/role").asText()).isEqualTo("user");
    assertThat(chat.at("/messages/1/content").asText()).isEqualTo("hi");
    assertThat(chat.get("max_completion_tokens").asInt()).isEqualTo(20);
    assertThat(chat.get("temperature").asDouble()).isEqualTo(0.5);
    assertThat(chat.get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(chat.get("user").asText()).isEqualTo("u");
    assertThat(chat.get("prompt_cache_key").asText()).isEqualTo("k");
    assertThat(chat.get("reasoning_effort").asText()).isEqualTo("low");
    assertThat(chat.get("stream").asBoolean()).isTrue();
    assertThat(chat.at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(chat.has("store")).isFalse(); // the gateway stores; the upstream does not
    assertThat(chat.has("metadata")).isFalse();
  }

  @Test
  void itemsBecomeChatMessages() {
    ResponsesRequest r = parse("{\"model\":\"m\",\"input\":["
        + "{\"role\":\"developer\",\"content\":\"rules\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"see \"},{\"type\":\"input_image\","
        + "\"image_url\":\"data:image/png;base64,AAAA\",\"detail\":\"high\"}]},"
        + "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
        + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"calling\"}]},"
        + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"},"
        + "{\"type\":\"function_call\",\"call_id\":\"c2\",\"name\":\"g\",\"arguments\":\"{}\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"one\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"c2\",\"output\":[{\"type\":\"input_text\",\"text\":\"two\"}]}]}");
    ObjectNode chat = r.toChat(List.of());
    JsonNode m = chat.get("messages");
    assertThat(m).hasSize(5);
    assertThat(m.at("/0/role").asText()).isEqualTo("system");
    assertThat(m.at("/1/content/0/type").asText()).isEqualTo("text");
    assertThat(m.at("/1/content/1/image_url/url").asText()).startsWith("data:image/png");
    assertThat(m.at("/1/content/1/image_url/detail").asText()).isEqualTo("high");
    // The assistant's text and both calls are one turn, as chat requires before the tool results.
    assertThat(m.at("/2/role").asText()).isEqualTo("assistant");
    assertThat(m.at("/2/content").asText()).isEqualTo("calling");
    assertThat(m.at("/2/tool_calls/0/id").asText()).isEqualTo("c1");
    assertThat(m.at("/2/tool_calls/0/function/arguments").asText()).isEqualTo("{\"a\":1}");
    assertThat(m.at("/2/tool_calls/1/function/name").asText()).isEqualTo("g");
    assertThat(m.at("/3/role").asText()).isEqualTo("tool");
    assertThat(m.at("/3/tool_call_id").asText()).isEqualTo("c1");
    assertThat(m.at("/4/content").asText()).isEqualTo("two");
    assertThat(r.dropped()).containsExactly("input.reasoning");
  }

  @Test
  void historyComesBeforeThisTurn() {
    ResponsesRequest first = parse("{\"model\":\"m\",\"input\":\"one\"}");
    ResponsesRequest second = parse("{\"model\":\"m\",\"input\":\"two\",\"previous_response_id\":\"resp_x\"}");
    ObjectNode chat = second.toChat(first.input());
    assertThat(chat.at("/messages/0/content").asText()).isEqualTo("one");
    assertThat(chat.at("/messages/1/content").asText()).isEqualTo("two");
    assertThat(second.previousResponseId()).isEqualTo("resp_x");
  }

  @Test
  void toolsFormatAndChoice() {
    ResponsesRequest r = parse("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\","
        + "\"description\":\"d\",\"parameters\":{\"type\":\"object\"},\"strict\":true},{\"type\":\"web_search_preview\"},"
        + "{\"type\":\"mcp\",\"server_label\":\"s\"},{\"type\":\"Weird Type!\"}],\"tool_choice\":{\"type\":\"function\",\"name\":\"f\"},"
        + "\"parallel_tool_calls\":false,\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"out\",\"strict\":true,"
        + "\"schema\":{\"type\":\"object\"}},\"verbosity\":\"low\"}}");
    ObjectNode chat = r.toChat(List.of());
    assertThat(chat.get("tools")).hasSize(1);
    assertThat(chat.at("/tools/0/function/name").asText()).isEqualTo("f");
    assertThat(chat.at("/tools/0/function/strict").asBoolean()).isTrue();
    assertThat(chat.at("/tool_choice/function/name").asText()).isEqualTo("f");
    assertThat(chat.get("parallel_tool_calls").asBoolean()).isFalse();
    assertThat(chat.at("/response_format/type").asText()).isEqualTo("json_schema");
    assertThat(chat.at("/response_format/json_schema/name").asText()).isEqualTo("out");
    assertThat(chat.at("/response_format/json_schema/strict").asBoolean()).isTrue();
    assertThat(r.dropped()).containsExactly("tools.web_search_preview", "tools.mcp", "tools.other", "text.verbosity");
  }

  @Test
  void onlyHostedToolsLeaveNoToolsAndNoChoice() {
    ResponsesRequest r = parse("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"file_search\"}],"
        + "\"tool_choice\":\"required\",\"parallel_tool_calls\":true}");
    ObjectNode chat = r.toChat(List.of());
    assertThat(chat.has("tools")).isFalse();
    assertThat(chat.has("tool_choice")).isFalse();
    assertThat(chat.has("parallel_tool_calls")).isFalse();
    assertThat(r.dropped()).containsExactly("tools.file_search", "tool_choice");
  }

  @Test
  void tooManyItemsIsRefused() {
    StringBuilder sb = new StringBuilder("{\"model\":\"m\",\"input\":[");
    for (int i = 0; i <= ResponsesRequest.MAX_INPUT_ITEMS; i++) sb.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"x\"}");
    assertThatThrownBy(() -> parse(sb.append("]}").toString())).isInstanceOf(GatewayException.class)
        .hasMessageContaining("input");
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> parse("{\"model\":\"m\",\"input\":\"a\",\"input\":\"b\"}"))
        .isInstanceOf(GatewayException.class).hasMessageContaining("not valid JSON");
  }

  /** Codex CLI (0.17x) sends its installation, session and turn ids in `client_metadata` on every turn. */
  @Test
  void codexClientMetadataIsLeftOutAndNamed() {
    ResponsesRequest r = parse("{\"model\":\"m\",\"input\":\"x\",\"store\":false,\"client_metadata\":{\"session_id\":\"s\","
        + "\"turn_id\":\"t\",\"x-codex-turn-metadata\":\"{\\\"model\\\":\\\"m\\\"}\"}}");
    ObjectNode chat = r.toChat(List.of());
    assertThat(chat.has("client_metadata")).isFalse();
    assertThat(r.dropped()).containsExactly("client_metadata");
    for (String bad : new String[] {"\"x\"", "{\"a\":1}", "{\"a\":\"" + "v".repeat(16_385) + "\"}"}) {
      assertThatThrownBy(() -> parse("{\"model\":\"m\",\"input\":\"x\",\"client_metadata\":" + bad + "}"))
          .isInstanceOf(GatewayException.class).hasMessageContaining("client_metadata");
    }
  }

  @Test
  void itemReferencesAreResolvedBeforeTheChatViewIsBuilt() {
    ResponsesRequest r = parse("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"hi\"},"
        + "{\"type\":\"item_reference\",\"id\":\"msg_1\"},{\"role\":\"user\",\"content\":\"again\"}]}");
    assertThat(r.hasItemReferences()).isTrue();
    JsonNode stored = com.lijiaoqiao.protocol.Json.obj().put("id", "msg_1").put("type", "message").put("role", "assistant")
        .set("content", com.lijiaoqiao.protocol.Json.F.arrayNode().add(com.lijiaoqiao.protocol.Json.obj().put("type", "output_text").put("text", "hello")));
    r.resolveItemReferences(id -> id.equals("msg_1") ? stored : null);
    assertThat(r.hasItemReferences()).isFalse();
    assertThat(r.input().get(1)).isSameAs(stored);
    JsonNode m = r.toChat(List.of()).get("messages");
    assertThat(m.at("/1/role").asText()).isEqualTo("assistant");
    assertThat(m.at("/1/content").asText()).isEqualTo("hello");

    ResponsesRequest unknown = parse("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_x\"}]}");
    assertThatThrownBy(() -> unknown.resolveItemReferences(id -> null)).isInstanceOf(GatewayException.class)
        .hasMessageContaining("input[0].id").hasMessageContaining("msg_x");
    assertThatThrownBy(() -> parse("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\"}]}"))
        .isInstanceOf(GatewayException.class).hasMessageContaining("input[0].id");
  }
}
