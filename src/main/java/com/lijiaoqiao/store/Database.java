package com.lijiaoqiao.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The system of record: embedded H2 (file, PostgreSQL mode) by default, PostgreSQL for a
 * {@code jdbc:postgresql:} URL. The same Flyway migrations run on both.
 */
public final class Database implements AutoCloseable {
  /**
   * How long the embedded store may hold committed transactions before writing them to its file. Per-request
   * records (billing, usage, events, routing decisions) then cost one file write per interval instead of one per
   * commit; what must be durable at once is made so through {@link #durability()}, and the settlement journal
   * (written before a request is answered) covers every charge in between.
   */
  public static final int EMBEDDED_WRITE_DELAY_MS = 200;

  private final HikariDataSource dataSource;
  private final boolean postgres;
  private final Durability durability;

  private Database(HikariDataSource ds, boolean postgres, boolean embeddedFile) {
    this.dataSource = ds;
    this.postgres = postgres;
    this.durability = embeddedFile ? new EmbeddedCheckpoint(ds) : Durability.NONE;
  }

  /** The JDBC URL of the embedded database kept in {@code dataDir}. */
  public static String embeddedUrl(Path dataDir) {
    Path file = dataDir.toAbsolutePath().normalize().resolve("ljq");
    // WRITE_DELAY: see EMBEDDED_WRITE_DELAY_MS; a kill -9 can take back at most that much of what was committed
    // and not made durable, and the journal's checkpoint never moves past what is durable, so nothing charged is
    // lost. DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database while SIGTERM is still
    // draining settlements and usage records; Gateway.close closes it last. QUERY_CACHE_SIZE: a settlement batch
    // alone prepares more distinct statements than H2's default of 8 parsed statements per session.
    return "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY="
        + EMBEDDED_WRITE_DELAY_MS + ";DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=64";
  }

  public static Database open(String url, String user, String password, int maxPool) {
    boolean pg = url.startsWith("jdbc:postgresql:");
    if (!pg && !url.startsWith("jdbc:h2:")) {
      throw new IllegalArgumentException("database.url must be a jdbc:postgresql: or jdbc:h2: URL");
    }
    if (url.startsWith("jdbc:h2:file:")) {
      try {
        String path = url.substring("jdbc:h2:file:".length()).split(";", 2)[0];
        Path parent = Path.of(path).toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create the data directory for " + url, e);
      }
    }
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    if (user != null && !user.isEmpty()) cfg.setUsername(user);
    if (password != null && !password.isEmpty()) cfg.setPassword(password);
    cfg.setMaximumPoolSize(Math.max(2, maxPool));
    cfg.setPoolName("ljq-db");
    cfg.setConnectionTimeout(10_000);
    HikariDataSource ds = new HikariDataSource(cfg);
    return new Database(ds, pg, url.startsWith("jdbc:h2:file:"));
  }

  /** Applies pending migrations; returns how many ran. */
  public int migrate() {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate()
        .migrationsExecuted;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Makes committed transactions crash-safe; a no-op where every commit already is (PostgreSQL, in-memory H2). */
  public Durability durability() {
    return durability;
  }

  public boolean isPostgres() {
    return postgres;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
