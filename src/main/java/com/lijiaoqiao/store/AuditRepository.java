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

  /** Appends one event; serialised so the chain has no forks (one writer per node; cluster-wide comes later). */
  public synchronized long append(Event e) {
    String prev = Jdbc.query(ds, "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1", ps -> {},
        rs -> rs.getString(1)).stream().findFirst().orElse(GENESIS);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String hash = hash(prev, e, at);
    return Jdbc.insertReturningId(ds, "INSERT INTO audit_events(actor_user_id, actor_key_id, tenant_id, action, "
        + "target_type, target_id, before_json, after_json, request_id, client_ip, created_at, prev_hash, hash) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
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
        });
  }

  public List<Row> all() {
    return Jdbc.query(ds, "SELECT id, actor_user_id, actor_key_id, tenant_id, action, target_type, target_id, "
        + "before_json, after_json, request_id, client_ip, created_at, prev_hash, hash FROM audit_events ORDER BY id",
        ps -> {}, rs -> new Row(rs.getLong(1), (Long) rs.getObject(2, Long.class), rs.getObject(3, Long.class),
            rs.getObject(4, Long.class), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
            rs.getString(9), rs.getString(10), rs.getString(11), Jdbc.instant(rs, "created_at"), rs.getString(13),
            rs.getString(14)));
  }

  /** True when every row's hash matches its content and its predecessor. */
  public boolean verifyChain() {
    String prev = GENESIS;
    for (Row r : all()) {
      if (!r.prevHash().equals(prev)) return false;
      Event e = new Event(r.actorUserId(), r.actorKeyId(), r.tenantId(), r.action(), r.targetType(), r.targetId(),
          r.beforeJson(), r.afterJson(), r.requestId(), r.clientIp());
      if (!hash(prev, e, r.createdAt().truncatedTo(ChronoUnit.MILLIS)).equals(r.hash())) return false;
      prev = r.hash();
    }
    return true;
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
