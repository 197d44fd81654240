package com.lijiaoqiao.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The two databases every storage test runs on: embedded H2 and the real PostgreSQL on 127.0.0.1:5432
 * (database test, user postgres). Each PostgreSQL test gets its own fresh schema. Without a reachable
 * PostgreSQL the test fails in CI (CI=true) and is skipped, with the reason, elsewhere.
 */
public final class Databases {
  public static final String PG_BASE = System.getenv().getOrDefault("LJQ_TEST_PG_URL",
      "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String PG_USER = System.getenv().getOrDefault("LJQ_TEST_PG_USER", "postgres");

  public enum Kind { H2, POSTGRES }

  private Databases() {}

  /** A URL for a fresh, empty database of the given kind ("" means the embedded default in the data dir). */
  public static String freshUrl(Kind kind) {
    if (kind == Kind.H2) return "";
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(PG_BASE, PG_USER, "");
         Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (Exception e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("PostgreSQL at " + PG_BASE + " is required in CI", e);
      }
      Assumptions.abort("PostgreSQL not reachable at " + PG_BASE + ": " + e.getMessage());
    }
    return PG_BASE + "?currentSchema=" + schema;
  }

  public static void dropIfPostgres(String url) {
    if (url == null || !url.startsWith("jdbc:postgresql:")) return;
    String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
    try (Connection c = DriverManager.getConnection(PG_BASE, PG_USER, "");
         Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (Exception ignored) {
      // best effort
    }
  }
}
