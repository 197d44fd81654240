package com.lijiaoqiao.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.testing.Http;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client dialect, speaking raw HTTP to the gateway and reading answers into a dialect-neutral
 * {@link Answer}. Requests are written in a neutral form (system, turns, tools) and rendered per dialect.
 */
public enum IngressClient {
  OPENAI, ANTHROPIC, RESPONSES, GEMINI;

  record Call(String id, String name, String arguments) {}

  /** What came back, whatever the dialect. {@code stop} is stop / length / tool. */
  record Answer(int status, String text, List<Call> calls, String stop, long promptTokens, long completionTokens,
                JsonNode error, boolean terminated, List<String> eventTypes) {}

  /** A neutral turn: role user/assistant/tool, text, assistant tool calls, or a tool result for an id. */
  record Turn(String role, String text, List<Call> calls, String toolCallId, String imageBase64) {
    static Turn user(String text) { return new Turn("user", text, List.of(), null, null); }
    static Turn assistant(String text) { return new Turn("assistant", text, List.of(), null, null); }
    static Turn image(String text, String png64) { return new Turn("user", text, List.of(), null, png64); }
    static Turn calls(List<Call> calls) { return new Turn("assistant", null, calls, null, null); }
    static Turn result(String id, String text) { return new Turn("tool", text, List.of(), id, null); }
  }

  record Req(String model, String system, List<Turn> turns, boolean tools, boolean forceTool) {
    static Req of(String model, String userText) {
      return new Req(model, null, List.of(Turn.user(userText)), false, false);
    }
  }

  static final ObjectNode WEATHER_SCHEMA;
  static {
    WEATHER_SCHEMA = Http.JSON.createObjectNode().put("type", "object");
    WEATHER_SCHEMA.putObject("properties").putObject("city").put("type", "string");
    WEATHER_SCHEMA.putArray("required").add("city");
  }

  String body(Req r, boolean stream) {
    if (this == RESPONSES) return ResponsesWire.body(r, stream);
    if (this == GEMINI) return GeminiWire.body(r);
    ObjectNode b = Http.JSON.createObjectNode().put("model", r.model);
    ArrayNode msgs = Http.JSON.createArrayNode();
    if (this == OPENAI) {
      if (r.system != null) msgs.addObject().put("role", "system").put("content", r.system);
      for (Turn t : r.turns) {
        switch (t.role) {
          case "tool" -> msgs.addObject().put("role", "tool").put("tool_call_id", t.toolCallId).put("content", t.text);
          case "assistant" -> {
            ObjectNode m = msgs.addObject().put("role", "assistant");
            if (t.text != null) m.put("content", t.text);
            if (!t.calls.isEmpty()) {
              ArrayNode tc = m.putArray("tool_calls");
              for (Call c : t.calls) tc.addObject().put("id", c.id).put("type", "function").putObject("function")
                  .put("name", c.name).put("arguments", c.arguments);
            }
          }
          default -> {
            if (t.imageBase64 == null) msgs.addObject().put("role", "user").put("content", t.text);
            else {
              ArrayNode parts = msgs.addObject().put("role", "user").putArray("content");
              parts.addObject().put("type", "text").put("text", t.text);
              parts.addObject().put("type", "image_url").putObject("image_url")
                  .put("url", "data:image/png;base64," + t.imageBase64);
            }
          }
        }
      }
      b.set("messages", msgs);
      if (r.tools) {
        ObjectNode fn = b.putArray("tools").addObject().put("type", "function").putObject("function");
        fn.put("name", "get_weather").put("description", "Weather in a city").set("parameters", WEATHER_SCHEMA);
        if (r.forceTool) b.putObject("tool_choice").put("type", "function").putObject("function")
            .put("name", "get_weather");
      }
      if (stream) {
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
      }
    } else {
      b.put("max_tokens", 256);
      if (r.system != null) b.put("system", r.system);
      for (Turn t : r.turns) {
        switch (t.role) {
          case "tool" -> {
            ObjectNode res = msgs.addObject().put("role", "user").putArray("content").addObject();
            res.put("type", "tool_result").put("tool_use_id", t.toolCallId).put("content", t.text);
          }
          case "assistant" -> {
            ObjectNode m = msgs.addObject().put("role", "assistant");
            if (t.calls.isEmpty()) m.put("content", t.text);
            else {
              ArrayNode blocks = m.putArray("content");
              for (Call c : t.calls) {
                blocks.addObject().put("type", "tool_use").put("id", c.id).put("name", c.name)
                    .set("input", parse(c.arguments));
              }
            }
          }
          default -> {
            if (t.imageBase64 == null) msgs.addObject().put("role", "user").put("content", t.text);
            else {
              ArrayNode blocks = msgs.addObject().put("role", "user").putArray("content");
              blocks.addObject().put("type", "text").put("text", t.text);
              blocks.addObject().put("type", "image").putObject("source").put("type", "base64")
                  .put("media_type", "image/png").put("data", t.imageBase64);
            }
          }
        }
      }
      b.set("messages", msgs);
      if (r.tools) {
        ObjectNode tool = b.putArray("tools").addObject().put("name", "get_weather")
            .put("description", "Weather in a city");
        tool.set("input_schema", WEATHER_SCHEMA);
        if (r.forceTool) b.putObject("tool_choice").put("type", "tool").put("name", "get_weather");
      }
      if (stream) b.put("stream", true);
    }
    return b.toString();
  }

