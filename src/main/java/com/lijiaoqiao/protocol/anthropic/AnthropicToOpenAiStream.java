package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.TokenUsage;
import java.util.HashMap;
import java.util.Map;

/**
 * Anthropic stream events → OpenAI chat.completion.chunk frames, one event at a time: message_start opens the
 * assistant turn, text/thinking/input_json deltas become content/reasoning_content/tool-call argument deltas,
 * tool_use block starts become tool-call headers (id, name), message_delta carries the finish reason, and
 * message_stop ends with the usage chunk (when the client asked for it) and {@code [DONE]}.
 */
public final class AnthropicToOpenAiStream extends AnthropicStreamReader {
  private final String model;
  private final boolean includeUsage;
  private final long created = System.currentTimeMillis() / 1000;
  /** Anthropic content-block index → OpenAI tool_calls index. */
  private final Map<Integer, Integer> toolIndex = new HashMap<>();
  private String id = "chatcmpl-ljq";
  /** The answer text the client got (for a rescue), and whether a tool call began (no rescue then). */
  private final StringBuilder answer = new StringBuilder();
  private boolean toolCall;

  /**
   * @param model        the model name the client asked for (answers carry it)
   * @param includeUsage whether the client asked for the final usage chunk ({@code stream_options})
   */
  public AnthropicToOpenAiStream(String model, boolean includeUsage) {
    this.model = model;
    this.includeUsage = includeUsage;
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (data == null || stopped) return;
    JsonNode e = Json.tryParse(data);
    if (e == null || !e.isObject()) {
      malformed++;
      return;
    }
    state.read(e, text);
    switch (String.valueOf(Json.text(e, "type"))) {
      case "message_start" -> {
        if (state.id != null) id = "chatcmpl-" + state.id;
        ObjectNode c = chunk();
        delta(c).put("role", "assistant").put("content", "");
        emit(out, c);
      }
      case "content_block_start" -> {
        JsonNode b = e.path("content_block");
        if ("tool_use".equals(Json.text(b, "type"))) {
          toolCall = true;
          int idx = toolIndex.size();
          toolIndex.put(e.path("index").asInt(), idx);
          ObjectNode c = chunk();
          ObjectNode call = delta(c).putArray("tool_calls").addObject().put("index", idx)
              .put("id", Json.text(b, "id")).put("type", "function");
          call.putObject("function").put("name", Json.text(b, "name")).put("arguments", "");
          emit(out, c);
        } else if ("text".equals(Json.text(b, "type")) && Json.text(b, "text") != null
            && !Json.text(b, "text").isEmpty()) {
          ObjectNode c = chunk();
          delta(c).put("content", Json.text(b, "text"));
          answer.append(Json.text(b, "text"));
          emit(out, c);
        }
      }
      case "content_block_delta" -> {
        JsonNode d = e.path("delta");
        ObjectNode c = chunk();
        switch (String.valueOf(Json.text(d, "type"))) {
          case "text_delta" -> {
            delta(c).put("content", Json.text(d, "text"));
            if (Json.text(d, "text") != null) answer.append(Json.text(d, "text"));
          }
          case "thinking_delta" -> delta(c).put("reasoning_content", Json.text(d, "thinking"));
          case "input_json_delta" -> {
            Integer idx = toolIndex.get(e.path("index").asInt());
            if (idx == null) return;
            delta(c).putArray("tool_calls").addObject().put("index", idx).putObject("function")
                .put("arguments", Json.text(d, "partial_json"));
          }
          default -> {
            return; // signature_delta, citations: nothing in OpenAI's format
          }
        }
        emit(out, c);
      }
      case "message_delta" -> {
        String stop = Json.text(e.path("delta"), "stop_reason");
        if (stop != null) {
          ObjectNode c = chunk();
          delta(c);
          ((ObjectNode) c.get("choices").get(0)).put("finish_reason", StopReasons.toOpenAi(stop));
          emit(out, c);
        }
      }
      case "message_stop" -> {
        stopped = true;
        if (includeUsage) {
          ObjectNode c = Json.obj().put("id", id).put("object", "chat.completion.chunk").put("created", created)
              .put("model", model);
          c.putArray("choices");
          TokenUsage u = state.usage();
          c.set("usage", Usage.toOpenAi(u == null ? TokenUsage.NONE : u));
          emit(out, c);
        }
        StreamTranslator.openAiFrame(out, "[DONE]");
      }
      case "error" -> error = String.valueOf(Json.text(e.path("error"), "message"));
      default -> { } // ping, content_block_stop
    }
  }

  @Override
  public CharSequence answerSoFar() {
    return toolCall ? null : answer;
  }

  @Override
  public StreamTranslator resumed() {
    return new com.lijiaoqiao.protocol.ChatContinuationStream(model, includeUsage, answer);
  }

  private ObjectNode chunk() {
    ObjectNode c = Json.obj().put("id", id).put("object", "chat.completion.chunk").put("created", created)
        .put("model", model);
    c.putArray("choices").addObject().put("index", 0).putObject("delta");
    ((ObjectNode) c.get("choices").get(0)).putNull("finish_reason");
    return c;
  }

  private static ObjectNode delta(ObjectNode chunk) {
    return (ObjectNode) chunk.get("choices").get(0).get("delta");
  }

  private static void emit(StringBuilder out, ObjectNode chunk) {
    StreamTranslator.openAiFrame(out, Json.string(chunk));
  }
}
