package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.TokenUsage;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI chat.completion.chunk frames → Anthropic's event sequence, one chunk at a time: the first chunk opens
 * with message_start (input tokens estimated, since OpenAI reports usage only at the end) and a ping; content,
 * reasoning_content and tool-call deltas open, fill and close content blocks (text_delta, thinking_delta,
 * input_json_delta); the end is message_delta (stop reason, real usage including cache reads) and message_stop.
 */
public final class OpenAiToAnthropicStream implements StreamTranslator {
  private final String model;
  private final long estimatedInputTokens;
  private final StringBuilder text = new StringBuilder();
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();
  private String servedModel;
  private boolean started;
  private boolean ended;
  private boolean sawDone;
  private String error;
  private boolean contentStarted;
  private int malformed;
  private int nextBlock;
  private int openBlock = -1;
  private String openType;
  private String finishReason;
  private TokenUsage usage;
  /** The answer text the client got (for a rescue), and whether a tool call began (no rescue then). */
  private final StringBuilder answer = new StringBuilder();
  private boolean toolCall;

  /**
   * @param model                the model name the client asked for
   * @param estimatedInputTokens counted by the gateway, for message_start (the real count follows in message_delta)
   */
  public OpenAiToAnthropicStream(String model, long estimatedInputTokens) {
    this.model = model;
    this.estimatedInputTokens = estimatedInputTokens;
  }

  /**
   * An Anthropic client's stream continued by a rescue: already opened (no second message_start), the text block
   * at {@code openTextBlock} still open (-1: none is), new blocks numbered from {@code nextBlock}.
   */
  public static OpenAiToAnthropicStream resumedAt(String model, long estimatedInputTokens, int openTextBlock,
                                                  int nextBlock, CharSequence answerSoFar) {
    OpenAiToAnthropicStream s = new OpenAiToAnthropicStream(model, estimatedInputTokens);
    s.started = true;
    s.contentStarted = true;
    s.openBlock = openTextBlock;
    s.openType = openTextBlock >= 0 ? "text" : null;
    s.nextBlock = Math.max(nextBlock, openTextBlock + 1);
    s.answer.append(answerSoFar);
    return s;
  }

  @Override
  public CharSequence answerSoFar() {
    return toolCall ? null : answer;
  }

  @Override
  public StreamTranslator resumed() {
    return resumedAt(model, estimatedInputTokens, "text".equals(openType) ? openBlock : -1, nextBlock, answer);
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (data == null || ended) return;
    if (data.equals("[DONE]")) {
      sawDone = true;
      end(out);
      return;
    }
    JsonNode c = Json.tryParse(data);
    if (c == null || !c.isObject()) {
      malformed++;
      return;
    }
    if (Json.present(c.get("error"))) {
      JsonNode err = c.get("error");
      error = err.isObject() ? String.valueOf(Json.text(err, "message")) : err.asText();
      return;
    }
    if (Json.text(c, "model") != null) servedModel = Json.text(c, "model");
    if (!started) start(c, out);
    if (c.path("usage").isObject()) usage = Usage.fromOpenAi(c.get("usage"));
    JsonNode choice = c.path("choices").path(0);
    if (!choice.isObject()) return;
    JsonNode d = choice.path("delta");
    String reasoning = Json.text(d, "reasoning_content");
    if (reasoning != null && !reasoning.isEmpty()) {
      open("thinking", out, null);
      text.append(reasoning);
      delta(out, Json.obj().put("type", "thinking_delta").put("thinking", reasoning));
    }
    String content = Json.text(d, "content");
    if (content != null && !content.isEmpty()) {
      open("text", out, null);
      text.append(content);
      answer.append(content);
      delta(out, Json.obj().put("type", "text_delta").put("text", content));
    }
    JsonNode calls = d.get("tool_calls");
    if (calls != null && calls.isArray()) {
      for (JsonNode call : calls) {
        int idx = call.path("index").asInt(toolBlocks.size());
        JsonNode fn = call.path("function");
        Integer block = toolBlocks.get(idx);
        if (block == null) {
          toolCall = true;
          ObjectNode tu = Json.obj().put("type", "tool_use")
              .put("id", Json.text(call, "id") == null ? "toolu_" + idx : Json.text(call, "id"))
              .put("name", String.valueOf(Json.text(fn, "name")));
          tu.putObject("input");
          open("tool_use", out, tu);
          toolBlocks.put(idx, openBlock);
          block = openBlock;
          if (Json.text(fn, "name") != null) text.append(Json.text(fn, "name"));
        }
        String args = Json.text(fn, "arguments");
        if (args != null && !args.isEmpty()) {
          text.append(args);
          ObjectNode e = Json.obj().put("type", "content_block_delta").put("index", block);
          e.set("delta", Json.obj().put("type", "input_json_delta").put("partial_json", args));
          StreamTranslator.anthropicFrame(out, "content_block_delta", Json.string(e));
        }
      }
    }
    String fr = Json.text(choice, "finish_reason");
    if (fr != null) {
      finishReason = fr;
      close(out);
    }
  }

