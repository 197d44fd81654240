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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OpenAI's Responses API as Codex and the Agents SDK speak it: input items, function_call items, typed events. */
final class ResponsesWire {
  private ResponsesWire() {}

  static String body(Req r, boolean stream) {
    ObjectNode b = Http.JSON.createObjectNode().put("model", r.model()).put("store", false);
    if (r.system() != null) b.put("instructions", r.system());
    ArrayNode input = b.putArray("input");
    for (Turn t : r.turns()) {
      switch (t.role()) {
        case "tool" -> input.addObject().put("type", "function_call_output").put("call_id", t.toolCallId())
            .put("output", t.text());
        case "assistant" -> {
          if (t.text() != null) {
            input.addObject().put("role", "assistant").putArray("content").addObject().put("type", "output_text")
                .put("text", t.text());
          }
          for (Call c : t.calls()) {
            input.addObject().put("type", "function_call").put("call_id", c.id()).put("name", c.name())
                .put("arguments", c.arguments());
          }
        }
        default -> {
          ArrayNode content = input.addObject().put("role", "user").putArray("content");
          content.addObject().put("type", "input_text").put("text", t.text());
          if (t.imageBase64() != null) {
            content.addObject().put("type", "input_image").put("image_url", "data:image/png;base64," + t.imageBase64());
          }
        }
      }
    }
    if (r.tools()) {
      ObjectNode fn = b.putArray("tools").addObject().put("type", "function").put("name", "get_weather")
          .put("description", "Weather in a city");
      fn.set("parameters", IngressClient.WEATHER_SCHEMA);
      if (r.forceTool()) b.putObject("tool_choice").put("type", "function").put("name", "get_weather");
    }
    b.put("max_output_tokens", 256);
    if (stream) b.put("stream", true);
    return b.toString();
  }

  static Answer whole(JsonNode j) {
    StringBuilder text = new StringBuilder();
    List<Call> calls = new ArrayList<>();
    read(j, text, calls);
    JsonNode u = j.get("usage");
    return new Answer(200, text.toString(), calls, stop(j, calls), u.get("input_tokens").asLong(),
        u.get("output_tokens").asLong(), null, true, List.of());
  }

  private static void read(JsonNode response, StringBuilder text, List<Call> calls) {
    for (JsonNode item : response.path("output")) {
      switch (item.path("type").asText()) {
        case "message" -> {
          for (JsonNode c : item.path("content")) if (c.path("type").asText().equals("output_text")) text.append(c.get("text").asText());
        }
        case "function_call" -> calls.add(new Call(item.get("call_id").asText(), item.get("name").asText(),
            item.get("arguments").asText()));
        default -> { }
      }
    }
  }

  private static String stop(JsonNode response, List<Call> calls) {
    if ("incomplete".equals(response.path("status").asText())) return "length";
    return calls.isEmpty() ? "stop" : "tool";
  }

  /** Text and arguments from the deltas; stop and usage from response.completed, which alone ends a good stream. */
  static Answer stream(Http.Stream s) {
    StringBuilder text = new StringBuilder();
    Map<String, String[]> calls = new LinkedHashMap<>(); // item id → call id, name, arguments
    String stop = null;
    long prompt = 0, completion = 0;
    JsonNode error = null;
    boolean terminated = false;
    List<String> types = new ArrayList<>();
    String d;
    while ((d = s.nextData()) != null) {
      JsonNode e = IngressClient.parse(d);
      String type = e.path("type").asText();
      types.add(type);
      switch (type) {
        case "response.output_text.delta" -> text.append(e.get("delta").asText());
        case "response.output_item.added" -> {
          JsonNode item = e.get("item");
          if (item.path("type").asText().equals("function_call")) {
            calls.put(item.get("id").asText(), new String[] {item.get("call_id").asText(), item.get("name").asText(), ""});
          }
        }
        case "response.function_call_arguments.delta" -> calls.get(e.get("item_id").asText())[2] += e.get("delta").asText();
        case "response.completed", "response.incomplete" -> {
          terminated = true;
          JsonNode r = e.get("response");
          List<Call> finalCalls = new ArrayList<>();
          read(r, new StringBuilder(), finalCalls);
          stop = stop(r, finalCalls);
          prompt = r.get("usage").get("input_tokens").asLong();
          completion = r.get("usage").get("output_tokens").asLong();
        }
        case "response.failed" -> error = Http.JSON.createObjectNode().set("error", e.get("response").get("error"));
        case "error" -> error = Http.JSON.createObjectNode().set("error", e.has("error") ? e.get("error") : e);
        default -> { }
      }
    }
    List<Call> out = new ArrayList<>();
    calls.values().forEach(c -> out.add(new Call(c[0], c[1], c[2])));
    return new Answer(200, text.toString(), out, stop, prompt, completion, error, terminated, types);
  }
}
