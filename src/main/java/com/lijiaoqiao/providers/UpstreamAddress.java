package com.lijiaoqiao.providers;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Where an upstream lives, parsed once from its base URL: scheme, host, port and path prefix. */
record UpstreamAddress(String host, int port, boolean ssl, String basePath) {

  /**
   * @throws IllegalArgumentException naming the provider only: the URL itself may carry credentials, so it
   *     never goes into the message
   */
  static UpstreamAddress parse(String providerId, String baseUrl) {
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
    return new UpstreamAddress(uri.getHost(), port, ssl, uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** The same address without a trailing "/v1" (for dialects whose paths already start with it). */
  UpstreamAddress withoutVersionSuffix() {
    return basePath.endsWith("/v1") ? new UpstreamAddress(host, port, ssl, basePath.substring(0, basePath.length() - 3))
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
}
