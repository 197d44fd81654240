package com.lijiaoqiao.app;

import com.lijiaoqiao.storage.ArchiveKind;
import com.lijiaoqiao.storage.Archiver;
import com.lijiaoqiao.storage.ObjectStore;
import com.lijiaoqiao.storage.StorageMetrics;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.StorageRepository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ljq archive --from YYYY-MM-DD --to YYYY-MM-DD}: archives those days now (every kind), as the daily job would.
 * A window another node or run already archived is left alone (exactly once); a day not yet over is refused. Safe to
 * run beside running gateways. Exits 1 when any window failed (its rows stay in the database), 2 on bad arguments.
 */
@Command(name = "archive", description = "Archive usage, billing, ledger and audit records of past days to object storage.")
final class ArchiveCommand implements Callable<Integer> {
  static final int MAX_DAYS = 366;

  @Option(names = "--from", required = true, description = "First UTC day (YYYY-MM-DD).")
  String from;

  @Option(names = "--to", required = true, description = "Last UTC day (YYYY-MM-DD), inclusive.")
  String to;

  @Option(names = "--data-dir", description = "Data directory of an embedded-database gateway.")
  Path dataDir;

  @Option(names = "--config", description = "YAML configuration file (storage.s3 and the database).")
  Path config;

  @Override
  public Integer call() {
    LocalDate first;
    LocalDate last;
    try {
      first = LocalDate.parse(from);
      last = LocalDate.parse(to);
    } catch (DateTimeParseException e) {
      System.err.println("--from and --to must be dates as YYYY-MM-DD");
      return 2;
    }
    if (last.isBefore(first) || first.plusDays(MAX_DAYS).isBefore(last)) {
      System.err.println("--to must be on or after --from, and at most " + MAX_DAYS + " days later");
      return 2;
    }
    GatewayConfig cfg = ConfigLoader.load(config, System.getenv());
    if (dataDir != null) cfg.dataDir = dataDir.toString();
    if (!cfg.storage.s3.enabled) {
      System.err.println("storage.s3 is not enabled in the configuration");
      return 2;
    }
    String url = cfg.database.url.isBlank() ? Database.embeddedUrl(Path.of(cfg.dataDir)) : cfg.database.url;
    try (Database db = Database.open(url, cfg.database.username, cfg.database.password, 2);
         ObjectStore store = StorageRoom.openStore(cfg.storage.s3)) {
      db.migrate();
      Archiver archiver = new Archiver(store, new StorageRepository(db.dataSource(), db.isPostgres()),
          "cli-" + java.util.UUID.randomUUID(), cfg.storage.archive.rowsPerPart, Clock.systemUTC(),
          new StorageMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
      return run(archiver, first, last, Duration.ofMinutes(Math.max(0, cfg.storage.archive.graceMinutes)));
    }
  }

  static int run(Archiver archiver, LocalDate first, LocalDate last, Duration grace) {
    int failed = 0;
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      if (!archiver.isOver(d, grace)) {
        System.out.println(d + ": not over yet (a day is archived once it ended plus the grace period)");
        failed++;
        continue;
      }
      for (ArchiveKind k : ArchiveKind.values()) {
        Archiver.Result r = archiver.archive(k, d);
        System.out.printf("%s %-8s %s%n", d, k.id, r.name().toLowerCase().replace('_', ' '));
        if (r == Archiver.Result.FAILED) failed++;
      }
    }
    System.out.println(failed == 0 ? "ARCHIVED" : "ARCHIVE INCOMPLETE");
    return failed == 0 ? 0 : 1;
  }
}
