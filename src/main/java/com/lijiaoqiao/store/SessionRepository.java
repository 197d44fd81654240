package com.lijiaoqiao.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** Sign-in sessions: refresh-token families and their (hashed) tokens. */
public final class SessionRepository {
  public record RefreshRow(long id, String familyId, long userId, String status, Instant expiresAt,
                           String familyStatus) {}

  /** What an access token's holder is now: role, tenant and status of the user, and whether the session lives. */
  public record SessionState(long userId, long tenantId, String role, String userStatus, String familyStatus) {}

  private final DataSource ds;

  public SessionRepository(DataSource ds) {
    this.ds = ds;
  }

  public void createFamily(String familyId, long userId) {
    Jdbc.update(ds, "INSERT INTO session_families(id, user_id) VALUES (?, ?)", ps -> {
      ps.setString(1, familyId);
      ps.setLong(2, userId);
    });
  }

  public void insertRefresh(String familyId, long userId, String tokenHash, Instant expiresAt) {
    Jdbc.insertReturningId(ds, "INSERT INTO refresh_tokens(family_id, user_id, token_hash, expires_at) "
        + "VALUES (?, ?, ?, ?)", ps -> {
          ps.setString(1, familyId);
          ps.setLong(2, userId);
          ps.setString(3, tokenHash);
          ps.setTimestamp(4, Timestamp.from(expiresAt));
        });
  }

  public Optional<RefreshRow> findRefresh(String tokenHash) {
    return Jdbc.query(ds, "SELECT r.id, r.family_id, r.user_id, r.status, r.expires_at, f.status AS family_status "
        + "FROM refresh_tokens r JOIN session_families f ON f.id = r.family_id WHERE r.token_hash = ?",
        ps -> ps.setString(1, tokenHash),
        rs -> new RefreshRow(rs.getLong("id"), rs.getString("family_id"), rs.getLong("user_id"),
            rs.getString("status"), Jdbc.instant(rs, "expires_at"), rs.getString("family_status")))
        .stream().findFirst();
  }

  /** Marks a token used; false when it was not active any more (a concurrent or repeated use). */
  public boolean markRotated(long id) {
    return Jdbc.update(ds, "UPDATE refresh_tokens SET status = 'rotated', used_at = ? WHERE id = ? AND status = 'active'",
        ps -> {
          ps.setTimestamp(1, Timestamp.from(Instant.now()));
          ps.setLong(2, id);
        }) == 1;
  }

  public void revokeFamily(String familyId, String reason) {
    Timestamp now = Timestamp.from(Instant.now());
    Jdbc.update(ds, "UPDATE session_families SET status = 'revoked', revoke_reason = ?, revoked_at = ? "
        + "WHERE id = ? AND status = 'active'", ps -> {
          ps.setString(1, reason);
          ps.setTimestamp(2, now);
          ps.setString(3, familyId);
        });
    Jdbc.update(ds, "UPDATE refresh_tokens SET status = 'revoked' WHERE family_id = ? AND status = 'active'",
        ps -> ps.setString(1, familyId));
  }

  public void revokeAllForUser(long userId, String reason) {
    Timestamp now = Timestamp.from(Instant.now());
    Jdbc.update(ds, "UPDATE session_families SET status = 'revoked', revoke_reason = ?, revoked_at = ? "
        + "WHERE user_id = ? AND status = 'active'", ps -> {
          ps.setString(1, reason);
          ps.setTimestamp(2, now);
          ps.setLong(3, userId);
        });
    Jdbc.update(ds, "UPDATE refresh_tokens SET status = 'revoked' WHERE user_id = ? AND status = 'active'",
        ps -> ps.setLong(1, userId));
  }

  public Optional<SessionState> state(long userId, String familyId) {
    return Jdbc.query(ds, "SELECT u.id, u.tenant_id, u.role, u.status, f.status AS family_status FROM users u "
        + "JOIN session_families f ON f.user_id = u.id WHERE u.id = ? AND f.id = ?", ps -> {
          ps.setLong(1, userId);
          ps.setString(2, familyId);
        }, rs -> new SessionState(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)))
        .stream().findFirst();
  }
}
