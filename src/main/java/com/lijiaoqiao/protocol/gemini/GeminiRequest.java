package com.lijiaoqiao.protocol.gemini;

import static com.lijiaoqiao.protocol.Json.bad;
import static com.lijiaoqiao.protocol.Json.kind;
import static com.lijiaoqiao.protocol.Json.present;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Json;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A validated Gemini {@code generateContent} / {@code streamGenerateContent} request (the model and the stream flag
 * come from the path) and its decoding to the hub: the chat-completions request every other part of the gateway
 * reads. The body is kept as sent, for Gemini upstreams (byte passthrough). What only steers Google's server
 * (safety settings, labels, hosted tools) is left out and named in {@link #dropped()}; what would change the
 * answer and has no counterpart is refused, naming the field.
 */
public final class GeminiRequest {
  public static final int MAX_CONTENTS = 10_000;
  public static final int MAX_PARTS = 1_000;
  public static final int MAX_TOOLS = 512;
  public static final int MAX_OUTPUT_TOKENS = 1_000_000;
  private static final int MAX_NAME = 128;

  private final ObjectNode body;
  private final String model;
  private final boolean stream;
  private final ObjectNode chat;
  private final Set<String> dropped;

  private GeminiRequest(ObjectNode body, String model, boolean stream, ObjectNode chat, Set<String> dropped) {
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.chat = chat;
    this.dropped = dropped;
  }

  /**
   * @param model  the model named in the path (without {@code models/})
   * @param stream true for streamGenerateContent
   */
  public static GeminiRequest parse(byte[] bytes, String model, boolean stream) {
    ObjectNode body = Json.parseBody(bytes);
    return of(body, model, stream);
  }

  /** For countTokens: {@code {"contents": …}} or {@code {"generateContentRequest": {…}}}. */
  public static GeminiRequest parseCount(byte[] bytes, String model) {
    ObjectNode body = Json.parseBody(bytes);
    JsonNode inner = body.get("generateContentRequest");
    if (present(inner)) {
      if (!inner.isObject()) throw bad("generateContentRequest", "'generateContentRequest' must be an object.");
      return of((ObjectNode) inner, model, false);
    }
    return of(body, model, false);
  }

  private static GeminiRequest of(ObjectNode body, String model, boolean stream) {
    Set<String> dropped = new LinkedHashSet<>();
    ObjectNode chat = Json.obj().put("model", model);
    ArrayNode messages = chat.putArray("messages");
    for (var it = body.fields(); it.hasNext(); ) {
      var e = it.next();
      String f = e.getKey();
      JsonNode v = e.getValue();
      switch (f) {
        case "contents", "systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config",
             "generationConfig", "generation_config", "model" -> { }
        // Google's server-side switches: they filter or label, they do not shape the answer's content.
        case "safetySettings", "safety_settings", "labels" -> {
          if (present(v)) dropped.add(f);
        }
        default -> {
          if (present(v)) throw Json.unsupported(f, "by the gateway's Gemini API");
        }
      }
    }
    system(either(body, "systemInstruction", "system_instruction"), messages);
    contents(body.get("contents"), messages);
    tools(body.get("tools"), chat, dropped);
    toolConfig(either(body, "toolConfig", "tool_config"), chat);
    generationConfig(either(body, "generationConfig", "generation_config"), chat, dropped);
    if (stream) chat.put("stream", true).putObject("stream_options").put("include_usage", true);
    return new GeminiRequest(body, model, stream, chat, dropped);
  }

  /**
   * The camelCase field, else its snake_case twin; never null (a missing node when neither is there, or when
   * {@code body} itself is absent), so a part like {@code {"inlineData": null}} or one without its mimeType is
   * refused as a 400 by the checks that follow.
   */
  private static JsonNode either(JsonNode body, String camel, String snake) {
    JsonNode v = body == null ? null : body.get(camel);
    if (!present(v)) v = body == null ? null : body.get(snake);
    return v == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : v;
  }

  private static void system(JsonNode si, ArrayNode messages) {
    if (!present(si)) return;
    String text;
    if (si.isTextual()) {
      text = si.asText();
    } else if (si.isObject()) {
      JsonNode parts = si.get("parts");
      if (!present(parts) || !parts.isArray()) throw bad("systemInstruction.parts", "'systemInstruction.parts' must be an array.");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < parts.size(); i++) {
        JsonNode p = parts.get(i);
        String t = Json.text(p, "text");
        if (t == null) {
          throw bad("systemInstruction.parts[" + i + "]", "'systemInstruction.parts[" + i + "]' must be a text part.");
        }
        if (!sb.isEmpty()) sb.append('\n');
        sb.append(t);
      }
      text = sb.toString();
    } else {
      throw bad("systemInstruction", "'systemInstruction' must be an object with parts, not " + kind(si) + ".");
    }
    messages.addObject().put("role", "system").put("content", text);
  }

  private static void contents(JsonNode contents, ArrayNode messages) {
    if (!present(contents)) throw bad("contents", "'contents' is required.");
    if (!contents.isArray()) throw bad("contents", "'contents' must be an array, not " + kind(contents) + ".");
    if (contents.isEmpty()) throw bad("contents", "'contents' must not be empty.");
    if (contents.size() > MAX_CONTENTS) throw bad("contents", "'contents' has more than " + MAX_CONTENTS + " entries.");
    // Gemini pairs a functionResponse with its call by name (ids are optional): calls without an id get one,
    // and each response takes the id of the oldest unanswered call of its name.
    Map<String, Deque<String>> pending = new HashMap<>();
    int[] generated = {0};
    for (int i = 0; i < contents.size(); i++) {
      JsonNode c = contents.get(i);
      String at = "contents[" + i + "]";
      if (!c.isObject()) throw bad(at, "'" + at + "' must be an object, not " + kind(c) + ".");
      String role = Json.text(c, "role");
      JsonNode parts = c.get("parts");
      if (!present(parts) || !parts.isArray()) throw bad(at + ".parts", "'" + at + ".parts' must be an array.");
      if (parts.size() > MAX_PARTS) throw bad(at + ".parts", "'" + at + ".parts' has more than " + MAX_PARTS + " parts.");
      if (role == null || role.equals("user") || role.equals("function") || role.equals("tool")) {
        userTurn(parts, at, messages, pending);
      } else if (role.equals("model")) {
        modelTurn(parts, at, messages, pending, generated);
      } else {
        throw bad(at + ".role", "'" + at + ".role' must be 'user' or 'model', not '" + clip(role) + "'.");
      }
    }
  }

  private static void userTurn(JsonNode parts, String at, ArrayNode messages, Map<String, Deque<String>> pending) {
    ArrayNode content = Json.F.arrayNode();
    for (int j = 0; j < parts.size(); j++) {
      JsonNode p = parts.get(j);
      String here = at + ".parts[" + j + "]";
      if (!p.isObject()) throw bad(here, "'" + here + "' must be an object.");
      if (p.has("text")) {
        if (!p.get("text").isTextual()) throw bad(here + ".text", "'" + here + ".text' must be a string.");
        if (p.path("thought").asBoolean(false)) continue; // a client's echo of thoughts is not input
        content.addObject().put("type", "text").put("text", p.get("text").asText());
      } else if (p.has("inlineData") || p.has("inline_data")) {
        JsonNode d = either(p, "inlineData", "inline_data");
        String mime = either(d, "mimeType", "mime_type").asText("");
        String data = Json.text(d, "data");
        if (data == null) throw bad(here + ".inlineData.data", "'" + here + ".inlineData.data' must be a base64 string.");
        if (!mime.startsWith("image/")) {
          throw Json.unsupported(here + ".inlineData.mimeType", "by the gateway (only images, not '" + clip(mime) + "')");
        }
        content.addObject().put("type", "image_url").putObject("image_url").put("url", "data:" + mime + ";base64," + data);
      } else if (p.has("fileData") || p.has("file_data")) {
        JsonNode d = either(p, "fileData", "file_data");
        String uri = either(d, "fileUri", "file_uri").asText(null);
        String mime = either(d, "mimeType", "mime_type").asText("");
        if (uri == null || !(uri.startsWith("https://") || uri.startsWith("http://")) || !mime.startsWith("image/")) {
          throw Json.unsupported(here + ".fileData", "by the gateway (only http(s) image URLs; send other files inline)");
        }
        content.addObject().put("type", "image_url").putObject("image_url").put("url", uri);
      } else if (p.has("functionResponse") || p.has("function_response")) {
        JsonNode fr = either(p, "functionResponse", "function_response");
        String name = Json.text(fr, "name");
        if (name == null) throw bad(here + ".functionResponse.name", "'" + here + ".functionResponse.name' must be a string.");
        String id = Json.text(fr, "id");
        Deque<String> q = pending.get(name);
        if (id == null) id = q != null && !q.isEmpty() ? q.pollFirst() : "call_" + name;
        else if (q != null) q.remove(id);
        JsonNode response = fr.get("response");
        String result = !present(response) ? "" : response.isTextual() ? response.asText() : Json.string(response);
        if (response != null && response.isObject() && response.size() == 1) {
          // {"result": "…"} / {"output": "…"} is how Gemini wraps a plain answer (and how the gateway wraps one for
          // Gemini): the hub gets the plain text back.
          JsonNode only = response.has("result") ? response.get("result") : response.get("output");
          if (only != null && only.isTextual()) result = only.asText();
        }
        // The tool's answer follows the call it answers; text in the same turn comes after it.
        messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", result);
      } else if (p.has("thoughtSignature") || p.has("thought_signature") || p.has("videoMetadata")) {
        // opaque to every other vendor: nothing to carry
      } else {
        throw Json.unsupported(here, "by the gateway's Gemini API (text, inlineData images, fileData image URLs and"
            + " functionResponse parts only)");
      }
    }
    if (!content.isEmpty()) {
      ObjectNode m = messages.addObject().put("role", "user");
      if (content.size() == 1 && content.get(0).has("text")) m.put("content", content.get(0).get("text").asText());
      else m.set("content", content);
    }
  }

  private static void modelTurn(JsonNode parts, String at, ArrayNode messages, Map<String, Deque<String>> pending,
                                int[] generated) {
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    ArrayNode calls = Json.F.arrayNode();
    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    if (last != null && "assistant".equals(Json.text(last, "role"))) {
      // Consecutive model contents are one turn (@google/genai's chats keep a streamed answer as one content per
      // chunk): one assistant message, so tool calls precede their answers and no empty text stands alone.
      messages.remove(messages.size() - 1);
      if (Json.text(last, "content") != null) text.append(Json.text(last, "content"));
      if (Json.text(last, "reasoning_content") != null) reasoning.append(Json.text(last, "reasoning_content"));
      if (last.has("tool_calls")) calls.addAll((ArrayNode) last.get("tool_calls"));
    }
    for (int j = 0; j < parts.size(); j++) {
      JsonNode p = parts.get(j);
      String here = at + ".parts[" + j + "]";
      if (!p.isObject()) throw bad(here, "'" + here + "' must be an object.");
      if (p.has("text")) {
        if (!p.get("text").isTextual()) throw bad(here + ".text", "'" + here + ".text' must be a string.");
        (p.path("thought").asBoolean(false) ? reasoning : text).append(p.get("text").asText());
      } else if (p.has("functionCall") || p.has("function_call")) {
        JsonNode fc = either(p, "functionCall", "function_call");
        String name = Json.text(fc, "name");
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
          throw bad(here + ".functionCall.name", "'" + here + ".functionCall.name' must be a string of 1 to " + MAX_NAME
              + " characters.");
        }
        String id = Json.text(fc, "id");
        if (id == null) id = "call_" + (++generated[0]) + "_" + name;
        pending.computeIfAbsent(name, k -> new ArrayDeque<>()).addLast(id);
        JsonNode args = fc.get("args");
        if (present(args) && !args.isObject()) throw bad(here + ".functionCall.args", "'" + here + ".functionCall.args' must be an object.");
        calls.addObject().put("id", id).put("type", "function").putObject("function").put("name", name)
            .put("arguments", present(args) ? Json.string(args) : "{}");
      } else if (p.has("thoughtSignature") || p.has("thought_signature")) {
        // opaque: nothing to carry
      } else {
        throw Json.unsupported(here, "by the gateway's Gemini API in a model turn (text and functionCall parts only)");
      }
    }
    ObjectNode m = messages.addObject().put("role", "assistant");
    if (!text.isEmpty() || calls.isEmpty()) m.put("content", text.toString());
    else m.putNull("content");
    if (!reasoning.isEmpty()) m.put("reasoning_content", reasoning.toString());
    if (!calls.isEmpty()) m.set("tool_calls", calls);
  }

  private static void tools(JsonNode tools, ObjectNode chat, Set<String> dropped) {
    if (!present(tools)) return;
    if (!tools.isArray()) throw bad("tools", "'tools' must be an array.");
    ArrayNode out = Json.F.arrayNode();
    for (int i = 0; i < tools.size(); i++) {
      JsonNode t = tools.get(i);
      String at = "tools[" + i + "]";
      if (!t.isObject()) throw bad(at, "'" + at + "' must be an object.");
      for (var it = t.fields(); it.hasNext(); ) {
        var e = it.next();
        String f = e.getKey();
        if (f.equals("functionDeclarations") || f.equals("function_declarations")) {
          JsonNode decls = e.getValue();
          if (!decls.isArray()) throw bad(at + "." + f, "'" + at + "." + f + "' must be an array.");
          for (int k = 0; k < decls.size(); k++) out.add(function(decls.get(k), at + "." + f + "[" + k + "]"));
        } else if (present(e.getValue())) {
          // googleSearch, codeExecution, urlContext …: run by Google's server, which no other upstream has.
          dropped.add("tools." + f);
        }
      }
    }
    if (out.size() > MAX_TOOLS) throw bad("tools", "'tools' declares more than " + MAX_TOOLS + " functions.");
    if (!out.isEmpty()) chat.set("tools", out);
  }

  private static ObjectNode function(JsonNode d, String at) {
    if (!d.isObject()) throw bad(at, "'" + at + "' must be an object.");
    String name = Json.text(d, "name");
    if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
      throw bad(at + ".name", "'" + at + ".name' must be a string of 1 to " + MAX_NAME + " characters.");
    }
    ObjectNode fn = Json.obj().put("name", name);
    String desc = Json.text(d, "description");
    if (desc != null) fn.put("description", desc);
    JsonNode schema = either(d, "parametersJsonSchema", "parameters_json_schema");
    if (present(schema)) {
      fn.set("parameters", schema.deepCopy());
    } else if (present(d.get("parameters"))) {
      fn.set("parameters", GeminiSchema.toJsonSchema(d.get("parameters")));
    } else {
      fn.set("parameters", Json.obj().put("type", "object").set("properties", Json.obj()));
    }
    if (!fn.get("parameters").isObject()) throw bad(at + ".parameters", "'" + at + ".parameters' must be an object.");
    ObjectNode tool = Json.obj().put("type", "function");
    tool.set("function", fn);
    return tool;
  }

  private static void toolConfig(JsonNode tc, ObjectNode chat) {
    if (!present(tc)) return;
    JsonNode fcc = either(tc, "functionCallingConfig", "function_calling_config");
    if (!present(fcc)) return;
    String mode = Json.text(fcc, "mode");
    JsonNode allowed = either(fcc, "allowedFunctionNames", "allowed_function_names");
    if (mode == null || mode.equals("AUTO") || mode.equals("MODE_UNSPECIFIED") || mode.equals("VALIDATED")) {
      chat.put("tool_choice", "auto");
    } else if (mode.equals("NONE")) {
      chat.put("tool_choice", "none");
    } else if (mode.equals("ANY")) {
      if (present(allowed) && allowed.isArray() && allowed.size() == 1 && allowed.get(0).isTextual()) {
        ObjectNode choice = chat.putObject("tool_choice").put("type", "function");
        choice.putObject("function").put("name", allowed.get(0).asText());
      } else {
        chat.put("tool_choice", "required");
      }
    } else {
      throw bad("toolConfig.functionCallingConfig.mode", "'toolConfig.functionCallingConfig.mode' must be AUTO, ANY,"
          + " NONE or VALIDATED.");
    }
  }

  private static void generationConfig(JsonNode g, ObjectNode chat, Set<String> dropped) {
    if (!present(g)) return;
    if (!g.isObject()) throw bad("generationConfig", "'generationConfig' must be an object.");
    String mime = null;
    JsonNode schema = null;
    for (var it = g.fields(); it.hasNext(); ) {
      var e = it.next();
      String f = e.getKey();
      JsonNode v = e.getValue();
      if (!present(v)) continue;
      String at = "generationConfig." + f;
      switch (f) {
        case "maxOutputTokens", "max_output_tokens" -> {
          if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > MAX_OUTPUT_TOKENS) {
            throw bad(at, "'" + at + "' must be an integer from 1 to " + MAX_OUTPUT_TOKENS + ".");
          }
          chat.put("max_tokens", v.asInt());
        }
        case "temperature" -> chat.put("temperature", number(v, at, 0, 2));
        case "topP", "top_p" -> chat.put("top_p", number(v, at, 0, 1));
        case "presencePenalty", "presence_penalty" -> chat.put("presence_penalty", number(v, at, -2, 2));
        case "frequencyPenalty", "frequency_penalty" -> chat.put("frequency_penalty", number(v, at, -2, 2));
        case "seed" -> {
          if (!v.isIntegralNumber()) throw bad(at, "'" + at + "' must be an integer.");
          chat.put("seed", v.asLong());
        }
        case "stopSequences", "stop_sequences" -> {
          if (!v.isArray() || v.size() > 16) throw bad(at, "'" + at + "' must be an array of at most 16 strings.");
          ArrayNode stop = chat.putArray("stop");
          for (JsonNode s : v) {
            if (!s.isTextual()) throw bad(at, "'" + at + "' must be an array of strings.");
            stop.add(s.asText());
          }
        }
        case "candidateCount", "candidate_count" -> {
          if (!v.isIntegralNumber() || v.asInt() != 1) {
            throw Json.unsupported(at, "by the gateway (one candidate per request)");
          }
        }
        case "responseMimeType", "response_mime_type" -> {
          if (!v.isTextual()) throw bad(at, "'" + at + "' must be a string.");
          mime = v.asText();
        }
        case "responseSchema", "response_schema" -> schema = GeminiSchema.toJsonSchema(v);
        case "responseJsonSchema", "response_json_schema" -> schema = v.deepCopy();
        case "responseModalities", "response_modalities" -> {
          for (JsonNode m : v) {
            if (!"TEXT".equalsIgnoreCase(m.asText())) {
              throw Json.unsupported(at, "by the gateway (text answers only)");
            }
          }
        }
        // Sampling and thinking knobs without a portable counterpart: the answer comes without them.
        case "topK", "top_k", "thinkingConfig", "thinking_config", "responseLogprobs", "logprobs",
             "mediaResolution", "enableEnhancedCivicAnswers" -> dropped.add(at);
        default -> throw Json.unsupported(at, "by the gateway's Gemini API");
      }
    }
    if (mime != null && mime.equals("application/json")) {
      if (schema != null) {
        if (!schema.isObject()) throw bad("generationConfig.responseSchema", "'generationConfig.responseSchema' must be an object.");
        ObjectNode js = chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        js.put("name", "response");
        js.set("schema", schema);
      } else {
        chat.putObject("response_format").put("type", "json_object");
      }
    } else if (mime != null && !mime.equals("text/plain")) {
      throw Json.unsupported("generationConfig.responseMimeType", "by the gateway (text/plain or application/json)");
    } else if (schema != null) {
      throw bad("generationConfig.responseSchema", "'generationConfig.responseSchema' needs responseMimeType"
          + " 'application/json'.");
    }
  }

  private static double number(JsonNode v, String at, double min, double max) {
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw bad(at, "'" + at + "' must be a number from " + (long) min + " to " + (long) max + ".");
    }
    return v.asDouble();
  }

  static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  /** The request as the client sent it (a Gemini upstream gets it unchanged). */
  public ObjectNode body() {
    return body;
  }

  public String model() {
    return model;
  }

  public boolean stream() {
    return stream;
  }

  /** The hub's view: a chat-completions request with the same meaning. */
  public ObjectNode toChat() {
    return chat;
  }

  /** Fields left out of the hub request because only Google's server acts on them. */
  public Set<String> dropped() {
    return dropped;
  }
}
