package com.lijiaoqiao.console;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.http.OpsRoutes;
import com.lijiaoqiao.http.RequestIds;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * The web console at {@code /console/} (docs/console.md): its embedded files, with a strict Content-Security-Policy
 * (no inline script or style, nothing from outside the gateway), and the page itself for any path below /console/
 * without a file extension (the console routes in the browser: /console/keys, /console/admin/users …). A path with
 * an extension that is not a file is a 404 in the API's error shape. Answers on the event loop: buffers only.
 */
public final class ConsoleRoutes {
  public static final String PATH = "/console/";
  public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

  private ConsoleRoutes() {}

  /** Registers /console (a redirect to /console/) and /console/… on the operational routes. */
  public static void register(OpsRoutes ops) {
    ConsoleAssets assets = ConsoleAssets.fromClasspath();
    ops.add("/console", req -> {
      if (!readOnly(req)) return;
      secure(req.response()).setStatusCode(302).putHeader("location", PATH).end();
    });
    ops.add(PATH, req -> serve(req, assets));
  }

  private static void serve(HttpServerRequest req, ConsoleAssets assets) {
    if (!readOnly(req)) return;
    String relative = req.path().substring(PATH.length());
    ConsoleAssets.Asset a = assets.find(relative);
    if (a == null && !hasExtension(relative)) a = assets.index(); // a page of the console: the browser routes it
    if (a == null) {
      if (!assets.built()) {
        fail(req, new GatewayException(ErrorCode.COMMON_004, "The console was not built into this jar (built with "
            + "-Dconsole.skip); rebuild with ./ljq build.", "此版本未包含控制台，请重新构建。", Map.of(), null));
      } else {
        fail(req, new GatewayException(ErrorCode.COMMON_002, "No such file in the console.", "文件不存在。",
            Map.of(), null));
      }
      return;
    }
    HttpServerResponse out = secure(req.response());
    out.putHeader("content-type", a.contentType()).putHeader("cache-control", a.cacheControl());
    if (req.method() == HttpMethod.HEAD) {
      out.putHeader("content-length", Integer.toString(a.bytes().length())).end();
    } else {
      out.end(a.bytes());
    }
  }

  /** The headers every console answer carries, errors and redirects included. */
  static HttpServerResponse secure(HttpServerResponse out) {
    return out.putHeader("content-security-policy", CSP)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("x-frame-options", "DENY")
        .putHeader("cross-origin-opener-policy", "same-origin");
  }

  /** True when the last segment has a dot (a file name: app-3F2A.js, manifest.webmanifest). */
  static boolean hasExtension(String relative) {
    int slash = relative.lastIndexOf('/');
    return relative.indexOf('.', slash + 1) >= 0;
  }

  /** GET and HEAD only; anything else is answered 405 here (false). */
  private static boolean readOnly(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) return true;
    req.response().headers().set("allow", "GET, HEAD");
    fail(req, new GatewayException(ErrorCode.COMMON_405, "Method " + req.method().name()
        + " is not allowed here; use GET, HEAD.", "不支持该请求方法。", Map.of("allow", "GET, HEAD"), null));
    return false;
  }

  private static void fail(HttpServerRequest req, GatewayException e) {
    String id = req.response().headers().get("x-request-id");
    ErrorRenderer.write(secure(req.response()), e, id == null ? RequestIds.next() : id, ErrorRenderer.Shape.OPENAI);
  }
}
