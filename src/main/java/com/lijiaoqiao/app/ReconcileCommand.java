package com.lijiaoqiao.app;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.billing.SettlementJournal;
import com.lijiaoqiao.store.BillingQueries;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.LedgerRepository;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks the ledger invariant (SPEC §5): Σ top-ups = Σ wallet balances + Σ open reservations + Σ charges − Σ
 * refunds, every transaction balanced, every wallet equal to the sum of its entries. Settlements still in the
 * local journal (a crash) are shipped first. Run it with the gateway stopped (the embedded database is
 * single-process). Exits 1 on any drift, 2 when the books balance but settlements.rejected holds entries the
 * ledger refused (they are listed).
 */
@Command(name = "reconcile", description = "Check the billing ledger invariant; exits non-zero on any drift.")
final class ReconcileCommand implements Callable<Integer> {
  @Option(names = "--data-dir", description = "Data directory of an embedded-database gateway.")
  Path dataDir;

  @Option(names = "--config", description = "YAML configuration file (for a PostgreSQL gateway).")
  Path config;

  @Override
  public Integer call() {
    GatewayConfig cfg = ConfigLoader.load(config, System.getenv());
    if (dataDir != null) cfg.dataDir = dataDir.toString();
    Path dir = Path.of(cfg.dataDir);
    String url = cfg.database.url.isBlank() ? Database.embeddedUrl(dir) : cfg.database.url;
    try (Database db = Database.open(url, cfg.database.username, cfg.database.password, 2)) {
      db.migrate();
      LedgerRepository ledger = new LedgerRepository(db.dataSource(), db.isPostgres());
      List<SettlementJournal.SetAside> aside;
      try (SettlementJournal journal = new SettlementJournal(dir.resolve("journal"))) {
        SettlementJournal.Replayed replayed = journal.replayInto(ledger);
        if (replayed.shipped() > 0) {
          System.out.println("shipped " + replayed.shipped() + " settlements left in the journal");
        }
        aside = journal.setAsideEntries();
      }
      boolean ok = report(new BillingQueries(db.dataSource()).figures(), System.out);
      reportSetAside(aside, System.out);
      return !ok ? 1 : aside.isEmpty() ? 0 : 2;
    }
  }

  /**
   * Lists what the journal set aside (settlements.rejected): settlements the ledger refused for good and lines
   * that are not settlements. They are not in the books; an operator resolves them.
   */
  static void reportSetAside(List<SettlementJournal.SetAside> aside, java.io.PrintStream out) {
    out.println("set aside, not in the ledger (journal/settlements.rejected): " + aside.size());
    aside.forEach(a -> out.println("  " + a));
    if (!aside.isEmpty()) out.println("SET-ASIDE ENTRIES NEED AN OPERATOR");
  }

  /** Prints the figures; true when the books balance exactly. (No process runs, so no reservation is open.) */
  static boolean report(BillingQueries.LedgerFigures f, java.io.PrintStream out) {
    long right = f.walletBalances() + f.charges() - f.refunds();
    boolean invariant = f.topups() == right;
    boolean revenue = f.revenueEntries() == f.charges() - f.refunds();
    out.println("top-ups                 " + Money.format(f.topups()));
    out.println("wallet balances         " + Money.format(f.walletBalances()));
    out.println("open reservations       0.00 (none outlive the process)");
    out.println("charges                 " + Money.format(f.charges()) + " (" + f.chargeRecords() + " billing records)");
    out.println("refunds                 " + Money.format(f.refunds()));
    out.println("top-ups = balances + reservations + charges - refunds: " + (invariant ? "OK" : "DRIFT by "
        + Money.format(f.topups() - right)));
    out.println("revenue entries = charges - refunds: " + (revenue ? "OK" : "DRIFT"));
    out.println("unbalanced transactions: " + f.unbalancedTransactions());
    out.println("tenants whose billing records differ from their charge postings: " + f.chargeEntriesMismatch());
    out.println("wallets not equal to their entries: " + f.walletMismatches().size());
    f.walletMismatches().forEach(m -> out.println("  " + m));
    boolean ok = invariant && revenue && f.unbalancedTransactions() == 0 && f.walletMismatches().isEmpty()
        && f.chargeEntriesMismatch() == 0;
    out.println(ok ? "RECONCILED" : "DRIFT DETECTED");
    return ok;
  }
}
