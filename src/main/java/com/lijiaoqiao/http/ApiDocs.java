package com.lijiaoqiao.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The API description ({@code GET /openapi.json}, OpenAPI 3.1, the resource {@code openapi/openapi.json}) and its
 * viewer ({@code /docs/}: Swagger UI from its webjar, with our page and initializer). Every byte is read from the
 * classpath once, at registration; the handlers only write buffers (event loop). Nothing is fetched from outside:
 * the viewer's pages carry a Content-Security-Policy of 'self'.
 */
public final class ApiDocs {
  public static final String SPEC_PATH = "/openapi.json";
  public static final String VIEWER_PATH = "/docs/";
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";
  /** Swagger UI's files the viewer uses (the webjar also holds ES bundles and source maps, not served). */
  private static final List<String> WEBJAR_FILES = List.of("swagger-ui.css", "index.css", "swagger-ui-bundle.js",
      "swagger-ui-standalone-preset.js", "favicon-32x32.png", "favicon-16x16.png", "oauth2-redirect.html",
      "oauth2-redirect.js");
  /** Ours: the page (no inline script, so the CSP holds) and the initializer pointing at /openapi.json. */
  private static final List<String> OWN_FILES = List.of("index.html", "swagger-initializer.js");

  private record Asset(String contentType, Buffer bytes, String cacheControl) {}

  /** Read once per process (the first registration), shared by every gateway and event loop: read-only bytes. */
  private static final class Loaded {
    static final Asset SPEC = new Asset("application/json", Buffer.buffer(read("openapi/openapi.json")), "no-cache");
    static final Map<String, Asset> VIEWER = viewer();

    private static Map<String, Asset> viewer() {
      Map<String, Asset> viewer = new LinkedHashMap<>();
      String webjar = "META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/";
      for (String f : WEBJAR_FILES) {
        viewer.put(f, new Asset(type(f), Buffer.buffer(read(webjar + f)), "public, max-age=86400"));
      }
      for (String f : OWN_FILES) viewer.put(f, new Asset(type(f), Buffer.buffer(read("openapi/docs/" + f)), "no-cache"));
      viewer.put("", viewer.get("index.html"));
      return Map.copyOf(viewer);
    }
  }

  private ApiDocs() {}

  /** Registers /openapi.json, /docs (a redirect to /docs/) and /docs/… on the operational routes. */
  public static void register(OpsRoutes ops) {
    Asset spec = Loaded.SPEC;
    Map<String, Asset> viewer = Loaded.VIEWER;
    ops.add(SPEC_PATH, req -> serve(req, spec));
    ops.add("/docs", req -> {
      if (!readOnly(req)) return;
      req.response().setStatusCode(301).putHeader("location", VIEWER_PATH).end();
    });
    ops.add(VIEWER_PATH, viewerHandler(viewer));
  }

  private static Handler<HttpServerRequest> viewerHandler(Map<String, Asset> files) {
    return req -> {
      Asset a = files.get(req.path().substring(VIEWER_PATH.length()));
      if (a == null) {
        if (!readOnly(req)) return;
        ErrorRenderer.write(req.response(), new GatewayException(ErrorCode.COMMON_002, "No such file in the API viewer.",
            "文件不存在。", Map.of(), null), traceId(req), ErrorRenderer.Shape.OPENAI);
        return;
      }
      serve(req, a);
    };
  }

  private static void serve(HttpServerRequest req, Asset a) {
    if (!readOnly(req)) return;
    var out = req.response();
    out.putHeader("content-type", a.contentType()).putHeader("cache-control", a.cacheControl())
        .putHeader("content-security-policy", CSP).putHeader("x-content-type-options", "nosniff");
    if (req.method() == HttpMethod.HEAD) {
      out.putHeader("content-length", Integer.toString(a.bytes().length())).end();
    } else {
      out.end(a.bytes());
    }
  }

  /** GET and HEAD only; anything else is answered 405 here (false). */
  private static boolean readOnly(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) return true;
    req.response().headers().set("allow", "GET, HEAD");
    ErrorRenderer.write(req.response(), new GatewayException(ErrorCode.COMMON_405, "Method " + req.method().name()
        + " is not allowed here; use GET, HEAD.", "不支持该请求方法。", Map.of("allow", "GET, HEAD"), null),
        traceId(req), ErrorRenderer.Shape.OPENAI);
    return false;
  }

  private static String traceId(HttpServerRequest req) {
    String id = req.response().headers().get("x-request-id");
    return id == null ? RequestIds.next() : id;
  }

  private static String type(String file) {
    if (file.endsWith(".html")) return "text/html; charset=utf-8";
    if (file.endsWith(".js")) return "text/javascript; charset=utf-8";
    if (file.endsWith(".css")) return "text/css; charset=utf-8";
    if (file.endsWith(".png")) return "image/png";
    return "application/octet-stream";
  }

  /**
   * The webjar's version, from its Maven metadata (so a dependency bump needs no change here); the version this
   * was written against when a repackaged jar dropped that metadata.
   */
  private static String swaggerUiVersion() {
    InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties");
    if (in == null) return "5.35.0";
    Properties p = new Properties();
    try (in) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "5.35.0");
  }

  private static byte[] read(String resource) {
    try (InputStream in = stream(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream stream(String resource) {
    InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) throw new IllegalStateException("missing resource on the classpath: " + resource);
    return in;
  }
}
