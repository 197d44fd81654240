package com.lijiaoqiao.billing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks of a reconciliation (SPEC §5), on independent sums: what the journals say clients were charged,
 * the billing records, the usage records and the ledger postings must agree, every transaction balances,
 * every wallet equals its entries and none is negative. Pure: the figures come from the store and the journals.
 */
public final class Reconciliation {
  /** How many differing request ids (or tenants, transactions) a drift names. */
  public static final int LIMIT = 20;

  /** One disagreement: which check, what differs, and the first request ids (or tenants) concerned. */
  public record Drift(String check, String detail, List<String> ids) {}

  /** Reservations held in memory by a running node (none for a stopped one). */
  public record OpenReservations(long count, long micros) {}

  /** Figures in print order (money as decimal strings), drifts, and what waits in settlements.rejected. */
  public record Report(Map<String, Object> figures, List<Drift> drifts, List<SettlementJournal.SetAside> setAside) {
    public boolean ok() {
      return drifts.isEmpty();
    }

    /** 1 on any drift, 2 when the books agree but set-aside entries wait for an operator, else 0. */
    public int exitCode() {
      return !drifts.isEmpty() ? 1 : setAside.isEmpty() ? 0 : 2;
    }
  }

  /** Reads the books for these journals and checks them. Blocking. */
  public static Report run(Books.Source source, List<SettlementJournal.Figures> journals, boolean compareTotals,
                           List<SettlementJournal.SetAside> setAside, OpenReservations open) {
    long since = journals.stream().mapToLong(SettlementJournal.Figures::sinceMillis).min().orElse(0);
    List<JournalTotals.Window> crashes = journals.stream().flatMap(j -> j.uncleanStops().stream()).toList();
    return check(source.read(since, crashes, LIMIT), journals, compareTotals, source::billed, setAside, open);
  }

  /**
   * @param journals the settlement journals to hold the books against (every node's for the totals)
   * @param compareTotals whether the journals are all there are, so their totals must equal the billing records
   * @param billed looks billing records up by request id
   */
  public static Report check(Books b, List<SettlementJournal.Figures> journals, boolean compareTotals,
                             Function<Set<String>, Map<String, Books.Billed>> billed,
                             List<SettlementJournal.SetAside> setAside, OpenReservations open) {
    Map<String, Object> f = new LinkedHashMap<>();
    List<Drift> drifts = new ArrayList<>();

    // The ledger invariant.
    f.put("topups", Money.format(b.topups()));
    f.put("wallet_balances", Money.format(b.walletBalances()));
    f.put("open_reservations", Money.format(open.micros()));
    f.put("open_reservation_count", open.count());
    f.put("refunds", Money.format(b.refunds()));
    long right = b.walletBalances() + b.billedMicros() - b.refunds();
    if (b.topups() != right) {
      drifts.add(new Drift("invariant", "top-ups " + Money.format(b.topups()) + " != balances + charges - refunds "
          + Money.format(right) + " (by " + Money.format(b.topups() - right) + ")", List.of()));
    }
    // Σ consumer charges = Σ supplier earnings + Σ platform revenue (refunds come out of the platform's share).
    f.put("platform_revenue", Money.format(b.revenueEntries()));
    f.put("supplier_earnings", Money.format(b.supplierEarningPostings()));
    if (b.revenueEntries() + b.supplierEarningPostings() != b.billedMicros() - b.refunds()) {
      drifts.add(new Drift("revenue", "platform revenue " + Money.format(b.revenueEntries()) + " + supplier earnings "
          + Money.format(b.supplierEarningPostings()) + " != charges - refunds "
          + Money.format(b.billedMicros() - b.refunds()), List.of()));
    }
    f.put("supplier_earning_rows", Money.format(b.supplyEarningRows()));
    f.put("supplier_unpaid", Money.format(b.supplierLedgerHeld()));
    f.put("supplier_paid", Money.format(b.supplierPaid()));
    if (b.supplierEarningPostings() != b.supplyEarningRows()) {
      drifts.add(new Drift("supplier_earnings", "supplier earning postings " + Money.format(b.supplierEarningPostings())
          + " != earning rows " + Money.format(b.supplyEarningRows()), List.of()));
    }
    if (b.supplierLedgerHeld() + b.supplierPaid() != b.supplierEarningPostings()) {
      drifts.add(new Drift("supplier_accounts", "supplier accounts " + Money.format(b.supplierLedgerHeld())
          + " + paid out " + Money.format(b.supplierPaid()) + " != earned " + Money.format(b.supplierEarningPostings()),
          List.of()));
    }
    if (b.unbalancedCount() > 0) {
      drifts.add(new Drift("unbalanced_transactions", b.unbalancedCount() + " ledger transactions do not sum to zero",
          b.unbalanced()));
    }
    if (!b.walletMismatches().isEmpty()) {
      drifts.add(new Drift("wallet_entries", "wallets whose cached balance is not the sum of their entries",
          b.walletMismatches().stream().map(t -> "tenant " + t.tenantId() + ": wallet " + Money.format(t.expected())
              + " != entries " + Money.format(t.found())).toList()));
    }
    if (!b.negativeWallets().isEmpty()) {
      drifts.add(new Drift("negative_balances", "wallets below zero (no overdraft is allowed)",
          b.negativeWallets().stream().map(t -> "tenant " + t.tenantId() + ": " + Money.format(t.found())).toList()));
    }

    // Billing records against ledger postings (posted per tenant and batch, so compared per tenant).
    f.put("billing_records", b.billedCount());
    f.put("charges", Money.format(b.billedMicros()));
    f.put("charge_postings_wallet", Money.format(b.walletChargePostings()));
    f.put("charge_postings_revenue", Money.format(b.revenueChargePostings()));
    if (b.walletChargePostings() != b.billedMicros()
        || b.revenueChargePostings() + b.supplierEarningPostings() != b.billedMicros()
        || !b.chargeMismatches().isEmpty()) {
      drifts.add(new Drift("charge_postings", "billing records != charge postings (wallet "
          + Money.format(b.walletChargePostings()) + ", revenue " + Money.format(b.revenueChargePostings()) + ")",
          b.chargeMismatches().stream().map(t -> "tenant " + t.tenantId() + ": billed " + Money.format(t.expected())
              + ", revenue and earnings posted " + Money.format(t.found())).toList()));
    }

    // Billing records against usage records, request by request.
    f.put("usage_records_of_billed_requests", b.usageCount());
    f.put("usage_cost_of_billed_requests", Money.format(b.usageMicros()));
    f.put("usage_records_lost_in_crashes", b.usageLostInCrashCount());
    f.put("usage_cost_lost_in_crashes", Money.format(b.usageLostInCrashMicros()));
    if (b.usageDiffCount() > 0) {
      drifts.add(new Drift("usage_records", b.usageDiffCount() + " billed requests without a usage record of the same "
          + "cost (billed vs usage)", b.usageDiffs().stream().map(Books.RequestDiff::toString).toList()));
    }
    if (b.usageUnbilledCount() > 0) {
      drifts.add(new Drift("unbilled_usage", b.usageUnbilledCount() + " usage records with a cost but no billing record",
          b.usageUnbilled().stream().map(d -> d.requestId() + ": " + Books.amount(d.found())).toList()));
    }

    journals(b, journals, compareTotals, billed, setAside, f, drifts);
    f.put("set_aside", setAside.size());
    f.put("set_aside_cost", Money.format(setAside.stream().mapToLong(a -> a.costMicros() == null ? 0 : a.costMicros()).sum()));
    return new Report(f, drifts, setAside);
  }

