package com.lijiaoqiao.billing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every tenant's balance and open reservations, in memory: the request path reserves and charges here without
 * touching the database. Each wallet is guarded by its own lock, so tenants never contend with each other.
 */
public final class Wallets {
  /** balance = what the tenant has (top-ups − charges); reserved = held for requests in flight. */
  public record Snapshot(long balance, long reserved, Long lowBalanceThreshold) {
    public long available() {
      return balance - reserved;
    }
  }

  /** The result of a charge: the new balance, and whether it just fell below the tenant's threshold. */
  public record Charge(long balanceAfter, boolean crossedLowBalance, Long threshold) {}

  private static final class Wallet {
    long balance;
    long reserved;
    /** Charged here but not yet in the ledger: what a balance read from the ledger still lacks. */
    long unshipped;
    /** The fraction of a micro-unit the tenant's exact costs came to beyond what was charged (10⁻⁶ µ). */
    long carry;
    Long lowThreshold;
  }

  private record Hold(long tenantId, long amount) {}

  private final ConcurrentHashMap<Long, Wallet> wallets = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Hold> holds = new ConcurrentHashMap<>();
  private final long defaultLowThreshold;

  public Wallets(long defaultLowThresholdMicros) {
    this.defaultLowThreshold = defaultLowThresholdMicros;
  }

  private Wallet wallet(long tenantId) {
    return wallets.computeIfAbsent(tenantId, t -> new Wallet());
  }

  /** Loads a balance from the system of record (start-up). */
  public void load(long tenantId, long balance, Long lowThreshold) {
    Wallet w = wallet(tenantId);
    synchronized (w) {
      w.balance = balance;
      w.lowThreshold = lowThreshold;
    }
  }

  /** Holds {@code amount} for a request; idempotent by request id. */
  public void reserve(String requestId, long tenantId, long amount) {
    reserve(requestId, tenantId, amount, true);
  }

  /**
   * Holds {@code amount} for a request; idempotent by request id. {@code check} false when the cluster-wide
   * balance decides (this node's figure may be a second old): the hold is then only this node's bookkeeping.
   */
  public void reserve(String requestId, long tenantId, long amount, boolean check) {
    if (holds.containsKey(requestId)) return;
    Wallet w = wallet(tenantId);
    synchronized (w) {
      long available = w.balance - w.reserved;
      if (check && amount > available) {
        throw new InsufficientBalanceException(amount, Math.max(available, 0));
      }
      w.reserved += amount;
    }
    holds.put(requestId, new Hold(tenantId, amount));
  }

  /**
   * The micro-units to charge for a request that cost {@code exact} (10⁻⁶ µ): the tenant's carried fraction plus
   * this cost, rounded down; the new fraction is carried to its next request. So a tenant is never charged more
   * than its requests' exact cost, and never less by a micro-unit or more (per node).
   */
  public long chargeExact(long tenantId, long exact) {
    if (exact <= 0) return 0;
    Wallet w = wallet(tenantId);
    synchronized (w) {
      long total = exact > Long.MAX_VALUE - w.carry ? Long.MAX_VALUE : w.carry + exact;
      w.carry = total % Money.EXACT_PER_MICRO;
      return total / Money.EXACT_PER_MICRO;
    }
  }

  /** The fraction of a micro-unit carried for the tenant's next charge (10⁻⁶ µ). */
  public long carry(long tenantId) {
    Wallet w = wallets.get(tenantId);
    if (w == null) return 0;
    synchronized (w) {
      return w.carry;
    }
  }

  /** What {@link #chargeExact} charges for {@code exact} after a carry of {@code carry} (tests, statements). */
  public static long charged(long carry, long exact) {
    return exact <= 0 ? 0 : (carry + exact) / Money.EXACT_PER_MICRO;
  }

  /** Drops a hold without a charge (the cluster refused the request after this node held it). */
  public void release(String requestId) {
    Hold h = holds.remove(requestId);
    if (h == null) return;
    Wallet w = wallet(h.tenantId());
    synchronized (w) {
      w.reserved -= h.amount();
    }
  }

  /** This node's available figure for a tenant (balance minus its own holds). */
  public long available(long tenantId) {
    Wallet w = wallets.get(tenantId);
    if (w == null) return 0;
    synchronized (w) {
      return w.balance - w.reserved;
    }
  }

  /**
   * Takes the ledger's balance (read just now) as the tenant's balance, less what this node charged that the
   * ledger does not have yet: other nodes' charges, credits and redemptions reach this node this way.
   */
  public void refresh(long tenantId, long ledgerBalance, Long lowThreshold) {
    Wallet w = wallet(tenantId);
    synchronized (w) {
      w.balance = ledgerBalance - w.unshipped;
      w.lowThreshold = lowThreshold;
    }
  }

  /** A charge of this node reached the ledger (or was set aside: then the ledger never takes it). */
  public void shipped(long tenantId, long cost) {
    Wallet w = wallet(tenantId);
    synchronized (w) {
      w.unshipped -= cost;
    }
  }

  /** What this node charged the tenant that the ledger does not have yet. */
  public long unshipped(long tenantId) {
    Wallet w = wallets.get(tenantId);
    if (w == null) return 0;
    synchronized (w) {
      return w.unshipped;
    }
  }

  /**
   * Releases the request's hold and takes {@code cost} from the balance. Returns null when the request holds
   * nothing (already settled), so a second settlement of the same request changes nothing.
   */
  public Charge settle(String requestId, long cost) {
    Hold h = holds.remove(requestId);
    if (h == null) return null;
    Wallet w = wallet(h.tenantId());
    synchronized (w) {
      w.reserved -= h.amount();
      long before = w.balance;
      w.balance -= cost;
      w.unshipped += cost;
      long threshold = w.lowThreshold != null ? w.lowThreshold : defaultLowThreshold;
      boolean crossed = cost > 0 && before >= threshold && w.balance < threshold;
      return new Charge(w.balance, crossed, threshold);
    }
  }

  public long heldFor(String requestId) {
    Hold h = holds.get(requestId);
    return h == null ? 0 : h.amount();
  }

  public void credit(long tenantId, long amount) {
    Wallet w = wallet(tenantId);
    synchronized (w) {
      w.balance += amount;
    }
  }

  /** Sets a tenant's own low-balance threshold (null = the platform default). */
  public void setThreshold(long tenantId, Long threshold) {
    Wallet w = wallet(tenantId);
    synchronized (w) {
      w.lowThreshold = threshold;
    }
  }

  public Snapshot snapshot(long tenantId) {
    Wallet w = wallets.get(tenantId);
    if (w == null) return new Snapshot(0, 0, null);
    synchronized (w) {
      return new Snapshot(w.balance, w.reserved, w.lowThreshold);
    }
  }

  public Map<Long, Snapshot> all() {
    Map<Long, Snapshot> out = new java.util.HashMap<>();
    wallets.keySet().forEach(t -> out.put(t, snapshot(t)));
    return out;
  }

  public int openHolds() {
    return holds.size();
  }
}
