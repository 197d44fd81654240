package com.lijiaoqiao.protocol.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.ViaHubStream;
import com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropicStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Gemini ↔ hub, both directions, requests, whole answers and streams. */
class GeminiTranslationTest {
  private static GeminiRequest parse(String json) {
    return GeminiRequest.parse(json.getBytes(StandardCharsets.UTF_8), "gemini-2.5-flash", false);
  }

  private static JsonNode tree(String json) {
    return Json.tryParse(json);
  }

  @Test
  void requestDecodesToTheHub() {
    GeminiRequest g = parse("""
        {"systemInstruction":{"parts":[{"text":"Be brief."},{"text":"Answer in French."}]},
         "contents":[{"role":"user","parts":[{"text":"Weather in Paris?"},
                       {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]},
                     {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},
                     {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":18}}}]}],
         "tools":[{"functionDeclarations":[{"name":"get_weather","description":"d",
                   "parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING","nullable":true}},
                                 "required":["city"],"propertyOrdering":["city"]}}]},
                  {"googleSearch":{}}],
         "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},
         "generationConfig":{"maxOutputTokens":200,"temperature":0.5,"topP":0.9,"topK":40,"stopSequences":["END"],
                             "responseMimeType":"application/json","responseSchema":{"type":"OBJECT"}},
         "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]}
        """);
    ObjectNode chat = g.toChat();
    assertThat(chat.get("model").asText()).isEqualTo("gemini-2.5-flash");
    JsonNode m = chat.get("messages");
    assertThat(m.get(0).get("role").asText()).isEqualTo("system");
    assertThat(m.get(0).get("content").asText()).isEqualTo("Be brief.\nAnswer in French.");
    assertThat(m.get(1).get("content").get(1).get("image_url").get("url").asText())
        .isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    String id = m.get(2).get("tool_calls").get(0).get("id").asText();
    assertThat(m.get(2).get("tool_calls").get(0).get("function").get("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(m.get(3).get("role").asText()).isEqualTo("tool");
    assertThat(m.get(3).get("tool_call_id").asText()).isEqualTo(id); // paired by name
    assertThat(m.get(3).get("content").asText()).isEqualTo("{\"temp\":18}");
    JsonNode params = chat.get("tools").get(0).get("function").get("parameters");
    assertThat(params.get("type").asText()).isEqualTo("object");
    assertThat(params.get("properties").get("city").get("type").toString()).isEqualTo("[\"string\",\"null\"]");
    assertThat(params.has("propertyOrdering")).isFalse();
    assertThat(chat.get("tool_choice").get("function").get("name").asText()).isEqualTo("get_weather");
    assertThat(chat.get("max_tokens").asInt()).isEqualTo(200);
    assertThat(chat.get("stop").get(0).asText()).isEqualTo("END");
    assertThat(chat.get("response_format").get("type").asText()).isEqualTo("json_schema");
    assertThat(g.dropped()).containsExactlyInAnyOrder("tools.googleSearch", "generationConfig.topK", "safetySettings");
  }

  /**
   * @google/genai's {@code chats.sendMessageStream} keeps a streamed answer as one model content per chunk (the last
   * one often {@code {"text":""}} beside the finishReason); streamed parallel calls come one per chunk too. Such a
   * run is one model turn: one assistant message, so an OpenAI upstream gets the calls before their answers and an
   * Anthropic upstream gets no empty text block ("text content blocks must be non-empty").
   */
  @Test
  void consecutiveModelContentsAreOneAssistantTurn() {
    GeminiRequest g = parse("""
        {"contents":[{"role":"user","parts":[{"text":"Hi"}]},
                     {"role":"model","parts":[{"text":"think","thought":true}]},
                     {"role":"model","parts":[{"text":"Hello"}]},
                     {"role":"model","parts":[{"text":" there"}]},
                     {"role":"model","parts":[{"text":""}]},
                     {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
                     {"role":"model","parts":[{"functionCall":{"id":"c1","name":"get_weather","args":{"city":"Paris"}}}]},
                     {"role":"model","parts":[{"functionCall":{"id":"c2","name":"get_weather","args":{"city":"Rome"}}}]},
                     {"role":"user","parts":[{"functionResponse":{"id":"c1","name":"get_weather","response":{"result":"sun"}}},
                                             {"functionResponse":{"id":"c2","name":"get_weather","response":{"result":"rain"}}}]}]}
        """);
    JsonNode m = g.toChat().get("messages");
    assertThat(m).hasSize(6);
    assertThat(m.get(1).get("role").asText()).isEqualTo("assistant");
    assertThat(m.get(1).get("content").asText()).isEqualTo("Hello there");
    assertThat(m.get(1).get("reasoning_content").asText()).isEqualTo("think");
    assertThat(m.get(3).get("tool_calls").findValuesAsText("id")).containsExactly("c1", "c2");
    assertThat(m.get(4).get("tool_call_id").asText()).isEqualTo("c1");
    assertThat(m.get(5).get("tool_call_id").asText()).isEqualTo("c2");
    JsonNode a = com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropic.request(g.toChat(), "claude-sonnet-4-5");
    for (JsonNode msg : a.get("messages")) {
      for (JsonNode block : msg.get("content")) {
        if (block.path("type").asText().equals("text")) assertThat(block.get("text").asText()).as(a.toString()).isNotEmpty();
      }
    }
  }

  @Test
  void refusalsNameTheField() {
    assertThatThrownBy(() -> parse("{\"contents\":[]}")).isInstanceOf(GatewayException.class)
        .hasMessageContaining("'contents' must not be empty");
    assertThatThrownBy(() -> parse("{\"contents\":[{\"role\":\"boss\",\"parts\":[{\"text\":\"x\"}]}]}"))
        .hasMessageContaining("contents[0].role");
    assertThatThrownBy(() -> parse("{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],\"generationConfig\":{\"candidateCount\":2}}"))
        .hasMessageContaining("candidateCount");
    assertThatThrownBy(() -> parse("{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],\"cachedContent\":\"c/1\"}"))
        .hasMessageContaining("cachedContent");
    assertThatThrownBy(() -> parse("{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"AA\"}}]}]}"))
        .hasMessageContaining("inlineData.mimeType");
    assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("JSON object");
  }

  @Test
  void hubRequestEncodesForGemini() {
    ObjectNode chat = (ObjectNode) tree("""
        {"model":"m","max_tokens":50,"stop":"X","user":"u1","messages":[
          {"role":"system","content":"sys"},
          {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AAA"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"plain answer"},
          {"role":"tool","tool_call_id":"call_1","content":"{\\"ok\\":true}"}],
         "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
         "tool_choice":"required","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}}
        """);
    Set<String> dropped = new LinkedHashSet<>();
    ObjectNode g = ChatToGemini.request(chat, dropped);
    assertThat(g.has("model")).isFalse();
    assertThat(g.get("systemInstruction").get("parts").get(0).get("text").asText()).isEqualTo("sys");
    JsonNode c = g.get("contents");
    assertThat(c.get(0).get("parts").get(1).get("inlineData").get("mimeType").asText()).isEqualTo("image/jpeg");
    assertThat(c.get(1).get("role").asText()).isEqualTo("model");
    assertThat(c.get(1).get("parts").get(0).get("functionCall").get("args").get("a").asInt()).isEqualTo(1);
    JsonNode results = c.get(2).get("parts"); // both tool answers in one user turn
    assertThat(results.get(0).get("functionResponse").get("name").asText()).isEqualTo("f");
    assertThat(results.get(0).get("functionResponse").get("response").get("result").asText()).isEqualTo("plain answer");
    assertThat(results.get(1).get("functionResponse").get("response").get("ok").asBoolean()).isTrue();
    assertThat(g.get("tools").get(0).get("functionDeclarations").get(0).has("parametersJsonSchema")).isTrue();
    assertThat(g.get("toolConfig").get("functionCallingConfig").get("mode").asText()).isEqualTo("ANY");
    assertThat(g.get("generationConfig").get("maxOutputTokens").asInt()).isEqualTo(50);
    assertThat(g.get("generationConfig").get("responseMimeType").asText()).isEqualTo("application/json");
    assertThat(dropped).containsExactly("user");
    assertThatThrownBy(() -> ChatToGemini.request((ObjectNode) tree("{\"model\":\"m\",\"logit_bias\":{\"1\":2},\"messages\":[]}"),
        new LinkedHashSet<>())).hasMessageContaining("logit_bias");
  }

  @Test
  void wholeAnswersBothWays() {
    JsonNode g = tree("""
        {"candidates":[{"content":{"role":"model","parts":[{"text":"think","thought":true},{"text":"Hello"},
           {"functionCall":{"name":"f","args":{"x":1}}}]},"finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":3,"cachedContentTokenCount":4},
         "modelVersion":"gemini-2.5-flash","responseId":"r1"}
        """);
    ObjectNode chat = GeminiToChat.response(g, "client-model");
    JsonNode msg = chat.get("choices").get(0).get("message");
    assertThat(msg.get("content").asText()).isEqualTo("Hello");
    assertThat(msg.get("reasoning_content").asText()).isEqualTo("think");
    assertThat(msg.get("tool_calls").get(0).get("function").get("name").asText()).isEqualTo("f");
    assertThat(chat.get("choices").get(0).get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(chat.get("usage").get("completion_tokens").asLong()).isEqualTo(8);
    assertThat(chat.get("usage").get("prompt_tokens_details").get("cached_tokens").asLong()).isEqualTo(4);
    ObjectNode back = ChatToGemini.response(chat, "client-model");
    JsonNode parts = back.get("candidates").get(0).get("content").get("parts");
    assertThat(parts.get(0).get("thought").asBoolean()).isTrue();
    assertThat(parts.get(1).get("text").asText()).isEqualTo("Hello");
    assertThat(parts.get(2).get("functionCall").get("args").get("x").asInt()).isEqualTo(1);
    assertThat(back.get("candidates").get(0).get("finishReason").asText()).isEqualTo("STOP");
    assertThat(back.get("usageMetadata").get("promptTokenCount").asLong()).isEqualTo(10);
    assertThat(GeminiToChat.response(tree("{\"candidates\":[{\"finishReason\":\"MAX_TOKENS\",\"content\":{\"parts\":[]}}]}"), "m")
        .get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    assertThat(GeminiToChat.response(tree("{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}"), "m")
        .get("choices").get(0).get("finish_reason").asText()).isEqualTo("content_filter");
    assertThat(GeminiToChat.response(tree("{\"hello\":1}"), "m")).isNull();
  }

  private static final String[] GEMINI_EVENTS = {
      "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}],\"modelVersion\":\"gm\"}",
      "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]}}]}",
      "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\":1}}}]},"
          + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":4}}"};

  @Test
  void geminiStreamDecodesToHubChunks() {
    GeminiToChatStream s = new GeminiToChatStream("client", true);
    StringBuilder out = new StringBuilder();
    for (String e : GEMINI_EVENTS) s.onEvent(null, e, out);
    assertThat(s.complete()).isTrue();
    assertThat(s.usage().promptTokens()).isEqualTo(7);
    assertThat(s.model()).isEqualTo("gm");
    s.finish(out);
    List<JsonNode> chunks = frames(out.toString());
    StringBuilder text = new StringBuilder();
    for (JsonNode c : chunks) {
      if (c == null) continue;
      text.append(c.path("choices").path(0).path("delta").path("content").asText(""));
    }
    assertThat(text.toString()).isEqualTo("Hello");
    assertThat(out.toString()).contains("\"finish_reason\":\"tool_calls\"").endsWith("data: [DONE]\n\n");
    assertThat(out.toString()).contains("\"arguments\":\"{\\\"a\\\":1}\"");
  }

  @Test
  void aGeminiUpstreamReachesAnAnthropicClientThroughTheHub() {
    ViaHubStream s = new ViaHubStream(new GeminiToChatStream("claude-x", true), new OpenAiToAnthropicStream("claude-x", 7));
    StringBuilder out = new StringBuilder();
    for (String e : GEMINI_EVENTS) s.onEvent(null, e, out);
    assertThat(s.complete()).isTrue();
    assertThat(out.toString()).contains("event: message_start", "\"text\":\"Hel\"", "\"type\":\"tool_use\"")
        .doesNotContain("message_stop"); // the end waits for finish, after the charge is known
    s.finish(out);
    assertThat(out.toString()).contains("\"stop_reason\":\"tool_use\"").endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(s.usage().completionTokens()).isEqualTo(4);
  }

  @Test
  void hubChunksEncodeAsAGeminiStream() {
    ChatToGeminiStream s = new ChatToGeminiStream("gemini-2.5-flash");
    StringBuilder out = new StringBuilder();
    s.onEvent(null, "{\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", out);
    assertThat(s.contentStarted()).isFalse();
    s.onEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}", out);
    s.onEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}", out);
    s.onEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":2}\"}}]},\"finish_reason\":\"tool_calls\"}]}", out);
    s.onEvent(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}", out);
    s.onEvent(null, "[DONE]", out);
    assertThat(s.complete()).isTrue();
    s.finish(out);
    List<JsonNode> events = frames(out.toString());
    assertThat(events).hasSize(2);
    assertThat(events.get(0).get("candidates").get(0).get("content").get("parts").get(0).get("text").asText()).isEqualTo("Hi");
    JsonNode last = events.get(1);
    assertThat(last.get("candidates").get(0).get("content").get("parts").get(0).get("functionCall").get("args").get("a").asInt())
        .isEqualTo(2);
    assertThat(last.get("candidates").get(0).get("finishReason").asText()).isEqualTo("STOP");
    assertThat(last.get("usageMetadata").get("candidatesTokenCount").asLong()).isEqualTo(9);
    assertThat(s.model()).isEqualTo("up");
  }

  @Test
  void passthroughRelaysEventsAndReadsUsage() {
    GeminiPassthroughStream s = new GeminiPassthroughStream("gemini-2.5-flash");
    StringBuilder out = new StringBuilder();
    s.onEvent(null, GEMINI_EVENTS[0], out);
    s.onEvent(null, "{not json", out);
    s.onEvent(null, "{\"error\":{\"code\":500,\"message\":\"boom\"}}", out);
    assertThat(s.malformed()).isEqualTo(1);
    assertThat(s.upstreamError()).isEqualTo("boom");
    assertThat(out.toString()).isEqualTo("data: " + GEMINI_EVENTS[0] + "\n\n");
    assertThat(s.complete()).isFalse();
  }

  private static List<JsonNode> frames(String sse) {
    List<JsonNode> out = new ArrayList<>();
    for (String f : sse.split("\n\n")) {
      if (f.startsWith("data: ") && !f.equals("data: [DONE]")) out.add(Json.tryParse(f.substring(6)));
    }
    return out;
  }
}
