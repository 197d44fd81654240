package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.HubTools;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.Usage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The hub (chat completions) → Gemini: requests for a Gemini upstream, and whole answers for a Gemini client.
 * Pure functions over Jackson trees. Fields that only steer OpenAI's platform are left out and named; what would
 * change the answer and Gemini cannot express is refused, naming the field.
 */
public final class ChatToGemini {
  private static final String WHY = "when the model is served by a Gemini upstream";

  private ChatToGemini() {}

  /** A validated chat request → a GenerateContentRequest (the model travels in the URL, not the body). */
  public static ObjectNode request(ObjectNode o, Set<String> dropped) {
    ObjectNode g = Json.obj();
    ObjectNode gen = Json.obj();
    for (var it = o.fields(); it.hasNext(); ) {
      var e = it.next();
      String f = e.getKey();
      JsonNode v = e.getValue();
      if (!Json.present(v)) continue;
      switch (f) {
        case "model", "messages", "stream", "stream_options", "tools", "tool_choice", "response_format" -> { }
        case "max_tokens", "max_completion_tokens" -> gen.put("maxOutputTokens", v.asInt());
        case "temperature" -> gen.set("temperature", v.deepCopy());
        case "top_p" -> gen.set("topP", v.deepCopy());
        case "presence_penalty" -> gen.set("presencePenalty", v.deepCopy());
        case "frequency_penalty" -> gen.set("frequencyPenalty", v.deepCopy());
        case "seed" -> gen.set("seed", v.deepCopy());
        case "stop" -> {
          ArrayNode seqs = gen.putArray("stopSequences");
          if (v.isTextual()) seqs.add(v.asText());
          else if (v.isArray()) v.forEach(s -> seqs.add(s.asText()));
          else throw Json.bad("'stop' must be a string or an array of strings.");
        }
        case "n" -> {
          if (v.asInt(1) != 1) throw Json.unsupported("n", WHY + " (one choice per request)");
        }
        case "logprobs" -> {
          if (v.asBoolean(false)) throw Json.unsupported(f, WHY);
        }
        // OpenAI-platform bookkeeping and knobs Gemini has no counterpart for: the answer's content is the same.
        case "metadata", "store", "service_tier", "prompt_cache_key", "prompt_cache_retention", "user",
             "safety_identifier", "parallel_tool_calls", "reasoning_effort", "top_logprobs" -> dropped.add(f);
        default -> throw Json.unsupported(f, WHY);
      }
    }
    ArrayNode contents = g.putArray("contents");
    ArrayNode system = Json.F.arrayNode();
    Map<String, String> callNames = new HashMap<>();
    JsonNode msgs = o.get("messages");
    for (int i = 0; i < msgs.size(); i++) message(msgs.get(i), "messages[" + i + "]", system, contents, callNames);
    if (!system.isEmpty()) {
      g.putObject("systemInstruction").set("parts", system);
      g.set("contents", g.remove("contents")); // system first, as Google's examples read
    }
    tools(o.get("tools"), o.get("tool_choice"), g);
    responseFormat(o.get("response_format"), gen);
    if (!gen.isEmpty()) g.set("generationConfig", gen);
    return g;
  }

