package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.anthropic.Usage;

/**
 * A chat-completions upstream's stream read as the hub's own chunks: every chunk passes as it came (comments and
 * broken chunks are dropped), while usage, the served model, the end and an in-band error are read on the way.
 * The decoder of a chat upstream when its chunks go on to an encoder (a rescue's continuation).
 */
public final class ChatStreamReader implements StreamTranslator {
  private final StringBuilder text = new StringBuilder();
  private TokenUsage usage;
  private String model;
  private boolean done;
  private boolean finished;
  private boolean contentStarted;
  private String error;
  private int malformed;

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (data == null || done) return;
    if (data.equals("[DONE]")) {
      done = true;
      return; // written by finish, after the encoder has seen everything
    }
    JsonNode c = Json.tryParse(data);
    if (c == null || !c.isObject()) {
      malformed++;
      return;
    }
    if (Json.present(c.get("error"))) {
      JsonNode e = c.get("error");
      error = e.isObject() ? String.valueOf(Json.text(e, "message")) : e.asText();
      return;
    }
    if (Json.text(c, "model") != null) model = Json.text(c, "model");
    if (c.path("usage").isObject()) usage = Usage.fromOpenAi(c.get("usage"));
    JsonNode choice = c.path("choices").path(0);
    JsonNode d = choice.path("delta");
    for (String f : new String[] {"content", "reasoning_content"}) {
      String t = Json.text(d, f);
      if (t != null && !t.isEmpty()) {
        text.append(t);
        contentStarted = true;
      }
    }
    if (d.has("tool_calls")) contentStarted = true;
    if (Json.text(choice, "finish_reason") != null) finished = true;
    StreamTranslator.openAiFrame(out, data);
  }

  @Override
  public void finish(StringBuilder out) {
    StreamTranslator.openAiFrame(out, "[DONE]");
  }

  @Override public boolean complete() { return done || finished; }
  @Override public TokenUsage usage() { return usage; }
  @Override public String model() { return model; }
  @Override public boolean contentStarted() { return contentStarted; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return text; }
}
