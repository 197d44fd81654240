package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.ChannelOption;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;

/** Routing, auth, directives, faults and response delivery. */
final class SimHandler implements Handler<HttpServerRequest> {
  static final String HEADER = "x-ljq-sim";

  final Vertx vertx;
  final SimState state;
  final OpenAiApi openai;
  final OpenAiEmbeddings embeddings;
  final AnthropicApi anthropic;
  final GeminiApi gemini;

  SimHandler(Vertx vertx, SimState state) {
    this.vertx = vertx;
    this.state = state;
    this.openai = new OpenAiApi(this);
    this.embeddings = new OpenAiEmbeddings(this);
    this.anthropic = new AnthropicApi(this);
    this.gemini = new GeminiApi(this);
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/_sim/")) {
      SimControl.handle(state, req, path);
      return;
    }
    state.count(GeminiApi.statsPath(path));
    try {
      route(req, path);
    } catch (RuntimeException e) {
      error(new Ex(req, dialectOf(path)), 500, "server_error", null, "Simulator error: " + e);
    }
  }

  private static Ex.Dialect dialectOf(String path) {
    if (path.startsWith("/v1/messages")) {
      return Ex.Dialect.ANTHROPIC;
    }
    GeminiApi.Target t = GeminiApi.target(path);
    return path.startsWith("/v1beta/") || t != null && t.method() != null ? Ex.Dialect.GEMINI : Ex.Dialect.OPENAI;
  }

  private void route(HttpServerRequest req, String path) {
    HttpMethod m = req.method();
    if (path.equals("/health")) {
      sendJson(req, 200, Buffer.buffer("{\"status\":\"ok\"}"));
      return;
    }
    if (m == HttpMethod.POST) {
      switch (path) {
        case "/v1/chat/completions" -> withBody(new Ex(req, Ex.Dialect.OPENAI), openai::chat);
        case "/v1/completions" -> withBody(new Ex(req, Ex.Dialect.OPENAI), openai::completions);
        case "/v1/embeddings" -> withBody(new Ex(req, Ex.Dialect.OPENAI), embeddings::embeddings);
        case "/v1/messages" -> withBody(new Ex(req, Ex.Dialect.ANTHROPIC), anthropic::messages);
        case "/v1/messages/count_tokens" -> withBody(new Ex(req, Ex.Dialect.ANTHROPIC), anthropic::countTokens);
        default -> {
          GeminiApi.Target t = GeminiApi.target(path);
          if (t != null && t.method() != null) {
            gemini.post(req, t);
          } else {
            notFound(req, path);
          }
        }
      }
      return;
    }
    if (m == HttpMethod.GET && (path.equals("/v1beta/models") || path.startsWith("/v1beta/models/")
        || (path.equals("/v1/models") || path.startsWith("/v1/models/")) && GeminiApi.googleAuth(req))) {
      gemini.models(req, path);
      return;
    }
    if (m == HttpMethod.GET && (path.equals("/v1/models") || path.startsWith("/v1/models/"))) {
      boolean anth = req.getHeader("anthropic-version") != null && req.getHeader("authorization") == null;
      Ex ex = new Ex(req, anth ? Ex.Dialect.ANTHROPIC : Ex.Dialect.OPENAI);
      if (!authorized(ex)) {
        return;
      }
      String id = path.length() > "/v1/models/".length() ? path.substring("/v1/models/".length()) : null;
      if (!directives(ex, null)) {
        return;
      }
      if (id != null) {
        ex.model = id;
      }
      if (preFault(ex)) {
        return;
      }
      Buffer body = id == null ? Models.list(ex.anthropic()) : Models.one(ex.anthropic(), ex.model);
      deliverJson(ex, body);
      return;
    }
    notFound(req, path);
  }

  void notFound(HttpServerRequest req, String path) {
    Ex ex = new Ex(req, dialectOf(path));
    error(ex, 404, ex.anthropic() ? "not_found_error" : "invalid_request_error", "unknown_url",
        "Unknown request URL: " + req.method() + " " + path);
  }

  interface BodyHandler {
    void handle(Ex ex, JsonNode body);
  }

  private void withBody(Ex ex, BodyHandler h) {
    withBody(ex, null, h);
  }

  /** Reads the JSON body and the directives, then runs the handler; {@code pathModel} (Gemini) wins over the body's. */
  void withBody(Ex ex, String pathModel, BodyHandler h) {
    if (!authorized(ex)) {
      return;
    }
    ex.req.body().onSuccess(buf -> {
      JsonNode body;
      try {
        body = JsonOut.MAPPER.readTree(buf.getBytes());
      } catch (Exception e) {
        error(ex, 400, "invalid_request_error", null, ex.gemini()
            ? "Invalid JSON payload received. Unexpected token." : "We could not parse the JSON body of your request.");
        return;
      }
      if (body == null || !body.isObject()) {
        error(ex, 400, "invalid_request_error", null, "The request body must be a JSON object.");
        return;
      }
      JsonNode model = body.get("model");
      String modelStr = pathModel != null ? pathModel : model != null && model.isTextual() ? model.asText() : null;
      if (!directives(ex, modelStr)) {
        return;
      }
      try {
        h.handle(ex, body);
      } catch (BadRequest e) {
        error(ex, 400, "invalid_request_error", null, e.getMessage(), e.param);
      } catch (RuntimeException e) {
        error(ex, 500, ex.anthropic() ? "api_error" : "server_error", null, "Simulator error: " + e);
      } catch (AssertionError e) {
        // The tokenizer asserts valid UTF-16 (a lone surrogate): a real upstream refuses such text with a 400.
        error(ex, 400, "invalid_request_error", null, "The request contains text that is not valid Unicode.");
      }
    });
  }

  /** A 400 raised by the dialect handlers. */
  static final class BadRequest extends RuntimeException {
    final String param;

    BadRequest(String msg, String param) {
      super(msg, null, false, false);
      this.param = param;
    }
  }

  boolean authorized(Ex ex) {
    HttpServerRequest req = ex.req;
    String auth = req.getHeader("authorization");
    boolean ok = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && auth.length() > 7;
    if (!ok && ex.anthropic()) {
      String key = req.getHeader("x-api-key");
      ok = key != null && !key.isEmpty();
    }
    if (!ok && ex.gemini()) {
      ok = GeminiApi.googleAuth(req);
    }
    if (ok) {
      String key = auth != null && auth.length() > 7 ? auth.substring(7) : req.getHeader("x-api-key");
      if (key == null) key = req.getHeader("x-goog-api-key");
      if (key == null) key = req.getParam("key");
      if (state.refuses(key)) {
        if (ex.gemini()) {
          GeminiErrors.send(this, ex, 401, "API key not valid. Please pass a valid API key.", null);
        } else {
          error(ex, 401, ex.anthropic() ? "authentication_error" : "invalid_request_error",
              ex.anthropic() ? null : "invalid_api_key", "Incorrect API key provided.");
        }
        return false;
      }
    }
    if (!ok) {
      if (ex.gemini()) {
        GeminiErrors.send(this, ex, 403, GeminiErrors.NO_KEY, null); // what Gemini answers a request without a key
      } else if (ex.anthropic()) {
        error(ex, 401, "authentication_error", null, "x-api-key header is required");
      } else {
        error(ex, 401, "invalid_request_error", "invalid_api_key",
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
      }
    }
    return ok;
  }

  /** Parses directives (model suffix + header, or control: the model's, else global) and resolves the fault. */
  boolean directives(Ex ex, String model) {
    String suffix = null;
    if (model != null) {
      int i = model.indexOf("::");
      if (i >= 0) {
        suffix = model.substring(i + 2);
        model = model.substring(0, i);
      }
    }
    ex.model = model;
    String header = ex.req.getHeader(HEADER);
    try {
      ex.d = Directives.of(suffix, header != null ? header : state.controlDirectives(model));
    } catch (Directives.BadDirective e) {
      error(ex, 400, "invalid_request_error", "invalid_sim_directive", e.getMessage());
      return false;
    }
    ex.fault = state.effectiveFault(ex.d);
    return true;
  }

  /**
   * Applies faults that replace the whole response (status errors, reset, hang). Returns true when the request has
   * been handled.
   */
  boolean preFault(Ex ex) {
    String f = ex.fault;
    if (f == null) {
      return false;
    }
    switch (f) {
      case "hang" -> {
        return true;
      }
      case "reset" -> {
        later(ex.d.latency, () -> reset(ex.req));
        return true;
      }
      case "429", "500", "502", "503", "529", "401", "model_not_found", "content_policy" -> {
        later(ex.d.latency, () -> StatusFaults.send(this, ex, f));
        return true;
      }
      case "context_length" -> {
        later(ex.d.latency, () -> contextLength(ex, -1));
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  void contextLength(Ex ex, int promptTokens) {
    int window = ex.gemini() ? GeminiModels.inputLimit(ex.model) : SimCatalog.contextWindow(ex.model == null ? "" : ex.model);
    int tokens = promptTokens > 0 ? promptTokens : window + 1 + (int) (TextGen.mix(window) & 1023);
    if (ex.gemini()) {
      GeminiErrors.send(this, ex, 400, GeminiErrors.contextLength(tokens, window), null);
    } else if (ex.anthropic()) {
      error(ex, 400, "invalid_request_error", null, "prompt is too long: " + tokens + " tokens > " + window + " maximum");
    } else {
      error(ex, 400, "invalid_request_error", "context_length_exceeded",
          "This model's maximum context length is " + window + " tokens. However, your messages resulted in " + tokens
              + " tokens. Please reduce the length of the messages.", "messages");
    }
  }

  static void reset(HttpServerRequest req) {
    HttpConnection c = req.connection();
    if (c instanceof ConnectionBase cb) {
      try {
        cb.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        cb.channel().close();
        return;
      } catch (RuntimeException ignored) {
        // fall through to an ordinary close
      }
    }
    c.close();
  }

  void later(long ms, Runnable r) {
    if (ms <= 0) {
      r.run();
    } else {
      vertx.setTimer(ms, t -> r.run());
    }
  }

  /** Delivers a complete (non-stream) JSON response honouring latency/ttft and body faults. */
  void deliverJson(Ex ex, Buffer body) {
    later((long) ex.d.latency + ex.d.ttft, () -> {
      HttpServerResponse resp = ex.req.response();
      if (resp.closed()) {
        return;
      }
      String f = ex.fault;
      if ("stream_error".equals(f)) {
        StatusFaults.send(this, ex, "500");
        return;
      }
      resp.putHeader("content-type", "application/json");
      addIdHeader(ex);
      if ("malformed".equals(f) || "bad_body".equals(f)) {
        resp.setStatusCode(200).end(body.slice(0, Math.max(1, body.length() * 2 / 3)));
      } else if ("cut".equals(f) || "stall".equals(f)) {
        resp.putHeader("content-length", Integer.toString(body.length()));
        resp.write(body.slice(0, body.length() / 2)).onComplete(x -> {
          if ("cut".equals(f)) {
            ex.req.connection().close();
          }
        });
      } else {
        resp.setStatusCode(200).end(body);
      }
    });
  }

  private void addIdHeader(Ex ex) {
    ex.req.response().putHeader(ex.anthropic() ? "request-id" : "x-request-id", "req_" + state.nextId());
  }

  void error(Ex ex, int status, String type, String code, String message) {
    error(ex, status, type, code, message, null);
  }

  void error(Ex ex, int status, String type, String code, String message, String param) {
    Buffer body;
    if (ex.gemini()) {
      body = Buffer.buffer(GeminiErrors.body(status, message, null));
    } else if (ex.anthropic()) {
      body = JsonOut.write(g -> {
        g.writeStartObject();
        g.writeStringField("type", "error");
        g.writeObjectFieldStart("error");
        g.writeStringField("type", type);
        g.writeStringField("message", message);
        g.writeEndObject();
        g.writeEndObject();
      });
    } else {
      body = JsonOut.write(g -> {
        g.writeStartObject();
        g.writeObjectFieldStart("error");
        g.writeStringField("message", message);
        g.writeStringField("type", type);
        if (param == null) {
          g.writeNullField("param");
        } else {
          g.writeStringField("param", param);
        }
        if (code == null) {
          g.writeNullField("code");
        } else {
          g.writeStringField("code", code);
        }
        g.writeEndObject();
        g.writeEndObject();
      });
    }
    sendError(ex, status, body);
  }

  /** Sends an error body unless the response has started or the connection is gone. */
  void sendError(Ex ex, int status, Buffer body) {
    if (ex.req.response().closed() || ex.req.response().headWritten()) {
      return;
    }
    addIdHeader(ex);
    sendJson(ex.req, status, body);
  }

  static void sendJson(HttpServerRequest req, int status, Buffer body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }
}
