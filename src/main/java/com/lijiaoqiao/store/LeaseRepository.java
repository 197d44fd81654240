package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.LeaseStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Leases (billing/LeasedBalance) in the database: one row per owner and node. The owner is a tenant's balance or,
 * for the marketplace, a package's remaining tokens: the same protocol over another figure and table.
 */
public final class LeaseRepository implements LeaseStore {
  /** What is leased: the figure to slice (locked while granting) and the table of leases on it. */
  public enum Leased {
    BALANCES("SELECT balance_micros FROM wallets WHERE tenant_id = ? FOR UPDATE", "balance_leases", "tenant_id"),
    PACKAGE_TOKENS("SELECT quota_tokens - used_tokens FROM supply_packages WHERE id = ? FOR UPDATE", "package_leases",
        "package_id");

    final String lockFigure;
    final String table;
    final String owner;

    Leased(String lockFigure, String table, String owner) {
      this.lockFigure = lockFigure;
      this.table = table;
      this.owner = owner;
    }
  }

  private final DataSource ds;
  private final Leased leased;

  public LeaseRepository(DataSource ds) {
    this(ds, Leased.BALANCES);
  }

  public LeaseRepository(DataSource ds, Leased leased) {
    this.ds = ds;
    this.leased = leased;
  }

  @Override
  public long grant(long tenantId, String nodeId, long want, long ttlMs) {
    long now = System.currentTimeMillis();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        // The wallet row is the tenant's lock: grants for one tenant happen one at a time, on every node.
        long balance;
        try (PreparedStatement ps = c.prepareStatement(
            leased.lockFigure)) {
          ps.setLong(1, tenantId);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return 0;
            }
            balance = rs.getLong(1);
          }
        }
        long others = 0;
        long mine = 0;
        boolean have = false;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT node_id, amount_micros, expires_at_ms FROM " + leased.table + " WHERE " + leased.owner + " = ?")) {
          ps.setLong(1, tenantId);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              if (rs.getString(1).equals(nodeId)) {
                mine = rs.getLong(2);
                have = true;
              } else if (rs.getLong(3) > now) {
                others += Math.max(0, rs.getLong(2));
              }
            }
          }
        }
        long granted = Math.max(0, Math.min(want, balance - others - mine));
        if (granted < want) {
          org.slf4j.LoggerFactory.getLogger(LeaseRepository.class).debug(
              "lease grant short: tenant {} node {} want {} balance {} others {} mine {} granted {}", tenantId, nodeId,
              want, balance, others, mine, granted);
        }
        if (have) {
          try (PreparedStatement ps = c.prepareStatement("UPDATE " + leased.table + " SET amount_micros = amount_micros + ?, "
              + "expires_at_ms = ? WHERE " + leased.owner + " = ? AND node_id = ?")) {
            ps.setLong(1, granted);
            ps.setLong(2, now + ttlMs);
            ps.setLong(3, tenantId);
            ps.setString(4, nodeId);
            ps.executeUpdate();
          }
        } else {
          try (PreparedStatement ps = c.prepareStatement(
              "INSERT INTO " + leased.table + "(" + leased.owner + ", node_id, amount_micros, expires_at_ms) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, tenantId);
            ps.setString(2, nodeId);
            ps.setLong(3, granted);
            ps.setLong(4, now + ttlMs);
            ps.executeUpdate();
          }
        }
        c.commit();
        return granted;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("granting a balance lease failed", e);
    }
  }

  @Override
  public void giveBack(long tenantId, String nodeId, long amount) {
    Jdbc.update(ds, "UPDATE " + leased.table + " SET amount_micros = amount_micros - ? WHERE " + leased.owner + " = ? AND node_id = ?",
        ps -> {
          ps.setLong(1, amount);
          ps.setLong(2, tenantId);
          ps.setString(3, nodeId);
        });
  }

  @Override
  public void renew(String nodeId, long ttlMs) {
    long now = System.currentTimeMillis();
    Jdbc.update(ds, "UPDATE " + leased.table + " SET expires_at_ms = ? WHERE node_id = ?", ps -> {
      ps.setLong(1, now + ttlMs);
      ps.setString(2, nodeId);
    });
    // Leases of nodes long gone are only clutter: their balance is free again since they expired.
    Jdbc.update(ds, "DELETE FROM " + leased.table + " WHERE expires_at_ms < ?", ps -> ps.setLong(1, now - 3_600_000L));
  }
}