  private static void message(JsonNode m, String at, ArrayNode system, ArrayNode contents, Map<String, String> callNames) {
    String role = m.get("role").asText();
    JsonNode content = m.get("content");
    switch (role) {
      case "system", "developer" -> {
        if (content != null && content.isTextual()) system.addObject().put("text", content.asText());
        else if (content != null && content.isArray()) {
          for (JsonNode p : content) if (Json.text(p, "text") != null) system.addObject().put("text", p.get("text").asText());
        }
      }
      case "user" -> append(contents, "user", userParts(content, at));
      case "assistant" -> {
        ArrayNode parts = Json.F.arrayNode();
        String text = content != null && content.isTextual() ? content.asText() : joinText(content);
        if (!text.isEmpty()) parts.addObject().put("text", text);
        JsonNode calls = m.get("tool_calls");
        if (calls != null && calls.isArray()) {
          for (int k = 0; k < calls.size(); k++) {
            JsonNode c = calls.get(k);
            String name = String.valueOf(Json.text(c.path("function"), "name"));
            String args = Json.text(c.path("function"), "arguments");
            JsonNode input = args == null || args.isBlank() ? Json.obj() : Json.tryParse(args);
            if (input == null || !input.isObject()) {
              throw Json.bad("'" + at + ".tool_calls[" + k + "].function.arguments' must be a JSON object string.");
            }
            ObjectNode fc = parts.addObject().putObject("functionCall").put("name", name);
            fc.set("args", input);
            String id = Json.text(c, "id");
            if (id != null) {
              fc.put("id", id);
              callNames.put(id, name);
            }
          }
        }
        if (parts.isEmpty()) parts.addObject().put("text", "");
        append(contents, "model", parts);
      }
      case "tool" -> {
        String id = Json.text(m, "tool_call_id");
        if (id == null) throw Json.bad("'" + at + ".tool_call_id' must be a string.");
        String name = callNames.get(id);
        if (name == null) throw Json.bad("'" + at + ".tool_call_id' does not name a tool call of an earlier assistant message.");
        String text = content != null && content.isTextual() ? content.asText() : joinText(content);
        JsonNode parsed = Json.tryParse(text);
        // Gemini wants an object; a tool's plain-text answer travels as {"result": …}.
        JsonNode response = parsed != null && parsed.isObject() ? parsed : Json.obj().put("result", text);
        ObjectNode fr = Json.obj().put("id", id).put("name", name);
        fr.set("response", response);
        ArrayNode parts = Json.F.arrayNode();
        parts.addObject().set("functionResponse", fr);
        append(contents, "user", parts);
      }
      default -> throw Json.unsupported(at + ".role", WHY + " (role '" + GeminiRequest.clip(role) + "')");
    }
  }

  private static String joinText(JsonNode content) {
    StringBuilder sb = new StringBuilder();
    if (content != null && content.isArray()) {
      for (JsonNode p : content) if (Json.text(p, "text") != null) sb.append(p.get("text").asText());
    }
    return sb.toString();
  }

  /** Consecutive turns of one role merge (Gemini alternates user and model). */
  private static void append(ArrayNode contents, String role, ArrayNode parts) {
    if (!contents.isEmpty()) {
      JsonNode last = contents.get(contents.size() - 1);
      if (role.equals(Json.text(last, "role"))) {
        ((ArrayNode) last.get("parts")).addAll(parts);
        return;
      }
    }
    contents.addObject().put("role", role).set("parts", parts);
  }

  private static ArrayNode userParts(JsonNode content, String at) {
    ArrayNode parts = Json.F.arrayNode();
    if (content == null || content.isNull()) return parts;
    if (content.isTextual()) {
      parts.addObject().put("text", content.asText());
      return parts;
    }
    if (!content.isArray()) throw Json.bad("'" + at + ".content' must be a string or an array of parts.");
    for (int j = 0; j < content.size(); j++) {
      JsonNode p = content.get(j);
      String type = Json.text(p, "type");
      String here = at + ".content[" + j + "]";
      if ("text".equals(type)) {
        parts.addObject().put("text", p.path("text").asText());
      } else if ("image_url".equals(type)) {
        JsonNode iu = p.get("image_url");
        String url = iu == null ? null : iu.isTextual() ? iu.asText() : Json.text(iu, "url");
        if (url == null) throw Json.bad("'" + here + ".image_url.url' must be a string.");
        int semi = url.indexOf(";base64,");
        if (url.startsWith("data:") && semi > 5) {
          parts.addObject().putObject("inlineData").put("mimeType", url.substring(5, semi)).put("data", url.substring(semi + 8));
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
          parts.addObject().putObject("fileData").put("mimeType", guessImageType(url)).put("fileUri", url);
        } else {
          throw Json.bad("'" + here + ".image_url.url' must be a base64 data URL or an http(s) URL.");
        }
      } else {
        throw Json.unsupported(here + ".type", WHY + " (part '" + (type == null ? "?" : GeminiRequest.clip(type)) + "')");
      }
    }
    return parts;
  }

  private static String guessImageType(String url) {
    String u = url.toLowerCase(java.util.Locale.ROOT);
    if (u.contains(".png")) return "image/png";
    if (u.contains(".webp")) return "image/webp";
    if (u.contains(".gif")) return "image/gif";
    return "image/jpeg";
  }

