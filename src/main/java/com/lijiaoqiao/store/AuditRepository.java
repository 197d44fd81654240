package com.lijiaoqiao.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/**
 * The audit trail of administrative changes, hash-chained: each row's hash covers the previous row's hash and
 * its own fields, so a row edited or removed afterwards breaks {@link #verifyChain()}. Callers must pass
 * before/after JSON that holds no secret.
 */
public final class AuditRepository {
  public static final String GENESIS = "0".repeat(64);

  public record Event(Long actorUserId, Long actorKeyId, Long tenantId, String action, String targetType,
                      String targetId, String beforeJson, String afterJson, String requestId, String clientIp) {}

  public record Row(long id, Long actorUserId, Long actorKeyId, Long tenantId, String action, String targetType,
                    String targetId, String beforeJson, String afterJson, String requestId, String clientIp,
                    Instant createdAt, String prevHash, String hash) {}

  private final DataSource ds;

  public AuditRepository(DataSource ds) {
    this.ds = ds;
  }

  /**
   * Appends one event. The chain's head row is locked for the append, so appends from every node are one chain in id
   * order (no two rows share a predecessor).
   */
  public long append(Event e) {
    try (java.sql.Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        String prev;
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT hash FROM audit_head WHERE id = 1 FOR UPDATE");
             java.sql.ResultSet rs = ps.executeQuery()) {
          prev = rs.next() ? rs.getString(1) : GENESIS;
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String hash = hash(prev, e, at);
        long id;
        try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO audit_events(actor_user_id, actor_key_id, "
            + "tenant_id, action, target_type, target_id, before_json, after_json, request_id, client_ip, created_at, "
            + "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
          ps.setObject(1, e.actorUserId());
          ps.setObject(2, e.actorKeyId());
          ps.setObject(3, e.tenantId());
          ps.setString(4, e.action());
          ps.setString(5, e.targetType());
          ps.setString(6, e.targetId());
          ps.setString(7, e.beforeJson());
          ps.setString(8, e.afterJson());
          ps.setString(9, e.requestId());
          ps.setString(10, e.clientIp());
          ps.setTimestamp(11, Timestamp.from(at));
          ps.setString(12, prev);
          ps.setString(13, hash);
          ps.executeUpdate();
          try (java.sql.ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            id = rs.getLong(1);
          }
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET hash = ?, last_id = ? WHERE id = 1")) {
          ps.setString(1, hash);
          ps.setLong(2, id);
          if (ps.executeUpdate() == 0) {
            try (java.sql.PreparedStatement ins = c.prepareStatement(
                "INSERT INTO audit_head(id, hash, last_id) VALUES (1, ?, ?)")) {
              ins.setString(1, hash);
              ins.setLong(2, id);
              ins.executeUpdate();
            }
          }
        }
        c.commit();
        return id;
      } catch (java.sql.SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      }
    } catch (java.sql.SQLException ex) {
      throw new StoreException("appending to the audit log failed", ex);
    }
  }

  private static final String COLUMNS = "id, actor_user_id, actor_key_id, tenant_id, action, target_type, target_id, "
      + "before_json, after_json, request_id, client_ip, created_at, prev_hash, hash";

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Row(rs.getLong(1), (Long) rs.getObject(2, Long.class), rs.getObject(3, Long.class),
        rs.getObject(4, Long.class), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
        rs.getString(9), rs.getString(10), rs.getString(11), Jdbc.instant(rs, "created_at"), rs.getString(13),
        rs.getString(14));
  }

  public List<Row> all() {
    return Jdbc.query(ds, "SELECT " + COLUMNS + " FROM audit_events ORDER BY id", ps -> {}, AuditRepository::row);
  }

  /** Filters of the audit log (null = any); newest first, before {@code beforeId}. */
  public record Query(Long actorUserId, Long tenantId, String actionPrefix, String targetType, String targetId,
                      Instant from, Instant to, long beforeId, int limit) {}

  public List<Row> find(Query q) {
    StringBuilder where = new StringBuilder(" WHERE id < ?");
    List<Object> args = new java.util.ArrayList<>();
    args.add(q.beforeId());
    if (q.actorUserId() != null) {
      where.append(" AND actor_user_id = ?");
      args.add(q.actorUserId());
    }
    if (q.tenantId() != null) {
      where.append(" AND tenant_id = ?");
      args.add(q.tenantId());
    }
    if (q.actionPrefix() != null) {
      where.append(" AND action LIKE ?");
      args.add(q.actionPrefix().replace("%", "").replace("_", "\\_") + "%");
    }
    if (q.targetType() != null) {
      where.append(" AND target_type = ?");
      args.add(q.targetType());
    }
    if (q.targetId() != null) {
      where.append(" AND target_id = ?");
      args.add(q.targetId());
    }
    if (q.from() != null) {
      where.append(" AND created_at >= ?");
      args.add(Timestamp.from(q.from()));
    }
    if (q.to() != null) {
      where.append(" AND created_at < ?");
      args.add(Timestamp.from(q.to()));
    }
    args.add(q.limit());
    return Jdbc.query(ds, "SELECT " + COLUMNS + " FROM audit_events" + where + " ORDER BY id DESC LIMIT ?",
        ps -> Jdbc.bindAll(ps, args), AuditRepository::row);
  }

  /** The chain's verdict: intact, or the first row that breaks it and why. */
  public record Verification(boolean ok, long rows, Long brokenId, String reason) {}

  /** True when every row's hash matches its content and its predecessor. */
  public boolean verifyChain() {
    return verify().ok();
  }

  /** Walks the whole chain in id order, a page at a time; names the first broken link. */
  public Verification verify() {
    String prev = GENESIS;
    long after = 0;
    long rows = 0;
    while (true) {
      long from = after;
      List<Row> page = Jdbc.query(ds, "SELECT " + COLUMNS + " FROM audit_events WHERE id > ? ORDER BY id LIMIT 1000",
          ps -> ps.setLong(1, from), AuditRepository::row);
      if (page.isEmpty()) break;
      for (Row r : page) {
        rows++;
        if (!r.prevHash().equals(prev)) {
          return new Verification(false, rows, r.id(), "its previous hash is not the hash of the row before it "
              + "(a row was removed, inserted or reordered before it)");
        }
        Event e = new Event(r.actorUserId(), r.actorKeyId(), r.tenantId(), r.action(), r.targetType(), r.targetId(),
            r.beforeJson(), r.afterJson(), r.requestId(), r.clientIp());
        if (!hash(prev, e, r.createdAt().truncatedTo(ChronoUnit.MILLIS)).equals(r.hash())) {
          return new Verification(false, rows, r.id(), "its content does not match its hash (the row was altered)");
        }
        prev = r.hash();
        after = r.id();
      }
    }
    String head = Jdbc.query(ds, "SELECT hash FROM audit_head WHERE id = 1", ps -> {}, rs -> rs.getString(1)).stream()
        .findFirst().orElse(GENESIS);
    if (!head.equals(prev)) {
      return new Verification(false, rows, null, "the chain's head does not match its last row (rows were removed "
          + "from the end)");
    }
    return new Verification(true, rows, null, null);
  }

  static String hash(String prev, Event e, Instant at) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String s = String.join("\u001f", prev, String.valueOf(e.actorUserId()), String.valueOf(e.actorKeyId()),
          String.valueOf(e.tenantId()), e.action(), e.targetType(), String.valueOf(e.targetId()),
          String.valueOf(e.beforeJson()), String.valueOf(e.afterJson()), String.valueOf(e.requestId()),
          String.valueOf(e.clientIp()), Long.toString(at.toEpochMilli()));
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
