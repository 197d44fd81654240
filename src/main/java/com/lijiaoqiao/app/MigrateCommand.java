package com.lijiaoqiao.app;

import com.lijiaoqiao.store.Database;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Applies database migrations and exits. */
@Command(name = "migrate", description = "Apply database migrations and exit.")
final class MigrateCommand implements Callable<Integer> {
  @Option(names = "--config", description = "YAML configuration file.")
  Path config;

  @Override
  public Integer call() {
    GatewayConfig cfg = ConfigLoader.load(config, System.getenv());
    String url = cfg.database.url.isBlank() ? Database.embeddedUrl(Path.of(cfg.dataDir)) : cfg.database.url;
    try (Database db = Database.open(url, cfg.database.username, cfg.database.password, 2)) {
      int n = db.migrate();
      System.out.println("migrations applied: " + n);
    }
    return 0;
  }
}
