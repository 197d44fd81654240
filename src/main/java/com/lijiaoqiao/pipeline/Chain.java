package com.lijiaoqiao.pipeline;

import io.vertx.core.Future;
import java.util.List;

/** The rest of the pipeline from one stage on (OkHttp's RealInterceptorChain, asynchronous). */
public final class Chain {
  private final List<Stage> stages;
  private final int index;

  private Chain(List<Stage> stages, int index) {
    this.stages = stages;
    this.index = index;
  }

  public static Future<Void> start(List<Stage> stages, Exchange exchange) {
    return new Chain(stages, 0).proceed(exchange);
  }

  public Future<Void> proceed(Exchange exchange) {
    if (index >= stages.size()) {
      return Future.succeededFuture();
    }
    try {
      return stages.get(index).process(exchange, new Chain(stages, index + 1));
    } catch (RuntimeException e) {
      // A stage that throws instead of failing its future is treated the same way.
      return Future.failedFuture(e);
    }
  }
}