  private static void journals(Books b, List<SettlementJournal.Figures> journals, boolean compareTotals,
                               Function<Set<String>, Map<String, Books.Billed>> billed,
                               List<SettlementJournal.SetAside> setAside, Map<String, Object> f, List<Drift> drifts) {
    long count = 0;
    long micros = 0;
    long asideCount = 0;
    long asideMicros = 0;
    long inFlight = 0;
    Set<String> aside = new HashSet<>();
    for (SettlementJournal.SetAside a : setAside) if (a.requestId() != null) aside.add(a.requestId());
    Map<String, Settlement> shipped = new LinkedHashMap<>();
    for (SettlementJournal.Figures j : journals) {
      count += j.journaledCount();
      micros += j.journaledMicros();
      asideCount += j.asideCount();
      asideMicros += j.asideMicros();
      for (SettlementJournal.Counted c : j.retained()) {
        if (!c.shipped()) inFlight++;
        else if (!aside.contains(c.settlement().requestId())) shipped.put(c.settlement().requestId(), c.settlement());
      }
    }
    f.put("journaled_settlements", count);
    f.put("journaled_charges", Money.format(micros));
    f.put("journaled_set_aside", asideCount);
    f.put("journaled_in_flight", inFlight);

    // Each settlement the journal still holds and has checkpointed must be in the ledger at the amount journaled.
    Map<String, Books.Billed> found = billed.apply(shipped.keySet());
    List<String> lost = new ArrayList<>();
    long lostCount = 0;
    for (Settlement s : shipped.values()) {
      Books.Billed r = found.get(s.requestId());
      if (r != null && r.amountMicros() == s.costMicros() && r.tenantId() == s.tenantId()) continue;
      lostCount++;
      if (lost.size() < LIMIT) {
        lost.add(s.requestId() + ": journaled " + Money.format(s.costMicros()) + " (tenant " + s.tenantId() + ") vs "
            + (r == null ? "no billing record" : Money.format(r.amountMicros()) + " (tenant " + r.tenantId() + ")"));
      }
    }
    if (lostCount > 0) {
      drifts.add(new Drift("journal", lostCount + " journaled settlements are not in the billing records as journaled",
          lost));
    }
    if (!compareTotals || journals.isEmpty()) return;
    // Over the whole history (compacted journal lines included): what the journals counted, less what was set
    // aside, is what the billing records since the journals began counting must hold.
    long expectCount = count - asideCount - inFlight;
    long expectMicros = micros - asideMicros
        - journals.stream().flatMap(j -> j.retained().stream()).filter(c -> !c.shipped())
            .mapToLong(c -> c.settlement().costMicros()).sum();
    f.put("billing_records_since_journal_began", b.billedSinceCount());
    f.put("charges_since_journal_began", Money.format(b.billedSinceMicros()));
    if (expectCount != b.billedSinceCount() || expectMicros != b.billedSinceMicros()) {
      drifts.add(new Drift("journal_totals", "journaled " + expectCount + " settlements, " + Money.format(expectMicros)
          + " (less set aside) != billing records " + b.billedSinceCount() + ", " + Money.format(b.billedSinceMicros()),
          List.of()));
    }
  }
}
