package com.lijiaoqiao.metrics;

import com.lijiaoqiao.access.IpAllowList;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the registry in Prometheus' text format. Guarded by its own setting, apart from API keys: the
 * caller's address must be in {@code metrics.allowed_cidrs} (when set, else 403), and with {@code metrics.token} set
 * the request must carry {@code Authorization: Bearer <token>} (else 401). Runs on the event loop: a scrape reads
 * memory only.
 */
public final class MetricsEndpoint implements Handler<HttpServerRequest> {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private final Supplier<String> scrape;
  private final byte[] expected;
  private final IpAllowList allowed;

  /** {@code token} null or blank: no token needed. */
  public MetricsEndpoint(Supplier<String> scrape, String token, IpAllowList allowed) {
    this.scrape = scrape;
    this.expected = token == null || token.isBlank() ? null : ("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8);
    this.allowed = allowed;
  }

  @Override
  public void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().putHeader("allow", "GET, HEAD");
      plain(req, 405, "method not allowed\n");
      return;
    }
    var remote = req.remoteAddress();
    if (!allowed.any() && (remote == null || !allowed.permits(remote.hostAddress()))) {
      plain(req, 403, "forbidden\n");
      return;
    }
    if (expected != null) {
      String auth = req.getHeader("authorization");
      if (auth == null || !MessageDigest.isEqual(expected, auth.trim().getBytes(StandardCharsets.UTF_8))) {
        req.response().putHeader("www-authenticate", "Bearer realm=\"metrics\"");
        plain(req, 401, "unauthorized\n");
        return;
      }
    }
    req.response().setStatusCode(200).putHeader("content-type", CONTENT_TYPE).putHeader("cache-control", "no-store")
        .end(req.method() == HttpMethod.HEAD ? "" : scrape.get());
  }

  private static void plain(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(body);
  }
}
