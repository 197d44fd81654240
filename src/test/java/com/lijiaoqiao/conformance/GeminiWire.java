package com.lijiaoqiao.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.conformance.IngressClient.Answer;
import com.lijiaoqiao.conformance.IngressClient.Call;
import com.lijiaoqiao.conformance.IngressClient.Req;
import com.lijiaoqiao.conformance.IngressClient.Turn;
import com.lijiaoqiao.testing.Http;
import java.util.ArrayList;
import java.util.List;

/** The Gemini API as @google/genai speaks it: the model in the path, x-goog-api-key, alt=sse streams. */
final class GeminiWire {
  private GeminiWire() {}

  static String path(Req r, boolean stream) {
    return "/v1beta/models/" + r.model() + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  }

  static String[] auth(String key) {
    return new String[] {"x-goog-api-key", key};
  }

  static String body(Req r) {
    ObjectNode b = Http.JSON.createObjectNode();
    if (r.system() != null) b.putObject("systemInstruction").putArray("parts").addObject().put("text", r.system());
    ArrayNode contents = b.putArray("contents");
    for (Turn t : r.turns()) {
      switch (t.role()) {
        case "tool" -> contents.addObject().put("role", "user").putArray("parts").addObject()
            .putObject("functionResponse").put("id", t.toolCallId()).put("name", "get_weather")
            .putObject("response").put("result", t.text());
        case "assistant" -> {
          ArrayNode parts = contents.addObject().put("role", "model").putArray("parts");
          if (t.text() != null) parts.addObject().put("text", t.text());
          for (Call c : t.calls()) {
            ObjectNode fc = parts.addObject().putObject("functionCall").put("id", c.id()).put("name", c.name());
            fc.set("args", IngressClient.parse(c.arguments()));
          }
        }
        default -> {
          ArrayNode parts = contents.addObject().put("role", "user").putArray("parts");
          parts.addObject().put("text", t.text());
          if (t.imageBase64() != null) {
            parts.addObject().putObject("inlineData").put("mimeType", "image/png").put("data", t.imageBase64());
          }
        }
      }
    }
    if (r.tools()) {
      ObjectNode fn = b.putArray("tools").addObject().putArray("functionDeclarations").addObject()
          .put("name", "get_weather").put("description", "Weather in a city");
      fn.set("parametersJsonSchema", IngressClient.WEATHER_SCHEMA);
      if (r.forceTool()) {
        b.putObject("toolConfig").putObject("functionCallingConfig").put("mode", "ANY")
            .putArray("allowedFunctionNames").add("get_weather");
      }
    }
    b.putObject("generationConfig").put("maxOutputTokens", 256);
    return b.toString();
  }

  static Answer whole(JsonNode j) {
    StringBuilder text = new StringBuilder();
    List<Call> calls = new ArrayList<>();
    JsonNode cand = j.get("candidates").get(0);
    read(cand, text, calls);
    JsonNode u = j.get("usageMetadata");
    return new Answer(200, text.toString(), calls, stop(cand.path("finishReason").asText(), calls),
        u.get("promptTokenCount").asLong(), u.get("candidatesTokenCount").asLong(), null, true, List.of());
  }

  private static void read(JsonNode cand, StringBuilder text, List<Call> calls) {
    for (JsonNode p : cand.path("content").path("parts")) {
      if (p.has("functionCall")) {
        JsonNode fc = p.get("functionCall");
        calls.add(new Call(fc.path("id").asText(null), fc.get("name").asText(), fc.get("args").toString()));
      } else if (p.path("text").isTextual() && !p.path("thought").asBoolean(false)) {
        text.append(p.get("text").asText());
      }
    }
  }

  /** Gemini has no terminator: a stream is complete when its last event carries a finishReason. */
  static Answer stream(Http.Stream s) {
    StringBuilder text = new StringBuilder();
    List<Call> calls = new ArrayList<>();
    String finish = null;
    long prompt = 0, completion = 0;
    JsonNode error = null;
    boolean terminated = false;
    List<String> types = new ArrayList<>();
    String d;
    while ((d = s.nextData()) != null) {
      JsonNode e = IngressClient.parse(d);
      if (e.has("error")) {
        error = e;
        terminated = false;
        types.add("error");
        continue;
      }
      types.add("chunk");
      JsonNode cand = e.path("candidates").path(0);
      read(cand, text, calls);
      if (e.path("usageMetadata").isObject()) {
        prompt = e.get("usageMetadata").path("promptTokenCount").asLong();
        completion = e.get("usageMetadata").path("candidatesTokenCount").asLong();
      }
      if (cand.path("finishReason").isTextual()) {
        finish = cand.get("finishReason").asText();
        terminated = true;
      }
    }
    return new Answer(200, text.toString(), calls, finish == null ? null : stop(finish, calls), prompt, completion,
        error, terminated, types);
  }

  private static String stop(String finish, List<Call> calls) {
    if (finish.equals("MAX_TOKENS")) return "length";
    if (finish.equals("STOP")) return calls.isEmpty() ? "stop" : "tool";
    return finish;
  }

  /** The gateway's error inside Google's shape: our code is ljq_code (code is the HTTP status, as Google's is). */
  static String code(JsonNode error) {
    return error.get("ljq_code").asText();
  }
}
