package com.lijiaoqiao.billing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants' balances shared by every node through the database alone (no Redis): each node reserves from a
 * lease — a slice of the tenant's balance that no other node may use — and asks the database for more only when
 * the lease runs short, so the database is touched per lease, not per request. A shipped charge shrinks the
 * node's lease together with the balance (one transaction), so the leases never add up to more than the balance:
 * no tenant can spend more than it has, whatever the number of nodes. An idle node gives its unused lease back;
 * a dead node's lease expires.
 *
 * <p>Per tenant on this node: {@code lease} (what the database granted, less shipped charges), {@code unshipped}
 * (charged here, not yet in the ledger: still inside the lease) and {@code held} (open holds).
 */
public final class LeasedBalance implements ClusterBalance {
  private static final Logger log = LoggerFactory.getLogger(LeasedBalance.class);
  /** A first lease covers this many requests like the one that asked; each quick refill doubles it. */
  private static final long FIRST_LEASE_REQUESTS = 16;
  private static final long MAX_WANT = 1L << 50;

  private static final class TenantLease {
    long lease;
    long unshipped;
    long held;
    long nextWant;
    long lastRefillMs;
    long lastUseMs;
    /** What requests that found the lease short asked for since the last refill started. */
    long demand;
    Future<Long> refilling;
  }

  private record Held(long tenantId, long amount) {}

  private final LeaseStore store;
  private final String nodeId;
  private final long ttlMs;
  private final long idleGiveBackMs;
  private final Function<Callable<Long>, Future<Long>> blocking;
  private final Map<Long, TenantLease> tenants = new ConcurrentHashMap<>();
  private final Map<String, Held> holds = new ConcurrentHashMap<>();

  /**
   * @param ttlMs a lease not renewed for this long is free again (a dead node's)
   * @param idleGiveBackMs a tenant's unused lease is given back after this long without a reservation here
   * @param blocking runs a database call off the event loop
   */
  public LeasedBalance(LeaseStore store, String nodeId, long ttlMs, long idleGiveBackMs,
                       Function<Callable<Long>, Future<Long>> blocking) {
    this.store = store;
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
    this.idleGiveBackMs = idleGiveBackMs;
    this.blocking = blocking;
  }

  public String nodeId() {
    return nodeId;
  }

  private TenantLease of(long tenantId) {
    return tenants.computeIfAbsent(tenantId, t -> new TenantLease());
  }

  @Override
  public Future<Hold> reserve(String requestId, long tenantId, long amountMicros) {
    return reserve(requestId, tenantId, amountMicros, 3);
  }

  /**
   * Holds from the lease; when it is short, asks for more and tries again — a few times, since requests that
   * waited on the same refill may have taken it first. Refused only when the database has no more to give.
   */
  private Future<Hold> reserve(String requestId, long tenantId, long amount, int refillsLeft) {
    Hold h = tryHold(requestId, tenantId, amount);
    if (h.held() || refillsLeft == 0) return Future.succeededFuture(h);
    return refill(tenantId, amount).compose(granted -> {
      Hold again = tryHold(requestId, tenantId, amount);
      if (again.held() || (granted == 0 && !sharedRefill(tenantId))) return Future.succeededFuture(again);
      return reserve(requestId, tenantId, amount, refillsLeft - 1);
    });
  }

  /** True while another refill of the tenant is in flight (a request may wait for it rather than give up). */
  private boolean sharedRefill(long tenantId) {
    TenantLease tl = of(tenantId);
    synchronized (tl) {
      return tl.refilling != null;
    }
  }

  private Hold tryHold(String requestId, long tenantId, long amount) {
    if (holds.containsKey(requestId)) return new Hold(true, 0);
    TenantLease tl = of(tenantId);
    synchronized (tl) {
      tl.lastUseMs = System.currentTimeMillis();
      long available = tl.lease - tl.unshipped - tl.held;
      if (amount > available) {
        tl.demand += amount; // sizes the next refill: everything that is waiting for one
        return new Hold(false, Math.max(0, available));
      }
      tl.held += amount;
      holds.put(requestId, new Held(tenantId, amount));
      return new Hold(true, available - amount);
    }
  }

