package com.lijiaoqiao.protocol.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.TokenUsage;

/** Anthropic upstream → Anthropic client: every event relayed as it came; usage and the end read on the way. */
public final class AnthropicPassthroughStream implements StreamTranslator {
  private final StringBuilder text = new StringBuilder();
  private final AnthropicEvents.State state = new AnthropicEvents.State();
  private boolean stopped;
  private String error;
  private int malformed;

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (data == null) {
      return; // comments: nothing a client needs
    }
    JsonNode e = Json.tryParse(data);
    if (e == null || !e.isObject()) {
      malformed++;
      return; // a broken event is skipped, as on the OpenAI path
    }
    String type = Json.text(e, "type");
    if ("error".equals(type)) {
      error = String.valueOf(Json.text(e.path("error"), "message"));
      return;
    }
    if ("message_stop".equals(type)) stopped = true;
    state.read(e, text);
    out.append(name != null ? "event: " + name + "\n" : "").append("data: ").append(data).append("\n\n");
  }

  @Override public boolean complete() { return stopped; }
  @Override public void finish(StringBuilder out) { }
  @Override public TokenUsage usage() { return state.usage(); }
  @Override public String model() { return state.model; }
  @Override public boolean contentStarted() { return state.contentStarted; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return text; }
}
