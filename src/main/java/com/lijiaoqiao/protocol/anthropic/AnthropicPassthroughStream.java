package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.StreamTranslator;

/** Anthropic upstream → Anthropic client: every event relayed as it came; usage and the end read on the way. */
public final class AnthropicPassthroughStream extends AnthropicStreamReader {
  private final String clientModel;
  private final StringBuilder answer = new StringBuilder();
  private boolean toolCall;
  private int lastBlock = -1;
  private boolean lastOpen;
  private String lastType;

  /** @param clientModel the model the client asked for (a rescue's continuation names it) */
  public AnthropicPassthroughStream(String clientModel) {
    this.clientModel = clientModel;
  }

  public AnthropicPassthroughStream() {
    this(null);
  }

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
    track(type, e);
    state.read(e, text);
    out.append(name != null ? "event: " + name + "\n" : "").append("data: ").append(data).append("\n\n");
  }

  /** What a rescue needs: the answer text, whether a tool call began, which block is open. */
  private void track(String type, JsonNode e) {
    switch (String.valueOf(type)) {
      case "content_block_start" -> {
        lastBlock = e.path("index").asInt(lastBlock + 1);
        lastType = Json.text(e.path("content_block"), "type");
        lastOpen = true;
        if ("tool_use".equals(lastType) || "server_tool_use".equals(lastType)) toolCall = true;
        String t = Json.text(e.path("content_block"), "text");
        if ("text".equals(lastType) && t != null) answer.append(t);
      }
      case "content_block_stop" -> lastOpen = false;
      case "content_block_delta" -> {
        String t = Json.text(e.path("delta"), "text");
        if (t != null && "text_delta".equals(Json.text(e.path("delta"), "type"))) answer.append(t);
      }
      default -> { }
    }
  }

  @Override
  public CharSequence answerSoFar() {
    return toolCall ? null : answer;
  }

  @Override
  public StreamTranslator resumed() {
    return OpenAiToAnthropicStream.resumedAt(clientModel, 0, lastOpen && "text".equals(lastType) ? lastBlock : -1,
        lastBlock + 1, answer);
  }
}
