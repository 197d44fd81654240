package com.lijiaoqiao.risk;

import io.vertx.core.Future;

/** The counters the rules read, per key: this node's memory, or Redis shared by every node. */
public interface RiskCounters {
  /** Counts this request (tokens, IP, model) and returns what the rules need, this request included. */
  Future<Observed> observe(RiskSignals s);

  /**
   * A settled request's actual charge and the tokens it produced (the spend rules read the charge; the velocity rule
   * the tokens: a request counts its prompt when it is admitted and its output when it is settled, never a guess).
   */
  void spent(long keyId, long micros, long completionTokens, long nowMillis);
}
