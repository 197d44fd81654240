package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;

/** OpenAI dialect: chat completions and legacy completions (embeddings: {@link OpenAiEmbeddings}). */
final class OpenAiApi {
  private static final byte[] DATA = JsonOut.ascii("data: ");
  private static final byte[] EOL2 = JsonOut.ascii("\n\n");
  static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
  private static final Buffer MALFORMED_CHAT =
      Buffer.buffer("data: {\"id\":\"chatcmpl-x\",\"choices\":[{\"delta\":{\"content\":\"oops\"\n\n");
  static final Buffer STREAM_ERROR = Buffer.buffer("data: {\"error\":{\"message\":\"The server had an error while "
      + "processing your request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
  private static final Buffer MALFORMED_TEXT =
      Buffer.buffer("data: {\"id\":\"cmpl-x\",\"choices\":[{\"text\":\"oops\"\n\n");

  private final SimHandler h;

  OpenAiApi(SimHandler h) {
    this.h = h;
  }

  static int intField(JsonNode body, String name) {
    JsonNode n = body.get(name);
    return n != null && n.canConvertToInt() ? n.asInt() : -1;
  }

  private static boolean includeUsage(JsonNode body) {
    JsonNode so = body.get("stream_options");
    return so != null && so.path("include_usage").asBoolean(false);
  }

  static void requireModel(Ex ex) {
    if (ex.model == null || ex.model.isEmpty()) {
      throw new SimHandler.BadRequest("you must provide a model parameter", "model");
    }
  }

  private boolean tooLong(Ex ex, Prompt p) {
    if (p.tokens > SimCatalog.contextWindow(ex.model)) {
      h.later(ex.d.latency, () -> h.contextLength(ex, p.tokens));
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ chat

  void chat(Ex ex, JsonNode body) {
    requireModel(ex);
    if (h.preFault(ex)) {
      return;
    }
    JsonNode msgs = body.get("messages");
    if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
      throw new SimHandler.BadRequest("'messages' must be a non-empty array", "messages");
    }
    Prompt p = new Prompt(TextGen.encodingFor(ex.model));
    p.cont = Continuation.find(msgs, Continuation.OPENAI, ex.d);
    for (int i = 0; i < msgs.size(); i++) {
      JsonNode m = msgs.get(i);
      p.before(i);
      String role = m.path("role").asText("user");
      p.tokens += 3;
      p.text(role);
      p.sep(role);
      JsonNode name = m.get("name");
      if (name != null && name.isTextual()) {
        p.tokens += 1;
        p.text(name.asText());
      }
      JsonNode content = m.get("content");
      String text = Prompt.contentText(content);
      p.text(text);
      if (content != null && content.isArray()) {
        for (JsonNode part : content) {
          String type = part.path("type").asText();
          if (type.equals("image_url") || type.equals("input_image")) {
            p.tokens += 85;
          }
        }
      }
      JsonNode calls = m.get("tool_calls");
      if (calls != null && calls.isArray()) {
        for (JsonNode c : calls) {
          p.tokens += 3;
          p.text(c.path("function").path("name").asText());
          p.text(c.path("function").path("arguments").asText());
        }
      }
      if (role.equals("user")) {
        p.lastUser = text;
        p.toolResult = null;
        p.userAsk = text;
      } else if (role.equals("tool") || role.equals("function")) {
        p.toolResult = text == null ? "" : text;
        p.userAsk = null;
      } else if (role.equals("assistant")) {
        p.toolResult = null;
        p.userAsk = null;
      }
    }
    p.tokens += 3;
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray()) {
      for (JsonNode t : tools) {
        JsonNode fn = t.has("function") ? t.get("function") : t;
        String name = fn.path("name").asText(null);
        if (name != null) {
          p.tools.add(new Tools.Tool(name, fn.get("parameters")));
          p.tokens += 8 + TextGen.count(p.enc, fn.toString());
        }
      }
    }
    JsonNode tc = body.get("tool_choice");
    if (tc != null) {
      if (tc.isTextual()) {
        p.toolsNone = tc.asText().equals("none");
        p.toolsRequired = tc.asText().equals("required");
      } else if (tc.isObject()) {
        String forced = tc.path("function").path("name").asText(null);
        if (forced != null) {
          p.forcedTool = forced;
        }
      }
    }
    JsonNode rf = body.get("response_format");
    if (rf != null && rf.isObject()) {
      switch (rf.path("type").asText()) {
        case "json_schema" -> p.format = rf.path("json_schema").path("schema").isObject()
            ? rf.path("json_schema").get("schema") : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        case "json_object" -> p.format = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        default -> { }
      }
    }
    if (tooLong(ex, p)) {
      return;
    }
    int max = intField(body, "max_completion_tokens");
    if (max < 0) {
      max = intField(body, "max_tokens");
    }
    boolean stream = body.path("stream").asBoolean(false);
    boolean usage = includeUsage(body);
    String id = "chatcmpl-" + h.state.nextId();
    long created = System.currentTimeMillis() / 1000;
    int nCalls = p.toolCalls(ex.d);
    List<Tools.Call> calls = nCalls > 0
        ? Tools.calls(p.tools, p.forcedTool, nCalls, p.hash, p.lastUser, "call_")
        : null;
    Prompt.Answer ans = calls == null ? p.answer(ex.d, max, 0) : null;
    int completionTokens;
    String finish;
    if (calls != null) {
      completionTokens = 0;
      for (Tools.Call c : calls) {
        completionTokens += 4 + TextGen.count(p.enc, c.name()) + TextGen.count(p.enc, c.arguments());
      }
      finish = "tool_calls";
    } else {
      completionTokens = ans.tokens();
      finish = ans.capped() ? "length" : "stop";
    }
    int prompt = p.tokens;
    int completion = completionTokens;
    if (!stream) {
      Buffer out = JsonOut.write(768, null, g -> {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "chat.completion");
        g.writeNumberField("created", created);
        g.writeStringField("model", ex.model);
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", 0);
        g.writeObjectFieldStart("message");
        g.writeStringField("role", "assistant");
        if (calls == null) {
          g.writeStringField("content", ans.text());
        } else {
          g.writeNullField("content");
        }
        g.writeNullField("refusal");
        if (calls != null) {
          g.writeArrayFieldStart("tool_calls");
          for (Tools.Call c : calls) {
            g.writeStartObject();
            g.writeStringField("id", c.id());
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", c.name());
            g.writeStringField("arguments", c.arguments());
            g.writeEndObject();
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeArrayFieldStart("annotations");
        g.writeEndArray();
        g.writeEndObject();
        g.writeNullField("logprobs");
        g.writeStringField("finish_reason", finish);
        g.writeEndObject();
        g.writeEndArray();
        g.writeFieldName("usage");
        usage(g, prompt, completion, true);
        g.writeStringField("service_tier", "default");
        g.writeStringField("system_fingerprint", "fp_sim");
        g.writeEndObject();
      }, null);
      h.deliverJson(ex, out);
      return;
    }
    String head = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
        + ",\"model\":" + JsonOut.quote(ex.model) + ",\"system_fingerprint\":\"fp_sim\",\"choices\":[";
    String tail = "]" + (usage ? ",\"usage\":null" : "") + "}\n\n";
    SseStream s = new SseStream();
    if (calls == null) {
      s.add(Buffer.buffer(head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
          + "\"logprobs\":null,\"finish_reason\":null}" + tail));
      byte[] cPre = JsonOut.ascii(head + "{\"index\":0,\"delta\":{\"content\":");
      byte[] cSuf = JsonOut.ascii("},\"logprobs\":null,\"finish_reason\":null}" + tail);
      for (String piece : TextGen.chunk(ans.pieces(), ans.text(), ex.d.chunks)) {
        s.addContent(JsonOut.template(cPre, piece, cSuf));
      }
    } else {
      s.add(Buffer.buffer(head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null},"
          + "\"logprobs\":null,\"finish_reason\":null}" + tail));
      for (int i = 0; i < calls.size(); i++) {
        Tools.Call c = calls.get(i);
        s.addContent(Buffer.buffer(head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + i + ",\"id\":\"" + c.id()
            + "\",\"type\":\"function\",\"function\":{\"name\":" + JsonOut.quote(c.name())
            + ",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}" + tail));
        byte[] aPre = JsonOut.ascii(head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + i
            + ",\"function\":{\"arguments\":");
        byte[] aSuf = JsonOut.ascii("}}]},\"logprobs\":null,\"finish_reason\":null}" + tail);
        for (String frag : Tools.fragments(c.arguments(), ex.d.chunks)) {
          s.addContent(JsonOut.template(aPre, frag, aSuf));
        }
      }
    }
    s.add(Buffer.buffer(head + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" + finish + "\"}" + tail));
    if (usage) {
      s.add(JsonOut.write(512, JsonOut.ascii(head + "],\"usage\":"), g -> usage(g, prompt, completion, true), JsonOut.ascii("}\n\n")));
    }
    if (!ex.is("no_done")) {
      s.add(DONE);
    }
    s.malformed(MALFORMED_CHAT);
    s.error(STREAM_ERROR);
    s.send(h.vertx, ex.req, ex.d, ex.fault);
  }

  static void usage(JsonGenerator g, int prompt, int completion, boolean details) throws IOException {
    g.writeStartObject();
    g.writeNumberField("prompt_tokens", prompt);
    g.writeNumberField("completion_tokens", completion);
    g.writeNumberField("total_tokens", prompt + completion);
    if (details) {
      g.writeObjectFieldStart("prompt_tokens_details");
      g.writeNumberField("cached_tokens", 0);
      g.writeNumberField("audio_tokens", 0);
      g.writeEndObject();
      g.writeObjectFieldStart("completion_tokens_details");
      g.writeNumberField("reasoning_tokens", 0);
      g.writeNumberField("audio_tokens", 0);
      g.writeNumberField("accepted_prediction_tokens", 0);
      g.writeNumberField("rejected_prediction_tokens", 0);
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  // ------------------------------------------------------------------ legacy completions

  void completions(Ex ex, JsonNode body) {
    requireModel(ex);
    if (h.preFault(ex)) {
      return;
    }
    JsonNode pr = body.get("prompt");
    if (pr == null || pr.isNull()) {
      throw new SimHandler.BadRequest("you must provide a prompt parameter", "prompt");
    }
    Prompt p = new Prompt(TextGen.encodingFor(ex.model));
    if (pr.isTextual()) {
      p.text(pr.asText());
      p.lastUser = pr.asText();
    } else if (pr.isArray()) {
      for (JsonNode x : pr) {
        if (x.isTextual()) {
          p.text(x.asText());
          p.lastUser = x.asText();
        } else if (x.isNumber()) {
          p.tokens++;
          p.hash = TextGen.mix(p.hash + x.asLong());
        } else if (x.isArray()) {
          p.tokens += x.size();
          for (JsonNode t : x) {
            p.hash = TextGen.mix(p.hash + t.asLong());
          }
        }
      }
    } else {
      throw new SimHandler.BadRequest("'prompt' must be a string or an array", "prompt");
    }
    if (tooLong(ex, p)) {
      return;
    }
    int max = intField(body, "max_tokens");
    boolean stream = body.path("stream").asBoolean(false);
    boolean usage = includeUsage(body);
    String id = "cmpl-" + h.state.nextId();
    long created = System.currentTimeMillis() / 1000;
    Prompt.Answer ans = p.answer(ex.d, max, 0);
    String finish = ans.capped() ? "length" : "stop";
    int prompt = p.tokens;
    int completion = ans.tokens();
    if (!stream) {
      h.deliverJson(ex, JsonOut.write(512, null, g -> {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "text_completion");
        g.writeNumberField("created", created);
        g.writeStringField("model", ex.model);
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeStringField("text", ans.text());
        g.writeNumberField("index", 0);
        g.writeNullField("logprobs");
        g.writeStringField("finish_reason", finish);
        g.writeEndObject();
        g.writeEndArray();
        g.writeFieldName("usage");
        usage(g, prompt, completion, false);
        g.writeStringField("system_fingerprint", "fp_sim");
        g.writeEndObject();
      }, null));
      return;
    }
    String head = "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":" + created
        + ",\"model\":" + JsonOut.quote(ex.model) + ",\"system_fingerprint\":\"fp_sim\",\"choices\":[";
    String tail = "]" + (usage ? ",\"usage\":null" : "") + "}\n\n";
    SseStream s = new SseStream();
    byte[] cPre = JsonOut.ascii(head + "{\"text\":");
    byte[] cSuf = JsonOut.ascii(",\"index\":0,\"logprobs\":null,\"finish_reason\":null}" + tail);
    for (String piece : TextGen.chunk(ans.pieces(), ans.text(), ex.d.chunks)) {
      s.addContent(JsonOut.template(cPre, piece, cSuf));
    }
    s.add(Buffer.buffer(head + "{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"" + finish + "\"}" + tail));
    if (usage) {
      s.add(JsonOut.write(256, JsonOut.ascii(head + "],\"usage\":"), g -> usage(g, prompt, completion, false), JsonOut.ascii("}\n\n")));
    }
    if (!ex.is("no_done")) {
      s.add(DONE);
    }
    s.malformed(MALFORMED_TEXT);
    s.error(STREAM_ERROR);
    s.send(h.vertx, ex.req, ex.d, ex.fault);
  }
}
