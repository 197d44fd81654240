package com.lijiaoqiao.pipeline;

import io.vertx.core.Future;

/**
 * Settles the reservation exactly once, whatever happened after it: success, upstream failure, fallback,
 * client disconnect, timeout or exception. Relay usually settles first (so the cost can go into the response);
 * this stage is the guarantee for every other ending.
 */
public final class SettleStage implements Stage {
  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    return chain.proceed(ex).andThen(ar -> {
      // The usage record travels with the settlement: it needs the ending (status, error code) first.
      RecordStage.ended(ex, ar.failed() ? ar.cause() : null);
      ex.settle();
    });
  }
}
