package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Gemini dialect (REST v1beta, as @google/genai and Gemini CLI use it): {@code models/{model}:generateContent},
 * {@code :streamGenerateContent?alt=sse}, {@code :countTokens}, and {@code GET models}. The model is in the path, so
 * its {@code ::directives} suffix is too.
 */
final class GeminiApi {
  static final Set<String> METHODS = Set.of("generateContent", "streamGenerateContent", "countTokens");
  private static final Buffer MALFORMED =
      Buffer.buffer("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"oops\"\n\n");
  private static final String HEAD = "data: {\"candidates\":[{\"content\":{\"parts\":[";
  private static final int THINKING_TOKENS = 24;

  /** A {@code models/…} path: the model (directives suffix included) and the method after the last ':', or null. */
  record Target(String model, String method) {}

  private final SimHandler h;

  GeminiApi(SimHandler h) {
    this.h = h;
  }

  /** Parses {@code /v1beta/models/{model}[:method]} (or {@code /v1/…}); null when the path is not one. */
  static Target target(String path) {
    String prefix = path.startsWith("/v1beta/models/") ? "/v1beta/models/"
        : path.startsWith("/v1/models/") ? "/v1/models/" : null;
    if (prefix == null || path.length() == prefix.length()) {
      return null;
    }
    String rest = path.substring(prefix.length());
    if (rest.indexOf('%') >= 0) {
      try {
        rest = URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    int c = rest.lastIndexOf(':');
    if (c > 0 && METHODS.contains(rest.substring(c + 1))) {
      return new Target(rest.substring(0, c), rest.substring(c + 1));
    }
    return new Target(rest, null);
  }

  /** The /_sim/stats key: the path decoded and without the model's {@code ::directives}. */
  static String statsPath(String path) {
    Target t = path.startsWith("/v1beta/") || path.startsWith("/v1/models/") ? target(path) : null;
    if (t == null) {
      return path;
    }
    int i = t.model().indexOf("::");
    String model = i >= 0 ? t.model().substring(0, i) : t.model();
    return (path.startsWith("/v1beta/") ? "/v1beta/models/" : "/v1/models/") + model
        + (t.method() == null ? "" : ":" + t.method());
  }

  /** Google's own ways to pass the key: {@code x-goog-api-key} or {@code ?key=}. */
  static boolean googleAuth(HttpServerRequest req) {
    String h = req.getHeader("x-goog-api-key");
    String q = req.getParam("key");
    return h != null && !h.isEmpty() || q != null && !q.isEmpty();
  }

  void post(HttpServerRequest req, Target t) {
    Ex ex = new Ex(req, Ex.Dialect.GEMINI);
    switch (t.method()) {
      case "countTokens" -> h.withBody(ex, t.model(), this::countTokens);
      case "streamGenerateContent" -> h.withBody(ex, t.model(), (e, b) -> generate(e, b, true));
      default -> h.withBody(ex, t.model(), (e, b) -> generate(e, b, false));
    }
  }

  /** {@code GET /v1beta/models} and {@code GET /v1beta/models/{id}}. */
  void models(HttpServerRequest req, String path) {
    Ex ex = new Ex(req, Ex.Dialect.GEMINI);
    if (!h.authorized(ex)) {
      return;
    }
    Target t = target(path);
    if (t != null && t.method() != null) {
      h.notFound(req, path);
      return;
    }
    if (!h.directives(ex, t == null ? null : t.model()) || h.preFault(ex)) {
      return;
    }
    h.deliverJson(ex, t == null ? GeminiModels.list() : GeminiModels.one(ex.model));
  }

  private void countTokens(Ex ex, JsonNode body) {
    GeminiRequest r = GeminiRequest.parseCount(body, ex.model);
    if (h.preFault(ex)) {
      return;
    }
    h.deliverJson(ex, Buffer.buffer("{\"totalTokens\":" + r.p.tokens + "}"));
  }

  private void generate(Ex ex, JsonNode body, boolean stream) {
    if (stream && !"sse".equals(ex.req.getParam("alt"))) {
      throw new SimHandler.BadRequest(
          "The simulator streams only with ?alt=sse (the JSON-array stream is not simulated).", null);
    }
    GeminiRequest r = GeminiRequest.parse(body, ex.model, ex.d);
    Prompt p = r.p;
    String id = Tools.id(TextGen.mix(h.state.ids.incrementAndGet()), 22);
    String tail = ",\"modelVersion\":" + JsonOut.quote(ex.model) + ",\"responseId\":\"" + id + "\"}";
    if (ex.is("content_policy")) {
      blocked(ex, p.tokens, tail, stream);
      return;
    }
    if (h.preFault(ex)) {
      return;
    }
    if (p.tokens > GeminiModels.inputLimit(ex.model)) {
      h.later(ex.d.latency, () -> h.contextLength(ex, p.tokens));
      return;
    }
    int thoughts = r.thinkingBudget == 0 || !r.includeThoughts && r.thinkingBudget < 0 ? 0
        : Math.min(r.thinkingBudget > 0 ? r.thinkingBudget : THINKING_TOKENS, THINKING_TOKENS);
    String[] thought = r.includeThoughts && thoughts > 0 ? TextGen.pieces(p.hash ^ 0x7417L, thoughts) : null;
    int nCalls = p.toolCalls(ex.d);
    List<Tools.Call> calls = nCalls > 0 ? Tools.calls(p.tools, p.forcedTool, nCalls, p.hash, p.lastUser, "fc_") : null;
    Prompt.Answer ans = calls != null ? null : r.json ? r.p.continued(jsonAnswer(r), ex.d) : p.answer(ex.d, r.maxOutput, 0);
    int out = 0;
    String finish = "STOP";
    if (calls != null) {
      for (Tools.Call c : calls) {
        out += 4 + TextGen.count(p.enc, c.name()) + TextGen.count(p.enc, c.arguments());
      }
    } else {
      out = ans.tokens();
      finish = ans.capped() ? "MAX_TOKENS" : "STOP";
    }
    String usage = "{\"promptTokenCount\":" + p.tokens + ",\"candidatesTokenCount\":" + out + ",\"totalTokenCount\":"
        + (p.tokens + out + thoughts) + (thoughts > 0 ? ",\"thoughtsTokenCount\":" + thoughts : "") + "}";
    if (!stream) {
      String fin = finish;
      h.deliverJson(ex, JsonOut.write(768, null, g -> {
        g.writeStartObject();
        g.writeArrayFieldStart("candidates");
        g.writeStartObject();
        g.writeObjectFieldStart("content");
        g.writeArrayFieldStart("parts");
        if (thought != null) {
          g.writeStartObject();
          g.writeStringField("text", TextGen.join(thought));
          g.writeBooleanField("thought", true);
          g.writeEndObject();
        }
        if (calls != null) {
          for (Tools.Call c : calls) {
            g.writeRawValue(call(c));
          }
        } else {
          g.writeStartObject();
          g.writeStringField("text", ans.text());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("role", "model");
        g.writeEndObject();
        g.writeStringField("finishReason", fin);
        g.writeNumberField("index", 0);
        g.writeEndObject();
        g.writeEndArray();
        g.writeFieldName("usageMetadata");
        g.writeRawValue(usage);
        g.writeStringField("modelVersion", ex.model);
        g.writeStringField("responseId", id);
        g.writeEndObject();
      }, null));
      return;
    }
    // Every chunk is a whole GenerateContentResponse; the last content chunk carries finishReason and the full usage
    // (fault no_done: it does not, the stream just ends).
    String mid = "],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":" + p.tokens
        + ",\"totalTokenCount\":" + p.tokens + "}" + tail + "\n\n";
    String last = ex.is("no_done") ? mid
        : "],\"role\":\"model\"},\"finishReason\":\"" + finish + "\",\"index\":0}],\"usageMetadata\":" + usage + tail
            + "\n\n";
    SseStream s = new SseStream();
    byte[] textPre = JsonOut.ascii(HEAD + "{\"text\":");
    if (thought != null) {
      byte[] suf = JsonOut.ascii(",\"thought\":true}" + mid);
      for (String piece : TextGen.chunk(thought, TextGen.join(thought), -1)) {
        s.addContent(JsonOut.template(textPre, piece, suf));
      }
    }
    if (calls != null) {
      for (int i = 0; i < calls.size(); i++) {
        s.addContent(Buffer.buffer(HEAD + call(calls.get(i)) + (i == calls.size() - 1 ? last : mid)));
      }
    } else {
      List<String> pieces = TextGen.chunk(ans.pieces(), ans.text(), ex.d.chunks);
      byte[] midSuf = JsonOut.ascii("}" + mid);
      byte[] lastSuf = JsonOut.ascii("}" + last);
      for (int i = 0; i < pieces.size(); i++) {
        s.addContent(JsonOut.template(textPre, pieces.get(i), i == pieces.size() - 1 ? lastSuf : midSuf));
      }
    }
    s.malformed(MALFORMED);
    s.error(GeminiErrors.STREAM_ERROR);
    s.send(h.vertx, ex.req, ex.d, ex.fault);
  }

  private static String call(Tools.Call c) {
    return "{\"functionCall\":{\"name\":" + JsonOut.quote(c.name()) + ",\"args\":" + c.arguments() + ",\"id\":\""
        + c.id() + "\"}}";
  }

  /** Structured output: JSON built from the response schema, streamed in fragments. */
  private static Prompt.Answer jsonAnswer(GeminiRequest r) {
    String text = Tools.json(r.schema, r.p.answerHash(), r.p.answerUser());
    String[] pieces = Tools.fragments(text, -1).toArray(String[]::new);
    return new Prompt.Answer(pieces, text, TextGen.count(r.p.enc, text), false);
  }

  /** fault=content_policy: a 200 whose prompt was blocked ({@code promptFeedback.blockReason}, no candidates). */
  private void blocked(Ex ex, int promptTokens, String tail, boolean stream) {
    String body = "{\"promptFeedback\":{\"blockReason\":\"SAFETY\",\"safetyRatings\":[{\"category\":"
        + "\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"probability\":\"HIGH\",\"blocked\":true}]},\"usageMetadata\":"
        + "{\"promptTokenCount\":" + promptTokens + ",\"totalTokenCount\":" + promptTokens + "}" + tail;
    if (!stream) {
      h.deliverJson(ex, Buffer.buffer(body));
      return;
    }
    SseStream s = new SseStream();
    s.add(Buffer.buffer("data: " + body + "\n\n"));
    s.send(h.vertx, ex.req, ex.d, ex.fault);
  }
}
