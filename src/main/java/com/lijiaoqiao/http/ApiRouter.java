package com.lijiaoqiao.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.lijiaoqiao.store.Durability;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API (everything that is not the data plane): routes with path templates such as
 * {@code /v1/keys/{id}/rotate}, each with an access level. Handlers are plain blocking functions run on a
 * worker thread (they talk to the database); they return a response or throw a {@link GatewayException}.
 * Feature rooms contribute their routes through {@link #add}.
 */
public final class ApiRouter {
  private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);
  public static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final long MAX_BODY = 1024 * 1024;

  /** Who may call a route at all; finer rules (own tenant, own objects) live in the handler. */
  public enum Access { PUBLIC, AUTHENTICATED, SESSION_ONLY, ADMIN }

  /** A management request as the handler sees it. {@code caller} is null only on PUBLIC routes. */
  public record ApiRequest(Caller caller, Map<String, String> pathParams, MultiMap query, MultiMap headers,
                           JsonNode body, String requestId, String clientIp) {
    public String path(String name) {
      return pathParams.get(name);
    }

    public long pathLong(String name) {
      try {
        return Long.parseLong(pathParams.get(name));
      } catch (NumberFormatException e) {
        // An id that cannot exist is answered like one that does not.
        throw new GatewayException(ErrorCode.COMMON_002, "Not found.");
      }
    }
  }

  /** A response: a status and a body serialised as JSON (or sent as-is when it is a {@link Raw}). */
  public record ApiResponse(int status, Object body, Map<String, String> headers) {
    public static ApiResponse ok(Object body) {
      return new ApiResponse(200, body, Map.of());
    }

    public static ApiResponse created(Object body) {
      return new ApiResponse(201, body, Map.of());
    }

    public static ApiResponse noContent() {
      return new ApiResponse(204, null, Map.of());
    }
  }

  /** A body that is already bytes, with its content type (CSV downloads). */
  public record Raw(String contentType, byte[] bytes) {}

  @FunctionalInterface
  public interface Handler {
    ApiResponse handle(ApiRequest request) throws Exception;
  }

  /** Runs blocking work on the shared worker pool. */
  @FunctionalInterface
  public interface Worker {
    Future<ApiResponse> run(Callable<ApiResponse> work);
  }

  /**
   * A handler that chooses where its work runs (sign-in hashes on its own bounded pool, not on the shared
   * workers). Called on the event loop: it must not block; throwing is the same as a failed future.
   */
  @FunctionalInterface
  public interface AsyncHandler {
    Future<ApiResponse> handle(ApiRequest request, Worker worker) throws Exception;
  }

  private record Route(HttpMethod method, String template, Pattern pattern, List<String> names, Access access,
                       AsyncHandler handler) {}

  /** A registered route as the API description lists it: method, path template ({@code /v1/keys/{id}}), access. */
  public record RouteInfo(HttpMethod method, String template, Access access) {}

  private final List<Route> routes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Durability durability = Durability.NONE;
  private volatile CallerResolver callers = req -> Future.succeededFuture(null);

  public ApiRouter add(HttpMethod method, String template, Access access, Handler handler) {
    return addAsync(method, template, access, (req, worker) -> worker.run(() -> handler.handle(req)));
  }

  public ApiRouter addAsync(HttpMethod method, String template, Access access, AsyncHandler handler) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\\{([a-zA-Z_]+)}").matcher(template);
    StringBuilder regex = new StringBuilder();
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    routes.add(new Route(method, template, Pattern.compile(regex.toString()), names, access, handler));
    return this;
  }

  /** Every route registered so far, in registration order (read-only). */
  public List<RouteInfo> routes() {
    return routes.stream().map(r -> new RouteInfo(r.method, r.template, r.access)).toList();
  }

  public void callerResolver(CallerResolver resolver) {
    this.callers = resolver;
  }

  /**
   * What makes a mutation crash-safe before it is answered (the embedded store defers its file writes): run after
   * every handler of a method other than GET and HEAD, whether it succeeded or not (a refusal may have written an
   * audit entry).
   */
  public void durability(Durability durability) {
    this.durability = durability;
  }

  /** True when some route's template matches the path (whatever the method). */
  public boolean handles(String path) {
    for (Route r : routes) {
      if (r.pattern.matcher(path).matches()) return true;
    }
    return false;
  }

  /** Dispatches; answers 404 for unknown paths and 405 (with Allow) for known paths with another method. */
  /** Whether some route's path matches (whatever its method). */
  public boolean knows(String path) {
    for (Route r : routes) {
      if (r.pattern.matcher(path).matches()) return true;
    }
    return false;
  }

  public void dispatch(Vertx vertx, HttpServerRequest req, String requestId) {
    String path = req.path();
    Route found = null;
    Map<String, String> params = Map.of();
    Set<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Matcher m = r.pattern.matcher(path);
      if (!m.matches()) continue;
      allowed.add(r.method.name());
      if (r.method.equals(req.method()) && found == null) {
        found = r;
        params = new LinkedHashMap<>();
        for (int i = 0; i < r.names.size(); i++) {
          params.put(r.names.get(i), decodeSegment(m.group(i + 1)));
        }
      }
    }
    if (found == null) {
      if (allowed.isEmpty()) {
        fail(req, requestId, new GatewayException(ErrorCode.COMMON_002,
            "No such endpoint: " + req.method().name() + " " + clip(path) + ".", "接口不存在。", Map.of(), null));
      } else {
        String allow = String.join(", ", allowed);
        req.response().headers().set("allow", allow);
        fail(req, requestId, new GatewayException(ErrorCode.COMMON_405, "Method " + req.method().name()
            + " is not allowed on " + clip(path) + "; use " + allow + ".", "不支持该请求方法。", Map.of("allow", allow), null));
      }
      return;
    }
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getValue() == null) {
        fail(req, requestId, GatewayException.badField(e.getKey(), "The path parameter '" + e.getKey()
            + "' is not valid percent-encoding."));
        return;
      }
      if (e.getValue().indexOf('\u0000') >= 0) {
        fail(req, requestId, nul("path parameter", e.getKey()));
        return;
      }
    }
    if (req.query() != null) {
      // PostgreSQL can neither store nor compare U+0000 in text, and no id, name or filter needs it (%00).
      for (Map.Entry<String, String> q : req.params()) {
        if (q.getValue().indexOf('\u0000') >= 0 || q.getKey().indexOf('\u0000') >= 0) {
          fail(req, requestId, nul("query parameter", q.getKey().replace("\u0000", "")));
          return;
        }
      }
    }
    Route route = found;
    Map<String, String> pathParams = params;
    req.pause();
    Future<Caller> caller = route.access == Access.PUBLIC && !hasCredentials(req)
        ? Future.succeededFuture(null) : callers.resolve(req);
    if (route.access == Access.PUBLIC) {
      // A public route needs no credentials, so stale ones (an expired access token left in the client's
      // headers) must not stop a sign-in, a refresh or a sign-out: the caller is then simply anonymous.
      caller = caller.otherwise((Caller) null);
    }
    Context context = vertx.getOrCreateContext();
    caller.onComplete(ar -> {
      if (ar.failed()) {
        req.resume();
        fail(req, requestId, ar.cause());
        return;
      }
      Caller c = ar.result();
      GatewayException denied = check(route.access, c);
      if (denied != null) {
        req.resume();
        fail(req, requestId, denied);
        return;
      }
      readBody(req, requestId, body -> {
        ApiRequest request = new ApiRequest(c, pathParams, req.params(), req.headers(), body, requestId, clientIp(req));
        Future<ApiResponse> result;
        try {
          result = route.handler.handle(request, work -> vertx.executeBlocking(work, false));
        } catch (Exception e) {
          result = Future.failedFuture(e);
        }
        if (durability != Durability.NONE && req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
          result = result.transform(done -> vertx.<Void>executeBlocking(() -> {
            durability.flush();
            return null;
          }, false).transform(flushed -> flushed.failed() ? Future.failedFuture(flushed.cause()) : (Future<ApiResponse>) done));
        }
        // Work on a room's own pool completes on that pool's thread: answer from the request's context.
        result.onComplete(res -> context.runOnContext(v -> {
          if (res.failed()) {
            fail(req, requestId, res.cause());
          } else {
            write(req, requestId, res.result());
          }
        }));
      });
    });
  }

  /**
   * A path parameter, percent-decoded; null when it is not valid percent-encoding (answered 400 by the caller).
   * '+' stays a plus: this is a path, not a form.
   */
  private static GatewayException nul(String what, String name) {
    return GatewayException.badField(name, "The " + what + " '" + clip(name) + "' must not contain NUL characters (%00).");
  }

  public static String decodeSegment(String raw) {
    try {
      return java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean hasCredentials(HttpServerRequest req) {
    return req.getHeader("authorization") != null || req.getHeader("x-api-key") != null;
  }

  private static GatewayException check(Access access, Caller c) {
    if (access == Access.PUBLIC) return null;
    if (c == null) {
      return new GatewayException(ErrorCode.AUTH_001, "Authentication required: send 'Authorization: Bearer <token or key>'.",
          "需要身份验证。", Map.of(), null);
    }
    if (access == Access.SESSION_ONLY && c.viaApiKey()) {
      return new GatewayException(ErrorCode.AUTH_002, "This endpoint needs a signed-in user, not an API key.",
          "该接口需要用户登录，不能使用 API 密钥。", Map.of(), null);
    }
    if (access == Access.ADMIN && (!c.isAdmin() || c.viaApiKey())) {
      return new GatewayException(ErrorCode.AUTH_002, "This endpoint is for platform administrators.",
          "该接口仅限平台管理员。", Map.of(), null);
    }
    return null;
  }

  private static void readBody(HttpServerRequest req, String requestId, java.util.function.Consumer<JsonNode> then) {
    if (req.method() == HttpMethod.GET || req.method() == HttpMethod.DELETE || req.method() == HttpMethod.HEAD) {
      req.resume();
      then.accept(null);
      return;
    }
    Buffer buf = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) return;
      if (buf.length() + chunk.length() > MAX_BODY) {
        refused[0] = true;
        req.response().headers().set("connection", "close");
        fail(req, requestId, new GatewayException(ErrorCode.COMMON_413, "The request body is larger than "
            + MAX_BODY + " bytes.", "请求体过大。", Map.of(), null));
        return;
      }
      buf.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (refused[0]) return;
      if (buf.length() == 0) {
        then.accept(null);
        return;
      }
      String ct = req.getHeader("content-type");
      if (ct == null || !ct.regionMatches(true, 0, "application/json", 0, 16)) {
        fail(req, requestId, new GatewayException(ErrorCode.COMMON_415, "Content-Type must be application/json.",
            "Content-Type 必须为 application/json。", Map.of(), null));
        return;
      }
      try {
        then.accept(JSON.readTree(buf.getBytes()));
      } catch (Exception e) {
        fail(req, requestId, GatewayException.badRequest("The request body is not valid JSON."));
      }
    });
    req.resume();
  }

  private static void write(HttpServerRequest req, String requestId, ApiResponse r) {
    var out = req.response();
    if (out.ended() || out.closed()) return;
    out.setStatusCode(r.status());
    r.headers().forEach(out::putHeader);
    out.putHeader("x-request-id", requestId);
    if (r.body() == null) {
      out.end();
      return;
    }
    try {
      if (r.body() instanceof Raw raw) {
        out.putHeader("content-type", raw.contentType());
        out.end(Buffer.buffer(raw.bytes()));
      } else {
        out.putHeader("content-type", "application/json");
        out.end(Buffer.buffer(JSON.writeValueAsBytes(r.body())));
      }
    } catch (Exception e) {
      log.error("request {}: could not serialise the response", requestId, e);
      fail(req, requestId, new GatewayException(ErrorCode.COMMON_003, null));
    }
  }

  private static void fail(HttpServerRequest req, String requestId, Throwable t) {
    GatewayException ge;
    if (t instanceof GatewayException g) {
      ge = g;
    } else {
      log.error("request {}: unexpected failure", requestId, t);
      ge = new GatewayException(ErrorCode.COMMON_003, null);
    }
    ErrorRenderer.write(req.response(), ge, requestId, HttpFrontend.shapeFor(req.path()));
  }

  static String clientIp(HttpServerRequest req) {
    var a = req.remoteAddress();
    return a == null ? null : a.hostAddress();
  }

  private static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
