package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenUsage;

/**
 * What every reader of a Gemini upstream stream tracks the same way: each event is one whole
 * GenerateContentResponse ({@code data: {…}}, no event names, no terminator); the last carries a finishReason and
 * the usage. An event with an {@code error} object is the upstream failing mid-stream.
 */
abstract class GeminiStreamReader implements StreamTranslator {
  protected final StringBuilder text = new StringBuilder();
  protected TokenUsage usage;
  protected String model;
  protected String finishReason;
  protected boolean contentStarted;
  protected String error;
  protected int malformed;
  /** The answer text relayed (thoughts aside), and whether a function call came (no rescue then). */
  protected final StringBuilder answer = new StringBuilder();
  protected boolean functionCall;

  /** Parses one event; null (and counted, or noted as the upstream's error) when it is not a usable chunk. */
  protected JsonNode read(String data) {
    if (data == null || data.isBlank()) return null;
    JsonNode c = Json.tryParse(data);
    if (c == null || !c.isObject()) {
      malformed++;
      return null;
    }
    if (Json.present(c.get("error"))) {
      JsonNode e = c.get("error");
      error = e.isObject() ? String.valueOf(Json.text(e, "message")) : e.asText();
      return null;
    }
    TokenUsage u = GeminiUsage.from(c.get("usageMetadata"));
    if (u != null) usage = u;
    if (Json.text(c, "modelVersion") != null) model = Json.text(c, "modelVersion");
    JsonNode cand = c.path("candidates").path(0);
    for (JsonNode p : cand.path("content").path("parts")) {
      if (Json.text(p, "text") != null) {
        text.append(p.get("text").asText());
        if (!p.path("thought").asBoolean(false)) answer.append(p.get("text").asText());
        contentStarted = true;
      } else if (p.has("functionCall")) {
        functionCall = true;
        text.append(Json.string(p.get("functionCall").path("args")));
        contentStarted = true;
      }
    }
    if (Json.text(cand, "finishReason") != null) finishReason = Json.text(cand, "finishReason");
    if (c.path("promptFeedback").has("blockReason")) finishReason = "SAFETY";
    return c;
  }

  @Override public boolean complete() { return finishReason != null; }
  @Override public TokenUsage usage() { return usage; }
  @Override public String model() { return model; }
  @Override public boolean contentStarted() { return contentStarted; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return text; }
}
