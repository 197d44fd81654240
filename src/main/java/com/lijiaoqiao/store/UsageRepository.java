package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.billing.UsageFacts;
import com.lijiaoqiao.usage.UsageRecord;
import com.lijiaoqiao.usage.UsageSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Usage records, inserted in batches; idempotent by request id. Those of billed requests are written by the
 * ledger's transaction ({@link #insertMissing}); the recorder's batches bring those of unbilled requests.
 */
public final class UsageRepository implements UsageSink {
  private static final String COLUMNS = "usage_records(request_id, tenant_id, user_id, api_key_id, "
      + "endpoint, model, served_model, provider, stream, prompt_tokens, completion_tokens, cached_tokens, "
      + "tokens_estimated, latency_ms, ttft_ms, status_code, outcome, error_code, cost_micros, created_at, cache_write_tokens)";
  private static final String VALUES = " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  // A replayed record (same request id) must not fail the batch: each database says "skip it" its own way.
  private static final String INSERT_PG = "INSERT INTO " + COLUMNS + VALUES + " ON CONFLICT (request_id) DO NOTHING";
  private static final String INSERT_H2 = "INSERT INTO " + COLUMNS + VALUES;
  private static final String MERGE_H2 = "MERGE INTO " + COLUMNS + " KEY (request_id)" + VALUES;

  private final DataSource ds;
  private final String insert;

  private final boolean postgres;

  public UsageRepository(DataSource ds, boolean postgres) {
    this.ds = ds;
    this.postgres = postgres;
    this.insert = postgres ? INSERT_PG : INSERT_H2;
  }

  @Override
  public void write(List<UsageRecord> batch) {
    if (batch.isEmpty()) return;
    try {
      write(batch, insert);
    } catch (StoreException e) {
      if (postgres) throw e;
      // H2: a plain INSERT is several times cheaper than MERGE; only a replayed batch needs the merge.
      write(batch, MERGE_H2);
    }
  }

  private void write(List<UsageRecord> batch, String sql) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (UsageRecord r : batch) {
          bind(ps, r);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("writing " + batch.size() + " usage records failed", e);
    }
  }

  /**
   * Inserts, within the caller's transaction (the ledger's), the records whose request id is not stored yet:
   * the billed request's usage record lands with its billing record or not at all.
   */
  static void insertMissing(Connection c, List<UsageRecord> records) throws SQLException {
    if (records.isEmpty()) return;
    Set<String> known = new HashSet<>();
    for (int from = 0; from < records.size(); from += 500) {
      List<UsageRecord> part = records.subList(from, Math.min(records.size(), from + 500));
      String marks = String.join(",", Collections.nCopies(part.size(), "?"));
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT request_id FROM usage_records WHERE request_id IN (" + marks + ")")) {
        for (int i = 0; i < part.size(); i++) ps.setString(i + 1, part.get(i).requestId());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) known.add(rs.getString(1));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_H2)) {
      boolean any = false;
      for (UsageRecord r : records) {
        if (!known.add(r.requestId())) continue;
        bind(ps, r);
        ps.addBatch();
        any = true;
      }
      if (any) ps.executeBatch();
    }
  }

  /** The usage record a journaled settlement carries; null for a settlement without one (older journals). */
  static UsageRecord of(Settlement s) {
    UsageFacts u = s.usage();
    if (u == null) return null;
    return new UsageRecord(s.requestId(), s.tenantId(), s.userId(), s.apiKeyId(), u.endpoint(), u.requestedModel(),
        u.servedModel(), s.provider(), u.stream(), s.promptTokens(), s.completionTokens(), s.cachedTokens(),
        s.cacheWriteTokens(), s.tokensEstimated(), u.latencyMs(), u.ttftMs(), u.statusCode(), u.outcome(),
        u.errorCode(), s.costMicros(), Instant.ofEpochMilli(s.createdAtMillis()));
  }

  private static void bind(PreparedStatement ps, UsageRecord r) throws SQLException {
    ps.setString(1, r.requestId());
    ps.setLong(2, r.tenantId());
    ps.setLong(3, r.userId());
    ps.setLong(4, r.apiKeyId());
    ps.setString(5, r.endpoint());
    ps.setString(6, r.model());
    ps.setString(7, r.servedModel());
    ps.setString(8, r.provider());
    ps.setBoolean(9, r.stream());
    ps.setLong(10, r.promptTokens());
    ps.setLong(11, r.completionTokens());
    ps.setLong(12, r.cachedTokens());
    ps.setBoolean(13, r.tokensEstimated());
    ps.setInt(14, r.latencyMs());
    if (r.ttftMs() == null) ps.setNull(15, Types.INTEGER);
    else ps.setInt(15, r.ttftMs());
    ps.setInt(16, r.statusCode());
    ps.setString(17, r.outcome());
    ps.setString(18, r.errorCode());
    ps.setLong(19, r.costMicros());
    ps.setTimestamp(20, Jdbc.timestamp(r.createdAt()));
    ps.setLong(21, r.cacheWriteTokens());
  }

  /** For tests and the admin views: records of one request id. */
  public List<UsageRecord> findByRequestId(String requestId) {
    return Jdbc.query(ds, "SELECT * FROM usage_records WHERE request_id = ?", ps -> ps.setString(1, requestId),
        rs -> new UsageRecord(rs.getString("request_id"), rs.getLong("tenant_id"), rs.getLong("user_id"),
            rs.getLong("api_key_id"), rs.getString("endpoint"), rs.getString("model"),
            rs.getString("served_model"), rs.getString("provider"), rs.getBoolean("stream"),
            rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"), rs.getLong("cached_tokens"),
            rs.getLong("cache_write_tokens"),
            rs.getBoolean("tokens_estimated"), rs.getInt("latency_ms"),
            (Integer) rs.getObject("ttft_ms"), rs.getInt("status_code"), rs.getString("outcome"),
            rs.getString("error_code"), rs.getLong("cost_micros"), Jdbc.instant(rs, "created_at")));
  }

  public long count() {
    return Jdbc.query(ds, "SELECT COUNT(*) FROM usage_records", ps -> {}, rs -> rs.getLong(1)).get(0);
  }
}
