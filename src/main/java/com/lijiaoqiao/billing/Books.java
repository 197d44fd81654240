package com.lijiaoqiao.billing;

import java.util.List;

/**
 * The database's side of a reconciliation, read in one snapshot (store/ReconcileQueries): the ledger, the
 * billing records and the usage records, each summed on its own, and the rows that disagree (the first few).
 * The marketplace side: suppliers' earning postings, the earning rows behind them, what the supplier accounts
 * of the ledger hold (earned, not yet paid: available, on hold or requested) and what was paid out.
 */
public record Books(
    long topups, long walletBalances, long refunds, long revenueEntries,
    long billedCount, long billedMicros,
    long billedSinceCount, long billedSinceMicros,
    long walletChargePostings, long revenueChargePostings,
    long usageCount, long usageMicros,
    long usageDiffCount, List<RequestDiff> usageDiffs,
    long usageLostInCrashCount, long usageLostInCrashMicros,
    long usageUnbilledCount, List<RequestDiff> usageUnbilled,
    long unbalancedCount, List<String> unbalanced,
    List<TenantDiff> walletMismatches,
    List<TenantDiff> chargeMismatches,
    List<TenantDiff> negativeWallets,
    long supplierEarningPostings, long supplyEarningRows, long supplierLedgerHeld, long supplierPaid) {

  /** One request as two sources see it; null where a source has no row. */
  public record RequestDiff(String requestId, Long expected, Long found) {
    @Override
    public String toString() {
      return requestId + ": " + amount(expected) + " vs " + amount(found);
    }
  }

  /** Where the books are read from (store/ReconcileQueries). Blocking. */
  public interface Source {
    /**
     * The books; billing records since {@code sinceMillis} are counted against the journals' totals; billing
     * records without a usage record created within {@code crashes} are counted apart (a kill -9 loses queued
     * usage records); {@code limit} caps each list of differing rows.
     */
    Books read(long sinceMillis, List<JournalTotals.Window> crashes, int limit);

    /** The billing records of these request ids, by request id. */
    java.util.Map<String, Billed> billed(java.util.Set<String> requestIds);
  }

  /** A billing record's tenant and amount (looked up by request id for the journal's settlements). */
  public record Billed(long tenantId, long amountMicros) {}

  /** One tenant's amount as two sources see it (for a negative wallet: the balance twice). */
  public record TenantDiff(long tenantId, long expected, long found) {}

  static String amount(Long micros) {
    return micros == null ? "missing" : Money.format(micros);
  }
}
