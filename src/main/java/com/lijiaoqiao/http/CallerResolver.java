package com.lijiaoqiao.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Finds the caller of a management request from its credentials (session token or platform key).
 * Completes with null when the request carries no credentials; fails with AUTH_001 when they are invalid.
 */
public interface CallerResolver {
  Future<Caller> resolve(HttpServerRequest request);
}
