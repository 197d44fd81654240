package com.lijiaoqiao.app;

import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.Database;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ljq audit verify}: checks the audit log's hash chain end to end; exits 1 naming the first broken link. */
@Command(name = "audit", description = "Audit log tools: 'verify' checks the hash chain (exit 1 when broken).")
final class AuditCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "verify")
  String action;

  @Option(names = "--data-dir", description = "Data directory of an embedded-database gateway.")
  Path dataDir;

  @Option(names = "--config", description = "YAML configuration file (for a PostgreSQL gateway).")
  Path config;

  @Override
  public Integer call() {
    if (!"verify".equals(action)) {
      System.err.println("unknown action '" + action + "': use 'ljq audit verify'");
      return 2;
    }
    GatewayConfig cfg = ConfigLoader.load(config, System.getenv());
    if (dataDir != null) cfg.dataDir = dataDir.toString();
    String url = cfg.database.url.isBlank() ? Database.embeddedUrl(Path.of(cfg.dataDir)) : cfg.database.url;
    try (Database db = Database.open(url, cfg.database.username, cfg.database.password, 2)) {
      db.migrate();
      AuditRepository.Verification v = new AuditRepository(db.dataSource()).verify();
      System.out.println("audit rows checked: " + v.rows());
      if (v.ok()) {
        System.out.println("AUDIT CHAIN INTACT");
        return 0;
      }
      System.out.println("AUDIT CHAIN BROKEN" + (v.brokenId() == null ? "" : " at row " + v.brokenId()) + ": " + v.reason());
      return 1;
    }
  }
}
