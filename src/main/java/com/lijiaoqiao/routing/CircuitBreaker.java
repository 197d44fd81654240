package com.lijiaoqiao.routing;

import java.util.function.LongSupplier;

/**
 * The circuit breaker of one (provider, model) lane. Opens after {@code consecutive} failures in a row, or when
 * more than {@code failureRate} of the last {@code window} outcomes failed (once at least {@code minCalls} were
 * seen). While open, a background recovery probe of that model ({@link #onProbe}) closes it when it passes and
 * restarts the open period when it fails. After {@code openNanos} without a verdict it turns half-open and admits
 * exactly one request as its probe ({@link Permit#PROBE}): success closes it, failure opens it again. A probe
 * that never reports (the request's own 4xx, a client that left) frees the slot after another open period.
 * Thread-safe; every method is a few field reads under an uncontended lock.
 */
public final class CircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  /** What {@link #acquire()} grants an attempt. */
  public enum Permit {
    /** Open, or half-open with its one probe out: not now. */
    REFUSED,
    /** Closed: an ordinary attempt. */
    GRANTED,
    /** Half-open: this attempt is the single probe; it gets one try (no retry on this lane). */
    PROBE
  }

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
  private long probeStartedAt;
  private long opens;
  /** Told when the breaker opens from closed (true) and when it closes again (false); must not block. */
  private volatile java.util.function.Consumer<Boolean> listener;

  public void listen(java.util.function.Consumer<Boolean> l) {
    this.listener = l;
  }

  private void tell(boolean opened) {
    java.util.function.Consumer<Boolean> l = listener;
    if (l == null) return;
    try {
      l.accept(opened);
    } catch (RuntimeException ignored) {
      // a listener's failure never changes the breaker
    }
  }

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
      case HALF_OPEN -> !probeOut();
    };
  }

  /** Called right before an attempt: refused, granted, or — half-open — granted as the single probe. */
  public synchronized Permit acquire() {
    switch (state) {
      case CLOSED:
        return Permit.GRANTED;
      case OPEN:
        if (clock.getAsLong() - openedAt < openNanos) return Permit.REFUSED;
        state = State.HALF_OPEN;
        startProbe();
        return Permit.PROBE;
      default:
        if (probeOut()) return Permit.REFUSED;
        startProbe();
        return Permit.PROBE;
    }
  }

  /** {@link #acquire()} as a yes or no. */
  public boolean tryAcquire() {
    return acquire() != Permit.REFUSED;
  }

  public synchronized void onSuccess() {
    consecutive = 0;
    push(false);
    if (state != State.CLOSED) close();
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

  /**
   * The provider-wide health check's verdict ({@code GET /models}, which says nothing about this model): a fail
   * counts like a request failure; a pass changes nothing (only a probe of this model may end an open period).
   */
  public synchronized void onHealth(boolean ok) {
    if (!ok && state != State.OPEN) onFailure();
  }

  /**
   * A recovery probe of this very model (a one-token request): a pass closes the breaker at once, from open or
   * half-open; a fail keeps it open, its open period starting again. No effect when closed.
   */
  public synchronized void onProbe(boolean ok) {
    if (state == State.CLOSED) return;
    if (ok) {
      close();
    } else if (state == State.HALF_OPEN) {
      open();
    } else {
      openedAt = clock.getAsLong();
    }
  }

  public synchronized State state() {
    return state;
  }

  public synchronized long opens() {
    return opens;
  }

  public synchronized void reset() {
    close();
  }

  private void close() {
    if (state != State.CLOSED) tell(false);
    state = State.CLOSED;
    consecutive = 0;
    probing = false;
    resetWindow();
  }

  /** Half-open with a probe out that has not reported for less than an open period. */
  private boolean probeOut() {
    return probing && clock.getAsLong() - probeStartedAt < openNanos;
  }

  private void startProbe() {
    probing = true;
    probeStartedAt = clock.getAsLong();
  }

  private void open() {
    if (state == State.CLOSED) tell(true);
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
