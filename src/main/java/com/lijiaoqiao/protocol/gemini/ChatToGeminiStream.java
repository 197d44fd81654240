package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub's chat.completion.chunk frames → a Gemini client's stream ({@code alt=sse}): each content or
 * reasoning delta is a GenerateContentResponse with one text part (thought parts for reasoning); tool calls are
 * gathered until their arguments are whole (Gemini sends a functionCall in one piece) and go out with the finishing
 * event, which {@link #finish} writes with the finishReason and usageMetadata once the upstream has ended.
 */
public final class ChatToGeminiStream implements StreamTranslator {
  private final String model;
  private final String responseId = Long.toHexString(System.nanoTime());
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder answer = new StringBuilder();
  private final List<String[]> calls = new ArrayList<>(); // id, name, arguments so far
  private final List<StringBuilder> args = new ArrayList<>();
  private String servedModel;
  private String finishReason;
  private TokenUsage usage;
  private boolean sawDone;
  private boolean ended;
  private boolean contentStarted;
  private String error;
  private int malformed;

  /** @param model the model name the client asked for (every event carries it as modelVersion) */
  public ChatToGeminiStream(String model) {
    this(model, "");
  }

  /** A Gemini client's stream continued by a rescue: {@code answerSoFar} is what the client already has. */
  public ChatToGeminiStream(String model, CharSequence answerSoFar) {
    this.model = model;
    this.answer.append(answerSoFar);
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (data == null || ended) return;
    if (data.equals("[DONE]")) {
      sawDone = true;
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
    if (c.path("usage").isObject()) usage = Usage.fromOpenAi(c.get("usage"));
    JsonNode choice = c.path("choices").path(0);
    if (!choice.isObject()) return;
    JsonNode d = choice.path("delta");
    String reasoning = Json.text(d, "reasoning_content");
    if (reasoning != null && !reasoning.isEmpty()) {
      text.append(reasoning);
      emitText(out, reasoning, true);
    }
    String content = Json.text(d, "content");
    if (content != null && !content.isEmpty()) {
      text.append(content);
      answer.append(content);
      emitText(out, content, false);
    }
    for (JsonNode call : d.path("tool_calls")) {
      int idx = call.path("index").asInt(calls.size());
      while (calls.size() <= idx) {
        calls.add(new String[2]);
        args.add(new StringBuilder());
      }
      String[] slot = calls.get(idx);
      if (Json.text(call, "id") != null) slot[0] = Json.text(call, "id");
      JsonNode fn = call.path("function");
      if (Json.text(fn, "name") != null) {
        slot[1] = Json.text(fn, "name");
        text.append(slot[1]);
      }
      String a = Json.text(fn, "arguments");
      if (a != null) {
        args.get(idx).append(a);
        text.append(a);
      }
      contentStarted = true;
    }
    String fr = Json.text(choice, "finish_reason");
    if (fr != null) finishReason = fr;
  }

  private void emitText(StringBuilder out, String t, boolean thought) {
    contentStarted = true;
    ObjectNode g = event();
    ObjectNode part = ((ArrayNode) g.get("candidates").get(0).get("content").get("parts")).addObject().put("text", t);
    if (thought) part.put("thought", true);
    StreamTranslator.openAiFrame(out, Json.string(g));
  }

  private ObjectNode event() {
    ObjectNode g = Json.obj();
    ObjectNode cand = g.putArray("candidates").addObject();
    cand.putObject("content").put("role", "model").putArray("parts");
    cand.put("index", 0);
    g.put("modelVersion", model);
    g.put("responseId", responseId);
    return g;
  }

  @Override
  public void finish(StringBuilder out) {
    if (ended) return;
    ended = true;
    ObjectNode g = event();
    ObjectNode cand = (ObjectNode) g.get("candidates").get(0);
    ArrayNode parts = (ArrayNode) cand.get("content").get("parts");
    for (int i = 0; i < calls.size(); i++) {
      String[] slot = calls.get(i);
      ObjectNode call = Json.obj().put("id", slot[0]);
      call.putObject("function").put("name", slot[1]).put("arguments", args.get(i).toString());
      parts.addObject().set("functionCall", ChatToGemini.functionCall(call));
    }
    if (parts.isEmpty()) parts.addObject().put("text", "");
    cand.put("finishReason", GeminiUsage.fromChat(finishReason));
    g.set("usageMetadata", GeminiUsage.to(usage == null ? TokenUsage.NONE : usage));
    StreamTranslator.openAiFrame(out, Json.string(g));
  }

  @Override public CharSequence answerSoFar() { return calls.isEmpty() ? answer : null; }
  @Override public StreamTranslator resumed() { return new ChatToGeminiStream(model, answer); }
  @Override public boolean complete() { return sawDone || finishReason != null; }
  @Override public TokenUsage usage() { return usage; }
  @Override public String model() { return servedModel; }
  @Override public boolean contentStarted() { return contentStarted; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return text; }
}
