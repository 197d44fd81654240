package com.lijiaoqiao.supply;

import com.lijiaoqiao.billing.ClusterBalance;
import com.lijiaoqiao.billing.Earning;
import com.lijiaoqiao.billing.LeasedBalance;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.billing.SettlementListener;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live side of packages' quotas: an attempt on a package first holds the tokens the request may use (prompt
 * plus max_tokens) against what the package has left — across every node, through the same shared figures as
 * tenants' balances (Redis, or leases) — and a concurrency slot on this node. The request's settlement turns the
 * hold into the tokens actually used; an attempt that served nothing gives its hold back at once.
 *
 * <p>The last request a package admits may hold less than its estimate (what is left): a package sells out at its
 * quota rather than stalling a little before it; that request may run past the quota by at most its own size, and
 * its supplier is paid for every token it served.
 */
public final class PackageQuotas implements SettlementListener {
  private final ClusterBalance live;
  private final Map<Long, AtomicLong> unshipped = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  /** Request id → the packages it holds on this node. */
  private final Map<String, List<Long>> held = new ConcurrentHashMap<>();

  public PackageQuotas(ClusterBalance live) {
    this.live = live;
  }

  /** Tokens this node used on the package and has not shipped to the database yet. */
  public long unshipped(long packageId) {
    AtomicLong u = unshipped.get(packageId);
    return u == null ? 0 : u.get();
  }

  /** Holds quota and a slot for an attempt; false (nothing held) when the package is used up or at its concurrency. */
  public Future<Boolean> hold(String requestId, long packageId, long estimateTokens, int maxConcurrency) {
    AtomicInteger slots = inFlight.computeIfAbsent(packageId, k -> new AtomicInteger());
    List<Long> mine = held.get(requestId);
    boolean again = mine != null && mine.contains(packageId); // a retry on the same package: already held
    if (!again && maxConcurrency > 0 && slots.incrementAndGet() > maxConcurrency) {
      slots.decrementAndGet();
      return Future.succeededFuture(false);
    }
    if (again) return Future.succeededFuture(true);
    if (maxConcurrency <= 0) slots.incrementAndGet();
    long want = Math.max(1, estimateTokens);
    return live.reserve(requestId, packageId, want).compose(h -> {
      if (h.held()) return Future.succeededFuture(true);
      if (h.availableMicros() <= 0) return Future.succeededFuture(false);
      return live.reserve(requestId, packageId, Math.min(want, h.availableMicros())).map(ClusterBalance.Hold::held);
    }).map(ok -> {
      if (ok) held.computeIfAbsent(requestId, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(packageId);
      else slots.decrementAndGet();
      return ok;
    }).recover(t -> {
      slots.decrementAndGet();
      return Future.succeededFuture(false); // the shared figure is unreachable: this package sits the request out
    });
  }

  /** The attempt on the package served nothing: hold and slot go back now. */
  public void release(String requestId, long packageId) {
    List<Long> mine = held.get(requestId);
    if (mine == null || !mine.remove(packageId)) return;
    if (mine.isEmpty()) held.remove(requestId, mine);
    free(packageId);
    live.release(requestId, packageId);
  }

  /** Every settlement: the packages the request earned from are charged their tokens; any other hold is released. */
  @Override
  public void settled(Settlement s) {
    List<Long> mine = held.remove(s.requestId());
    if (mine == null) return;
    Map<Long, Long> used = new java.util.HashMap<>();
    for (Earning e : s.earningsOrEmpty()) used.merge(e.packageId(), e.tokens(), Long::sum);
    for (Long id : new ArrayList<>(mine)) {
      free(id);
      Long tokens = used.get(id);
      if (tokens == null) {
        live.release(s.requestId(), id);
      } else {
        unshipped.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(tokens);
        live.settle(s.requestId(), id, tokens);
      }
    }
  }

  private void free(long packageId) {
    AtomicInteger slots = inFlight.get(packageId);
    if (slots != null) slots.decrementAndGet();
  }

  /** The ledger has the settlement now: its tokens are no longer this node's unshipped use. */
  public void shipped(Settlement s) {
    for (Earning e : s.earningsOrEmpty()) {
      AtomicLong u = unshipped.get(e.packageId());
      if (u != null) u.addAndGet(-e.tokens());
      if (live instanceof LeasedBalance leases) leases.shipped(e.packageId(), e.tokens());
    }
  }

  /** A package's quota changed outside the request path (raised by its supplier): its live figure is read again. */
  public void quotaChanged(long packageId) {
    live.ledgerChanged(packageId);
  }

  /** Requests on this node that hold some package (tests, metrics). */
  public int holding() {
    return held.size();
  }
}
