package com.lijiaoqiao.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Tenants and users. */
public final class AccountRepository {
  /** A user with its password hash and lock-out state: for sign-in only, never serialised. */
  public record UserRow(long id, String email, String passwordHash, String name, long tenantId, String role,
                        String status, int failedLogins, Instant lockedUntil) {
    @Override
    public String toString() {
      return "UserRow[id=" + id + ", tenantId=" + tenantId + ", role=" + role + ", status=" + status + "]";
    }
  }

  /** A user as the management API shows it. */
  public record UserView(long id, String email, String name, long tenantId, String role, String status,
                         Instant lockedUntil, Instant lastLoginAt, Instant createdAt, Instant updatedAt) {}

  public record Page<T>(List<T> rows, long total) {}

  private static final String USER_COLUMNS = "id, email, password_hash, name, tenant_id, role, status, "
      + "failed_logins, locked_until, last_login_at, created_at, updated_at";

  private final DataSource ds;

  public AccountRepository(DataSource ds) {
    this.ds = ds;
  }

  /** Creates a tenant with its (empty) wallet, so money movements never race to create the wallet row. */
  public long createTenant(String name) {
    long id = Jdbc.insertReturningId(ds, "INSERT INTO tenants(name) VALUES (?)", ps -> ps.setString(1, name));
    Jdbc.update(ds, "INSERT INTO wallets(tenant_id, balance_micros) VALUES (?, 0)", ps -> ps.setLong(1, id));
    return id;
  }

  public boolean tenantExists(long id) {
    return !Jdbc.query(ds, "SELECT id FROM tenants WHERE id = ?", ps -> ps.setLong(1, id), rs -> rs.getLong(1))
        .isEmpty();
  }

  public long createUser(String email, String passwordHash, String name, long tenantId, String role) {
    return Jdbc.insertReturningId(ds,
        "INSERT INTO users(email, password_hash, name, tenant_id, role) VALUES (?, ?, ?, ?, ?)", ps -> {
          ps.setString(1, email);
          ps.setString(2, passwordHash);
          ps.setString(3, name);
          ps.setLong(4, tenantId);
          ps.setString(5, role);
        });
  }

  public Optional<UserRow> findUserByEmail(String email) {
    return Jdbc.query(ds, "SELECT " + USER_COLUMNS + " FROM users WHERE email = ?", ps -> ps.setString(1, email),
        AccountRepository::userRow).stream().findFirst();
  }

  public Optional<UserRow> findUser(long id) {
    return Jdbc.query(ds, "SELECT " + USER_COLUMNS + " FROM users WHERE id = ?", ps -> ps.setLong(1, id),
        AccountRepository::userRow).stream().findFirst();
  }

  public Optional<UserView> findView(long id) {
    return Jdbc.query(ds, "SELECT " + USER_COLUMNS + " FROM users WHERE id = ?", ps -> ps.setLong(1, id),
        AccountRepository::view).stream().findFirst();
  }

  /** Users, by id; null filters are not applied; {@code q} matches e-mail or name (case-insensitive). */
  public Page<UserView> listUsers(Long tenantId, String status, String role, String q, int offset, int limit) {
    StringBuilder where = new StringBuilder(" WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (tenantId != null) {
      where.append(" AND tenant_id = ?");
      args.add(tenantId);
    }
    if (status != null) {
      where.append(" AND status = ?");
      args.add(status);
    }
    if (role != null) {
      where.append(" AND role = ?");
      args.add(role);
    }
    if (q != null && !q.isBlank()) {
      String like = "%" + q.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
      where.append(" AND (LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(name, '')) LIKE ? ESCAPE '\\')");
      args.add(like);
      args.add(like);
    }
    long total = Jdbc.query(ds, "SELECT COUNT(*) FROM users" + where, ps -> Jdbc.bindAll(ps, args),
        rs -> rs.getLong(1)).get(0);
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(limit);
    pageArgs.add(offset);
    List<UserView> rows = Jdbc.query(ds, "SELECT " + USER_COLUMNS + " FROM users" + where
        + " ORDER BY id LIMIT ? OFFSET ?", ps -> Jdbc.bindAll(ps, pageArgs), AccountRepository::view);
    return new Page<>(rows, total);
  }

  public void updateName(long id, String name) {
    set(id, "name", name);
  }

  public void updatePasswordHash(long id, String hash) {
    set(id, "password_hash", hash);
  }

  public void updateRole(long id, String role) {
    set(id, "role", role);
  }

