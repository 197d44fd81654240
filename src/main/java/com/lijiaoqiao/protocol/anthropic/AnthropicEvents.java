package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.TokenUsage;

/** What the gateway reads from Anthropic stream events, whatever it does with them. */
final class AnthropicEvents {
  private AnthropicEvents() {}

  static final class State {
    String id;
    String model;
    String stopReason;
    boolean contentStarted;
    long input, cacheRead, cacheWrite, output;
    boolean sawUsage;

    /** Reads one parsed event; appends generated text to {@code text}. */
    void read(JsonNode e, StringBuilder text) {
      switch (String.valueOf(Json.text(e, "type"))) {
        case "message_start" -> {
          JsonNode m = e.path("message");
          id = Json.text(m, "id");
          model = Json.text(m, "model");
          usage(m.get("usage"));
        }
        case "content_block_start" -> {
          contentStarted = true;
          JsonNode b = e.path("content_block");
          if ("tool_use".equals(Json.text(b, "type")) && Json.text(b, "name") != null) text.append(Json.text(b, "name"));
        }
        case "content_block_delta" -> {
          contentStarted = true;
          JsonNode d = e.path("delta");
          for (String f : new String[] {"text", "partial_json", "thinking"}) {
            String t = Json.text(d, f);
            if (t != null) text.append(t);
          }
        }
        case "message_delta" -> {
          stopReason = Json.text(e.path("delta"), "stop_reason");
          usage(e.get("usage"));
        }
        default -> { }
      }
    }

    /** message_delta's counts are cumulative and may repeat the input side: the larger number wins. */
    private void usage(JsonNode u) {
      if (u == null || !u.isObject()) return;
      sawUsage = true;
      input = Math.max(input, Json.num(u, "input_tokens"));
      cacheRead = Math.max(cacheRead, Json.num(u, "cache_read_input_tokens"));
      cacheWrite = Math.max(cacheWrite, Json.num(u, "cache_creation_input_tokens"));
      output = Math.max(output, Json.num(u, "output_tokens"));
    }

    TokenUsage usage() {
      return sawUsage ? new TokenUsage(input + cacheRead + cacheWrite, output, cacheRead, false, cacheWrite) : null;
    }
  }
}
