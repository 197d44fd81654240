package com.lijiaoqiao.routing;

import java.util.function.LongSupplier;

/**
 * The part of a provider's live state that belongs to one model: its circuit breaker and its Retry-After
 * cool-down. Kept per (provider, model) so that one model's outage or rate limit never takes the provider's
 * other models down with it.
 */
public final class ModelLane {
  public final String model;
  public final CircuitBreaker breaker;
  private final LongSupplier clock;
  private volatile long coolUntilNanos;
  /** Whether this model takes assistant prefill: null until it refuses one (then false), else the adapter's default. */
  private volatile Boolean prefill;

  ModelLane(String model, CircuitBreaker breaker, LongSupplier clock) {
    this.model = model;
    this.breaker = breaker;
    this.clock = clock;
    this.coolUntilNanos = clock.getAsLong();
  }

  /** An attempt's verdict on this model: only provider faults count against the breaker. */
  void record(boolean success, boolean providerFault) {
    if (success) {
      breaker.onSuccess();
    } else if (providerFault) {
      breaker.onFailure();
    }
  }

  /** The upstream asked to wait (Retry-After): this model goes to the back of the plan until then. */
  public void coolFor(long ms) {
    long until = clock.getAsLong() + Math.max(0, Math.min(ms, 3_600_000L)) * 1_000_000L;
    if (until - coolUntilNanos > 0) coolUntilNanos = until;
  }

  /** Whether a rescue may continue an answer here by assistant prefill ({@code byDefault} until learnt otherwise). */
  public boolean prefill(boolean byDefault) {
    Boolean p = prefill;
    return p != null ? p : byDefault;
  }

  /** The model refused an assistant prefill: continuations ask in words from now on. */
  public void refusesPrefill() {
    prefill = false;
  }

  public boolean cooling() {
    return coolUntilNanos - clock.getAsLong() > 0;
  }

  void reset() {
    coolUntilNanos = clock.getAsLong();
    breaker.reset();
  }
}
