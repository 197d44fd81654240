package com.lijiaoqiao.protocol.responses;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.anthropic.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Chat-completion chunks → the Responses event stream, one chunk at a time: response.created and
 * response.in_progress open it; text opens a message item (output_item.added, content_part.added) and flows as
 * output_text.delta; each tool call is a function_call item with function_call_arguments.delta; after a complete
 * upstream stream the items are closed (…done events) and response.completed (or response.incomplete, at the token
 * limit) carries the whole response with usage. A failure after the first byte ends with response.failed
 * ({@link #failed}), never with response.completed. An Anthropic upstream's events go through the existing
 * Anthropic → chat translator first ({@code viaChat}): one hub, not a mesh.
 */
public final class ResponsesStream implements StreamTranslator {
  private final ResponsesRequest request;
  private final String id;
  private final long createdAt;
  private final String model;
  private StreamTranslator viaChat;
  private final Consumer<ObjectNode> onCompleted;
  private final StringBuilder inner = new StringBuilder();
  private final StringBuilder text = new StringBuilder();
  private final List<Item> items = new ArrayList<>();
  private final Map<Integer, Item> tools = new HashMap<>();
  private Item openText;
  private Item openReasoning;
  private int seq;
  private boolean started;
  private boolean sawDone;
  private boolean ended;
  private String finishReason;
  private JsonNode usageNode;
  private String servedModel;
  private String error;
  private int malformed;

  private enum Kind { MESSAGE, CALL, REASONING }

  /** One output item as it builds up. */
  private static final class Item {
    final Kind kind;
    final String id;
    final int index;
    final StringBuilder content = new StringBuilder();
    String callId;
    String name;
    boolean closed;

    Item(Kind kind, String id, int index) {
      this.kind = kind;
      this.id = id;
      this.index = index;
    }
  }

  /**
   * @param viaChat     for an Anthropic upstream, the translator to chat chunks; null for a chat upstream
   * @param onCompleted gets the finished response (to store it); not called for a failed stream
   */
  public ResponsesStream(ResponsesRequest request, String id, long createdAt, String model, StreamTranslator viaChat,
                         Consumer<ObjectNode> onCompleted) {
    this.request = request;
    this.id = id;
    this.createdAt = createdAt;
    this.model = model;
    this.viaChat = viaChat;
    this.onCompleted = onCompleted;
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (ended) return;
    if (viaChat == null) {
      chunk(data, out);
      return;
    }
    viaChat.onEvent(name, data, inner);
    drainInner(out);
  }

  /** Feeds the chat frames the inner translator wrote ("data: …\n\n") to this one. */
  private void drainInner(StringBuilder out) {
    int at = 0;
    while (at < inner.length()) {
      int end = inner.indexOf("\n\n", at);
      if (end < 0) break;
      if (inner.indexOf("data: ", at) == at) chunk(inner.substring(at + 6, end), out);
      at = end + 2;
    }
    inner.setLength(0);
  }

  private void chunk(String data, StringBuilder out) {
    if (data == null) return;
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
    start(out);
    if (c.path("usage").isObject()) usageNode = c.get("usage");
    JsonNode choice = c.path("choices").path(0);
    if (!choice.isObject()) return;
    JsonNode d = choice.path("delta");
    String reasoning = Json.text(d, "reasoning_content");
    if (reasoning != null && !reasoning.isEmpty()) reasoningDelta(reasoning, out);
    String content = Json.text(d, "content");
    if (content != null && !content.isEmpty()) textDelta(content, out);
    JsonNode calls = d.get("tool_calls");
    if (calls != null && calls.isArray()) {
      for (JsonNode call : calls) toolDelta(call, out);
    }
    String fr = Json.text(choice, "finish_reason");
    if (fr != null) finishReason = fr;
  }

  private void start(StringBuilder out) {
    if (started) return;
    started = true;
    ObjectNode shell = ResponsesOutput.shell(request, id, createdAt, model, "in_progress");
    emit(out, "response.created", Json.obj().set("response", shell));
    emit(out, "response.in_progress", Json.obj().set("response", shell));
  }

  /** DeepSeek-style reasoning_content: a reasoning item with reasoning_text content, before the answer. */
  private void reasoningDelta(String delta, StringBuilder out) {
    if (openReasoning == null) {
      closeText(out);
      openReasoning = new Item(Kind.REASONING, ResponsesOutput.itemId(id, "rs_", items.size()), items.size());
      items.add(openReasoning);
      emit(out, "response.output_item.added", Json.obj().put("output_index", openReasoning.index)
          .set("item", ResponsesOutput.reasoningItem(openReasoning.id, null)));
    }
    openReasoning.content.append(delta);
    text.append(delta);
    emit(out, "response.reasoning_text.delta", Json.obj().put("item_id", openReasoning.id)
        .put("output_index", openReasoning.index).put("content_index", 0).put("delta", delta));
  }

  private void closeReasoning(StringBuilder out) {
    if (openReasoning == null) return;
    close(openReasoning, out);
    openReasoning = null;
  }

  private void textDelta(String delta, StringBuilder out) {
    if (openText == null) {
      closeReasoning(out);
      openText = new Item(Kind.MESSAGE, ResponsesOutput.itemId(id, "msg_", items.size()), items.size());
      items.add(openText);
      emit(out, "response.output_item.added", Json.obj().put("output_index", openText.index)
          .set("item", ResponsesOutput.messageItem(openText.id, "in_progress")));
      emit(out, "response.content_part.added", Json.obj().put("item_id", openText.id)
          .put("output_index", openText.index).put("content_index", 0).set("part", ResponsesOutput.textPart("")));
    }
    openText.content.append(delta);
    text.append(delta);
    ObjectNode e = Json.obj().put("item_id", openText.id).put("output_index", openText.index).put("content_index", 0)
        .put("delta", delta);
    e.putArray("logprobs");
    emit(out, "response.output_text.delta", e);
  }

  private void toolDelta(JsonNode call, StringBuilder out) {
    int idx = call.path("index").asInt(tools.size());
    JsonNode fn = call.path("function");
    Item item = tools.get(idx);
    if (item == null) {
      closeText(out); // text after a tool call opens a new message item
      closeReasoning(out);
      item = new Item(Kind.CALL, ResponsesOutput.itemId(id, "fc_", items.size()), items.size());
      item.callId = Json.text(call, "id") != null ? Json.text(call, "id") : "call_" + idx;
      item.name = String.valueOf(Json.text(fn, "name"));
      items.add(item);
      tools.put(idx, item);
      text.append(item.name);
      emit(out, "response.output_item.added", Json.obj().put("output_index", item.index)
          .set("item", ResponsesOutput.functionCall(item.id, item.callId, item.name, "", "in_progress")));
    }
    String args = Json.text(fn, "arguments");
    if (args != null && !args.isEmpty()) {
      item.content.append(args);
      text.append(args);
      emit(out, "response.function_call_arguments.delta", Json.obj().put("item_id", item.id)
          .put("output_index", item.index).put("delta", args));
    }
  }

  private void closeText(StringBuilder out) {
    if (openText == null) return;
    close(openText, out);
    openText = null;
  }

  private void close(Item item, StringBuilder out) {
    if (item.closed) return;
    item.closed = true;
    if (item.kind == Kind.REASONING) {
      emit(out, "response.reasoning_text.done", Json.obj().put("item_id", item.id).put("output_index", item.index)
          .put("content_index", 0).put("text", item.content.toString()));
    } else if (item.kind == Kind.MESSAGE) {
      String t = item.content.toString();
      ObjectNode done = Json.obj().put("item_id", item.id).put("output_index", item.index).put("content_index", 0)
          .put("text", t);
      done.putArray("logprobs");
      emit(out, "response.output_text.done", done);
      emit(out, "response.content_part.done", Json.obj().put("item_id", item.id).put("output_index", item.index)
          .put("content_index", 0).set("part", ResponsesOutput.textPart(t)));
    } else {
      emit(out, "response.function_call_arguments.done", Json.obj().put("item_id", item.id)
          .put("output_index", item.index).put("name", item.name).put("arguments", item.content.toString()));
    }
    emit(out, "response.output_item.done", Json.obj().put("output_index", item.index).set("item", done(item, "completed")));
  }

  private static ObjectNode done(Item item, String status) {
    if (item.kind == Kind.REASONING) return ResponsesOutput.reasoningItem(item.id, item.content.toString());
    if (item.kind == Kind.CALL) {
      return ResponsesOutput.functionCall(item.id, item.callId, item.name, item.content.toString(), status);
    }
    ObjectNode m = ResponsesOutput.messageItem(item.id, status);
    ((ArrayNode) m.get("content")).add(ResponsesOutput.textPart(item.content.toString()));
    return m;
  }

  private ObjectNode response(String status) {
    ObjectNode r = ResponsesOutput.shell(request, id, createdAt, model, status);
    ArrayNode output = (ArrayNode) r.get("output");
    for (Item i : items) output.add(done(i, "completed".equals(status) ? "completed" : "incomplete"));
    return r;
  }

  @Override
  public void finish(StringBuilder out) {
    if (ended) return;
    if (viaChat != null) {
      viaChat.finish(inner);
      drainInner(out);
    }
    ended = true;
    start(out);
    for (Item i : items) close(i, out);
    ObjectNode r = response("completed");
    ResponsesOutput.status(r, finishReason);
    r.set("usage", ResponsesOutput.usage(usageNode)); // last, so the relay adds the charge into it
    emit(out, "incomplete".equals(r.get("status").asText()) ? "response.incomplete" : "response.completed",
        Json.obj().set("response", r));
    if (onCompleted != null) onCompleted.accept(r);
  }

  /**
   * The end of a stream that failed after its first byte: response.failed carrying what was produced so far and
   * the gateway's error message (with its code and trace id). Never followed by response.completed.
   */
  public String failed(String code, String message, String traceId) {
    ended = true;
    StringBuilder out = new StringBuilder(256);
    start(out);
    ObjectNode r = response("failed");
    r.putObject("error").put("code", "server_error")
        .put("message", message + " (" + code + (traceId == null ? "" : ", trace " + traceId) + ")");
    emit(out, "response.failed", Json.obj().set("response", r));
    return out.toString();
  }

  private void emit(StringBuilder out, String type, ObjectNode event) {
    ObjectNode e = Json.obj().put("type", type).put("sequence_number", seq++);
    e.setAll(event);
    out.append("event: ").append(type).append("\ndata: ").append(Json.string(e)).append("\n\n");
  }

  /** The answer text of the message items the client got; null once a tool call began (no rescue then). */
  @Override
  public CharSequence answerSoFar() {
    if (!tools.isEmpty()) return null;
    StringBuilder sb = new StringBuilder();
    for (Item i : items) if (i.kind == Kind.MESSAGE) sb.append(i.content);
    return sb;
  }

  /** The same stream goes on, fed hub chunks from the rescue's decoder (items, numbering and ids carry on). */
  @Override
  public StreamTranslator resumed() {
    viaChat = null;
    sawDone = false;
    finishReason = null;
    usageNode = null;
    return this;
  }

  @Override public boolean complete() { return viaChat != null ? viaChat.complete() : sawDone || finishReason != null; }

  @Override
  public TokenUsage usage() {
    if (viaChat != null) return viaChat.usage();
    return usageNode == null ? null : Usage.fromOpenAi(usageNode);
  }

  @Override public String model() { return viaChat != null ? viaChat.model() : servedModel; }
  @Override public boolean contentStarted() { return !items.isEmpty(); }
  @Override public int malformed() { return malformed + (viaChat != null ? viaChat.malformed() : 0); }
  @Override public String upstreamError() { return viaChat != null && viaChat.upstreamError() != null ? viaChat.upstreamError() : error; }
  @Override public CharSequence text() { return viaChat != null ? viaChat.text() : text; }
}
