package com.lijiaoqiao.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's admission limit for relayed requests (server.max_in_flight): streams and whole answers in flight
 * together. Beyond it a request is answered 503 with Retry-After at once, before its body is read, instead of
 * waiting silently for an upstream connection behind whole streams. The upstream pool is sized to this limit, so
 * an admitted request never queues for a connection.
 */
public final class RelaySlots {
  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder refused = new LongAdder();

  public RelaySlots(int max) {
    if (max < 1) throw new IllegalArgumentException("server.max_in_flight must be at least 1");
    this.max = max;
  }

  /** Takes a slot; false (and counted) when all are taken. */
  boolean tryEnter() {
    if (inFlight.incrementAndGet() <= max) return true;
    inFlight.decrementAndGet();
    refused.increment();
    return false;
  }

  void exit() {
    inFlight.decrementAndGet();
  }

  public int max() {
    return max;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Requests refused since start because every slot was taken. */
  public long refused() {
    return refused.sum();
  }
}
