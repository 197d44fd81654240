package com.lijiaoqiao.routing;

import java.util.function.LongSupplier;

/**
 * Per-provider circuit breaker. Opens after {@code consecutive} failures in a row, or when more than
 * {@code failureRate} of the last {@code window} outcomes failed (once at least {@code minCalls} were seen).
 * After {@code openNanos} (or a passing health check) it lets one probe through (half-open): success closes
 * it, failure opens it again. Thread-safe; every method is a few field reads under an uncontended lock.
 */
public final class CircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int consecutiveLimit;
  private final boolean[] window;
  private final int minCalls;
  private final double failureRate;
  private final long openNanos;
  private final LongSupplier clock;

  private State state = State.CLOSED;
  private int consecutive;
  private int pos;
  private int count;
  private int failures;
  private long openedAt;
  private boolean probing;
  private long opens;

  public CircuitBreaker(int consecutiveLimit, int window, int minCalls, double failureRate, long openMs,
                        LongSupplier nanoClock) {
    this.consecutiveLimit = consecutiveLimit;
    this.window = new boolean[Math.max(1, window)];
    this.minCalls = minCalls;
    this.failureRate = failureRate;
    this.openNanos = openMs * 1_000_000L;
    this.clock = nanoClock;
  }

  /** Read-only: may a request be routed here now (closed, or open long enough for a probe, or half-open idle)? */
  public synchronized boolean available() {
    return switch (state) {
      case CLOSED -> true;
      case OPEN -> clock.getAsLong() - openedAt >= openNanos;
      case HALF_OPEN -> !probing;
    };
  }

  /** Called right before an attempt: false when the breaker refuses it; in half-open, takes the single probe. */
  public synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (clock.getAsLong() - openedAt < openNanos) return false;
        state = State.HALF_OPEN;
        probing = true;
        return true;
      default:
        if (probing) return false;
        probing = true;
        return true;
    }
  }

  public synchronized void onSuccess() {
    consecutive = 0;
    push(false);
    if (state != State.CLOSED) {
      state = State.CLOSED;
      probing = false;
      resetWindow();
    }
  }

  public synchronized void onFailure() {
    consecutive++;
    push(true);
    if (state == State.HALF_OPEN) {
      open();
    } else if (state == State.CLOSED
        && (consecutive >= consecutiveLimit || (count >= minCalls && failures > failureRate * count))) {
      open();
    }
  }

  /** A background health check's verdict: a pass lets the next request probe an open breaker; a fail counts. */
  public synchronized void onHealth(boolean ok) {
    if (ok) {
      if (state == State.OPEN) {
        state = State.HALF_OPEN;
        probing = false;
      }
    } else if (state != State.OPEN) {
      onFailure();
    }
  }

  public synchronized State state() {
    return state;
  }

  public synchronized long opens() {
    return opens;
  }

  public synchronized void reset() {
    state = State.CLOSED;
    consecutive = 0;
    probing = false;
    resetWindow();
  }

  private void open() {
    state = State.OPEN;
    openedAt = clock.getAsLong();
    probing = false;
    opens++;
  }

  private void push(boolean failed) {
    if (count == window.length) {
      if (window[pos]) failures--;
    } else {
      count++;
    }
    window[pos] = failed;
    if (failed) failures++;
    pos = (pos + 1) % window.length;
  }

  private void resetWindow() {
    java.util.Arrays.fill(window, false);
    pos = 0;
    count = 0;
    failures = 0;
  }
}
