package com.lijiaoqiao.risk;

import io.vertx.core.Future;

/** The counters the rules read, per key: this node's memory, or Redis shared by every node. */
public interface RiskCounters {
  /** Counts this request (tokens, IP, model) and returns what the rules need, this request included. */
  Future<Observed> observe(RiskSignals s);

  /** A settled request's actual charge (the spend rules read it). */
  void spent(long keyId, long micros, long nowMillis);
}
