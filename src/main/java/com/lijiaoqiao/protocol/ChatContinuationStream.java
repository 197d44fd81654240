package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.anthropic.Usage;

/**
 * Continues an OpenAI client's stream with the hub chunks of a rescue: content and finish chunks pass (renamed to
 * the stream's model), the opening role chunk is not repeated, and the usage chunk (when the client asked for it)
 * and {@code [DONE]} wait for {@link #finish}, so the charge can go into the one final usage.
 */
public final class ChatContinuationStream implements StreamTranslator {
  private final String model;
  private final boolean includeUsage;
  private final StringBuilder answer;
  private final long created = System.currentTimeMillis() / 1000;
  private String id = "chatcmpl-ljq";
  private JsonNode usageNode;
  /** The finishing chunk, held for {@link #finish} so the stream's last events carry the charge and the note. */
  private ObjectNode finishChunk;
  private boolean done;
  private boolean finished;
  private boolean toolCall;
  private int malformed;
  private String error;

  /**
   * @param model        the name the client's stream has been using
   * @param answerSoFar  the answer text the client already has (this stream's own answer continues it)
   */
  public ChatContinuationStream(String model, boolean includeUsage, CharSequence answerSoFar) {
    this.model = model;
    this.includeUsage = includeUsage;
    this.answer = new StringBuilder(answerSoFar);
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (data == null || done) return;
    if (data.equals("[DONE]")) {
      done = true;
      return;
    }
    JsonNode n = Json.tryParse(data);
    if (!(n instanceof ObjectNode c)) {
      malformed++;
      return;
    }
    if (Json.present(c.get("error"))) {
      error = String.valueOf(Json.text(c.get("error"), "message"));
      return;
    }
    if (Json.text(c, "id") != null) id = Json.text(c, "id");
    if (c.path("usage").isObject()) usageNode = c.get("usage");
    JsonNode choice = c.path("choices").path(0);
    if (!choice.isObject()) return;
    JsonNode d = choice.path("delta");
    String content = Json.text(d, "content");
    boolean substantive = (content != null && !content.isEmpty()) || Json.text(choice, "finish_reason") != null
        || d.has("tool_calls") || Json.text(d, "reasoning_content") != null;
    if (!substantive) return; // the continuation's own opening (role only)
    if (content != null) answer.append(content);
    if (d.has("tool_calls")) toolCall = true;
    if (Json.text(choice, "finish_reason") != null) finished = true;
    c.remove("usage");
    c.put("model", model);
    if (finished && finishChunk == null) {
      finishChunk = c;
      return;
    }
    StreamTranslator.openAiFrame(out, Json.string(c));
  }

  @Override
  public void finish(StringBuilder out) {
    if (finishChunk != null) StreamTranslator.openAiFrame(out, Json.string(finishChunk));
    if (includeUsage) {
      ObjectNode c = Json.obj().put("id", id).put("object", "chat.completion.chunk").put("created", created)
          .put("model", model);
      c.putArray("choices");
      c.set("usage", usageNode != null ? usageNode : Usage.toOpenAi(TokenUsage.NONE));
      StreamTranslator.openAiFrame(out, Json.string(c));
    }
    StreamTranslator.openAiFrame(out, "[DONE]");
  }

  @Override public boolean complete() { return done || finished; }
  @Override public TokenUsage usage() { return usageNode == null ? null : Usage.fromOpenAi(usageNode); }
  @Override public String model() { return null; }
  @Override public boolean contentStarted() { return true; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return answer; }
  @Override public CharSequence answerSoFar() { return toolCall ? null : answer; }

  @Override
  public StreamTranslator resumed() {
    return new ChatContinuationStream(model, includeUsage, answer);
  }
}