  private static void tools(JsonNode tools, JsonNode choice, ObjectNode g) {
    ArrayNode decls = Json.F.arrayNode();
    for (HubTools.Function fn : HubTools.functions(tools, WHY)) {
      ObjectNode d = decls.addObject().put("name", fn.name());
      if (fn.description() != null) d.put("description", fn.description());
      if (fn.parameters() != null) d.set("parametersJsonSchema", fn.parameters().deepCopy());
    }
    if (!decls.isEmpty()) g.putArray("tools").addObject().set("functionDeclarations", decls);
    HubTools.Choice c = HubTools.choice(choice);
    if (c == null) return;
    ObjectNode fcc = Json.obj();
    switch (c.kind()) {
      case AUTO -> fcc.put("mode", "AUTO");
      case REQUIRED -> fcc.put("mode", "ANY");
      case NONE -> fcc.put("mode", "NONE");
      case FUNCTION -> fcc.put("mode", "ANY").putArray("allowedFunctionNames").add(c.name());
    }
    g.putObject("toolConfig").set("functionCallingConfig", fcc);
  }

  private static void responseFormat(JsonNode rf, ObjectNode gen) {
    if (!Json.present(rf)) return;
    String type = Json.text(rf, "type");
    if ("text".equals(type)) return;
    if ("json_object".equals(type)) {
      gen.put("responseMimeType", "application/json");
    } else if ("json_schema".equals(type)) {
      JsonNode schema = rf.path("json_schema").get("schema");
      if (!Json.present(schema) || !schema.isObject()) {
        throw Json.bad("'response_format.json_schema.schema' must be a JSON Schema object.");
      }
      gen.put("responseMimeType", "application/json");
      gen.set("responseJsonSchema", schema.deepCopy());
    } else {
      throw Json.unsupported("response_format.type", WHY + " (only 'text', 'json_object' and 'json_schema')");
    }
  }

  /** A whole chat.completion (from any upstream, through the hub) → a GenerateContentResponse for a Gemini client. */
  public static ObjectNode response(JsonNode chat, String model) {
    if (chat == null || !chat.isObject() || !chat.path("choices").isArray()) return null;
    JsonNode choice = chat.get("choices").path(0);
    JsonNode msg = choice.path("message");
    ObjectNode g = Json.obj();
    ObjectNode cand = g.putArray("candidates").addObject();
    ArrayNode parts = cand.putObject("content").put("role", "model").putArray("parts");
    String reasoning = Json.text(msg, "reasoning_content");
    if (reasoning != null && !reasoning.isEmpty()) parts.addObject().put("text", reasoning).put("thought", true);
    String text = Json.text(msg, "content");
    if (text == null) text = Json.text(msg, "refusal");
    if (text != null && !text.isEmpty()) parts.addObject().put("text", text);
    for (JsonNode c : msg.path("tool_calls")) parts.addObject().set("functionCall", functionCall(c));
    if (parts.isEmpty()) parts.addObject().put("text", "");
    cand.put("finishReason", GeminiUsage.fromChat(Json.text(choice, "finish_reason")));
    cand.put("index", 0);
    TokenUsage u = Usage.fromOpenAi(chat.get("usage"));
    g.set("usageMetadata", GeminiUsage.to(u));
    g.put("modelVersion", model);
    String id = Json.text(chat, "id");
    g.put("responseId", id == null ? "ljq" : id);
    return g;
  }

  static ObjectNode functionCall(JsonNode c) {
    JsonNode fn = c.path("function");
    ObjectNode fc = Json.obj();
    if (Json.text(c, "id") != null) fc.put("id", Json.text(c, "id"));
    fc.put("name", String.valueOf(Json.text(fn, "name")));
    String args = Json.text(fn, "arguments");
    JsonNode input = args == null || args.isBlank() ? Json.obj() : Json.tryParse(args);
    // Arguments that are not a JSON object (a broken upstream) are kept, never dropped.
    fc.set("args", input != null && input.isObject() ? input : Json.obj().put("_raw_arguments", args));
    return fc;
  }
}
