package com.lijiaoqiao.app;

import com.lijiaoqiao.billing.Reconciliation;
import com.lijiaoqiao.billing.SettlementJournal;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.LedgerRepository;
import com.lijiaoqiao.store.ReconcileQueries;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Holds independent sums against each other (docs/billing.md "ljq reconcile"): the settlement journals (what
 * clients were told they were charged), the billing records, the usage records and the ledger postings; every
 * transaction balanced, every wallet equal to its entries and not negative. Settlements still in a journal (a
 * crash) are shipped first. Run it with the gateway stopped (the embedded database is single-process; no
 * reservation outlives the process). Exits 1 on any drift, 2 when the books agree but settlements.rejected
 * holds entries (they are listed), 0 otherwise.
 */
@Command(name = "reconcile", description = "Check the billing books; exits 1 on any drift, 2 on set-aside entries.")
final class ReconcileCommand implements Callable<Integer> {
  @Option(names = "--data-dir", description = "Data directory of an embedded-database gateway.")
  Path dataDir;

  @Option(names = "--config", description = "YAML configuration file (for a PostgreSQL gateway).")
  Path config;

  @Option(names = "--journal", description = "A node's journal directory (DATA_DIR/journal); repeat it for every "
      + "node of a cluster. Default: the data directory's own.")
  List<Path> journalDirs = new ArrayList<>();

  @Option(names = "--archive", description = "Also check the object-storage archive: every verified window's manifest "
      + "and files (checksums, counts, sums) against each other and the database (storage.s3 must be configured).")
  boolean archive;

  @Override
  public Integer call() {
    GatewayConfig cfg = ConfigLoader.load(config, System.getenv());
    if (dataDir != null) cfg.dataDir = dataDir.toString();
    Path dir = Path.of(cfg.dataDir);
    String url = cfg.database.url.isBlank() ? Database.embeddedUrl(dir) : cfg.database.url;
    Set<Path> dirs = new LinkedHashSet<>(journalDirs);
    if (dirs.isEmpty()) dirs.add(dir.resolve("journal"));
    try (Database db = Database.open(url, cfg.database.username, cfg.database.password, 2)) {
      db.migrate();
      LedgerRepository ledger = new LedgerRepository(db.dataSource(), db.isPostgres(), db.durability());
      List<SettlementJournal.Figures> figures = new ArrayList<>();
      List<SettlementJournal.SetAside> aside = new ArrayList<>();
      for (Path d : dirs) {
        try (SettlementJournal journal = new SettlementJournal(d)) {
          SettlementJournal.Replayed replayed = journal.replayInto(ledger);
          if (replayed.shipped() > 0) {
            System.out.println("shipped " + replayed.shipped() + " settlements left in " + d);
          }
          figures.add(journal.figures());
          aside.addAll(journal.setAsideEntries());
        }
      }
      // The journals given are taken to be every node's, so their totals must match the billing records.
      Reconciliation.Report report = Reconciliation.run(new ReconcileQueries(db.dataSource(), db.isPostgres()), figures,
          true, aside, new Reconciliation.OpenReservations(0, 0));
      print(report, System.out);
      int exit = report.exitCode();
      if (archive) exit = Math.max(exit, checkArchive(cfg, db));
      return exit;
    }
  }

  /** 0 when every archived window agrees with its files and the database, 1 otherwise (or without storage). */
  private static int checkArchive(GatewayConfig cfg, Database db) {
    if (!cfg.storage.s3.enabled) {
      System.out.println("ARCHIVE NOT CHECKED: storage.s3 is not enabled in the configuration");
      return 1;
    }
    try (var store = StorageRoom.openStore(cfg.storage.s3)) {
      var r = com.lijiaoqiao.storage.ArchiveCheck.run(store,
          new com.lijiaoqiao.store.StorageRepository(db.dataSource(), db.isPostgres()));
      System.out.printf("%-40s %s%n", "archived windows checked", r.windows());
      System.out.printf("%-40s %s%n", "archived rows read", r.rows());
      r.drifts().forEach(d -> System.out.println("DRIFT archive: " + d));
      System.out.println(r.ok() ? "ARCHIVE VERIFIED" : "ARCHIVE DRIFT DETECTED");
      return r.ok() ? 0 : 1;
    } catch (com.lijiaoqiao.storage.ObjectStore.StoreUnavailable e) {
      System.out.println("ARCHIVE NOT CHECKED: " + e.getMessage());
      return 1;
    }
  }

  static void print(Reconciliation.Report r, PrintStream out) {
    for (Map.Entry<String, Object> e : r.figures().entrySet()) {
      out.printf("%-40s %s%n", e.getKey().replace('_', ' '), e.getValue());
    }
    for (Reconciliation.Drift d : r.drifts()) {
      out.println("DRIFT " + d.check() + ": " + d.detail());
      d.ids().forEach(id -> out.println("  " + id));
    }
    out.println(r.ok() ? "RECONCILED" : "DRIFT DETECTED");
    out.println("set aside, not in the ledger (journal/settlements.rejected): " + r.setAside().size());
    r.setAside().forEach(a -> out.println("  " + a));
    if (!r.setAside().isEmpty()) out.println("SET-ASIDE ENTRIES NEED AN OPERATOR");
  }
}
