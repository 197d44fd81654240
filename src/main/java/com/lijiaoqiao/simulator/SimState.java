package com.lijiaoqiao.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shared, thread-safe simulator state: counters, global directives (for every request, or per model), fault counters,
 * prompt-cache prefixes.
 */
final class SimState {
  final LongAdder requests = new LongAdder();
  final ConcurrentHashMap<String, LongAdder> byPath = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, AtomicInteger> faultCounters = new ConcurrentHashMap<>();
  final AtomicLong ids = new AtomicLong(System.nanoTime() & 0xffffffL);
  volatile String global;
  /** Credentials this upstream refuses (revoked through /_sim/keys/revoke); keys starting "sk-revoked" always are. */
  final java.util.Set<String> revoked = ConcurrentHashMap.newKeySet();

  boolean refuses(String key) {
    return key != null && (key.startsWith("sk-revoked") || revoked.contains(key));
  }
  /** Per model (the name before any {@code ::}): directives for requests naming it, instead of {@link #global}. */
  final ConcurrentHashMap<String, String> perModel = new ConcurrentHashMap<>();

  private static final int CACHE_MAX = 4096;
  private final Map<Long, Boolean> seenPrefixes = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > CACHE_MAX;
    }
  };

  void count(String path) {
    requests.increment();
    byPath.computeIfAbsent(path, k -> new LongAdder()).increment();
  }

  Map<String, Long> byPathSnapshot() {
    Map<String, Long> m = new TreeMap<>();
    byPath.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** The control directives for a request without its own header: the model's own if set, else the global ones. */
  String controlDirectives(String model) {
    if (model != null && !perModel.isEmpty()) {
      String own = perModel.get(model);
      if (own != null) return own;
    }
    return global;
  }

  void resetStats() {
    requests.reset();
    byPath.clear();
  }

  /** @return true when the prefix was already seen (cache read), false when it is new (cache creation). */
  boolean seenPrefix(long hash) {
    synchronized (seenPrefixes) {
      return seenPrefixes.put(hash, Boolean.TRUE) != null;
    }
  }

  void clearCache() {
    synchronized (seenPrefixes) {
      seenPrefixes.clear();
    }
  }

  /** Resolves the fault for this request honouring times/key; null when no fault applies. */
  String effectiveFault(Directives d) {
    if (d.fault == null) {
      return null;
    }
    if (d.times < 0) {
      return d.fault;
    }
    int n = faultCounters.computeIfAbsent(d.key, k -> new AtomicInteger()).incrementAndGet();
    return n <= d.times ? d.fault : null;
  }

  String nextId() {
    return Long.toString(TextGen.mix(ids.incrementAndGet()) & Long.MAX_VALUE, 36);
  }
}
