package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;

/** Anthropic upstream → Anthropic client: every event relayed as it came; usage and the end read on the way. */
public final class AnthropicPassthroughStream extends AnthropicStreamReader {

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
}
