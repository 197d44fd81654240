package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import java.util.Base64;
import java.util.List;

/** Anthropic dialect: /v1/messages (stream and non-stream) and /v1/messages/count_tokens. */
final class AnthropicApi {
  private static final Buffer PING = ev("ping", "{\"type\":\"ping\"}");
  private static final Buffer MESSAGE_STOP = ev("message_stop", "{\"type\":\"message_stop\"}");
  private static final Buffer MALFORMED = Buffer.buffer("event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
      + "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"oops\"\n\n");
  private static final Buffer STREAM_ERROR = ev("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
      + "\"message\":\"Overloaded\"}}");
  private static final int THINKING_TOKENS = 24;

  private final SimHandler h;

  AnthropicApi(SimHandler h) {
    this.h = h;
  }

  static Buffer ev(String name, String json) {
    return Buffer.buffer("event: " + name + "\ndata: " + json + "\n\n");
  }

  /** Parsed request: the prompt plus the cache prefix (tokens/hash up to the last cache_control breakpoint). */
  private static final class Parsed {
    final Prompt p = new Prompt(TextGen.CL100K);
    int cacheTokens = -1;
    long cacheHash;

    void mark(JsonNode block) {
      if (block.has("cache_control")) {
        cacheTokens = p.tokens;
        cacheHash = p.hash;
      }
    }
  }

