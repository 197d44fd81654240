package com.lijiaoqiao.routing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The part of a provider's live state that belongs to one model: its circuit breaker, its Retry-After cool-down
 * and its last recovery probe. Kept per (provider, model) so that one model's outage or rate limit never takes
 * the provider's other models down with it, and its recovery is judged on that model.
 */
public final class ModelLane {
  /** What a recovery probe's answer says about the model. */
  public enum Verdict {
    /** 2xx: the model answers. */
    UP,
    /** No answer (connect error, reset, timeout), 401/403/408/429 or 5xx: the provider's own fault, as for traffic. */
    DOWN,
    /** Another 4xx: the probe itself was refused (e.g. a model that takes no {@code max_tokens}): says nothing. */
    INCONCLUSIVE
  }

  /** The last recovery probe: its HTTP status (0 = no answer), verdict and wall-clock time. */
  public record Probe(int status, Verdict verdict, long atMillis) {}

  public final String model;
  public final CircuitBreaker breaker;
  private final LongSupplier clock;
  private volatile long coolUntilNanos;
  private final AtomicBoolean probeOut = new AtomicBoolean();
  private volatile Probe lastProbe;
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

  /** The judgement of a recovery probe's status, as the relay judges an attempt's (0 = no answer). */
  static Verdict verdict(int status) {
    if (status / 100 == 2) return Verdict.UP;
    if (status == 0 || status >= 500 || status == 401 || status == 403 || status == 408 || status == 429) {
      return Verdict.DOWN;
    }
    return Verdict.INCONCLUSIVE;
  }

  /** Takes the lane's one recovery-probe slot: false while a probe of it is still out. */
  boolean beginProbe() {
    return probeOut.compareAndSet(false, true);
  }

  /**
   * A recovery probe's end ({@code status} 0: no answer): up closes the breaker, down restarts its open period,
   * inconclusive leaves it to the half-open request probe. Frees the slot.
   */
  void probed(int status) {
    Verdict v = verdict(status);
    lastProbe = new Probe(status, v, System.currentTimeMillis());
    if (v != Verdict.INCONCLUSIVE) breaker.onProbe(v == Verdict.UP);
    probeOut.set(false);
  }

  /** The last recovery probe, or null before the first. */
  public Probe lastProbe() {
    return lastProbe;
  }

  void reset() {
    coolUntilNanos = clock.getAsLong();
    lastProbe = null;
    breaker.reset();
  }
}
