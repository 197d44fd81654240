package com.lijiaoqiao.routing;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Live, in-memory state of one provider: a sliding window of latencies (p99 recomputed on write, read as a
 * volatile on the request path), recent outcomes (availability), a latency histogram and outcome counters for
 * the stats view, and one {@link ModelLane} per model (circuit breaker and Retry-After cool-down, so one
 * model's outage stays that model's). Survives registry swaps (keyed by id).
 */
public final class ProviderState {
  static final long[] BUCKETS_MS = {25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, Long.MAX_VALUE};

  /** Outcome labels kept apart in the stats view; past this many, the rest are counted as "other". */
  static final int MAX_OUTCOME_LABELS = 64;

  public final String id;
  private final java.util.function.Supplier<CircuitBreaker> breakers;
  /** Told when one of this provider's model breakers opens or closes (provider.circuit_* events). */
  volatile BreakerSink breakerSink;

  /** Where breaker changes go: provider (or supply account) id, model, opened or closed. Must not block. */
  @FunctionalInterface
  public interface BreakerSink {
    void changed(String provider, String model, boolean opened);
  }
  private final Map<String, ModelLane> lanes = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private final long[] latencies;
  private final boolean[] outcomes;
  private int latPos;
  private int latCount;
  private int outPos;
  private int outCount;
  private int outFailures;
  private final LongAdder[] histogram = new LongAdder[BUCKETS_MS.length];
  private final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>();
  private volatile double p99Ms = Double.NaN;
  private volatile double availability = 1.0;
  private volatile Boolean lastHealth;
  private volatile long lastHealthAtMillis;

  public ProviderState(String id, java.util.function.Supplier<CircuitBreaker> breakers, int latencyWindow,
                       int outcomeWindow, LongSupplier clock) {
    this.id = id;
    this.breakers = breakers;
    this.clock = clock;
    this.latencies = new long[Math.max(1, latencyWindow)];
    this.outcomes = new boolean[Math.max(1, outcomeWindow)];
    for (int i = 0; i < histogram.length; i++) histogram[i] = new LongAdder();
  }

  /** The breaker and cool-down of one model on this provider (created on first use). */
  public ModelLane lane(String model) {
    ModelLane l = lanes.get(model);
    return l != null ? l : lanes.computeIfAbsent(model, m -> {
      CircuitBreaker b = breakers.get();
      b.listen(opened -> {
        BreakerSink sink = breakerSink;
        if (sink != null) sink.changed(id, m, opened);
      });
      return new ModelLane(m, b, clock);
    });
  }

  /**
   * An attempt's end for {@code model}. {@code providerFault} is false for answers that say nothing about the
   * provider (a request the gateway refused, the request's own 4xx, a client that left): they never count
   * against its breaker or its availability.
   */
  public void record(String model, String outcome, boolean success, boolean providerFault, long latencyMs) {
    LongAdder counter = byOutcome.get(outcome);
    if (counter == null) {
      counter = byOutcome.size() < MAX_OUTCOME_LABELS ? byOutcome.computeIfAbsent(outcome, k -> new LongAdder())
          : byOutcome.computeIfAbsent("other", k -> new LongAdder());
    }
    counter.increment();
    if (success) histogram[bucket(latencyMs)].increment();
    lane(model).record(success, providerFault);
    synchronized (this) {
      if (success) {
        latencies[latPos] = latencyMs;
        latPos = (latPos + 1) % latencies.length;
        if (latCount < latencies.length) latCount++;
        long[] copy = Arrays.copyOf(latencies, latCount);
        Arrays.sort(copy);
        p99Ms = copy[Math.min(latCount - 1, (int) Math.ceil(latCount * 0.99) - 1)];
      }
      if (success || providerFault) {
        if (outCount == outcomes.length) {
          if (outcomes[outPos]) outFailures--;
        } else {
          outCount++;
        }
        outcomes[outPos] = !success;
        if (!success) outFailures++;
        outPos = (outPos + 1) % outcomes.length;
        availability = 1.0 - (double) outFailures / outCount;
      }
    }
  }

  /** The live p99 in ms, NaN before the first success. */
  public double p99Ms() {
    return p99Ms;
  }

  public double availability() {
    return availability;
  }

  /**
   * The provider-wide health check's verdict ({@code GET /models}): a fail counts against each of its models'
   * breakers; a pass is only shown (it says nothing about any one model: their recovery probes decide).
   */
  public void health(boolean ok) {
    lastHealth = ok;
    lastHealthAtMillis = System.currentTimeMillis();
    for (ModelLane l : lanes.values()) l.breaker.onHealth(ok);
  }

  public synchronized void reset() {
    Arrays.fill(latencies, 0);
    latPos = latCount = outPos = outCount = outFailures = 0;
    Arrays.fill(outcomes, false);
    p99Ms = Double.NaN;
    availability = 1.0;
    lanes.values().forEach(ModelLane::reset);
    byOutcome.clear();
    for (LongAdder a : histogram) a.reset();
  }

  /** The stats view (GET /admin/providers/{id}/stats). */
  public Map<String, Object> snapshot() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("provider", id);
    // The provider's breaker as the worst of its models' (open > half-open > closed); each model below.
    CircuitBreaker.State worst = CircuitBreaker.State.CLOSED;
    long opens = 0;
    boolean cooling = false;
    Map<String, Object> models = new LinkedHashMap<>();
    for (ModelLane l : lanes.values().stream().sorted(java.util.Comparator.comparing(x -> x.model)).toList()) {
      CircuitBreaker.State st = l.breaker.state();
      if (st == CircuitBreaker.State.OPEN || (st == CircuitBreaker.State.HALF_OPEN && worst == CircuitBreaker.State.CLOSED)) {
        worst = st;
      }
      opens += l.breaker.opens();
      cooling |= l.cooling();
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("breaker", st.name().toLowerCase());
      lm.put("breaker_opens", l.breaker.opens());
      lm.put("cooling_down", l.cooling());
      ModelLane.Probe p = l.lastProbe();
      if (p == null) {
        lm.put("probe", null);
      } else {
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("ok", p.verdict() == ModelLane.Verdict.INCONCLUSIVE ? null : p.verdict() == ModelLane.Verdict.UP);
        pm.put("result", p.verdict().name().toLowerCase());
        pm.put("status", p.status() == 0 ? null : p.status());
        pm.put("checked_at_ms", p.atMillis());
        lm.put("probe", pm);
      }
      models.put(l.model, lm);
    }
    m.put("breaker", worst.name().toLowerCase());
    m.put("breaker_opens", opens);
    m.put("p99_ms", Double.isNaN(p99Ms) ? null : p99Ms);
    m.put("availability", availability);
    m.put("cooling_down", cooling);
    m.put("models", models);
    Map<String, Long> outs = new LinkedHashMap<>();
    byOutcome.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> outs.put(e.getKey(), e.getValue().sum()));
    m.put("outcomes", outs);
    Map<String, Long> hist = new LinkedHashMap<>();
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      hist.put(BUCKETS_MS[i] == Long.MAX_VALUE ? "+Inf" : "le_" + BUCKETS_MS[i], histogram[i].sum());
    }
    m.put("latency_histogram_ms", hist);
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("ok", lastHealth);
    h.put("checked_at_ms", lastHealthAtMillis == 0 ? null : lastHealthAtMillis);
    m.put("health", h);
    return m;
  }

  private static int bucket(long ms) {
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      if (ms <= BUCKETS_MS[i]) return i;
    }
    return BUCKETS_MS.length - 1;
  }
}
