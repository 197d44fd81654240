package com.lijiaoqiao.store;

import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Tenants and users. */
public final class AccountRepository {
  public record UserRow(long id, String email, String passwordHash, String name, long tenantId, String role,
                        String status) {}

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
    List<UserRow> rows = Jdbc.query(ds,
        "SELECT id, email, password_hash, name, tenant_id, role, status FROM users WHERE email = ?",
        ps -> ps.setString(1, email),
        rs -> new UserRow(rs.getLong("id"), rs.getString("email"), rs.getString("password_hash"),
            rs.getString("name"), rs.getLong("tenant_id"), rs.getString("role"), rs.getString("status")));
    return rows.stream().findFirst();
  }

  public long countUsers() {
    return Jdbc.query(ds, "SELECT COUNT(*) FROM users", ps -> {}, rs -> rs.getLong(1)).get(0);
  }
}
