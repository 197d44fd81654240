package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.Usage;

/**
 * A Gemini upstream's stream → the hub's chat.completion.chunk frames, one event at a time: text and thought parts
 * become content / reasoning_content deltas, each functionCall (Gemini sends it whole) a tool call with its full
 * arguments, the finishReason a finish chunk. The usage chunk and {@code [DONE]} come in {@link #finish}, once the
 * upstream has ended (Gemini may report usage on the finishing event or after it).
 */
public final class GeminiToChatStream extends GeminiStreamReader {
  private final String clientModel;
  private final boolean includeUsage;
  private final long created = System.currentTimeMillis() / 1000;
  private final String id = "chatcmpl-" + Long.toHexString(System.nanoTime());
  private boolean opened;
  private boolean finished;
  private int calls;

  public GeminiToChatStream(String clientModel, boolean includeUsage) {
    this.clientModel = clientModel;
    this.includeUsage = includeUsage;
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (finished) return;
    JsonNode c = read(data);
    if (c == null) return;
    JsonNode cand = c.path("candidates").path(0);
    for (JsonNode p : cand.path("content").path("parts")) {
      if (p.has("functionCall")) {
        ObjectNode ch = chunk(out);
        ObjectNode call = GeminiToChat.toolCall(p.get("functionCall"), calls).put("index", calls++);
        delta(ch).putArray("tool_calls").add(call);
        emit(out, ch);
      } else if (Json.text(p, "text") != null && !p.get("text").asText().isEmpty()) {
        ObjectNode ch = chunk(out);
        boolean thought = p.path("thought").asBoolean(false);
        delta(ch).put(thought ? "reasoning_content" : "content", p.get("text").asText());
        emit(out, ch);
      }
    }
    String finish = Json.text(cand, "finishReason");
    if (finish == null && c.path("promptFeedback").has("blockReason")) finish = "SAFETY";
    if (finish != null) {
      ObjectNode ch = chunk(out);
      delta(ch);
      ((ObjectNode) ch.get("choices").get(0)).put("finish_reason", GeminiUsage.toChat(finish, calls > 0));
      emit(out, ch);
    }
  }

  @Override
  public void finish(StringBuilder out) {
    if (finished) return;
    finished = true;
    if (includeUsage) {
      ObjectNode c = Json.obj().put("id", id).put("object", "chat.completion.chunk").put("created", created)
          .put("model", clientModel);
      c.putArray("choices");
      c.set("usage", Usage.toOpenAi(usage == null ? TokenUsage.NONE : usage));
      emit(out, c);
    }
    StreamTranslator.openAiFrame(out, "[DONE]");
  }

  @Override
  public CharSequence answerSoFar() {
    return functionCall ? null : answer;
  }

  @Override
  public StreamTranslator resumed() {
    return new com.lijiaoqiao.protocol.ChatContinuationStream(clientModel, includeUsage, answer);
  }

  /** A chunk; the first of the stream also opens the assistant turn. */
  private ObjectNode chunk(StringBuilder out) {
    if (!opened) {
      opened = true;
      ObjectNode first = base();
      delta(first).put("role", "assistant").put("content", "");
      emit(out, first);
    }
    return base();
  }

  private ObjectNode base() {
    ObjectNode c = Json.obj().put("id", id).put("object", "chat.completion.chunk").put("created", created)
        .put("model", clientModel);
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
    choice.putObject("delta");
    choice.putNull("finish_reason");
    return c;
  }

  private static ObjectNode delta(ObjectNode chunk) {
    return (ObjectNode) chunk.get("choices").get(0).get("delta");
  }

  private static void emit(StringBuilder out, ObjectNode chunk) {
    StreamTranslator.openAiFrame(out, Json.string(chunk));
  }
}
