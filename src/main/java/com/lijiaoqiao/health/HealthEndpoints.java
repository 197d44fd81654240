package com.lijiaoqiao.health;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.http.OpsRoutes;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The probes' paths, answered on the event loop from cached state. Liveness ({@code /livez}, and the older
 * {@code /health}, {@code /healthz}): the process serves HTTP. Readiness ({@code /readyz}, and the older
 * {@code /ready}): the parts this node needs answered their last check, and the node is not draining.
 */
public final class HealthEndpoints {
  private static final String LIVE = "{\"status\":\"ok\"}";

  private HealthEndpoints() {}

  public static void register(OpsRoutes ops, Readiness readiness) {
    Handler<HttpServerRequest> live = req -> {
      if (allowed(req)) json(req, 200, LIVE);
    };
    Handler<HttpServerRequest> ready = req -> {
      if (allowed(req)) answer(req, readiness.state());
    };
    for (String p : new String[] {"/livez", "/health", "/healthz"}) ops.add(p, live);
    for (String p : new String[] {"/readyz", "/ready"}) ops.add(p, ready);
  }

  /** 200 {"status":"ready","checks":{…}}, or 503 with "unready"/"draining" and the parts that failed. */
  static String body(Readiness.State s) {
    JsonObject checks = new JsonObject();
    s.checks().forEach(checks::put);
    JsonObject out = new JsonObject().put("status", s.ready() ? "ready" : s.draining() ? "draining" : "unready")
        .put("checks", checks);
    if (!s.ready()) {
      io.vertx.core.json.JsonArray failing = new io.vertx.core.json.JsonArray();
      if (s.draining()) failing.add("draining");
      s.checks().forEach((k, v) -> {
        if (!"ok".equals(v)) failing.add(k);
      });
      out.put("failing", failing);
    }
    return out.encode();
  }

  private static void answer(HttpServerRequest req, Readiness.State s) {
    json(req, s.ready() ? 200 : 503, body(s));
  }

  /** GET and HEAD only; else 405 rendered as every other 405 of the gateway. */
  private static boolean allowed(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) return true;
    String allow = "GET, HEAD";
    req.response().headers().set("allow", allow);
    String path = req.path().length() > 64 ? req.path().substring(0, 64) : req.path();
    ErrorRenderer.write(req.response(), new GatewayException(ErrorCode.COMMON_405,
        "Method " + req.method().name() + " is not allowed on " + path + "; use " + allow + ".", "不支持该请求方法。",
        java.util.Map.of("allow", allow), null), req.response().headers().get("x-request-id"),
        ErrorRenderer.Shape.OPENAI);
    return false;
  }

  private static void json(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store").end(body);
  }
}
