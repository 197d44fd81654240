package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import java.io.IOException;

/**
 * A parsed, validated Anthropic Messages request ({@code POST /v1/messages} or {@code …/count_tokens}). The body
 * is kept as sent: an Anthropic upstream gets the original bytes, only the model renamed.
 */
public final class AnthropicRequest {
  private final ObjectNode body;
  private final String model;
  private final boolean stream;
  private final Integer maxTokens;

  private AnthropicRequest(ObjectNode body, String model, boolean stream, Integer maxTokens) {
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.maxTokens = maxTokens;
  }

  /** @param countTokens true for count_tokens, where max_tokens and stream are not needed */
  public static AnthropicRequest parse(byte[] bytes, boolean countTokens) {
    if (bytes.length == 0) throw Json.bad("The request body is empty; send a JSON object.");
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String why = e.getOriginalMessage();
      if (why != null && why.contains("UTF-8")) throw Json.bad("The request body is not valid UTF-8.");
      int nl = why == null ? -1 : why.indexOf('\n');
      throw Json.bad("The request body is not valid JSON"
          + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "") + ": "
          + (why == null ? "syntax error" : nl >= 0 ? why.substring(0, Math.min(nl, 200)) : why.substring(0,
              Math.min(why.length(), 200))));
    } catch (IOException e) {
      throw Json.bad("The request body could not be read as JSON.");
    }
    if (root == null || root.isMissingNode()) throw Json.bad("The request body is empty; send a JSON object.");
    if (!root.isObject()) throw Json.bad("The request body must be a JSON object, not " + Json.kind(root) + ".");
    ObjectNode body = (ObjectNode) root;
    JsonNode model = body.get("model");
    if (!Json.present(model)) throw Json.bad("'model' is required.");
    if (!model.isTextual() || model.asText().isBlank()) {
      throw Json.bad("'model' must be a non-empty string, not " + Json.kind(model) + ".");
    }
    com.lijiaoqiao.protocol.OpenAiRequest.checkModelLength(model.asText());
    Integer maxTokens = null;
    JsonNode mt = body.get("max_tokens");
    if (!Json.present(mt)) {
      if (!countTokens) throw Json.bad("'max_tokens' is required.");
    } else if (!mt.isIntegralNumber() || mt.asLong() < 1 || mt.asLong() > Integer.MAX_VALUE) {
      throw Json.bad("'max_tokens' must be a positive integer.");
    } else {
      maxTokens = mt.intValue();
    }
    boolean stream = false;
    JsonNode s = body.get("stream");
    if (Json.present(s)) {
      if (!s.isBoolean()) throw Json.bad("'stream' must be a boolean.");
      stream = s.booleanValue() && !countTokens;
    }
    validateMessages(body.get("messages"));
    validateSystem(body.get("system"));
    number(body, "temperature");
    number(body, "top_p");
    JsonNode topK = body.get("top_k");
    if (Json.present(topK) && !topK.isIntegralNumber()) throw Json.bad("'top_k' must be an integer.");
    JsonNode stop = body.get("stop_sequences");
    if (Json.present(stop)) {
      if (!stop.isArray()) throw Json.bad("'stop_sequences' must be an array of strings.");
      for (JsonNode x : stop) if (!x.isTextual()) throw Json.bad("'stop_sequences' must be an array of strings.");
    }
    JsonNode tools = body.get("tools");
    if (Json.present(tools)) {
      if (!tools.isArray()) throw Json.bad("'tools' must be an array, not " + Json.kind(tools) + ".");
      for (int i = 0; i < tools.size(); i++) {
        JsonNode t = tools.get(i);
        if (!t.isObject()) throw Json.bad("'tools[" + i + "]' must be an object.");
        JsonNode name = t.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
          throw Json.bad("'tools[" + i + "].name' must be a non-empty string.");
        }
        JsonNode schema = t.get("input_schema");
        if (Json.present(schema) && !schema.isObject()) {
          throw Json.bad("'tools[" + i + "].input_schema' must be an object.");
        }
      }
    }
    JsonNode tc = body.get("tool_choice");
    if (Json.present(tc)) {
      if (!tc.isObject() || !(tc.get("type") instanceof JsonNode ty) || !ty.isTextual()) {
        throw Json.bad("'tool_choice' must be an object with a string 'type'.");
      }
      switch (ty.asText()) {
        case "auto", "any", "none" -> { }
        case "tool" -> {
          if (Json.text(tc, "name") == null) throw Json.bad("'tool_choice.name' is required for type 'tool'.");
        }
        default -> throw Json.bad("'tool_choice.type' must be one of auto, any, tool, none; not '"
            + clip(ty.asText()) + "'.");
      }
    }
    JsonNode thinking = body.get("thinking");
    if (Json.present(thinking) && (!thinking.isObject() || Json.text(thinking, "type") == null)) {
      throw Json.bad("'thinking' must be an object with a string 'type'.");
    }
    JsonNode meta = body.get("metadata");
    if (Json.present(meta) && !meta.isObject()) throw Json.bad("'metadata' must be an object.");
    return new AnthropicRequest(body, model.asText(), stream, maxTokens);
  }

  private static void number(ObjectNode body, String f) {
    JsonNode v = body.get(f);
    if (Json.present(v) && !v.isNumber()) throw Json.bad("'" + f + "' must be a number, not " + Json.kind(v) + ".");
  }

  private static void validateSystem(JsonNode system) {
    if (!Json.present(system) || system.isTextual()) return;
    if (!system.isArray()) throw Json.bad("'system' must be a string or an array of text blocks.");
    for (int i = 0; i < system.size(); i++) {
      JsonNode b = system.get(i);
      if (!b.isObject() || !"text".equals(Json.text(b, "type")) || Json.text(b, "text") == null) {
        throw Json.bad("'system[" + i + "]' must be a text block: {\"type\":\"text\",\"text\":\"…\"}.");
      }
    }
  }

  private static void validateMessages(JsonNode messages) {
    if (!Json.present(messages)) throw Json.bad("'messages' is required.");
    if (!messages.isArray()) throw Json.bad("'messages' must be an array, not " + Json.kind(messages) + ".");
    if (messages.isEmpty()) throw Json.bad("'messages' must contain at least one message.");
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) throw Json.bad("'" + at + "' must be an object, not " + Json.kind(m) + ".");
      String role = Json.text(m, "role");
      if (role == null) throw Json.bad("'" + at + ".role' must be a string.");
      if (!role.equals("user") && !role.equals("assistant") && !role.equals("system")) {
        throw Json.bad("'" + at + ".role' must be 'user' or 'assistant', not '" + clip(role) + "'.");
      }
      JsonNode content = m.get("content");
      if (!Json.present(content)) throw Json.bad("'" + at + ".content' is required.");
      if (content.isTextual()) continue;
      if (!content.isArray()) {
        throw Json.bad("'" + at + ".content' must be a string or an array of content blocks.");
      }
      for (int j = 0; j < content.size(); j++) validateBlock(content.get(j), at + ".content[" + j + "]");
    }
  }

  static void validateBlock(JsonNode b, String at) {
    if (!b.isObject()) throw Json.bad("'" + at + "' must be a content block object, not " + Json.kind(b) + ".");
    String type = Json.text(b, "type");
    if (type == null) throw Json.bad("'" + at + ".type' must be a string.");
    switch (type) {
      case "text" -> {
        if (Json.text(b, "text") == null) throw Json.bad("'" + at + ".text' must be a string.");
      }
      case "image", "document" -> {
        JsonNode src = b.get("source");
        if (src == null || !src.isObject() || Json.text(src, "type") == null) {
          throw Json.bad("'" + at + ".source' must be an object with a string 'type'.");
        }
        if ("base64".equals(Json.text(src, "type"))
            && (Json.text(src, "data") == null || Json.text(src, "media_type") == null)) {
          throw Json.bad("'" + at + ".source' needs string 'media_type' and 'data' for base64.");
        }
        if ("url".equals(Json.text(src, "type")) && Json.text(src, "url") == null) {
          throw Json.bad("'" + at + ".source.url' must be a string.");
        }
      }
      case "tool_use" -> {
        if (Json.text(b, "id") == null || Json.text(b, "name") == null) {
          throw Json.bad("'" + at + "' (tool_use) needs string 'id' and 'name'.");
        }
        JsonNode input = b.get("input");
        if (input != null && !input.isObject()) throw Json.bad("'" + at + ".input' must be an object.");
      }
      case "tool_result" -> {
        if (Json.text(b, "tool_use_id") == null) throw Json.bad("'" + at + ".tool_use_id' must be a string.");
        JsonNode c = b.get("content");
        if (Json.present(c) && !c.isTextual()) {
          if (!c.isArray()) throw Json.bad("'" + at + ".content' must be a string or an array of blocks.");
          for (int k = 0; k < c.size(); k++) validateBlock(c.get(k), at + ".content[" + k + "]");
        }
      }
      default -> { } // thinking, redacted_thinking, server blocks …: passed through, or refused on translation
    }
  }

  static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  public ObjectNode body() { return body; }
  public String model() { return model; }
  public boolean stream() { return stream; }
  public Integer maxTokens() { return maxTokens; }

  /** The body for an Anthropic upstream: the original bytes, or re-serialised with the upstream's model name. */
  public byte[] upstreamBody(byte[] original, String upstreamModel) {
    boolean hoist = hasSystemMessages();
    if (upstreamModel.equals(model) && !hoist) return original;
    ObjectNode copy = body.deepCopy();
    copy.put("model", upstreamModel);
    if (hoist) hoistSystemMessages(copy);
    return Json.bytes(copy);
  }

  private boolean hasSystemMessages() {
    for (JsonNode m : body.get("messages")) {
      if ("system".equals(Json.text(m, "role"))) return true;
    }
    return false;
  }

  /**
   * Messages with {@code role: "system"} (Claude Code sends them) move, in order, to the end of the top-level
   * {@code system} blocks: Anthropic's API accepts system text only there.
   */
  static void hoistSystemMessages(ObjectNode body) {
    var system = Json.F.arrayNode();
    JsonNode existing = body.get("system");
    if (existing != null && existing.isTextual()) system.addObject().put("type", "text").put("text", existing.asText());
    else if (existing != null && existing.isArray()) system.addAll((com.fasterxml.jackson.databind.node.ArrayNode) existing);
    var kept = Json.F.arrayNode();
    for (JsonNode m : body.get("messages")) {
      if (!"system".equals(Json.text(m, "role"))) {
        kept.add(m);
        continue;
      }
      JsonNode c = m.get("content");
      if (c.isTextual()) system.addObject().put("type", "text").put("text", c.asText());
      else for (JsonNode b : c) if ("text".equals(Json.text(b, "type"))) system.add(b);
    }
    body.set("system", system);
    body.set("messages", kept);
  }

  /** Translation for OpenAI-dialect upstreams; fails with a 400 naming the field it cannot express. */
  public ObjectNode toOpenAi() {
    if (openAi == null) {
      java.util.Set<String> d = new java.util.LinkedHashSet<>();
      openAi = AnthropicToOpenAi.request(body, d);
      droppedForOpenAi = java.util.Collections.unmodifiableSet(d);
    }
    return openAi;
  }

  /** The fields {@link #toOpenAi} left out (they only steer Anthropic's server), in the order met. */
  public java.util.Set<String> droppedForOpenAi() {
    toOpenAi();
    return droppedForOpenAi;
  }

  private ObjectNode openAi;
  private java.util.Set<String> droppedForOpenAi;

  static GatewayException badAt(String at, String why) {
    return Json.bad("'" + at + "' " + why);
  }
}