  /** A user's status; disabling writes user.disabled in the same transaction. */
  public void updateStatus(long id, String status) {
    if ("active".equals(status)) {
      set(id, "status", status);
      return;
    }
    Jdbc.update(ds, "UPDATE users SET status = ?, updated_at = ? WHERE id = ? AND status <> ?", ps -> {
      ps.setString(1, status);
      ps.setTimestamp(2, Timestamp.from(Instant.now()));
      ps.setLong(3, id);
      ps.setString(4, status);
    }, id, (c, userId) -> {
      try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM users WHERE id = ?")) {
        ps.setLong(1, userId);
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) return java.util.List.of();
          return java.util.List.of(com.lijiaoqiao.events.DomainEvent.of(com.lijiaoqiao.events.EventTypes.USER_DISABLED,
              rs.getLong(1), java.util.Map.of("user_id", userId, "status", status)));
        }
      }
    });
  }

  private void set(long id, String column, String value) {
    Jdbc.update(ds, "UPDATE users SET " + column + " = ?, updated_at = ? WHERE id = ?", ps -> {
      ps.setString(1, value);
      ps.setTimestamp(2, Timestamp.from(Instant.now()));
      ps.setLong(3, id);
    });
  }

  /**
   * Reserves one sign-in attempt before the password is checked, in one conditional UPDATE so that concurrent
   * attempts on any node cannot overtake the lock: the attempt counts as a failure up front (a success resets
   * the count), and the {@code maxFailures}-th consecutive one locks the account until {@code lockUntil}.
   * Returns false, counting nothing, while the account is locked; a lock that has run out starts a fresh count.
   * The row lock of the UPDATE serialises racing attempts (PostgreSQL and H2 re-check the WHERE on the row
   * they waited for), so at most {@code maxFailures} attempts pass per lock period.
   */
  public boolean reserveLoginAttempt(long id, int maxFailures, Instant now, Instant lockUntil) {
    // The CAST: inside CASE, PostgreSQL cannot infer the parameter's type and would take it for text.
    String count = "CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END";
    return Jdbc.update(ds, "UPDATE users SET failed_logins = " + count + ", locked_until = CASE WHEN " + count
        + " >= ? THEN CAST(? AS TIMESTAMP WITH TIME ZONE) ELSE NULL END"
        + " WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)", ps -> {
          ps.setInt(1, maxFailures);
          ps.setTimestamp(2, Timestamp.from(lockUntil));
          ps.setLong(3, id);
          ps.setTimestamp(4, Timestamp.from(now));
        }) == 1;
  }

  /** Clears the count and any lock (the password was right, but the account may not sign in). */
  public void resetFailedLogins(long id) {
    Jdbc.update(ds, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", ps -> ps.setLong(1, id));
  }

  public void recordSuccessfulLogin(long id) {
    Jdbc.update(ds, "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?", ps -> {
      ps.setTimestamp(1, Timestamp.from(Instant.now()));
      ps.setLong(2, id);
    });
  }

  public long countUsers() {
    return count("SELECT COUNT(*) FROM users");
  }

  public long count(String sql) {
    return Jdbc.query(ds, sql, ps -> {}, rs -> rs.getLong(1)).get(0);
  }

  /** Requests, tokens and errors since a time (for admin stats). */
  public long[] usageSince(Instant since) {
    return Jdbc.query(ds, "SELECT COUNT(*), COALESCE(SUM(prompt_tokens + completion_tokens), 0), "
        + "COALESCE(SUM(CASE WHEN status_code >= 400 THEN 1 ELSE 0 END), 0) FROM usage_records WHERE created_at >= ?",
        ps -> ps.setTimestamp(1, Timestamp.from(since)),
        rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).get(0);
  }

  private static UserRow userRow(ResultSet rs) throws SQLException {
    return new UserRow(rs.getLong("id"), rs.getString("email"), rs.getString("password_hash"), rs.getString("name"),
        rs.getLong("tenant_id"), rs.getString("role"), rs.getString("status"), rs.getInt("failed_logins"),
        Jdbc.instant(rs, "locked_until"));
  }

  private static UserView view(ResultSet rs) throws SQLException {
    return new UserView(rs.getLong("id"), rs.getString("email"), rs.getString("name"), rs.getLong("tenant_id"),
        rs.getString("role"), rs.getString("status"), Jdbc.instant(rs, "locked_until"),
        Jdbc.instant(rs, "last_login_at"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }
}
