package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.Usage;

/**
 * A Gemini upstream's whole answer → the hub's chat.completion: text parts join into the content, thought parts
 * into reasoning_content, functionCall parts become tool_calls (with an id when Gemini gave none).
 */
public final class GeminiToChat {
  private GeminiToChat() {}

  /** Null when the body is not a GenerateContentResponse. */
  public static ObjectNode response(JsonNode g, String model) {
    if (g == null || !g.isObject()) return null;
    JsonNode candidates = g.get("candidates");
    boolean blocked = g.path("promptFeedback").has("blockReason");
    if ((candidates == null || !candidates.isArray() || candidates.isEmpty()) && !blocked) return null;
    JsonNode cand = candidates == null ? Json.obj() : candidates.path(0);
    ObjectNode chat = Json.obj();
    String id = Json.text(g, "responseId");
    chat.put("id", "chatcmpl-" + (id == null ? "ljq" : id));
    chat.put("object", "chat.completion");
    chat.put("created", System.currentTimeMillis() / 1000);
    chat.put("model", Json.text(g, "modelVersion") != null ? Json.text(g, "modelVersion") : model);
    ObjectNode choice = chat.putArray("choices").addObject().put("index", 0);
    ObjectNode msg = choice.putObject("message").put("role", "assistant");
    StringBuilder text = new StringBuilder();
    StringBuilder thoughts = new StringBuilder();
    ArrayNode calls = Json.F.arrayNode();
    for (JsonNode p : cand.path("content").path("parts")) {
      if (p.has("functionCall")) {
        calls.add(toolCall(p.get("functionCall"), calls.size()));
      } else if (Json.text(p, "text") != null) {
        (p.path("thought").asBoolean(false) ? thoughts : text).append(p.get("text").asText());
      }
    }
    msg.put("content", text.toString());
    if (!thoughts.isEmpty()) msg.put("reasoning_content", thoughts.toString());
    if (!calls.isEmpty()) msg.set("tool_calls", calls);
    String finish = blocked ? "content_filter" : GeminiUsage.toChat(Json.text(cand, "finishReason"), !calls.isEmpty());
    choice.put("finish_reason", finish == null ? "stop" : finish);
    TokenUsage u = GeminiUsage.from(g.get("usageMetadata"));
    if (u != null) chat.set("usage", Usage.toOpenAi(u));
    return chat;
  }

  static ObjectNode toolCall(JsonNode fc, int index) {
    String name = Json.text(fc, "name");
    String id = Json.text(fc, "id");
    ObjectNode call = Json.obj().put("id", id != null ? id : "call_" + index + "_" + (name == null ? "fn" : name))
        .put("type", "function");
    JsonNode args = fc.get("args");
    call.putObject("function").put("name", name == null ? "" : name)
        .put("arguments", Json.present(args) ? Json.string(args) : "{}");
    return call;
  }
}
