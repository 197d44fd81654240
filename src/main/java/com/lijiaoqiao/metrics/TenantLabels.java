package com.lijiaoqiao.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tenant label of a metric, bounded: the first {@code max} distinct tenants seen keep their id, every later one
 * is "other". Lock-free; a race at the bound may admit one or two more, never unboundedly many.
 */
public final class TenantLabels {
  public static final String OTHER = "other";
  private final ConcurrentHashMap<Long, String> labels = new ConcurrentHashMap<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final int max;

  public TenantLabels(int max) {
    this.max = Math.max(0, max);
  }

  public String label(long tenantId) {
    String l = labels.get(tenantId);
    if (l != null) return l;
    if (admitted.get() >= max) return OTHER;
    String mine = Long.toString(tenantId);
    String had = labels.putIfAbsent(tenantId, mine);
    if (had != null) return had;
    admitted.incrementAndGet();
    return mine;
  }
}
