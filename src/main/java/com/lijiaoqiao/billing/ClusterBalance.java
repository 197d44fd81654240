package com.lijiaoqiao.billing;

import io.vertx.core.Future;

/**
 * The cluster-wide side of tenants' balances: with it, every node reserves from, charges and credits the same
 * figure, so a tenant can never spend more than its balance by sending to several nodes. The ledger in the
 * database stays the system of record; this is its live, shared image, rebuilt from the ledger when lost.
 */
public interface ClusterBalance {
  /** The result of a reservation: held, or short with what is available. */
  record Hold(boolean held, long availableMicros) {}

  /** Holds {@code amount} for the request against the tenant's balance minus every node's open holds. */
  Future<Hold> reserve(String requestId, long tenantId, long amountMicros);

  /** Releases the request's hold and charges {@code cost} (sent once; see docs/billing.md for failures). */
  void settle(String requestId, long tenantId, long costMicros);

  /** Releases a hold without a charge (before holding the request again at another model's price). */
  Future<Void> release(String requestId, long tenantId);

  /** The ledger changed outside the request path (a credit, a redemption): the live image is refreshed from it. */
  void ledgerChanged(long tenantId);

  /** Balance and open holds as every node sees them; null fields when the tenant has no live image yet. */
  Future<Wallets.Snapshot> snapshot(long tenantId);
}
