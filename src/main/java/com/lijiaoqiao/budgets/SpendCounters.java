package com.lijiaoqiao.budgets;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What each key and tenant spent per period, and what requests in flight hold against their budgets. One
 * counter per (key or tenant, period); a counter forgets itself after its period ends.
 */
public interface SpendCounters {
  /**
   * A counter a request touches. {@code budget} names it in a refusal ("key_day"); {@code limitMicros} is the
   * budget, or negative when the period has none (spend is still counted, so a budget set later sees it).
   */
  record Line(String counter, String budget, long limitMicros, Instant resetsAt) {
    public boolean limited() {
      return limitMicros >= 0;
    }
  }

  /** The outcome of a hold: taken, or the first budget it would exceed with what that period spent and holds. */
  record Verdict(Line refusedBy, long spentMicros, long heldMicros) {
    public static final Verdict HELD = new Verdict(null, 0, 0);

    public boolean held() {
      return refusedBy == null;
    }
  }

  /**
   * Atomically: if {@code amount} plus each limited line's spend and open holds fits its budget, holds
   * {@code amount} on every limited line under {@code requestId}; else holds nothing.
   */
  Future<Verdict> hold(String requestId, List<Line> lines, long amount);

  /** Ends a request's hold on {@code heldCounters} and adds {@code costMicros} to every line of {@code spend}. */
  Future<Void> settle(String requestId, List<String> heldCounters, List<Line> spend, long costMicros);

  /** Ends a request's hold without spending (it never settled). */
  Future<Void> release(String requestId, List<String> heldCounters);

  /** Each counter's spend (0 for one never touched). */
  Future<Map<String, Long>> spent(List<String> counters);
}
