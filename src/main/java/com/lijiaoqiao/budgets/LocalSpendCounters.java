package com.lijiaoqiao.budgets;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Spend counters in this process: exact for one node (or a cluster without Redis, each node counting its own
 * spend). One lock for all counters, so a request's check and hold across its key's and tenant's budgets is
 * atomic; each step is a few map operations.
 */
public final class LocalSpendCounters implements SpendCounters {
  private static final class Counter {
    long spent;
    final Map<String, Long> holds = new HashMap<>();
    Instant expiresAt;

    long held() {
      long h = 0;
      for (long v : holds.values()) h += v;
      return h;
    }
  }

  private final Map<String, Counter> counters = new HashMap<>();
  private final Supplier<Instant> clock;
  private int sinceSweep;

  public LocalSpendCounters(Supplier<Instant> clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Future<Verdict> hold(String requestId, List<Line> lines, long amount) {
    sweepSometimes();
    for (Line l : lines) {
      if (!l.limited()) continue;
      Counter c = counters.get(l.counter());
      long spent = c == null ? 0 : c.spent;
      long held = c == null ? 0 : c.held();
      if (amount + spent + held > l.limitMicros()) return Future.succeededFuture(new Verdict(l, spent, held));
    }
    for (Line l : lines) {
      if (l.limited()) counter(l).holds.put(requestId, amount);
    }
    return Future.succeededFuture(Verdict.HELD);
  }

  @Override
  public synchronized Future<Void> settle(String requestId, List<String> heldCounters, List<Line> spend,
                                          long costMicros) {
    sweepSometimes();
    releaseNow(requestId, heldCounters);
    if (costMicros > 0) {
      for (Line l : spend) counter(l).spent += costMicros;
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> release(String requestId, List<String> heldCounters) {
    releaseNow(requestId, heldCounters);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Map<String, Long>> spent(List<String> names) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String n : names) {
      Counter c = counters.get(n);
      out.put(n, c == null ? 0L : c.spent);
    }
    return Future.succeededFuture(out);
  }

  /** Adds spend read from the ledger at start-up (so a restart does not forget the period's spend). */
  public synchronized void seed(Line line, long micros) {
    if (micros > 0) counter(line).spent += micros;
  }

  /** Sets a counter's spend to the ledger's figure (holds in flight are kept). */
  public synchronized void reset(Line line, long micros) {
    counter(line).spent = Math.max(0, micros);
  }

  private void releaseNow(String requestId, List<String> heldCounters) {
    for (String n : heldCounters) {
      Counter c = counters.get(n);
      if (c != null) c.holds.remove(requestId);
    }
  }

  private Counter counter(Line l) {
    Counter c = counters.computeIfAbsent(l.counter(), k -> new Counter());
    c.expiresAt = l.resetsAt();
    return c;
  }

  /** Counters of ended periods are dropped now and then; none is read after its period. */
  private void sweepSometimes() {
    if (++sinceSweep < 10_000) return;
    sinceSweep = 0;
    Instant now = clock.get();
    counters.values().removeIf(c -> c.expiresAt != null && c.expiresAt.isBefore(now) && c.holds.isEmpty());
  }
}
