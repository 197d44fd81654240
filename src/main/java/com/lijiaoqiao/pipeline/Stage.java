package com.lijiaoqiao.pipeline;

import io.vertx.core.Future;

/**
 * One concern of the request path. A stage may end the request by returning a failed future (a
 * {@link com.lijiaoqiao.http.GatewayException} becomes the error response), or call {@code chain.proceed}
 * and act on the result when everything after it has finished, as OkHttp's interceptors do.
 */
@FunctionalInterface
public interface Stage {
  Future<Void> process(Exchange exchange, Chain chain);
}
