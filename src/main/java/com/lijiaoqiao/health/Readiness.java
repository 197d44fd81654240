package com.lijiaoqiao.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether this node should receive traffic: named probes run every interval on a background thread (each bounded by
 * a timeout: a hung probe reports "timeout" and is not started again until it returns), the results are cached, and
 * {@link #state()} reads the cache without blocking. Draining (shutdown has begun) makes the node unready at once.
 */
public final class Readiness implements AutoCloseable {
  /** The answer /readyz gives: ready or not, and each part's state ("ok", or why not). */
  public record State(boolean ready, boolean draining, Map<String, String> checks) {}

  private final Map<String, Probe> probes = new LinkedHashMap<>();
  /** Parts reported in the details but not deciding readiness (the node serves traffic without them). */
  private final java.util.Set<String> advisory = new java.util.HashSet<>();
  private final Map<String, Future<?>> running = new LinkedHashMap<>();
  private final Duration timeout;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;
  private volatile State state = new State(false, false, Map.of("startup", "not checked yet"));
  private volatile boolean draining;

  public Readiness(Duration timeout) {
    this.timeout = timeout;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ljq-readiness"));
    this.workers = Executors.newCachedThreadPool(r -> daemon(r, "ljq-readiness-probe"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Adds a part (before {@link #start}). */
  public synchronized Readiness add(String name, Probe probe) {
    probes.put(name, probe);
    return this;
  }

  /**
   * Adds a part whose failure is reported ("degraded: …") without making the node unready: the data plane does not
   * need it, and taking every node out of the load balancer for it would turn a side failure into an outage.
   */
  public synchronized Readiness addAdvisory(String name, Probe probe) {
    probes.put(name, probe);
    advisory.add(name);
    return this;
  }

  /** Checks once now (so the first answer is real), then every {@code interval}. */
  public Readiness start(Duration interval) {
    checkNow();
    ticker.scheduleWithFixedDelay(this::checkNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Runs every probe (in parallel, each within the timeout) and caches the result. Blocking. */
  public synchronized State checkNow() {
    Map<String, Future<?>> started = new LinkedHashMap<>();
    probes.forEach((name, probe) -> {
      Future<?> previous = running.get(name);
      if (previous == null || previous.isDone()) {
        previous = workers.submit(() -> {
          probe.check();
          return null;
        });
        running.put(name, previous);
      }
      started.put(name, previous);
    });
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> checks = new LinkedHashMap<>();
    boolean ok = true;
    for (var e : started.entrySet()) {
      String result = outcome(e.getValue(), deadline);
      if (advisory.contains(e.getKey())) {
        checks.put(e.getKey(), "ok".equals(result) ? result : "degraded: " + result);
        continue;
      }
      checks.put(e.getKey(), result);
      ok &= "ok".equals(result);
    }
    state = new State(ok && !draining, draining, java.util.Collections.unmodifiableMap(checks));
    return state;
  }

  private static String outcome(Future<?> f, long deadline) {
    try {
      f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return "ok";
    } catch (TimeoutException e) {
      return "timeout";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return cause instanceof Unready u ? u.getMessage() : "failed (" + cause.getClass().getSimpleName() + ")";
    } catch (java.util.concurrent.CancellationException e) {
      return "cancelled";
    }
  }

  /** The last result; never blocks (event loops call it). */
  public State state() {
    State s = state;
    return draining && !s.draining() ? new State(false, true, s.checks()) : s;
  }

  /** Shutdown has begun: unready from now on, whatever the probes say. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    workers.shutdownNow();
  }

  /** A probe's own verdict, reported as its message (which must hold no address or secret). */
  public static final class Unready extends Exception {
    public Unready(String message) {
      super(message, null, false, false);
    }
  }
}
