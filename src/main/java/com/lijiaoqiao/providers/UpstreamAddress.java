package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Where an upstream lives, parsed once from its base URL: scheme, host, port and path prefix; and, for a base URL
 * from a party we do not trust, the guard every connection passes (null: none).
 */
record UpstreamAddress(String host, int port, boolean ssl, String basePath, AddressGuard guard) {

  /**
   * @param guard judges the host before each connection; null or one that permits everything: none
   * @throws IllegalArgumentException naming the provider only: the URL itself may carry credentials, so it
   *     never goes into the message
   */
  static UpstreamAddress parse(String providerId, String baseUrl, AddressGuard guard) {
    URI uri;
    try {
      uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("provider " + providerId + ": base_url is not a valid URL");
    }
    if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new IllegalArgumentException("provider " + providerId + ": base_url must be an http(s) URL");
    }
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    return new UpstreamAddress(uri.getHost(), port, ssl, uri.getRawPath() == null ? "" : uri.getRawPath(),
        guard == null || guard.permitsEverything() ? null : guard);
  }

  /** The same address without a trailing segment such as "/v1" (for dialects whose paths already start with it). */
  UpstreamAddress withoutSuffix(String suffix) {
    return basePath.endsWith(suffix)
        ? new UpstreamAddress(host, port, ssl, basePath.substring(0, basePath.length() - suffix.length()), guard)
        : this;
  }

  RequestOptions request(HttpMethod method, String path, long connectTimeoutMs, long idleTimeoutMs) {
    return new RequestOptions()
        .setMethod(method)
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setURI(basePath + path)
        .setConnectTimeout(connectTimeoutMs)
        .setIdleTimeout(idleTimeoutMs);
  }

  /**
   * Opens the request. Through a guard, the host is judged first and the connection goes to the very address that
   * was judged, so DNS cannot answer differently in between; the Host header, TLS SNI and certificate check stay on
   * the host name. A refusal fails like a connection that could not be made, with a message safe to show.
   */
  Future<HttpClientRequest> open(HttpClient client, RequestOptions options) {
    if (guard == null) return client.request(options);
    return judged().recover(t -> Future.failedFuture(unreachable(t)))
        .compose(ip -> client.request(options.setServer(
            SocketAddress.inetSocketAddress(new InetSocketAddress(ip, port)))));
  }

  /** The guard's address for the host: off the event loop when on one, else right here (the thread may block). */
  private Future<InetAddress> judged() {
    Context context = Vertx.currentContext();
    if (context != null) return guard.resolve(context.owner(), host);
    try {
      return Future.succeededFuture(guard.resolveBlocking(host));
    } catch (AddressGuard.Refused r) {
      return Future.failedFuture(r);
    }
  }

  private static ConnectException unreachable(Throwable cause) {
    ConnectException e = new ConnectException(cause.getMessage());
    e.initCause(cause);
    return e;
  }
}
