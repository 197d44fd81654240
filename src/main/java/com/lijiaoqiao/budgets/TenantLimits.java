package com.lijiaoqiao.budgets;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every tenant's budgets and rate limits, in memory for the request path. Read from the database at start-up and
 * again every second (so a change made on another node arrives), and updated at once on the node that made it.
 */
public final class TenantLimits {
  private final BudgetStore store;
  private volatile Map<Long, TenantLimit> byTenant = Map.of();

  public TenantLimits(BudgetStore store) {
    this.store = store;
  }

  /** Blocking. */
  public void reload() {
    Map<Long, TenantLimit> fresh = new ConcurrentHashMap<>();
    for (TenantLimit t : store.loadTenantLimits()) fresh.put(t.tenantId(), t);
    byTenant = fresh;
  }

  public TenantLimit of(long tenantId) {
    TenantLimit t = byTenant.get(tenantId);
    return t != null ? t : TenantLimit.none(tenantId);
  }

  /** Blocking: writes the database, then this node's copy. */
  public void save(TenantLimit limit) {
    store.saveTenantLimit(limit);
    Map<Long, TenantLimit> next = new ConcurrentHashMap<>(byTenant);
    next.put(limit.tenantId(), limit);
    byTenant = next;
  }
}
