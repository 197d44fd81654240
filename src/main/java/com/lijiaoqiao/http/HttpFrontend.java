package com.lijiaoqiao.http;

import com.lijiaoqiao.pipeline.Exchange;
import com.lijiaoqiao.pipeline.Stage;
import com.lijiaoqiao.protocol.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server, one instance per event loop, each with its own pooled upstream client so a
 * request never hops threads. Only paths, bodies and error rendering live here; the pipeline does the rest.
 */
public final class HttpFrontend extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpFrontend.class);

  /** The server's knobs (a slice of the configuration; docs/configuration.md). Times in ms, 0 = off. */
  public record Settings(String host, int port, long maxBodyBytes, int upstreamPoolSize, int upstreamConnectTimeoutMs,
                         int shutdownGraceSeconds, int idleTimeoutMs, int requestReadTimeoutMs, int maxHeaderBytes,
                         int maxHeaders, int maxRequestLineBytes, int maxConnectionsPerIp) {}

  private final Settings settings;
  private final DataPlane plane;
  private final OpsRoutes ops;
  private final EdgeGuard.Shared edge;
  private HttpClient upstream;
  private HttpServer server;
  private EdgeGuard guard;

  /** {@code edge} is shared by every instance (one per event loop): the body budget and per-IP counts. */
  public HttpFrontend(Settings settings, DataPlane plane, EdgeGuard.Shared edge) {
    this.settings = settings;
    this.plane = plane;
    this.ops = plane.ops();
    this.edge = edge;
  }

  @Override
  public Future<?> start() {
    upstream = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setConnectTimeout(settings.upstreamConnectTimeoutMs())
            .setMaxInitialLineLength(16 * 1024),
        new PoolOptions().setHttp1MaxSize(settings.upstreamPoolSize())
            // Admission (server.max_in_flight) keeps requests within the pool; a wait beyond it fails at once.
            .setMaxWaitQueueSize(settings.upstreamPoolSize()));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setCompressionSupported(false)
        // HTTP/1.1 only: cleartext HTTP/2 would bypass EdgeGuard's decoder (header deadline, TE+CL check), and
        // the protocol sniffing it needs delays the connection handler the guard relies on. HTTP/2 belongs at
        // the TLS-terminating load balancer in front.
        .setHttp2ClearTextEnabled(false)
        .setMaxHeaderSize(settings.maxHeaderBytes())
        .setMaxInitialLineLength(settings.maxRequestLineBytes());
    server = vertx.createHttpServer(options);
    guard = new EdgeGuard(vertx, new EdgeGuard.Limits(settings.idleTimeoutMs(), settings.requestReadTimeoutMs(),
        settings.maxHeaders(), settings.maxConnectionsPerIp()), edge, options);
    guard.install(server);
    server.requestHandler(this::handle);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    if (guard != null) guard.stop();
    // Stop accepting; connections close once their in-flight requests have been answered (or at the deadline).
    return server == null ? Future.succeededFuture()
        : server.shutdown(settings.shutdownGraceSeconds(), java.util.concurrent.TimeUnit.SECONDS)
            .compose(v -> upstream.close());
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    String requestId = RequestIds.next();
    req.response().headers().set("x-request-id", requestId);
    EdgeGuard.Admission admission = guard.admit(req);
    String path = req.path();
    HttpMethod method = req.method();
    try {
      GatewayException refused = guard.refusal(req);
      if (refused == null) refused = badQuery(req);
      if (refused != null) {
        req.pause();
        reject(req, requestId, refused);
        return;
      }
      io.vertx.core.Handler<HttpServerRequest> op = ops.find(path);
      if (op != null) {
        op.handle(req);
        return;
      }
      Endpoint endpoint = DataPlane.endpointOf(path);
      if (endpoint != null) {
        if (method != HttpMethod.POST) {
          methodNotAllowed(req, requestId, "POST");
          return;
        }
        relayBodyThen(req, requestId, admission, body -> runChain(plane.relayPipeline(),
            new Exchange(requestId, req, endpoint, body, upstream)));
        return;
      }
      if (path.equals(MESSAGES) || path.equals(COUNT_TOKENS)) {
        // Anthropic's Messages API (Claude Code adds ?beta=true, which changes nothing here).
        if (method != HttpMethod.POST) {
          methodNotAllowed(req, requestId, "POST");
          return;
        }
        boolean count = path.equals(COUNT_TOKENS);
        relayBodyThen(req, requestId, admission, body -> {
          Exchange ex = new Exchange(requestId, req, Endpoint.CHAT_COMPLETIONS, body, upstream);
          ex.ingress = com.lijiaoqiao.protocol.Dialect.ANTHROPIC;
          runChain(count ? plane.countTokensPipeline() : plane.relayPipeline(), ex);
        });
        return;
      }
      if (path.equals(RESPONSES)) {
        if (method != HttpMethod.POST) {
          methodNotAllowed(req, requestId, "POST");
          return;
        }
        relayBodyThen(req, requestId, admission, body -> {
          Exchange ex = new Exchange(requestId, req, Endpoint.CHAT_COMPLETIONS, body, upstream);
          ex.ingress = com.lijiaoqiao.protocol.Dialect.RESPONSES;
          runChain(plane.relayPipeline(), ex);
        });
        return;
      }
      com.lijiaoqiao.protocol.gemini.GeminiPath gemini = com.lijiaoqiao.protocol.gemini.GeminiPath.parse(path);
      if (gemini != null && gemini.served()) {
        if (method != HttpMethod.POST) {
          methodNotAllowed(req, requestId, "POST");
          return;
        }
        boolean count = gemini.method().equals(com.lijiaoqiao.protocol.gemini.GeminiPath.COUNT);
        relayBodyThen(req, requestId, admission, body -> {
          Exchange ex = new Exchange(requestId, req, Endpoint.CHAT_COMPLETIONS, body, upstream);
          ex.ingress = com.lijiaoqiao.protocol.Dialect.GEMINI;
          runChain(count ? plane.geminiCountTokensPipeline() : plane.relayPipeline(), ex);
        });
        return;
      }
      if (path.equals(com.lijiaoqiao.protocol.gemini.GeminiPath.LIST)
          || (gemini == null && path.startsWith(com.lijiaoqiao.protocol.gemini.GeminiPath.LIST + "/"))) {
        if (method != HttpMethod.GET) {
          methodNotAllowed(req, requestId, "GET");
          return;
        }
        Exchange ex = new Exchange(requestId, req, null, new byte[0], upstream);
        ex.ingress = com.lijiaoqiao.protocol.Dialect.GEMINI;
        runChain(plane.modelsPipeline(), ex);
        return;
      }
      if (path.startsWith("/v1beta/") || gemini != null) {
        // Google's API paths the gateway does not serve (embedContent, files, cachedContents …): a bad key is
        // still a 401 first, then a 404 in Google's shape.
        Exchange ex = new Exchange(requestId, req, null, new byte[0], upstream);
        ex.ingress = com.lijiaoqiao.protocol.Dialect.GEMINI;
        runChain(plane.unknownPathPipeline(), ex);
        return;
      }
      if (path.startsWith(com.lijiaoqiao.pipeline.StoredResponsesStage.PREFIX)) {
        if (method != HttpMethod.GET && method != HttpMethod.DELETE) {
          methodNotAllowed(req, requestId, "GET, DELETE");
          return;
        }
        runChain(plane.storedResponsesPipeline(), new Exchange(requestId, req, null, new byte[0], upstream));
        return;
      }
      if (path.startsWith("/v1/models/")) {
        if (method != HttpMethod.GET) {
          methodNotAllowed(req, requestId, "GET");
          return;
        }
        runChain(plane.modelsPipeline(), modelsExchange(requestId, req));
        return;
      }
      switch (path) {
        case "/v1/models" -> {
          if (method != HttpMethod.GET) {
            methodNotAllowed(req, requestId, "GET");
            return;
          }
          runChain(plane.modelsPipeline(), modelsExchange(requestId, req));
        }
        case "/health", "/healthz", "/ready" -> {
          if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            methodNotAllowed(req, requestId, "GET, HEAD");
            return;
          }
          req.response().putHeader("content-type", "application/json").end("{\"status\":\"ok\"}");
        }
        case "/" -> {
          // SDKs and Claude Code warm the connection with HEAD / and no key: answer it plainly.
          if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            methodNotAllowed(req, requestId, "GET, HEAD");
            return;
          }
          if (method == HttpMethod.GET && wantsPage(req)) {
            // A browser (it asks for HTML) is sent to the web console; API clients keep the JSON answer.
            req.response().setStatusCode(302).putHeader("location", "/console/").end();
            return;
          }
          req.response().putHeader("content-type", "application/json")
              .end("{\"name\":\"lijiaoqiao\",\"api\":\"/v1\"}");
        }
        default -> {
          if (dataPlaneLooking(req) && !plane.api().knows(path)) {
            // Clients report a missing or bad key truthfully (401), not as a missing endpoint.
            Exchange ex = new Exchange(requestId, req, null, new byte[0], upstream);
            if (shapeFor(path) == ErrorRenderer.Shape.ANTHROPIC) ex.ingress = com.lijiaoqiao.protocol.Dialect.ANTHROPIC;
            runChain(plane.unknownPathPipeline(), ex);
          } else {
            plane.api().dispatch(vertx, req, requestId);
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("request {}: unexpected failure", requestId, e);
      ErrorRenderer.write(req.response(), new GatewayException(ErrorCode.COMMON_003, null), requestId,
          ErrorRenderer.Shape.OPENAI);
    }
  }

  private void runChain(List<Stage> stages, Exchange ex) {
    plane.begin();
    Future<Void> f;
    try {
      f = DataPlane.run(stages, ex);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      try {
        if (ar.failed()) {
          GatewayException ge;
          if (ar.cause() instanceof GatewayException g) {
            ge = g;
          } else if (ex.request.response().closed() || EdgeGuard.routine(ar.cause())) {
            // The client went away mid-request: routine, and there is nobody left to answer.
            log.debug("request {}: client connection ended: {}", ex.requestId, String.valueOf(ar.cause()));
            return;
          } else {
            log.error("request {}: unexpected failure", ex.requestId, ar.cause());
            ge = new GatewayException(ErrorCode.COMMON_003, null);
          }
          ErrorRenderer.write(ex.request.response(), ge, ex.requestId, switch (ex.ingress) {
            case ANTHROPIC -> ErrorRenderer.Shape.ANTHROPIC;
            case GEMINI -> ErrorRenderer.Shape.GEMINI;
            default -> ErrorRenderer.Shape.OPENAI;
          });
        }
      } finally {
        plane.end();
      }
    });
  }

  /**
   * Reads the whole request body, refusing early what is too large or not JSON. Memory follows the bytes that
   * actually arrive, never the Content-Length a client announces, and every byte counts against the
   * process-wide body budget until the body is handed on (or refused, or the connection dies).
   */
  private void readBodyThen(HttpServerRequest req, String requestId, BodyBudget.Hold hold,
                            java.util.function.Consumer<byte[]> then) {
    String ct = req.getHeader("content-type");
    if (ct == null || !ct.regionMatches(true, 0, "application/json", 0, 16)) {
      req.pause();
      reject(req, requestId, new GatewayException(ErrorCode.COMMON_415,
          "Content-Type must be application/json" + (ct == null ? " (none was sent)." : ", not '" + clip(ct) + "'."),
          "Content-Type 必须为 application/json。", Map.of(), null));
      return;
    }
    long limit = settings.maxBodyBytes();
    String cl = req.getHeader("content-length");
    if (cl != null) {
      try {
        if (Long.parseLong(cl.trim()) > limit) {
          req.pause();
          reject(req, requestId, tooLarge(limit));
          return;
        }
      } catch (NumberFormatException e) {
        req.pause();
        reject(req, requestId, GatewayException.badRequest("Content-Length is not a number."));
        return;
      }
    }
    // The chunks as they came, joined once at the end: no buffer sized by a claim, no doubling on growth.
    List<Buffer> chunks = new java.util.ArrayList<>();
    long[] length = {0};
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) return;
      if (length[0] + chunk.length() > limit || !hold.grow(chunk.length())) {
        refused[0] = true;
        chunks.clear();
        boolean tooBig = length[0] + chunk.length() > limit;
        hold.release();
        reject(req, requestId, tooBig ? tooLarge(limit) : busy());
        return;
      }
      chunks.add(chunk);
      length[0] += chunk.length();
    });
    req.exceptionHandler(t -> {
      refused[0] = true;
      chunks.clear();
      hold.release();
    });
    req.endHandler(v -> {
      if (refused[0]) return;
      byte[] body = new byte[(int) length[0]];
      int at = 0;
      for (Buffer chunk : chunks) {
        chunk.getBytes(body, at);
        at += chunk.length();
      }
      chunks.clear();
      // From here the pipeline holds the body; the budget covers only bodies still being read.
      hold.release();
      then.accept(body);
    });
  }

  /** A relayed request: admitted within server.max_in_flight (else 503 at once), then its body is read. */
  private void relayBodyThen(HttpServerRequest req, String requestId, EdgeGuard.Admission admission,
                             java.util.function.Consumer<byte[]> then) {
    if (!admission.enterRelay()) {
      req.pause();
      reject(req, requestId, overloaded());
      return;
    }
    readBodyThen(req, requestId, admission.hold(), then);
  }

  /** Every relay slot is taken (server.max_in_flight): retry in a second rather than wait behind whole streams. */
  private GatewayException overloaded() {
    return new GatewayException(ErrorCode.COMMON_004, "The gateway is relaying as many requests as it admits; "
        + "retry shortly.", "网关当前处理的请求已达上限，请稍后重试。",
        Map.of("max_in_flight", edge.relays().max()), 1);
  }

  /** Too many bodies are being read at once (server.max_buffered_body_bytes): retry shortly. */
  private GatewayException busy() {
    return new GatewayException(ErrorCode.COMMON_004, "The gateway is reading too many request bodies at once; "
        + "retry shortly.", "服务器正在接收过多请求体，请稍后重试。",
        Map.of("max_buffered_body_bytes", edge.budget().capacity()), 2);
  }

  /** A query string that does not decode (a stray '%', bad hex) is the client's mistake, answered once here. */
  private static GatewayException badQuery(HttpServerRequest req) {
    if (req.query() == null) return null;
    try {
      req.params(); // decoded once and kept by Vert.x: the stages read the same map
      return null;
    } catch (IllegalArgumentException e) {
      return GatewayException.badField("query", "The query string is not valid percent-encoding.");
    }
  }

  private static GatewayException tooLarge(long limit) {
    return new GatewayException(ErrorCode.COMMON_413,
        "The request body is larger than the limit of " + limit + " bytes.", "请求体超过大小限制。",
        Map.of("limit_bytes", limit), null);
  }

  /** Bodies up to this size are read and thrown away after an early refusal, so the client sees the answer. */
  private static final long DISCARD_LIMIT = 64L * 1024 * 1024;

  /**
   * Answers at once and closes the connection afterwards. Closing while the client is still sending would
   * reset the connection and lose the answer, so the rest of a reasonably sized body is read and discarded
   * first (bounded in bytes and time).
   */
  private void reject(HttpServerRequest req, String requestId, GatewayException e) {
    req.response().headers().set("connection", "close");
    ErrorRenderer.write(req.response(), e, requestId, shapeFor(req));
    long[] seen = {0};
    long timer = vertx.setTimer(10_000, id -> req.connection().close());
    req.handler(chunk -> {
      seen[0] += chunk.length();
      if (seen[0] > DISCARD_LIMIT) {
        vertx.cancelTimer(timer);
        req.connection().close();
      }
    });
    req.endHandler(v -> {
      vertx.cancelTimer(timer);
      req.connection().close();
    });
    req.resume();
  }

  private void methodNotAllowed(HttpServerRequest req, String requestId, String allow) {
    req.response().headers().set("allow", allow);
    ErrorRenderer.write(req.response(), new GatewayException(ErrorCode.COMMON_405,
        "Method " + req.method().name() + " is not allowed on " + clip(req.path()) + "; use " + allow + ".",
        "不支持该请求方法。", Map.of("allow", allow), null), requestId, shapeFor(req));
  }

  /** A data-plane route as {@link #handle} serves it, path parameters in braces (the API description lists each). */
  public record Route(HttpMethod method, String template) {}

  /**
   * Every route {@link #handle} serves itself, beside the management API's (ApiRouter) and the operational ones
   * (OpsRoutes). Keep in step with {@link #handle}: OpenApiContractTest checks each has an operation in /openapi.json.
   */
  public static final List<Route> ROUTES = dataPlaneRoutes();

  private static List<Route> dataPlaneRoutes() {
    List<Route> r = new java.util.ArrayList<>();
    for (Endpoint e : Endpoint.values()) r.add(new Route(HttpMethod.POST, e.path));
    r.add(new Route(HttpMethod.POST, "/v1/messages"));
    r.add(new Route(HttpMethod.POST, "/v1/messages/count_tokens"));
    r.add(new Route(HttpMethod.POST, "/v1/responses"));
    r.add(new Route(HttpMethod.GET, "/v1/responses/{response_id}"));
    r.add(new Route(HttpMethod.DELETE, "/v1/responses/{response_id}"));
    r.add(new Route(HttpMethod.GET, "/v1/responses/{response_id}/input_items"));
    r.add(new Route(HttpMethod.GET, "/v1/models"));
    r.add(new Route(HttpMethod.GET, "/v1/models/{model}"));
    for (String m : List.of(com.lijiaoqiao.protocol.gemini.GeminiPath.GENERATE,
        com.lijiaoqiao.protocol.gemini.GeminiPath.STREAM, com.lijiaoqiao.protocol.gemini.GeminiPath.COUNT)) {
      r.add(new Route(HttpMethod.POST, com.lijiaoqiao.protocol.gemini.GeminiPath.LIST + "/{model}:" + m));
      r.add(new Route(HttpMethod.POST, "/v1/models/{model}:" + m)); // Google's stable version (GeminiPath.parse)
    }
    r.add(new Route(HttpMethod.GET, com.lijiaoqiao.protocol.gemini.GeminiPath.LIST));
    r.add(new Route(HttpMethod.GET, com.lijiaoqiao.protocol.gemini.GeminiPath.LIST + "/{model}"));
    for (String p : List.of("/health", "/healthz", "/ready", "/")) {
      r.add(new Route(HttpMethod.GET, p));
      r.add(new Route(HttpMethod.HEAD, p));
    }
    return List.copyOf(r);
  }

  /** A browser's navigation: it accepts text/html (SDKs send application/json or nothing). */
  static boolean wantsPage(HttpServerRequest req) {
    String accept = req.getHeader("accept");
    return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/html");
  }

  static final String MESSAGES = "/v1/messages";
  static final String COUNT_TOKENS = "/v1/messages/count_tokens";
  static final String RESPONSES = "/v1/responses";

  /**
   * A /v1/… request without credentials or with what is not a session token (a JWT, three dot-separated parts):
   * the management API's callers keep its own answers.
   */
  private static boolean dataPlaneLooking(HttpServerRequest req) {
    if (!req.path().startsWith("/v1/")) return false;
    String auth = req.getHeader("authorization");
    if (auth == null) return true;
    int dots = 0;
    for (int i = 0; i < auth.length(); i++) {
      if (auth.charAt(i) == '.') dots++;
    }
    return dots != 2;
  }

  /**
   * {@code GET /v1/models[/{id}]}: Google's stable API version shares the path with OpenAI's, so a Gemini client
   * (@google/genai with {@code apiVersion: 'v1'}) is told by its key header and answered in Google's shape.
   */
  private Exchange modelsExchange(String requestId, HttpServerRequest req) {
    Exchange ex = new Exchange(requestId, req, null, new byte[0], upstream);
    if (geminiOnModelsPath(req)) ex.ingress = com.lijiaoqiao.protocol.Dialect.GEMINI;
    return ex;
  }

  /** A Gemini client (its key in x-goog-api-key) on OpenAI's model paths: see {@link #modelsExchange}. */
  private static boolean geminiOnModelsPath(HttpServerRequest req) {
    String path = req.path();
    return path != null && (path.equals("/v1/models") || path.startsWith("/v1/models/"))
        && req.getHeader("x-goog-api-key") != null;
  }

  /**
   * The shape of the refusals decided here, before a pipeline runs (method, query, header count, body read
   * deadline): as the pipeline's own errors would come, Google's for a Gemini client on OpenAI's model paths too.
   */
  static ErrorRenderer.Shape shapeFor(HttpServerRequest req) {
    return geminiOnModelsPath(req) ? ErrorRenderer.Shape.GEMINI : shapeFor(req.path());
  }

  /** Anthropic's and Google's paths answer errors in their vendor's shape, so their SDKs read them. */
  static ErrorRenderer.Shape shapeFor(String path) {
    if (com.lijiaoqiao.protocol.gemini.GeminiPath.isGeminiPath(path)) return ErrorRenderer.Shape.GEMINI;
    return path != null && path.startsWith(MESSAGES) ? ErrorRenderer.Shape.ANTHROPIC : ErrorRenderer.Shape.OPENAI;
  }

  private static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