  /** {@code d}: the directives for a continuation ({@code prefill=refuse}), or {@link Directives#NONE} (count_tokens). */
  private Parsed parse(Ex ex, JsonNode body, Directives d) {
    if (ex.model == null || ex.model.isEmpty()) {
      throw new SimHandler.BadRequest("model: Field required", null);
    }
    JsonNode msgs = body.get("messages");
    if (msgs == null || !msgs.isArray()) {
      throw new SimHandler.BadRequest("messages: Field required", null);
    }
    Parsed r = new Parsed();
    Prompt p = r.p;
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray()) {
      for (JsonNode t : tools) {
        String name = t.path("name").asText(null);
        if (name == null) {
          continue;
        }
        p.tools.add(new Tools.Tool(name, t.get("input_schema")));
        p.tokens += 8;
        p.text(name);
        p.text(t.path("description").asText(""));
        JsonNode schema = t.get("input_schema");
        if (schema != null) {
          p.text(schema.toString());
        }
        r.mark(t);
      }
    }
    JsonNode system = body.get("system");
    if (system != null) {
      if (system.isTextual()) {
        p.tokens += 3;
        p.text(system.asText());
      } else if (system.isArray()) {
        p.tokens += 3;
        for (JsonNode b : system) {
          p.text(b.path("text").asText(""));
          r.mark(b);
        }
      }
    }
    p.cont = Continuation.find(msgs, Continuation.ANTHROPIC, d);
    for (int i = 0; i < msgs.size(); i++) {
      JsonNode m = msgs.get(i);
      p.before(i);
      String role = m.path("role").asText("user");
      p.tokens += 3;
      p.sep(role);
      JsonNode c = m.get("content");
      String userText = null;
      String toolResult = null;
      if (c != null && c.isTextual()) {
        p.text(c.asText());
        userText = c.asText();
      } else if (c != null && c.isArray()) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : c) {
          String type = b.path("type").asText();
          switch (type) {
            case "text" -> {
              String t = b.path("text").asText("");
              p.text(t);
              if (!sb.isEmpty()) {
                sb.append('\n');
              }
              sb.append(t);
            }
            case "image", "document" -> {
              p.tokens += type.equals("image") ? 1000 : 500;
              p.sep(b.path("source").path("data").asText(b.path("source").path("url").asText("")));
            }
            case "tool_use" -> {
              p.tokens += 4;
              p.text(b.path("name").asText(""));
              JsonNode input = b.get("input");
              if (input != null) {
                p.text(input.toString());
              }
            }
            case "tool_result" -> {
              p.tokens += 4;
              String t = Prompt.contentText(b.get("content"));
              p.text(t);
              toolResult = t == null ? "" : t;
            }
            case "thinking" -> p.text(b.path("thinking").asText(""));
            default -> p.text(Prompt.contentText(b.get("text")));
          }
          r.mark(b);
        }
        userText = sb.toString();
      }
      if (role.equals("user")) {
        if (toolResult != null) {
          p.toolResult = toolResult;
        } else {
          p.toolResult = null;
        }
        if (userText != null && !userText.isEmpty()) {
          p.lastUser = userText;
        }
        p.userAsk = toolResult == null ? userText : null;
      } else if (!role.equals("system")) { // a system note between turns (Claude Code's) changes neither
        p.toolResult = null;
        p.userAsk = null;
      }
    }
    JsonNode format = body.path("output_config").path("format");
    if ("json_schema".equals(format.path("type").asText()) && format.path("schema").isObject()) {
      p.format = format.get("schema");
    }
    JsonNode tc = body.get("tool_choice");
    if (tc != null && tc.isObject()) {
      switch (tc.path("type").asText("auto")) {
        case "none" -> p.toolsNone = true;
        case "any" -> p.toolsRequired = true;
        case "tool" -> p.forcedTool = tc.path("name").asText(null);
        default -> { }
      }
    }
    return r;
  }

  void countTokens(Ex ex, JsonNode body) {
    Parsed r = parse(ex, body, Directives.NONE);
    if (h.preFault(ex)) {
      return;
    }
    int n = r.p.tokens;
    h.deliverJson(ex, Buffer.buffer("{\"input_tokens\":" + n + "}"));
  }

  void messages(Ex ex, JsonNode body) {
    JsonNode mt = body.get("max_tokens");
    if (mt == null || !mt.canConvertToInt()) {
      throw new SimHandler.BadRequest("max_tokens: Field required", null);
    }
    int max = mt.asInt();
    Parsed r = parse(ex, body, ex.d);
    if (r.p.tokens == 0 && body.path("messages").isEmpty()) {
      throw new SimHandler.BadRequest("messages: at least one message is required", null);
    }
    if (h.preFault(ex)) {
      return;
    }
    Prompt p = r.p;
    if (p.tokens > SimCatalog.contextWindow(ex.model)) {
      h.later(ex.d.latency, () -> h.contextLength(ex, p.tokens));
      return;
    }
    int cacheCreate = 0;
    int cacheRead = 0;
    if (r.cacheTokens > 0) {
      if (h.state.seenPrefix(r.cacheHash ^ TextGen.hash(TextGen.SEED, ex.model))) {
        cacheRead = r.cacheTokens;
      } else {
        cacheCreate = r.cacheTokens;
      }
    }
    int input = p.tokens - cacheCreate - cacheRead;
    JsonNode th = body.get("thinking");
    boolean thinking = th != null && "enabled".equals(th.path("type").asText());
    String[] thinkPieces = null;
    String thinkText = null;
    String signature = null;
    int output = 0;
    if (thinking) {
      int budget = th.path("budget_tokens").asInt(THINKING_TOKENS);
      thinkPieces = TextGen.pieces(p.hash ^ 0x7417L, Math.max(1, Math.min(budget, THINKING_TOKENS)));
      thinkText = TextGen.join(thinkPieces);
      output += thinkPieces.length;
      byte[] sig = new byte[64];
      long x = p.hash;
      for (int i = 0; i < sig.length; i += 8) {
        x = TextGen.mix(x + i);
        for (int k = 0; k < 8; k++) {
          sig[i + k] = (byte) (x >>> (8 * k));
        }
      }
      signature = Base64.getEncoder().encodeToString(sig);
    }
    int nCalls = p.toolCalls(ex.d);
    List<Tools.Call> calls = nCalls > 0 ? Tools.calls(p.tools, p.forcedTool, nCalls, p.hash, p.lastUser, "toolu_") : null;
    Prompt.Answer ans = calls == null ? p.answer(ex.d, max, 0) : null;
    String stop;
    if (calls != null) {
      for (Tools.Call c : calls) {
        output += 8 + TextGen.count(p.enc, c.name()) + TextGen.count(p.enc, c.arguments());
      }
      stop = "tool_use";
    } else {
      output += ans.tokens();
      stop = ans.capped() ? "max_tokens" : "end_turn";
    }
    String id = "msg_" + Tools.id(TextGen.mix(h.state.ids.incrementAndGet()), 24);
    int out = output;
    int cc = cacheCreate;
    int cr = cacheRead;
    String tText = thinkText;
    String sig = signature;
    boolean stream = body.path("stream").asBoolean(false);
    if (!stream) {
      h.deliverJson(ex, JsonOut.write(768, null, g -> {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("type", "message");
        g.writeStringField("role", "assistant");
        g.writeStringField("model", ex.model);
        g.writeArrayFieldStart("content");
        if (tText != null) {
          g.writeStartObject();
          g.writeStringField("type", "thinking");
          g.writeStringField("thinking", tText);
          g.writeStringField("signature", sig);
          g.writeEndObject();
        }
        if (calls != null) {
          for (Tools.Call c : calls) {
            g.writeStartObject();
            g.writeStringField("type", "tool_use");
            g.writeStringField("id", c.id());
            g.writeStringField("name", c.name());
            g.writeFieldName("input");
            g.writeRawValue(c.arguments());
            g.writeEndObject();
          }
        } else {
          g.writeStartObject();
          g.writeStringField("type", "text");
          g.writeStringField("text", ans.text());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("stop_reason", stop);
        g.writeNullField("stop_sequence");
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", input);
        g.writeNumberField("cache_creation_input_tokens", cc);
        g.writeNumberField("cache_read_input_tokens", cr);
        g.writeNumberField("output_tokens", out);
        g.writeStringField("service_tier", "standard");
        g.writeEndObject();
        g.writeEndObject();
      }, null));
      return;
    }
    SseStream s = new SseStream();
    s.add(ev("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":" + JsonOut.quote(ex.model) + ",\"content\":[],\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":" + cc
        + ",\"cache_read_input_tokens\":" + cr + ",\"output_tokens\":1,\"service_tier\":\"standard\"}}}"));
    int index = 0;
    boolean pinged = false;
    if (thinkPieces != null) {
      s.add(ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
          + "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}"));
      s.add(PING);
      pinged = true;
      byte[] pre = JsonOut.ascii("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":");
      byte[] suf = JsonOut.ascii("}}\n\n");
      for (String piece : TextGen.chunk(thinkPieces, thinkText, -1)) {
        s.addContent(JsonOut.template(pre, piece, suf));
      }
      s.add(ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
          + "{\"type\":\"signature_delta\",\"signature\":\"" + signature + "\"}}"));
      s.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
      index++;
    }
    if (calls != null) {
      for (Tools.Call c : calls) {
        s.add(ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":"
            + "{\"type\":\"tool_use\",\"id\":\"" + c.id() + "\",\"name\":" + JsonOut.quote(c.name()) + ",\"input\":{}}}"));
        if (!pinged) {
          s.add(PING);
          pinged = true;
        }
        byte[] pre = JsonOut.ascii("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":" + index
            + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":");
        byte[] suf = JsonOut.ascii("}}\n\n");
        for (String frag : Tools.fragments(c.arguments(), ex.d.chunks)) {
          s.addContent(JsonOut.template(pre, frag, suf));
        }
        s.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}"));
        index++;
      }
    } else {
      s.add(ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
          + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
      if (!pinged) {
        s.add(PING);
      }
      byte[] pre = JsonOut.ascii("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":" + index
          + ",\"delta\":{\"type\":\"text_delta\",\"text\":");
      byte[] suf = JsonOut.ascii("}}\n\n");
      for (String piece : TextGen.chunk(ans.pieces(), ans.text(), ex.d.chunks)) {
        s.addContent(JsonOut.template(pre, piece, suf));
      }
      s.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}"));
    }
    s.add(ev("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stop
        + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + out + "}}"));
    if (!ex.is("no_done")) {
      s.add(MESSAGE_STOP);
    }
    s.malformed(MALFORMED);
    s.error(STREAM_ERROR);
    s.send(h.vertx, ex.req, ex.d, ex.fault);
  }
}
