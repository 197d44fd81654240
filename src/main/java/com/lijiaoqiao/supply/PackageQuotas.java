package com.lijiaoqiao.supply;

import com.lijiaoqiao.billing.ClusterBalance;
import com.lijiaoqiao.billing.Earning;
import com.lijiaoqiao.billing.LeasedBalance;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.billing.SettlementListener;
import com.lijiaoqiao.routing.SupplyOffer;
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
  private final Map<Long, AtomicInteger> accountInFlight = new ConcurrentHashMap<>();
  /** Package id → its account (for the account's slots). */
  private final Map<Long, Long> accountOf = new ConcurrentHashMap<>();
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

  /**
   * Holds quota and a slot (the package's, and its account's, shared by the account's packages) for an attempt;
   * false (nothing held) when the package is used up or either is at its concurrency.
   */
  public Future<Boolean> hold(String requestId, SupplyOffer offer, long estimateTokens) {
    long packageId = offer.packageId();
    List<Long> mine = held.get(requestId);
    if (mine != null && mine.contains(packageId)) return Future.succeededFuture(true); // a retry: already held
    if (!takeSlot(offer)) return Future.succeededFuture(false);
    long want = Math.max(1, estimateTokens);
    String holdId = holdId(requestId, packageId);
    return live.reserve(holdId, packageId, want).compose(h -> {
      if (h.held()) return Future.succeededFuture(true);
      if (h.availableMicros() <= 0) return Future.succeededFuture(false);
      return live.reserve(holdId, packageId, Math.min(want, h.availableMicros())).map(ClusterBalance.Hold::held);
    }).recover(t -> Future.succeededFuture(false)) // the shared figure is unreachable: the package sits it out
        .map(ok -> {
          if (ok) {
            held.computeIfAbsent(requestId, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(packageId);
            accountOf.put(packageId, offer.accountId());
          } else {
            freeSlot(packageId, offer.accountId());
          }
          return ok;
        });
  }

  /** A hold's id in the shared figures: one per request and package (a rescued request may hold two packages). */
  private static String holdId(String requestId, long packageId) {
    return requestId + "/" + packageId;
  }

  private boolean takeSlot(SupplyOffer offer) {
    AtomicInteger pkg = inFlight.computeIfAbsent(offer.packageId(), k -> new AtomicInteger());
    AtomicInteger acc = accountInFlight.computeIfAbsent(offer.accountId(), k -> new AtomicInteger());
    if (pkg.incrementAndGet() > limit(offer.maxConcurrency()) | acc.incrementAndGet() > limit(offer.accountMaxConcurrency())) {
      pkg.decrementAndGet();
      acc.decrementAndGet();
      return false;
    }
    return true;
  }

  private static int limit(int max) {
    return max <= 0 ? Integer.MAX_VALUE : max;
  }

  private void freeSlot(long packageId, Long accountId) {
    AtomicInteger slots = inFlight.get(packageId);
    if (slots != null) slots.decrementAndGet();
    AtomicInteger acc = accountId == null ? null : accountInFlight.get(accountId);
    if (acc != null) acc.decrementAndGet();
  }

  /** The attempt on the package served nothing: hold and slot go back now. */
  public void release(String requestId, long packageId) {
    List<Long> mine = held.get(requestId);
    if (mine == null || !mine.remove(packageId)) return;
    if (mine.isEmpty()) held.remove(requestId, mine);
    freeSlot(packageId, accountOf.get(packageId));
    live.release(holdId(requestId, packageId), packageId);
  }

  /** Every settlement: the packages the request earned from are charged their tokens; any other hold is released. */
  @Override
  public void settled(Settlement s) {
    List<Long> mine = held.remove(s.requestId());
    if (mine == null) return;
    Map<Long, Long> used = new java.util.HashMap<>();
    for (Earning e : s.earningsOrEmpty()) used.merge(e.packageId(), e.tokens(), Long::sum);
    for (Long id : new ArrayList<>(mine)) {
      freeSlot(id, accountOf.get(id));
      Long tokens = used.get(id);
      if (tokens == null) {
        live.release(holdId(s.requestId(), id), id);
      } else {
        unshipped.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(tokens);
        live.settle(holdId(s.requestId(), id), id, tokens);
      }
    }
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
