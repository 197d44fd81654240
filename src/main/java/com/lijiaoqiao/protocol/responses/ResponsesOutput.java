package com.lijiaoqiao.protocol.responses;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Responses object ({@code object: "response"}) built from a chat completion: the shell every event and the
 * final answer share, output items (message with output_text, function_call), status and usage. Only fields of
 * OpenAI's schema are written, plus the gateway's {@code usage.cost} (added by the relay, as on other endpoints).
 */
public final class ResponsesOutput {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ResponsesOutput() {}

  /** A response id: 192 random bits, so a stored response cannot be found by guessing. */
  public static String newId() {
    byte[] b = new byte[24];
    com.lijiaoqiao.ids.SortableIds.nextBytes(b);
    char[] c = new char[5 + 48];
    "resp_".getChars(0, 5, c, 0);
    for (int i = 0; i < b.length; i++) {
      c[5 + 2 * i] = HEX[(b[i] >> 4) & 0xf];
      c[6 + 2 * i] = HEX[b[i] & 0xf];
    }
    return new String(c);
  }

  /** Item ids derive from the response's (they only need to be distinct within it). */
  static String itemId(String responseId, String prefix, int index) {
    return prefix + responseId.substring(5, 37) + "_" + index;
  }

  /** The response object without output and usage, in the given status. */
  public static ObjectNode shell(ResponsesRequest r, String id, long createdAt, String model, String status) {
    ObjectNode o = Json.obj().put("id", id).put("object", "response").put("created_at", createdAt)
        .put("status", status);
    o.putNull("error");
    o.putNull("incomplete_details");
    JsonNode body = r.body();
    o.set("instructions", body.hasNonNull("instructions") ? body.get("instructions") : Json.F.nullNode());
    o.set("max_output_tokens", body.hasNonNull("max_output_tokens") ? body.get("max_output_tokens") : Json.F.nullNode());
    o.set("metadata", body.path("metadata").isObject() ? body.get("metadata") : Json.obj());
    o.put("model", model);
    o.putArray("output");
    o.put("parallel_tool_calls", body.path("parallel_tool_calls").asBoolean(true));
    o.set("previous_response_id", r.previousResponseId() == null ? Json.F.nullNode()
        : Json.F.textNode(r.previousResponseId()));
    ObjectNode reasoning = o.putObject("reasoning");
    reasoning.set("effort", body.path("reasoning").hasNonNull("effort") ? body.get("reasoning").get("effort")
        : Json.F.nullNode());
    reasoning.set("summary", body.path("reasoning").hasNonNull("summary") ? body.get("reasoning").get("summary")
        : Json.F.nullNode());
    o.put("store", r.store());
    o.set("temperature", body.hasNonNull("temperature") ? body.get("temperature") : Json.F.numberNode(1.0));
    ObjectNode text = o.putObject("text");
    text.set("format", body.path("text").path("format").isObject() ? body.get("text").get("format")
        : Json.obj().put("type", "text"));
    o.set("tool_choice", body.hasNonNull("tool_choice") ? body.get("tool_choice") : Json.F.textNode("auto"));
    o.set("tools", r.functionTools());
    o.set("top_p", body.hasNonNull("top_p") ? body.get("top_p") : Json.F.numberNode(1.0));
    o.put("truncation", body.hasNonNull("truncation") ? body.get("truncation").asText() : "disabled");
    o.set("user", body.hasNonNull("user") ? body.get("user") : Json.F.nullNode());
    o.putNull("usage");
    return o;
  }

  /** A whole chat completion (OpenAI-shaped) as a Responses object; null when it is not one. */
  public static ObjectNode fromChat(JsonNode chat, ResponsesRequest r, String id, long createdAt, String model) {
    JsonNode choice = chat.path("choices").path(0);
    if (!choice.isObject()) return null;
    JsonNode msg = choice.path("message");
    ObjectNode o = shell(r, id, createdAt, model, "completed");
    ArrayNode output = (ArrayNode) o.get("output");
    String reasoning = Json.text(msg, "reasoning_content");
    if (reasoning != null && !reasoning.isEmpty()) output.add(reasoningItem(itemId(id, "rs_", 0), reasoning));
    String content = Json.text(msg, "content");
    String refusal = Json.text(msg, "refusal");
    JsonNode calls = msg.get("tool_calls");
    boolean hasCalls = calls != null && calls.isArray() && !calls.isEmpty();
    if ((content != null && !content.isEmpty()) || refusal != null || !hasCalls) {
      ObjectNode m = messageItem(itemId(id, "msg_", 0), "completed");
      ArrayNode parts = (ArrayNode) m.get("content");
      if (refusal != null) parts.addObject().put("type", "refusal").put("refusal", refusal);
      else parts.add(textPart(content == null ? "" : content));
      output.add(m);
    }
    if (hasCalls) {
      int i = 0;
      for (JsonNode c : calls) {
        JsonNode fn = c.path("function");
        output.add(functionCall(itemId(id, "fc_", ++i), String.valueOf(Json.text(c, "id")),
            String.valueOf(Json.text(fn, "name")), fn.path("arguments").asText(""), "completed"));
      }
    }
    status(o, Json.text(choice, "finish_reason"));
    o.set("usage", usage(chat.get("usage")));
    return o;
  }

  static ObjectNode messageItem(String id, String status) {
    ObjectNode m = Json.obj().put("id", id).put("type", "message").put("status", status).put("role", "assistant");
    m.putArray("content");
    return m;
  }

  /** A reasoning item; {@code text} null while it is still streaming (no content yet). */
  static ObjectNode reasoningItem(String id, String text) {
    ObjectNode r = Json.obj().put("id", id).put("type", "reasoning");
    r.putArray("summary");
    if (text != null) r.putArray("content").addObject().put("type", "reasoning_text").put("text", text);
    return r;
  }

  static ObjectNode textPart(String text) {
    ObjectNode p = Json.obj().put("type", "output_text").put("text", text);
    p.putArray("annotations");
    p.putArray("logprobs");
    return p;
  }

  static ObjectNode functionCall(String id, String callId, String name, String arguments, String status) {
    return Json.obj().put("id", id).put("type", "function_call").put("status", status).put("arguments", arguments)
        .put("call_id", callId).put("name", name);
  }

  /** Status from chat's finish reason: a cut at the token limit (or by a filter) is incomplete, not completed. */
  static void status(ObjectNode o, String finishReason) {
    String reason = "length".equals(finishReason) ? "max_output_tokens"
        : "content_filter".equals(finishReason) ? "content_filter" : null;
    if (reason == null) return;
    o.put("status", "incomplete");
    o.putObject("incomplete_details").put("reason", reason);
  }

  /** Chat usage → Responses usage. */
  static ObjectNode usage(JsonNode u) {
    long in = u == null ? 0 : u.path("prompt_tokens").asLong();
    long out = u == null ? 0 : u.path("completion_tokens").asLong();
    ObjectNode o = Json.obj().put("input_tokens", in);
    o.putObject("input_tokens_details").put("cached_tokens",
        u == null ? 0 : u.path("prompt_tokens_details").path("cached_tokens").asLong());
    o.put("output_tokens", out);
    o.putObject("output_tokens_details").put("reasoning_tokens",
        u == null ? 0 : u.path("completion_tokens_details").path("reasoning_tokens").asLong());
    o.put("total_tokens", u != null && u.path("total_tokens").isNumber() ? u.get("total_tokens").asLong() : in + out);
    return o;
  }
}