  String path(Req r, boolean stream) {
    return switch (this) {
      case OPENAI -> "/v1/chat/completions";
      case ANTHROPIC -> "/v1/messages";
      case RESPONSES -> "/v1/responses";
      case GEMINI -> GeminiWire.path(r, stream);
    };
  }

  String[] auth(String key) {
    return switch (this) {
      case OPENAI, RESPONSES -> new String[] {"authorization", "Bearer " + key};
      case ANTHROPIC -> new String[] {"x-api-key", key, "anthropic-version", "2023-06-01"};
      case GEMINI -> GeminiWire.auth(key);
    };
  }

  /** The gateway's error code in an error body of this dialect. */
  String errorCode(JsonNode body) {
    return switch (this) {
      case GEMINI -> GeminiWire.code(body.get("error"));
      default -> body.get("error").get("code").asText();
    };
  }

  Answer send(String root, String key, Req r) {
    Http.Reply reply = Http.postJson(root + path(r, false), null, body(r, false), auth(key));
    JsonNode j = reply.json();
    if (reply.status() != 200) return new Answer(reply.status(), null, List.of(), null, 0, 0, j, true, List.of());
    if (this == RESPONSES) return ResponsesWire.whole(j);
    if (this == GEMINI) return GeminiWire.whole(j);
    List<Call> calls = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    if (this == OPENAI) {
      JsonNode m = j.get("choices").get(0).get("message");
      if (m.get("content").isTextual()) text.append(m.get("content").asText());
      if (m.has("tool_calls")) for (JsonNode c : m.get("tool_calls")) {
        calls.add(new Call(c.get("id").asText(), c.get("function").get("name").asText(),
            c.get("function").get("arguments").asText()));
      }
      JsonNode u = j.get("usage");
      return new Answer(200, text.toString(), calls, stop(j.get("choices").get(0).get("finish_reason").asText()),
          u.get("prompt_tokens").asLong(), u.get("completion_tokens").asLong(), null, true, List.of());
    }
    if (!"message".equals(j.path("type").asText())) throw new AssertionError("not a message: " + j);
    for (JsonNode b : j.get("content")) {
      if (b.get("type").asText().equals("text")) text.append(b.get("text").asText());
      if (b.get("type").asText().equals("tool_use")) {
        calls.add(new Call(b.get("id").asText(), b.get("name").asText(), b.get("input").toString()));
      }
    }
    JsonNode u = j.get("usage");
    return new Answer(200, text.toString(), calls, stop(j.get("stop_reason").asText()),
        u.get("input_tokens").asLong() + u.path("cache_read_input_tokens").asLong()
            + u.path("cache_creation_input_tokens").asLong(), u.get("output_tokens").asLong(), null, true, List.of());
  }

