package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.LeaseStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Balance leases (billing/LeasedBalance) in the database: one row per tenant and node. */
public final class LeaseRepository implements LeaseStore {
  private final DataSource ds;

  public LeaseRepository(DataSource ds) {
    this.ds = ds;
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
            "SELECT balance_micros FROM wallets WHERE tenant_id = ? FOR UPDATE")) {
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
            "SELECT node_id, amount_micros, expires_at_ms FROM balance_leases WHERE tenant_id = ?")) {
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
          try (PreparedStatement ps = c.prepareStatement("UPDATE balance_leases SET amount_micros = amount_micros + ?, "
              + "expires_at_ms = ? WHERE tenant_id = ? AND node_id = ?")) {
            ps.setLong(1, granted);
            ps.setLong(2, now + ttlMs);
            ps.setLong(3, tenantId);
            ps.setString(4, nodeId);
            ps.executeUpdate();
          }
        } else {
          try (PreparedStatement ps = c.prepareStatement(
              "INSERT INTO balance_leases(tenant_id, node_id, amount_micros, expires_at_ms) VALUES (?, ?, ?, ?)")) {
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
    Jdbc.update(ds, "UPDATE balance_leases SET amount_micros = amount_micros - ? WHERE tenant_id = ? AND node_id = ?",
        ps -> {
          ps.setLong(1, amount);
          ps.setLong(2, tenantId);
          ps.setString(3, nodeId);
        });
  }

  @Override
  public void renew(String nodeId, long ttlMs) {
    long now = System.currentTimeMillis();
    Jdbc.update(ds, "UPDATE balance_leases SET expires_at_ms = ? WHERE node_id = ?", ps -> {
      ps.setLong(1, now + ttlMs);
      ps.setString(2, nodeId);
    });
    // Leases of nodes long gone are only clutter: their balance is free again since they expired.
    Jdbc.update(ds, "DELETE FROM balance_leases WHERE expires_at_ms < ?", ps -> ps.setLong(1, now - 3_600_000L));
  }
}
