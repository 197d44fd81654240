package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.TokenUsage;

/**
 * Anthropic Messages → OpenAI chat completions: requests (Anthropic ingress, OpenAI-dialect upstream) and
 * responses (OpenAI ingress, Anthropic upstream). Pure functions over Jackson trees.
 */
public final class AnthropicToOpenAi {
  private static final String WHY = "when the model is served by an OpenAI-compatible upstream";

  private AnthropicToOpenAi() {}

  /** Translates a validated Anthropic request body into an OpenAI chat request body. */
  public static ObjectNode request(ObjectNode a) {
    return request(a, new java.util.LinkedHashSet<>());
  }

  /**
   * As {@link #request(ObjectNode)}, adding to {@code dropped} the fields left out because they only steer
   * Anthropic's server (the answer is the same without them); what would change the answer is refused instead.
   */
  public static ObjectNode request(ObjectNode a, java.util.Set<String> dropped) {
    ObjectNode o = Json.obj();
    ArrayNode messages = Json.F.arrayNode();
    var it = a.fields();
    // Refuse what cannot be expressed before doing any work; the rest is mapped field by field below.
    while (it.hasNext()) {
      var e = it.next();
      String f = e.getKey();
      switch (f) {
        case "model", "messages", "system", "max_tokens", "stream", "temperature", "top_p", "stop_sequences",
             "tools", "tool_choice", "metadata", "thinking", "output_config" -> { }
        // Server-side steering: context editing (the upstream gets the whole conversation as sent), capacity
        // tier, prompt-cache markers (OpenAI caches prefixes by itself).
        case "context_management", "service_tier", "cache_control" -> {
          if (Json.present(e.getValue())) dropped.add(f);
        }
        case "top_k" -> {
          if (Json.present(e.getValue())) throw Json.unsupported("top_k", WHY + " (OpenAI has no top_k)");
        }
        default -> {
          if (Json.present(e.getValue())) throw Json.unsupported(f, WHY);
        }
      }
    }
    o.put("model", a.get("model").asText());
    JsonNode system = a.get("system");
    if (Json.present(system)) {
      messages.add(Json.obj().put("role", "system").put("content", joinText(system)));
      noteCacheMarkers(system, dropped);
    }
    JsonNode msgs = a.get("messages");
    for (int i = 0; i < msgs.size(); i++) {
      message(msgs.get(i), "messages[" + i + "]", messages);
      noteCacheMarkers(msgs.get(i).get("content"), dropped);
    }
    o.set("messages", messages);
    o.put("max_tokens", a.get("max_tokens") == null ? 4096 : a.get("max_tokens").asInt());
    copyNumber(a, o, "temperature");
    copyNumber(a, o, "top_p");
    JsonNode stop = a.get("stop_sequences");
    if (Json.present(stop) && !stop.isEmpty()) o.set("stop", stop.deepCopy());
    JsonNode stream = a.get("stream");
    if (stream != null && stream.asBoolean(false)) {
      o.put("stream", true);
      o.putObject("stream_options").put("include_usage", true);
    }
    JsonNode tools = a.get("tools");
    boolean hasTools = Json.present(tools) && !tools.isEmpty();
    if (hasTools) {
      ArrayNode out = o.putArray("tools");
      for (int i = 0; i < tools.size(); i++) {
        JsonNode t = tools.get(i);
        String type = Json.text(t, "type");
        if (type != null && !type.equals("custom")) {
          throw Json.unsupported("tools[" + i + "].type",
              WHY + " ('" + AnthropicRequest.clip(type) + "' is an Anthropic server tool)");
        }
        ObjectNode fn = out.addObject().put("type", "function").putObject("function");
        fn.put("name", t.get("name").asText());
        if (Json.text(t, "description") != null) fn.put("description", Json.text(t, "description"));
        JsonNode schema = t.get("input_schema");
        fn.set("parameters", Json.present(schema) ? schema.deepCopy() : Json.obj().put("type", "object"));
        if (t.path("strict").isBoolean()) fn.put("strict", t.get("strict").asBoolean());
        if (t.has("cache_control")) dropped.add("cache_control");
      }
    }
    JsonNode tc = a.get("tool_choice");
    if (Json.present(tc)) {
      switch (tc.get("type").asText()) {
        case "auto" -> o.put("tool_choice", "auto");
        case "any" -> o.put("tool_choice", "required");
        case "none" -> o.put("tool_choice", "none");
        default -> o.putObject("tool_choice").put("type", "function").putObject("function")
            .put("name", tc.get("name").asText());
      }
      if (hasTools && tc.path("disable_parallel_tool_use").asBoolean(false)) o.put("parallel_tool_calls", false);
    }
    String user = Json.text(a.get("metadata"), "user_id");
    if (user != null) o.put("user", user);
    JsonNode thinking = a.get("thinking");
    if (Json.present(thinking)) {
      String type = Json.text(thinking, "type");
      if ("enabled".equals(type)) {
        long budget = Json.num(thinking, "budget_tokens");
        o.put("reasoning_effort", budget <= 4096 ? "low" : budget <= 16384 ? "medium" : "high");
      } else if ("adaptive".equals(type)) {
        o.put("reasoning_effort", "medium");
      } else if (!"disabled".equals(type)) {
        throw Json.unsupported("thinking.type", WHY + " (unknown type '" + AnthropicRequest.clip(type) + "')");
      }
    }
    JsonNode oc = a.get("output_config");
    if (Json.present(oc)) {
      var fields = oc.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        switch (e.getKey()) {
          case "effort" -> {
            String effort = e.getValue().asText();
            o.put("reasoning_effort", effort.equals("max") ? "high" : effort);
          }
          case "format" -> {
            JsonNode fmt = e.getValue();
            if (!"json_schema".equals(Json.text(fmt, "type")) || !Json.present(fmt.get("schema"))) {
              throw Json.unsupported("output_config.format", WHY + " (only json_schema formats translate)");
            }
            ObjectNode js = o.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            js.put("name", "output");
            js.set("schema", fmt.get("schema").deepCopy());
          }
          default -> throw Json.unsupported("output_config." + e.getKey(), WHY);
        }
      }
    }
    return o;
  }

  /** Blocks (and tool results' blocks) carrying {@code cache_control}: the marker has no OpenAI equivalent. */
  private static void noteCacheMarkers(JsonNode blocks, java.util.Set<String> dropped) {
    if (blocks == null || !blocks.isArray() || dropped.contains("cache_control")) return;
    for (JsonNode b : blocks) {
      if (b.has("cache_control")) {
        dropped.add("cache_control");
        return;
      }
      noteCacheMarkers(b.get("content"), dropped);
    }
  }

  private static void copyNumber(JsonNode from, ObjectNode to, String f) {
    JsonNode v = from.get(f);
    if (Json.present(v)) to.set(f, v.deepCopy());
  }

  /** Text of a string or of text blocks, joined with blank lines (Anthropic concatenates system blocks). */
  static String joinText(JsonNode n) {
    if (n.isTextual()) return n.asText();
    StringBuilder sb = new StringBuilder();
    for (JsonNode b : n) {
      String t = Json.text(b, "text");
      if (t == null) continue;
      if (!sb.isEmpty()) sb.append("\n\n");
      sb.append(t);
    }
    return sb.toString();
  }

  private static void message(JsonNode m, String at, ArrayNode out) {
    String role = m.get("role").asText();
    JsonNode content = m.get("content");
    if (role.equals("system")) {
      out.addObject().put("role", "system").put("content", content.isTextual() ? content.asText() : joinText(content));
      return;
    }
    if (content.isTextual()) {
      out.addObject().put("role", role).put("content", content.asText());
      return;
    }
    if (role.equals("assistant")) {
      StringBuilder text = new StringBuilder();
      ArrayNode calls = Json.F.arrayNode();
      for (int j = 0; j < content.size(); j++) {
        JsonNode b = content.get(j);
        String bt = b.get("type").asText();
        switch (bt) {
          case "text" -> text.append(b.get("text").asText());
          case "tool_use" -> {
            ObjectNode c = calls.addObject().put("id", b.get("id").asText()).put("type", "function");
            JsonNode input = b.get("input");
            c.putObject("function").put("name", b.get("name").asText())
                .put("arguments", Json.present(input) ? Json.string(input) : "{}");
          }
          // Earlier turns' reasoning: OpenAI's API has no way to send it back, and it does not change the answer.
          case "thinking", "redacted_thinking" -> { }
          default -> throw Json.unsupported(at + ".content[" + j + "].type", WHY + " (block '"
              + AnthropicRequest.clip(bt) + "')");
        }
      }
      ObjectNode msg = out.addObject().put("role", "assistant");
      if (!text.isEmpty() || calls.isEmpty()) msg.put("content", text.toString());
      else msg.putNull("content");
      if (!calls.isEmpty()) msg.set("tool_calls", calls);
      return;
    }
    // user: tool results become role "tool" messages, which must come first (right after the assistant's calls)
    ArrayNode parts = Json.F.arrayNode();
    for (int j = 0; j < content.size(); j++) {
      JsonNode b = content.get(j);
      String bt = b.get("type").asText();
      String here = at + ".content[" + j + "]";
      switch (bt) {
        case "text" -> parts.addObject().put("type", "text").put("text", b.get("text").asText());
        case "image" -> parts.add(image(b, here));
        case "tool_result" -> {
          JsonNode c = b.get("content");
          String text;
          if (!Json.present(c)) {
            text = "";
          } else if (c.isTextual()) {
            text = c.asText();
          } else {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < c.size(); k++) {
              JsonNode cb = c.get(k);
              if (!"text".equals(Json.text(cb, "type"))) {
                throw Json.unsupported(here + ".content[" + k + "].type", WHY
                    + " (tool results carry only text to OpenAI-compatible upstreams)");
              }
              if (!sb.isEmpty()) sb.append("\n");
              sb.append(cb.get("text").asText());
            }
            text = sb.toString();
          }
          if (b.path("is_error").asBoolean(false)) text = "Error: " + text;
          out.addObject().put("role", "tool").put("tool_call_id", b.get("tool_use_id").asText()).put("content", text);
        }
        default -> throw Json.unsupported(here + ".type", WHY + " (block '" + AnthropicRequest.clip(bt) + "')");
      }
    }
    if (parts.isEmpty()) return;
    ObjectNode msg = out.addObject().put("role", "user");
    if (parts.size() == 1 && "text".equals(Json.text(parts.get(0), "type"))) {
      msg.put("content", parts.get(0).get("text").asText());
    } else {
      msg.set("content", parts);
    }
  }

  private static ObjectNode image(JsonNode b, String at) {
    JsonNode src = b.get("source");
    String url = switch (src.get("type").asText()) {
      case "base64" -> "data:" + src.get("media_type").asText() + ";base64," + src.get("data").asText();
      case "url" -> src.get("url").asText();
      default -> throw Json.unsupported(at + ".source.type", WHY + " (only base64 and url images translate)");
    };
    ObjectNode part = Json.obj().put("type", "image_url");
    part.putObject("image_url").put("url", url);
    return part;
  }

  /** A whole Anthropic message → an OpenAI chat.completion; null if it is not a message. */
  public static ObjectNode response(JsonNode msg, String model) {
    if (msg == null || !msg.isObject() || !msg.path("content").isArray()) return null;
    ObjectNode o = Json.obj();
    String id = Json.text(msg, "id");
    o.put("id", "chatcmpl-" + (id == null ? "ljq" : id));
    o.put("object", "chat.completion");
    o.put("created", System.currentTimeMillis() / 1000);
    o.put("model", model);
    ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    ArrayNode calls = Json.F.arrayNode();
    for (JsonNode b : msg.get("content")) {
      switch (b.path("type").asText()) {
        case "text" -> text.append(b.path("text").asText());
        case "thinking" -> reasoning.append(b.path("thinking").asText());
        case "tool_use" -> {
          ObjectNode c = calls.addObject().put("id", b.path("id").asText()).put("type", "function");
          JsonNode input = b.get("input");
          c.putObject("function").put("name", b.path("name").asText())
              .put("arguments", Json.present(input) ? Json.string(input) : "{}");
        }
        default -> { }
      }
    }
    if (!text.isEmpty() || calls.isEmpty()) message.put("content", text.toString());
    else message.putNull("content");
    if (!reasoning.isEmpty()) message.put("reasoning_content", reasoning.toString());
    if (!calls.isEmpty()) message.set("tool_calls", calls);
    message.putNull("refusal");
    String stop = Json.text(msg, "stop_reason");
    choice.put("finish_reason", stop == null ? "stop" : StopReasons.toOpenAi(stop));
    TokenUsage usage = Usage.fromAnthropic(msg.get("usage"));
    o.set("usage", Usage.toOpenAi(usage));
    return o;
  }
}
