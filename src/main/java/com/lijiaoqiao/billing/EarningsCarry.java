package com.lijiaoqiao.billing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Suppliers' earnings below the micro-unit, carried from one request to the next on this node (as tenants' charges
 * are in {@link Wallets#chargeExact}): many tiny requests earn what their tokens are worth, never a rounded-off less.
 */
public final class EarningsCarry {
  private final Map<Long, long[]> carries = new ConcurrentHashMap<>();

  /** The earning in micro-units for {@code exact} (10⁻⁶ µ) with the supplier's carry; the rest is carried on. */
  public long earn(long supplierId, long exact) {
    if (exact <= 0) return 0;
    long[] carry = carries.computeIfAbsent(supplierId, k -> new long[1]);
    synchronized (carry) {
      long total = exact > Long.MAX_VALUE - carry[0] ? Long.MAX_VALUE : carry[0] + exact;
      carry[0] = total % Money.EXACT_PER_MICRO;
      return total / Money.EXACT_PER_MICRO;
    }
  }
}
