package com.lijiaoqiao.billing;

/** Leases on tenants' balances in the system of record (implemented in {@code store}). Blocking calls. */
public interface LeaseStore {
  /**
   * Adds up to {@code want} to the node's lease on the tenant's balance — no more than the balance less every
   * other node's live lease and the node's own — and extends it to {@code ttlMs} from now. Returns what was added.
   */
  long grant(long tenantId, String nodeId, long want, long ttlMs);

  /** Gives {@code amount} of the node's lease back. */
  void giveBack(long tenantId, String nodeId, long amount);

  /** Keeps every lease of the node alive for {@code ttlMs} more. */
  void renew(String nodeId, long ttlMs);
}
