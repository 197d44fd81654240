package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.HubTools;
import com.lijiaoqiao.protocol.Json;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.TokenUsage;

/**
 * OpenAI chat completions → Anthropic Messages: requests (OpenAI ingress, Anthropic upstream) and responses
 * (Anthropic ingress, OpenAI-dialect upstream). Pure functions over Jackson trees.
 */
public final class OpenAiToAnthropic {
  /** Anthropic requires max_tokens; OpenAI clients often omit it. */
  public static final int DEFAULT_MAX_TOKENS = 4096;
  private static final String WHY = "when the model is served by an Anthropic upstream";

  private OpenAiToAnthropic() {}

  /** Translates a validated OpenAI chat request body into an Anthropic Messages request body. */
  public static ObjectNode request(ObjectNode o, String upstreamModel) {
    return request(o, upstreamModel, new java.util.LinkedHashSet<>());
  }

  /**
   * As {@link #request(ObjectNode, String)}, adding to {@code dropped} the fields left out because they only
   * steer OpenAI's platform (storage, caching, capacity); what would change the answer is refused instead.
   */
  public static ObjectNode request(ObjectNode o, String upstreamModel, java.util.Set<String> dropped) {
    var it = o.fields();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode v = e.getValue();
      String f = e.getKey();
      switch (f) {
        case "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream",
             "stream_options", "tools", "tool_choice", "parallel_tool_calls", "user", "safety_identifier" -> { }
        // OpenAI-platform bookkeeping (stored completions, its prompt cache, capacity tier): no effect on the answer.
        case "metadata", "store", "service_tier", "prompt_cache_key", "prompt_cache_retention" -> {
          if (Json.present(v)) dropped.add(f);
        }
        case "n" -> {
          if (Json.present(v) && v.asInt(1) != 1) throw Json.unsupported("n", WHY + " (one choice per request)");
        }
        case "presence_penalty", "frequency_penalty" -> {
          if (Json.present(v) && v.asDouble(0) != 0) throw Json.unsupported(f, WHY);
        }
        case "response_format" -> { } // mapped below
        case "logprobs" -> {
          if (Json.present(v) && v.asBoolean(false)) throw Json.unsupported(f, WHY);
        }
        default -> {
          if (Json.present(v)) throw Json.unsupported(f, WHY);
        }
      }
    }
    ObjectNode a = Json.obj();
    a.put("model", upstreamModel);
    JsonNode mt = o.get("max_completion_tokens");
    if (!Json.present(mt)) mt = o.get("max_tokens");
    a.put("max_tokens", Json.present(mt) ? mt.asInt() : DEFAULT_MAX_TOKENS);
    ArrayNode system = Json.F.arrayNode();
    ArrayNode messages = a.putArray("messages");
    JsonNode msgs = o.get("messages");
    for (int i = 0; i < msgs.size(); i++) message(msgs.get(i), "messages[" + i + "]", system, messages);
    if (!system.isEmpty()) {
      if (system.size() == 1) a.put("system", system.get(0).get("text").asText());
      else a.set("system", system);
      // keep field order readable: system before messages
      a.set("messages", a.remove("messages"));
    }
    JsonNode temp = o.get("temperature");
    if (Json.present(temp)) {
      if (!temp.isNumber() || temp.asDouble() < 0 || temp.asDouble() > 1) {
        throw Json.unsupported("temperature", WHY + " above 1 (Anthropic's range is 0–1)");
      }
      a.set("temperature", temp.deepCopy());
    }
    JsonNode topP = o.get("top_p");
    if (Json.present(topP)) a.set("top_p", topP.deepCopy());
    JsonNode stop = o.get("stop");
    if (Json.present(stop)) {
      ArrayNode seqs = a.putArray("stop_sequences");
      if (stop.isTextual()) seqs.add(stop.asText());
      else if (stop.isArray()) stop.forEach(s -> seqs.add(s.asText()));
      else throw Json.bad("'stop' must be a string or an array of strings.");
    }
    if (o.path("stream").asBoolean(false)) a.put("stream", true);
    JsonNode tools = o.get("tools");
    List<HubTools.Function> functions = HubTools.functions(tools, WHY);
    if (Json.present(tools)) {
      ArrayNode out = a.putArray("tools");
      for (HubTools.Function fn : functions) {
        ObjectNode tool = out.addObject().put("name", fn.name());
        if (fn.description() != null) tool.put("description", fn.description());
        tool.set("input_schema", fn.parameters() != null ? fn.parameters().deepCopy() : Json.obj().put("type", "object"));
      }
    }
    HubTools.Choice hc = HubTools.choice(o.get("tool_choice"));
    ObjectNode choice = hc == null ? null : switch (hc.kind()) {
      case AUTO -> Json.obj().put("type", "auto");
      case REQUIRED -> Json.obj().put("type", "any");
      case NONE -> Json.obj().put("type", "none");
      case FUNCTION -> Json.obj().put("type", "tool").put("name", hc.name());
    };
    JsonNode ptc = o.get("parallel_tool_calls");
    if (Json.present(ptc) && !ptc.asBoolean(true) && Json.present(tools)) {
      if (choice == null) choice = Json.obj().put("type", "auto");
      if (!"none".equals(Json.text(choice, "type"))) choice.put("disable_parallel_tool_use", true);
    }
    if (choice != null) a.set("tool_choice", choice);
    String user = Json.text(o, "user");
    if (user == null) user = Json.text(o, "safety_identifier"); // the same purpose: telling end users apart
    if (user != null) a.putObject("metadata").put("user_id", user);
    JsonNode format = outputFormat(o.get("response_format"));
    if (format != null) a.putObject("output_config").set("format", format);
    return a;
  }

  /**
   * {@code response_format} → Anthropic's {@code output_config.format} (the mirror of AnthropicToOpenAi): a
   * json_schema keeps its schema (name, description and strict have no counterpart: Anthropic always decodes
   * to the schema); text is the default; json_object is refused, since Anthropic has no schema-less JSON mode.
   */
  private static JsonNode outputFormat(JsonNode rf) {
    if (!Json.present(rf)) return null;
    String type = Json.text(rf, "type");
    if ("text".equals(type)) return null;
    if ("json_schema".equals(type)) {
      JsonNode schema = rf.path("json_schema").get("schema");
      if (!Json.present(schema) || !schema.isObject()) {
        throw Json.bad("'response_format.json_schema.schema' must be a JSON Schema object.");
      }
      ObjectNode f = Json.obj().put("type", "json_schema");
      f.set("schema", schema.deepCopy());
      return f;
    }
    if ("json_object".equals(type)) {
      throw Json.unsupported("response_format.type", WHY + " ('json_object' has no Anthropic equivalent; send "
          + "type 'json_schema' with a schema)");
    }
    throw Json.unsupported("response_format.type", WHY + " (only 'text' and 'json_schema')");
  }

  private static void message(JsonNode m, String at, ArrayNode system, ArrayNode out) {
    String role = m.get("role").asText();
    JsonNode content = m.get("content");
    switch (role) {
      case "system", "developer" -> {
        // Anthropic has one system prompt: every system message joins it, in order.
        if (content != null && content.isTextual()) system.addObject().put("type", "text").put("text", content.asText());
        else if (content != null && content.isArray()) {
          for (JsonNode p : content) {
            if (Json.text(p, "text") != null) system.addObject().put("type", "text").put("text", p.get("text").asText());
          }
        }
      }
      case "user" -> append(out, "user", userBlocks(content, at));
      case "assistant" -> {
        ArrayNode blocks = Json.F.arrayNode();
        if (content != null && content.isTextual() && !content.asText().isEmpty()) {
          blocks.addObject().put("type", "text").put("text", content.asText());
        } else if (content != null && content.isArray()) {
          for (JsonNode p : content) {
            String t = Json.text(p, "text");
            if (t != null && !t.isEmpty()) blocks.addObject().put("type", "text").put("text", t);
          }
        }
        JsonNode calls = m.get("tool_calls");
        if (calls != null && calls.isArray()) {
          for (int k = 0; k < calls.size(); k++) {
            JsonNode c = calls.get(k);
            JsonNode fn = c.path("function");
            String args = Json.text(fn, "arguments");
            JsonNode input = args == null || args.isBlank() ? Json.obj() : Json.tryParse(args);
            if (input == null || !input.isObject()) {
              throw Json.bad("'" + at + ".tool_calls[" + k + "].function.arguments' must be a JSON object string.");
            }
            blocks.addObject().put("type", "tool_use").put("id", Json.text(c, "id") == null ? "toolu_" + k
                : Json.text(c, "id")).put("name", String.valueOf(Json.text(fn, "name"))).set("input", input);
          }
        }
        if (blocks.isEmpty()) blocks.addObject().put("type", "text").put("text", "");
        append(out, "assistant", blocks);
      }
      case "tool" -> {
        String id = Json.text(m, "tool_call_id");
        if (id == null) throw Json.bad("'" + at + ".tool_call_id' must be a string.");
        ObjectNode r = Json.obj().put("type", "tool_result").put("tool_use_id", id);
        if (content != null && content.isTextual()) r.put("content", content.asText());
        else if (content != null && content.isArray()) r.set("content", userBlocks(content, at));
        else r.put("content", "");
        append(out, "user", Json.F.arrayNode().add(r));
      }
      default -> throw Json.unsupported(at + ".role", WHY + " (role '" + AnthropicRequest.clip(role) + "')");
    }
  }

  /** Consecutive messages of one role merge into one (Anthropic alternates user and assistant). */
  private static void append(ArrayNode out, String role, ArrayNode blocks) {
    if (!out.isEmpty()) {
      JsonNode last = out.get(out.size() - 1);
      if (role.equals(Json.text(last, "role"))) {
        ((ArrayNode) last.get("content")).addAll(blocks);
        return;
      }
    }
    out.addObject().put("role", role).set("content", blocks);
  }

  private static ArrayNode userBlocks(JsonNode content, String at) {
    ArrayNode blocks = Json.F.arrayNode();
    if (content == null || content.isNull()) return blocks;
    if (content.isTextual()) {
      blocks.addObject().put("type", "text").put("text", content.asText());
      return blocks;
    }
    if (!content.isArray()) throw Json.bad("'" + at + ".content' must be a string or an array of parts.");
    for (int j = 0; j < content.size(); j++) {
      JsonNode p = content.get(j);
      String type = Json.text(p, "type");
      String here = at + ".content[" + j + "]";
      if ("text".equals(type)) {
        blocks.addObject().put("type", "text").put("text", p.path("text").asText());
      } else if ("image_url".equals(type)) {
        JsonNode iu = p.get("image_url");
        String url = iu == null ? null : iu.isTextual() ? iu.asText() : Json.text(iu, "url");
        if (url == null) throw Json.bad("'" + here + ".image_url.url' must be a string.");
        ObjectNode src = blocks.addObject().put("type", "image").putObject("source");
        if (url.startsWith("data:")) {
          int semi = url.indexOf(";base64,");
          if (semi < 0) throw Json.bad("'" + here + ".image_url.url' must be a base64 data URL or an http(s) URL.");
          src.put("type", "base64").put("media_type", url.substring(5, semi)).put("data", url.substring(semi + 8));
        } else {
          src.put("type", "url").put("url", url);
        }
      } else {
        throw Json.unsupported(here + ".type", WHY + " (part '" + (type == null ? "?" : AnthropicRequest.clip(type))
            + "')");
      }
    }
    return blocks;
  }

  /** A whole OpenAI chat.completion → an Anthropic message; null if it is not a chat completion. */
  public static ObjectNode response(JsonNode chat, String model) {
    if (chat == null || !chat.isObject() || !chat.path("choices").isArray()) return null;
    JsonNode choice = chat.get("choices").path(0);
    JsonNode msg = choice.path("message");
    ObjectNode a = Json.obj();
    String id = Json.text(chat, "id");
    a.put("id", "msg_" + (id == null ? "ljq" : id));
    a.put("type", "message");
    a.put("role", "assistant");
    a.put("model", model);
    ArrayNode content = a.putArray("content");
    String reasoning = Json.text(msg, "reasoning_content");
    if (reasoning != null && !reasoning.isEmpty()) {
      content.addObject().put("type", "thinking").put("thinking", reasoning).put("signature", "");
    }
    String text = Json.text(msg, "content");
    if (text == null) text = Json.text(msg, "refusal");
    if (text != null && !text.isEmpty()) content.addObject().put("type", "text").put("text", text);
    JsonNode calls = msg.get("tool_calls");
    if (calls != null && calls.isArray()) {
      for (JsonNode c : calls) content.add(toolUse(Json.text(c, "id"), Json.text(c.path("function"), "name"),
          Json.text(c.path("function"), "arguments")));
    }
    if (content.isEmpty()) content.addObject().put("type", "text").put("text", "");
    a.put("stop_reason", StopReasons.toAnthropic(Json.text(choice, "finish_reason") == null ? "stop"
        : Json.text(choice, "finish_reason")));
    a.putNull("stop_sequence");
    TokenUsage u = Usage.fromOpenAi(chat.get("usage"));
    a.set("usage", Usage.toAnthropic(u));
    return a;
  }

  static ObjectNode toolUse(String id, String name, String arguments) {
    ObjectNode b = Json.obj().put("type", "tool_use").put("id", id == null ? "toolu_ljq" : id)
        .put("name", name == null ? "" : name);
    JsonNode input = arguments == null || arguments.isBlank() ? Json.obj() : Json.tryParse(arguments);
    // Arguments that are not a JSON object (a broken upstream) are kept, never dropped.
    b.set("input", input != null && input.isObject() ? input : Json.obj().put("_raw_arguments", arguments));
    return b;
  }
}