  private void start(JsonNode chunk, StringBuilder out) {
    started = true;
    ObjectNode e = Json.obj().put("type", "message_start");
    ObjectNode m = e.putObject("message");
    String id = Json.text(chunk, "id");
    m.put("id", "msg_" + (id == null ? "ljq" : id)).put("type", "message").put("role", "assistant").put("model", model);
    m.putArray("content");
    m.putNull("stop_reason");
    m.putNull("stop_sequence");
    m.putObject("usage").put("input_tokens", estimatedInputTokens).put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", 0).put("output_tokens", 0);
    StreamTranslator.anthropicFrame(out, "message_start", Json.string(e));
    StreamTranslator.anthropicFrame(out, "ping", "{\"type\":\"ping\"}");
  }

  /** Opens a block of this type unless one is open already (tool_use blocks always open anew). */
  private void open(String type, StringBuilder out, ObjectNode block) {
    if (openBlock >= 0 && type.equals(openType) && block == null) return;
    close(out);
    contentStarted = true;
    openBlock = nextBlock++;
    openType = type;
    if (block == null) {
      block = Json.obj().put("type", type);
      if (type.equals("text")) block.put("text", "");
      else block.put("thinking", "").put("signature", "");
    }
    ObjectNode e = Json.obj().put("type", "content_block_start").put("index", openBlock);
    e.set("content_block", block);
    StreamTranslator.anthropicFrame(out, "content_block_start", Json.string(e));
  }

  private void delta(StringBuilder out, ObjectNode delta) {
    ObjectNode e = Json.obj().put("type", "content_block_delta").put("index", openBlock);
    e.set("delta", delta);
    StreamTranslator.anthropicFrame(out, "content_block_delta", Json.string(e));
  }

  private void close(StringBuilder out) {
    if (openBlock < 0) return;
    StreamTranslator.anthropicFrame(out, "content_block_stop",
        "{\"type\":\"content_block_stop\",\"index\":" + openBlock + "}");
    openBlock = -1;
    openType = null;
  }

  private void end(StringBuilder out) {
    if (ended) return;
    ended = true;
    if (!started) start(Json.obj(), out);
    close(out);
    ObjectNode e = Json.obj().put("type", "message_delta");
    e.putObject("delta").put("stop_reason", StopReasons.toAnthropic(finishReason == null ? "stop" : finishReason))
        .putNull("stop_sequence");
    TokenUsage u = usage != null ? usage : new TokenUsage(estimatedInputTokens, 0, 0, true);
    e.set("usage", Usage.toAnthropic(u));
    StreamTranslator.anthropicFrame(out, "message_delta", Json.string(e));
    StreamTranslator.anthropicFrame(out, "message_stop", "{\"type\":\"message_stop\"}");
  }

  @Override public boolean complete() { return sawDone || finishReason != null; }
  @Override public void finish(StringBuilder out) { end(out); }
  @Override public TokenUsage usage() { return usage; }
  @Override public String model() { return servedModel; }
  @Override public boolean contentStarted() { return contentStarted; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return text; }
}
