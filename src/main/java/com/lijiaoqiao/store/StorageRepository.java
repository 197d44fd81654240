package com.lijiaoqiao.store;

import com.lijiaoqiao.storage.ArchiveKind;
import com.lijiaoqiao.storage.ArchiveStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** Archived windows, the rows they hold, retention, and the per-tenant request-log settings (V15). */
public final class StorageRepository implements ArchiveStore {
  private static final Map<ArchiveKind, String> TABLES = Map.of(ArchiveKind.USAGE, "usage_records",
      ArchiveKind.BILLING, "billing_records", ArchiveKind.LEDGER, "ledger_entries", ArchiveKind.AUDIT, "audit_events");

  private final DataSource ds;

  /** {@code postgres} is accepted for symmetry with the other repositories; the SQL here is the same on both. */
  public StorageRepository(DataSource ds, boolean postgres) {
    this.ds = ds;
  }

  private static Timestamp start(LocalDate day) {
    return Timestamp.from(day.atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  @Override
  public void forEachRow(ArchiveKind kind, LocalDate day, Consumer<Map<String, Object>> row) {
    String sql = "SELECT * FROM " + TABLES.get(kind) + " WHERE created_at >= ? AND created_at < ? ORDER BY id";
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
      c.setReadOnly(true);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(1_000);
        ps.setTimestamp(1, start(day));
        ps.setTimestamp(2, start(day.plusDays(1)));
        try (ResultSet rs = ps.executeQuery()) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              Object v = rs.getObject(i);
              if (v instanceof Timestamp t) v = t.toInstant().toString();
              else if (v instanceof java.time.OffsetDateTime o) v = o.toInstant().toString();
              else if (v instanceof Integer n) v = n.longValue();
              m.put(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), v);
            }
            row.accept(m);
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new StoreException("reading " + kind.id + " rows failed", e);
    }
  }

  @Override
  public boolean claim(ArchiveKind kind, LocalDate day, String nodeId, long ttlMs) {
    long now = System.currentTimeMillis();
    int n = Jdbc.update(ds, "UPDATE storage_windows SET node_id = ?, claimed_until_ms = ?, attempts = attempts + 1, "
        + "updated_at = CURRENT_TIMESTAMP WHERE kind = ? AND window_day = ? AND state = 'uploading' "
        + "AND (node_id = ? OR claimed_until_ms < ?)", ps -> {
          ps.setString(1, nodeId);
          ps.setLong(2, now + ttlMs);
          ps.setString(3, kind.id);
          ps.setDate(4, java.sql.Date.valueOf(day));
          ps.setString(5, nodeId);
          ps.setLong(6, now);
        });
    if (n == 1) return true;
    if (window(kind, day) != null) return false; // verified, pruned, or another node's live claim
    try {
      Jdbc.update(ds, "INSERT INTO storage_windows(kind, window_day, state, node_id, claimed_until_ms, attempts) "
          + "VALUES (?, ?, 'uploading', ?, ?, 1)", ps -> {
            ps.setString(1, kind.id);
            ps.setDate(2, java.sql.Date.valueOf(day));
            ps.setString(3, nodeId);
            ps.setLong(4, now + ttlMs);
          });
      return true;
    } catch (StoreException e) {
      return false; // another node inserted it first (the primary key)
    }
  }

  @Override
  public void renew(ArchiveKind kind, LocalDate day, String nodeId, long ttlMs) {
    Jdbc.update(ds, "UPDATE storage_windows SET claimed_until_ms = ? WHERE kind = ? AND window_day = ? AND node_id = ? "
        + "AND state = 'uploading'", ps -> {
          ps.setLong(1, System.currentTimeMillis() + ttlMs);
          ps.setString(2, kind.id);
          ps.setDate(3, java.sql.Date.valueOf(day));
          ps.setString(4, nodeId);
        });
  }

  @Override
  public boolean verified(ArchiveKind kind, LocalDate day, String nodeId, long rows, String manifestKey, String sha) {
    return Jdbc.update(ds, "UPDATE storage_windows SET state = 'verified', row_count = ?, manifest_key = ?, "
        + "manifest_sha256 = ?, last_error = NULL, verified_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP "
        + "WHERE kind = ? AND window_day = ? AND node_id = ? AND state = 'uploading'", ps -> {
          ps.setLong(1, rows);
          ps.setString(2, manifestKey);
          ps.setString(3, sha);
          ps.setString(4, kind.id);
          ps.setDate(5, java.sql.Date.valueOf(day));
          ps.setString(6, nodeId);
        }) == 1;
  }

  @Override
  public void failed(ArchiveKind kind, LocalDate day, String nodeId, String error) {
    String e = error == null ? "" : error.length() > 300 ? error.substring(0, 300) : error;
    Jdbc.update(ds, "UPDATE storage_windows SET claimed_until_ms = 0, last_error = ?, updated_at = CURRENT_TIMESTAMP "
        + "WHERE kind = ? AND window_day = ? AND node_id = ? AND state = 'uploading'", ps -> {
          ps.setString(1, e);
          ps.setString(2, kind.id);
          ps.setDate(3, java.sql.Date.valueOf(day));
          ps.setString(4, nodeId);
        });
  }

  @Override
  public void reopen(ArchiveKind kind, LocalDate day) {
    Jdbc.update(ds, "UPDATE storage_windows SET state = 'uploading', claimed_until_ms = 0, "
        + "last_error = 'rows changed after archiving', updated_at = CURRENT_TIMESTAMP "
        + "WHERE kind = ? AND window_day = ? AND state = 'verified'", ps -> {
          ps.setString(1, kind.id);
          ps.setDate(2, java.sql.Date.valueOf(day));
        });
  }

  @Override
  public Window window(ArchiveKind kind, LocalDate day) {
    List<Window> w = Jdbc.query(ds, "SELECT * FROM storage_windows WHERE kind = ? AND window_day = ?", ps -> {
      ps.setString(1, kind.id);
      ps.setDate(2, java.sql.Date.valueOf(day));
    }, StorageRepository::window);
    return w.isEmpty() ? null : w.get(0);
  }

  @Override
  public List<Window> windows(List<String> states) {
    String marks = String.join(",", java.util.Collections.nCopies(states.size(), "?"));
    return Jdbc.query(ds, "SELECT * FROM storage_windows WHERE state IN (" + marks + ") ORDER BY window_day, kind",
        ps -> {
          for (int i = 0; i < states.size(); i++) ps.setString(i + 1, states.get(i));
        }, StorageRepository::window);
  }

  private static Window window(ResultSet rs) throws SQLException {
    long rows = rs.getLong("row_count");
    return new Window(ArchiveKind.of(rs.getString("kind")), rs.getDate("window_day").toLocalDate(),
        rs.getString("state"), rs.getString("node_id"), rs.getInt("attempts"), rs.wasNull() ? null : rows,
        rs.getString("manifest_key"), rs.getString("manifest_sha256"), rs.getString("last_error"));
  }

  @Override
  public int pruneUsage(LocalDate day, long expectedRows) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        int marked;
        try (PreparedStatement ps = c.prepareStatement("UPDATE storage_windows SET state = 'pruned', "
            + "pruned_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP WHERE kind = 'usage' AND window_day = ? "
            + "AND state = 'verified'")) {
          ps.setDate(1, java.sql.Date.valueOf(day));
          marked = ps.executeUpdate();
        }
        if (marked != 1) {
          c.rollback();
          return 0; // not verified (or pruned already): nothing is deleted
        }
        int deleted;
        try (PreparedStatement ps = c.prepareStatement(
            "DELETE FROM usage_records WHERE created_at >= ? AND created_at < ?")) {
          ps.setTimestamp(1, start(day));
          ps.setTimestamp(2, start(day.plusDays(1)));
          deleted = ps.executeUpdate();
        }
        if (deleted != expectedRows) {
          c.rollback(); // a row arrived after the check: it was never archived, so nothing goes
          return -1;
        }
        c.commit();
        return deleted;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("pruning usage records failed", e);
    }
  }

  // Request-log settings

  /** A tenant's choice; absent = off with the default retention. */
  public record LogSetting(long tenantId, boolean enabled, int retentionDays) {}

  public List<LogSetting> logSettings() {
    return Jdbc.query(ds, "SELECT tenant_id, enabled, retention_days FROM request_log_settings ORDER BY tenant_id",
        ps -> {}, rs -> new LogSetting(rs.getLong(1), rs.getBoolean(2), rs.getInt(3)));
  }

  public LogSetting logSetting(long tenantId) {
    List<LogSetting> r = Jdbc.query(ds, "SELECT tenant_id, enabled, retention_days FROM request_log_settings "
        + "WHERE tenant_id = ?", ps -> ps.setLong(1, tenantId), rs -> new LogSetting(rs.getLong(1), rs.getBoolean(2),
        rs.getInt(3)));
    return r.isEmpty() ? null : r.get(0);
  }

  public void saveLogSetting(LogSetting s, long byUser) {
    int n = Jdbc.update(ds, "UPDATE request_log_settings SET enabled = ?, retention_days = ?, updated_by = ?, "
        + "updated_at = CURRENT_TIMESTAMP WHERE tenant_id = ?", ps -> {
          ps.setBoolean(1, s.enabled());
          ps.setInt(2, s.retentionDays());
          ps.setLong(3, byUser);
          ps.setLong(4, s.tenantId());
        });
    if (n == 1) return;
    try {
      Jdbc.update(ds, "INSERT INTO request_log_settings(tenant_id, enabled, retention_days, updated_by) "
          + "VALUES (?, ?, ?, ?)", ps -> {
            ps.setLong(1, s.tenantId());
            ps.setBoolean(2, s.enabled());
            ps.setInt(3, s.retentionDays());
            ps.setLong(4, byUser);
          });
    } catch (StoreException raced) {
      saveLogSetting(s, byUser); // another node inserted it a moment ago: update that row
    }
  }
}
