package com.lijiaoqiao.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operational endpoints beside the API (metrics, health probes, the API description and its viewer): each room
 * registers its exact paths, or a prefix ending in '/', with a handler that answers on the event loop (and must not
 * block). Looked up once per request before the data plane; an unknown path costs one map miss.
 */
public final class OpsRoutes {
  private final Map<String, Handler<HttpServerRequest>> exact = new ConcurrentHashMap<>();
  private final Map<String, Handler<HttpServerRequest>> prefixes = new ConcurrentHashMap<>();

  /** {@code path} exact ("/metrics"), or a prefix when it ends in '/' ("/docs/"). */
  public OpsRoutes add(String path, Handler<HttpServerRequest> handler) {
    (path.endsWith("/") && path.length() > 1 ? prefixes : exact).put(path, handler);
    return this;
  }

  /** The registered paths, exact ones and prefixes (ending in '/'), for the API description's contract test. */
  public java.util.Set<String> paths() {
    java.util.Set<String> all = new java.util.TreeSet<>(exact.keySet());
    all.addAll(prefixes.keySet());
    return all;
  }

  /** The handler of this path, or null. */
  public Handler<HttpServerRequest> find(String path) {
    Handler<HttpServerRequest> h = exact.get(path);
    if (h != null || prefixes.isEmpty()) return h;
    for (var e : prefixes.entrySet()) {
      if (path.startsWith(e.getKey())) return e.getValue();
    }
    return null;
  }
}
