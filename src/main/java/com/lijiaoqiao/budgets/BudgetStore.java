package com.lijiaoqiao.budgets;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Persistence the budget room needs; implemented in {@code store}. Blocking: call off the event loop. */
public interface BudgetStore {
  /** Every tenant that has a row of limits. */
  List<TenantLimit> loadTenantLimits();

  void saveTenantLimit(TenantLimit limit);

  /** Sets a key's budgets (and marks the key changed, so every node's key sync picks them up). */
  boolean saveKeyBudget(long keyId, Budget budget);

  /** What was charged since {@code since}, per tenant. */
  Map<Long, Long> spentByTenantSince(Instant since);

  /** What was charged since {@code since}, per key. */
  Map<Long, Long> spentByKeySince(Instant since);
}
