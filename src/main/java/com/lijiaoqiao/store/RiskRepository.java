package com.lijiaoqiao.store;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.risk.RiskStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Risk policies, the review queue and suppressions. */
public final class RiskRepository implements RiskStore {
  private static final String COLUMNS = "id, tenant_id, user_id, api_key_id, pattern, score, action, context, "
      + "request_id, hits, status, decided_by, decided_at, note, created_at, updated_at";
  private final DataSource ds;

  public RiskRepository(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public Map<String, String> policies() {
    Map<String, String> out = new LinkedHashMap<>();
    Jdbc.query(ds, "SELECT scope, policy FROM risk_policies", ps -> {}, rs -> out.put(rs.getString(1), rs.getString(2)));
    return out;
  }

  @Override
  public void savePolicy(String scope, String json) {
    int n = Jdbc.update(ds, "UPDATE risk_policies SET policy = ?, updated_at = CURRENT_TIMESTAMP WHERE scope = ?", ps -> {
      ps.setString(1, json);
      ps.setString(2, scope);
    });
    if (n == 0) {
      Jdbc.update(ds, "INSERT INTO risk_policies(scope, policy) VALUES (?, ?)", ps -> {
        ps.setString(1, scope);
        ps.setString(2, json);
      });
    }
  }

  @Override
  public boolean deletePolicy(String scope) {
    return Jdbc.update(ds, "DELETE FROM risk_policies WHERE scope = ?", ps -> ps.setString(1, scope)) == 1;
  }

  @Override
  public long queue(Review r, DomainEvent event) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        Long open = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM risk_reviews WHERE api_key_id = ? AND pattern = ? "
            + "AND status = 'open' ORDER BY id LIMIT 1")) {
          ps.setLong(1, r.keyId());
          ps.setString(2, r.pattern());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) open = rs.getLong(1);
          }
        }
        long id;
        if (open != null) {
          id = open;
          try (PreparedStatement ps = c.prepareStatement("UPDATE risk_reviews SET hits = hits + ?, score = GREATEST(score, ?), "
              + "action = CASE WHEN ? = 'block' THEN 'block' ELSE action END, updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
            ps.setInt(1, Math.max(1, r.hits()));
            ps.setInt(2, r.score());
            ps.setString(3, r.action());
            ps.setLong(4, id);
            ps.executeUpdate();
          }
        } else {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO risk_reviews(tenant_id, user_id, api_key_id, pattern, "
              + "score, action, context, request_id, hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
            ps.setLong(1, r.tenantId());
            ps.setLong(2, r.userId());
            ps.setLong(3, r.keyId());
            ps.setString(4, r.pattern());
            ps.setInt(5, r.score());
            ps.setString(6, r.action());
            ps.setString(7, r.context());
            ps.setString(8, r.requestId());
            ps.setInt(9, Math.max(1, r.hits()));
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
              rs.next();
              id = rs.getLong(1);
            }
          }
          if (event != null) OutboxRepository.append(c, List.of(event));
        }
        c.commit();
        return id;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("queueing a risk review failed", e);
    }
  }

  @Override
  public List<Review> reviews(String status, Long tenantId, int limit, long beforeId) {
    StringBuilder where = new StringBuilder(" WHERE id < ?");
    List<Object> args = new java.util.ArrayList<>();
    args.add(beforeId);
    if (status != null) {
      where.append(" AND status = ?");
      args.add(status);
    }
    if (tenantId != null) {
      where.append(" AND tenant_id = ?");
      args.add(tenantId);
    }
    args.add(limit);
    return Jdbc.query(ds, "SELECT " + COLUMNS + " FROM risk_reviews" + where + " ORDER BY id DESC LIMIT ?",
        ps -> Jdbc.bindAll(ps, args), RiskRepository::row);
  }

  @Override
  public Optional<Review> review(long id) {
    return Jdbc.query(ds, "SELECT " + COLUMNS + " FROM risk_reviews WHERE id = ?", ps -> ps.setLong(1, id),
        RiskRepository::row).stream().findFirst();
  }

  @Override
  public boolean resolve(long id, String status, long decidedBy, String note, DomainEvent event) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        int n;
        try (PreparedStatement ps = c.prepareStatement("UPDATE risk_reviews SET status = ?, decided_by = ?, decided_at = ?, "
            + "note = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ? AND status = 'open'")) {
          ps.setString(1, status);
          ps.setLong(2, decidedBy);
          ps.setTimestamp(3, Timestamp.from(Instant.now()));
          ps.setString(4, note);
          ps.setLong(5, id);
          n = ps.executeUpdate();
        }
        if (n == 1 && event != null) OutboxRepository.append(c, List.of(event));
        c.commit();
        return n == 1;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("resolving a risk review failed", e);
    }
  }

  @Override
  public void suppress(long keyId, List<String> rules, long untilMillis) {
    for (String rule : rules) {
      int n = Jdbc.update(ds, "UPDATE risk_suppressions SET until_ms = ? WHERE api_key_id = ? AND rule = ?", ps -> {
        ps.setLong(1, untilMillis);
        ps.setLong(2, keyId);
        ps.setString(3, rule);
      });
      if (n == 0) {
        Jdbc.update(ds, "INSERT INTO risk_suppressions(api_key_id, rule, until_ms) VALUES (?, ?, ?)", ps -> {
          ps.setLong(1, keyId);
          ps.setString(2, rule);
          ps.setLong(3, untilMillis);
        });
      }
    }
  }

  @Override
  public Map<Long, Map<String, Long>> suppressions(long nowMillis) {
    Map<Long, Map<String, Long>> out = new HashMap<>();
    Jdbc.query(ds, "SELECT api_key_id, rule, until_ms FROM risk_suppressions WHERE until_ms > ?",
        ps -> ps.setLong(1, nowMillis),
        rs -> out.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3)));
    return out;
  }

  private static Review row(ResultSet rs) throws SQLException {
    return new Review(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getInt(6),
        rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10), rs.getString(11),
        rs.getObject(12, Long.class), Jdbc.instant(rs, "decided_at"), rs.getString(14), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "updated_at"));
  }
}