  /**
   * Asks the database for more of the tenant's balance; concurrent requests of the tenant share one ask, sized
   * for all of them. Completes with what was granted.
   */
  private Future<Long> refill(long tenantId, long amount) {
    TenantLease tl = of(tenantId);
    Promise<Long> done;
    long want;
    synchronized (tl) {
      if (tl.refilling != null) return tl.refilling;
      long now = System.currentTimeMillis();
      long first = Math.max(1, amount) * FIRST_LEASE_REQUESTS;
      // A tenant that keeps running short gets ever larger slices, so busy tenants rarely touch the database.
      tl.nextWant = tl.nextWant == 0 || now - tl.lastRefillMs > 10_000 ? first : Math.min(MAX_WANT, tl.nextWant * 2);
      tl.lastRefillMs = now;
      long shortBy = tl.held + tl.unshipped + tl.demand - tl.lease;
      want = Math.min(MAX_WANT, Math.max(tl.nextWant, shortBy + first));
      tl.demand = 0;
      done = Promise.promise();
      tl.refilling = done.future(); // set before the ask is sent: its answer always finds it
    }
    blocking.apply(() -> store.grant(tenantId, nodeId, want, ttlMs)).onComplete(ar -> {
      synchronized (tl) {
        if (ar.succeeded()) tl.lease += ar.result();
        tl.refilling = null;
      }
      if (ar.succeeded()) done.complete(ar.result());
      else done.fail(ar.cause());
    });
    return done.future();
  }

  @Override
  public void settle(String requestId, long tenantId, long costMicros) {
    Held h = holds.remove(requestId);
    TenantLease tl = of(tenantId);
    synchronized (tl) {
      if (h != null) tl.held -= h.amount();
      tl.unshipped += costMicros;
    }
  }

  @Override
  public Future<Void> release(String requestId, long tenantId) {
    Held h = holds.remove(requestId);
    if (h != null) {
      TenantLease tl = of(tenantId);
      synchronized (tl) {
        tl.held -= h.amount();
      }
    }
    return Future.succeededFuture();
  }

  /** A charge of this node reached the ledger, which shrank the lease with the balance in the same transaction. */
  public void shipped(long tenantId, long costMicros) {
    TenantLease tl = of(tenantId);
    synchronized (tl) {
      tl.lease -= costMicros;
      tl.unshipped -= costMicros;
    }
  }

  /** Credits need nothing here: the next refill reads the new balance. */
  @Override
  public void ledgerChanged(long tenantId) {}

  @Override
  public Future<Wallets.Snapshot> snapshot(long tenantId) {
    return Future.succeededFuture(null); // the node's own figure (read from the ledger each second) is shown
  }

  /** Gives every lease back (at shutdown, once every charge is shipped). Blocking. */
  public void giveBackAll() {
    for (Map.Entry<Long, TenantLease> e : tenants.entrySet()) {
      TenantLease tl = e.getValue();
      long giveBack;
      synchronized (tl) {
        giveBack = tl.lease - tl.unshipped;
        tl.lease -= Math.max(0, giveBack);
      }
      if (giveBack > 0) store.giveBack(e.getKey(), nodeId, giveBack);
    }
  }

  /**
   * Keeps this node's leases alive and gives back what idle tenants do not use (every second, off the event
   * loop). Blocking.
   */
  public void housekeeping() {
    store.renew(nodeId, ttlMs);
    long now = System.currentTimeMillis();
    for (Map.Entry<Long, TenantLease> e : tenants.entrySet()) {
      TenantLease tl = e.getValue();
      long giveBack;
      synchronized (tl) {
        if (tl.held != 0 || tl.refilling != null || now - tl.lastUseMs < idleGiveBackMs) continue;
        giveBack = tl.lease - tl.unshipped; // what unshipped charges still need stays leased
        if (giveBack <= 0) continue;
        tl.lease -= giveBack; // at once: a reservation meanwhile asks the database again
        tl.nextWant = 0;
      }
      try {
        store.giveBack(e.getKey(), nodeId, giveBack);
      } catch (RuntimeException ex) {
        // The database keeps a larger lease than this node uses until it expires or is given back next time.
        log.warn("giving back {} µ of tenant {}'s lease failed: {}", giveBack, e.getKey(), ex.toString());
        synchronized (tl) {
          tl.lease += giveBack;
        }
      }
    }
  }
}