  Answer stream(String root, String key, Req r) {
    try (Http.Stream s = Http.stream(root + path(r, true), null, body(r, true), auth(key))) {
      if (s.status != 200) {
        String body = String.join("\n", s.rest());
        return new Answer(s.status, null, List.of(), null, 0, 0, null, true, List.of());
      }
      if (this == RESPONSES) return ResponsesWire.stream(s);
      if (this == GEMINI) return GeminiWire.stream(s);
      StringBuilder text = new StringBuilder();
      Map<Integer, String[]> calls = new LinkedHashMap<>();
      String stop = null;
      long prompt = 0, completion = 0;
      JsonNode error = null;
      boolean terminated = false;
      List<String> types = new ArrayList<>();
      String d;
      while ((d = s.nextData()) != null) {
        if (d.equals("[DONE]")) {
          terminated = true;
          types.add("[DONE]");
          continue;
        }
        JsonNode e = parse(d);
        if (e.has("error")) {
          error = e;
          types.add("error");
          continue;
        }
        if (this == OPENAI) {
          types.add("chunk");
          if (e.path("usage").isObject()) {
            prompt = e.get("usage").get("prompt_tokens").asLong();
            completion = e.get("usage").get("completion_tokens").asLong();
          }
          JsonNode c = e.path("choices").path(0);
          if (!c.isObject()) continue;
          JsonNode delta = c.path("delta");
          if (delta.path("content").isTextual()) text.append(delta.get("content").asText());
          for (JsonNode tc : delta.path("tool_calls")) {
            String[] call = calls.computeIfAbsent(tc.get("index").asInt(), i -> new String[] {null, null, ""});
            if (tc.has("id")) call[0] = tc.get("id").asText();
            JsonNode fn = tc.path("function");
            if (fn.has("name")) call[1] = fn.get("name").asText();
            if (fn.path("arguments").isTextual()) call[2] += fn.get("arguments").asText();
          }
          if (c.path("finish_reason").isTextual()) stop = stop(c.get("finish_reason").asText());
        } else {
          String type = e.get("type").asText();
          types.add(type);
          switch (type) {
            case "message_start" -> {
              JsonNode u = e.get("message").get("usage");
              prompt = u.get("input_tokens").asLong() + u.path("cache_read_input_tokens").asLong()
                  + u.path("cache_creation_input_tokens").asLong();
            }
            case "content_block_start" -> {
              JsonNode b = e.get("content_block");
              if (b.get("type").asText().equals("tool_use")) {
                calls.put(e.get("index").asInt(), new String[] {b.get("id").asText(), b.get("name").asText(), ""});
              }
            }
            case "content_block_delta" -> {
              JsonNode dd = e.get("delta");
              if (dd.get("type").asText().equals("text_delta")) text.append(dd.get("text").asText());
              if (dd.get("type").asText().equals("input_json_delta")) {
                calls.get(e.get("index").asInt())[2] += dd.get("partial_json").asText();
              }
            }
            case "message_delta" -> {
              stop = stop(e.get("delta").get("stop_reason").asText());
              JsonNode u = e.get("usage");
              completion = u.get("output_tokens").asLong();
              if (u.has("input_tokens")) {
                prompt = u.get("input_tokens").asLong() + u.path("cache_read_input_tokens").asLong()
                    + u.path("cache_creation_input_tokens").asLong();
              }
            }
            case "message_stop" -> terminated = true;
            default -> { }
          }
        }
      }
      List<Call> out = new ArrayList<>();
      calls.values().forEach(c -> out.add(new Call(c[0], c[1], c[2])));
      return new Answer(200, text.toString(), out, stop, prompt, completion, error, terminated, types);
    }
  }

  static String stop(String s) {
    return switch (s) {
      case "stop", "end_turn", "stop_sequence" -> "stop";
      case "length", "max_tokens" -> "length";
      case "tool_calls", "tool_use" -> "tool";
      default -> s;
    };
  }

  static JsonNode parse(String s) {
    try {
      return Http.JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }
}
