package com.lijiaoqiao.supply;

import com.lijiaoqiao.billing.ClusterBalance;
import com.lijiaoqiao.billing.Wallets;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Packages' remaining tokens on a node that shares them with no other (no Redis, no leases): held and used in
 * memory, loaded from the database on first use and again after a change outside the request path (a quota raised).
 * The live figure is the database's remaining less what this node used and has not shipped yet.
 */
final class LocalQuota implements ClusterBalance {
  private static final class Pool {
    long remaining;
    long held;
  }

  private final LongFunction<Future<Long>> load;
  private final Map<Long, Future<Pool>> pools = new ConcurrentHashMap<>();
  private final Map<String, long[]> holds = new ConcurrentHashMap<>(); // request id → {package, amount}

  /** @param load the package's remaining tokens as the database has them less this node's unshipped use */
  LocalQuota(LongFunction<Future<Long>> load) {
    this.load = load;
  }

  private Future<Pool> pool(long id) {
    return pools.computeIfAbsent(id, k -> load.apply(k).map(r -> {
      Pool p = new Pool();
      p.remaining = r;
      return p;
    }).onFailure(t -> pools.remove(k)));
  }

  @Override
  public Future<Hold> reserve(String requestId, long packageId, long amount) {
    return pool(packageId).map(p -> {
      synchronized (p) {
        if (holds.containsKey(requestId)) return new Hold(true, p.remaining - p.held);
        long avail = p.remaining - p.held;
        if (amount > avail) return new Hold(false, Math.max(0, avail));
        p.held += amount;
        holds.put(requestId, new long[] {packageId, amount});
        return new Hold(true, avail - amount);
      }
    });
  }

  @Override
  public void settle(String requestId, long packageId, long used) {
    long[] h = holds.remove(requestId);
    Future<Pool> f = pools.get(packageId);
    if (f == null || !f.succeeded()) return;
    Pool p = f.result();
    synchronized (p) {
      if (h != null) p.held -= h[1];
      p.remaining -= used;
    }
  }

  @Override
  public Future<Void> release(String requestId, long packageId) {
    long[] h = holds.remove(requestId);
    Future<Pool> f = pools.get(packageId);
    if (h != null && f != null && f.succeeded()) {
      Pool p = f.result();
      synchronized (p) {
        p.held -= h[1];
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public void ledgerChanged(long packageId) {
    Future<Pool> f = pools.get(packageId);
    if (f == null) return;
    // Reload, keeping the open holds: only the remaining figure comes from the database again.
    load.apply(packageId).onSuccess(r -> {
      if (f.succeeded()) {
        Pool p = f.result();
        synchronized (p) {
          p.remaining = r;
        }
      }
    });
  }

  /** The package's remaining tokens and open holds on this node (as a wallet's balance and reservations). */
  @Override
  public Future<Wallets.Snapshot> snapshot(long packageId) {
    return pool(packageId).map(p -> {
      synchronized (p) {
        return new Wallets.Snapshot(p.remaining, p.held, null);
      }
    });
  }
}
