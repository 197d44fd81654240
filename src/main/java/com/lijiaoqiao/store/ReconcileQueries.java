package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.Books;
import com.lijiaoqiao.billing.JournalTotals;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The reads of a reconciliation. Each source is summed on its own (top-ups, wallets, ledger postings, billing
 * records, usage records), all in one read-only snapshot so that a running gateway's writes between two
 * queries cannot show up as drift.
 */
public final class ReconcileQueries implements Books.Source {
  private final DataSource ds;
  private final boolean postgres;

  public ReconcileQueries(DataSource ds, boolean postgres) {
    this.ds = ds;
    this.postgres = postgres;
  }

  @FunctionalInterface
  private interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  @Override
  public Books read(long sinceMillis, List<JournalTotals.Window> crashes, int limit) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      // PostgreSQL's REPEATABLE READ is a snapshot; H2 (MVStore) gives one at SERIALIZABLE.
      c.setTransactionIsolation(postgres ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_SERIALIZABLE);
      try {
        return read(c, sinceMillis, crashes, limit);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new StoreException("reading the books failed", e);
    }
  }

  private Books read(Connection c, long since, List<JournalTotals.Window> crashes, int limit) throws SQLException {
    long topups = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM topups");
    long wallets = one(c, "SELECT COALESCE(SUM(balance_micros), 0) FROM wallets");
    long refunds = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE kind = 'refund' AND account = 'wallet'");
    long revenue = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE account = 'revenue'");
    long[] billed = two(c, "SELECT COUNT(*), COALESCE(SUM(amount_micros), 0) FROM billing_records", List.of());
    long[] billedSince = two(c, "SELECT COUNT(*), COALESCE(SUM(amount_micros), 0) FROM billing_records WHERE created_at >= ?",
        List.of(new Timestamp(since)));
    long walletCharges = -one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE kind = 'charge' AND account = 'wallet'");
    long revenueCharges = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE kind = 'charge' AND account = 'revenue'");
    // Usage records of billed requests, joined by request id: count and sum must equal the billing records'.
    long[] usage = two(c, "SELECT COUNT(*), COALESCE(SUM(u.cost_micros), 0) FROM usage_records u "
        + "JOIN billing_records b ON b.request_id = u.request_id", List.of());

    // Usage records of days retention pruned live only in the archive (ljq reconcile --archive checks them there):
    // billing records before that horizon (and a margin for a request recorded across midnight) need none here.
    Timestamp archivedBefore = usagePrunedBefore(c);
    List<Object> args = new ArrayList<>();
    StringBuilder inCrash = new StringBuilder("(1 = 0");
    for (JournalTotals.Window w : crashes) {
      inCrash.append(" OR (b.created_at >= ? AND b.created_at <= ?)");
      args.add(new Timestamp(w.fromMillis()));
      args.add(new Timestamp(w.toMillis()));
    }
    inCrash.append(")");
    String diff = " FROM billing_records b LEFT JOIN usage_records u ON u.request_id = b.request_id "
        + "WHERE (u.request_id IS NULL AND NOT " + inCrash + " AND b.created_at >= ?) OR u.cost_micros <> b.amount_micros";
    args.add(archivedBefore);
    long usageDiffCount = one(c, "SELECT COUNT(*)" + diff, args);
    List<Books.RequestDiff> usageDiffs = list(c, "SELECT b.request_id, b.amount_micros, u.cost_micros" + diff
        + " ORDER BY b.created_at, b.request_id LIMIT " + limit, args,
        rs -> new Books.RequestDiff(rs.getString(1), rs.getLong(2), (Long) rs.getObject(3, Long.class)));
    long[] lost = two(c, "SELECT COUNT(*), COALESCE(SUM(b.amount_micros), 0) FROM billing_records b "
        + "LEFT JOIN usage_records u ON u.request_id = b.request_id WHERE u.request_id IS NULL AND " + inCrash
        + " AND b.created_at >= ?", args);
    String unbilled = " FROM usage_records u LEFT JOIN billing_records b ON b.request_id = u.request_id "
        + "WHERE b.request_id IS NULL AND u.cost_micros <> 0";
    long unbilledCount = one(c, "SELECT COUNT(*)" + unbilled);
    List<Books.RequestDiff> unbilledRows = list(c, "SELECT u.request_id, u.cost_micros" + unbilled
        + " ORDER BY u.created_at, u.request_id LIMIT " + limit, List.of(),
        rs -> new Books.RequestDiff(rs.getString(1), null, rs.getLong(2)));

    String unbalancedSql = " FROM (SELECT txn_id, SUM(amount_micros) AS s FROM ledger_entries GROUP BY txn_id "
        + "HAVING SUM(amount_micros) <> 0) u";
    long unbalancedCount = one(c, "SELECT COUNT(*)" + unbalancedSql);
    List<String> unbalanced = list(c, "SELECT txn_id, s" + unbalancedSql + " ORDER BY txn_id LIMIT " + limit, List.of(),
        rs -> rs.getString(1) + " sums to " + rs.getLong(2));
    List<Books.TenantDiff> walletMismatches = list(c, "SELECT w.tenant_id, w.balance_micros, COALESCE(e.s, 0) FROM wallets w "
        + "LEFT JOIN (SELECT tenant_id, SUM(amount_micros) AS s FROM ledger_entries WHERE account = 'wallet' "
        + "GROUP BY tenant_id) e ON e.tenant_id = w.tenant_id WHERE w.balance_micros <> COALESCE(e.s, 0) "
        + "ORDER BY w.tenant_id LIMIT " + limit, List.of(), rs -> new Books.TenantDiff(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
    // Charges are posted per tenant and batch: each tenant's billing records must add up to its charge postings,
    // on the wallet side and on the revenue side.
    List<Books.TenantDiff> chargeMismatches = list(c, "SELECT x.tid, x.billed, x.posted FROM (SELECT t.id AS tid, "
        + "COALESCE((SELECT SUM(b.amount_micros) FROM billing_records b WHERE b.tenant_id = t.id), 0) AS billed, "
        + "COALESCE((SELECT SUM(e.amount_micros) FROM ledger_entries e WHERE e.account = 'revenue' AND e.kind = 'charge' "
        + "AND e.tenant_id = t.id), 0) + COALESCE((SELECT SUM(se.amount_micros) FROM supply_earnings se "
        + "WHERE se.consumer_tenant_id = t.id), 0) AS posted, "
        + "COALESCE((SELECT -SUM(e.amount_micros) FROM ledger_entries e WHERE e.account = 'wallet' AND e.kind = 'charge' "
        + "AND e.tenant_id = t.id), 0) AS taken FROM tenants t) x WHERE x.billed <> x.posted OR x.billed <> x.taken "
        + "ORDER BY x.tid LIMIT " + limit, List.of(), rs -> new Books.TenantDiff(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
    List<Books.TenantDiff> negative = list(c, "SELECT tenant_id, balance_micros FROM wallets WHERE balance_micros < 0 "
        + "ORDER BY tenant_id LIMIT " + limit, List.of(), rs -> new Books.TenantDiff(rs.getLong(1), rs.getLong(2), rs.getLong(2)));
    // The marketplace: earning postings against the earning rows; what supplier accounts hold and what was paid.
    long earningPostings = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE kind = 'earning' "
        + "AND account = 'supplier_earnings'");
    long earningRows = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM supply_earnings");
    long supplierHeld = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries "
        + "WHERE account IN ('supplier_earnings', 'supplier_payouts')");
    long supplierPaid = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE account = 'supplier_paid'");
    return new Books(topups, wallets, refunds, revenue, billed[0], billed[1], billedSince[0], billedSince[1],
        walletCharges, revenueCharges, usage[0], usage[1], usageDiffCount, usageDiffs, lost[0], lost[1],
        unbilledCount, unbilledRows, unbalancedCount, unbalanced, walletMismatches, chargeMismatches, negative,
        earningPostings, earningRows, supplierHeld, supplierPaid);
  }

  private static Timestamp usagePrunedBefore(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(window_day) FROM storage_windows "
        + "WHERE kind = 'usage' AND state = 'pruned'"); ResultSet rs = ps.executeQuery()) {
      java.sql.Date d = rs.next() ? rs.getDate(1) : null;
      if (d == null) return new Timestamp(0);
      return Timestamp.from(d.toLocalDate().plusDays(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC)
          .plus(java.time.Duration.ofMinutes(10)));
    }
  }

  @Override
  public Map<String, Books.Billed> billed(java.util.Set<String> requestIds) {
    Map<String, Books.Billed> out = new HashMap<>();
    List<String> ids = List.copyOf(requestIds);
    try (Connection c = ds.getConnection()) {
      for (int from = 0; from < ids.size(); from += 500) {
        List<String> part = ids.subList(from, Math.min(ids.size(), from + 500));
        String marks = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT request_id, tenant_id, amount_micros FROM billing_records WHERE request_id IN (" + marks + ")")) {
          for (int i = 0; i < part.size(); i++) ps.setString(i + 1, part.get(i));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), new Books.Billed(rs.getLong(2), rs.getLong(3)));
          }
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading billing records failed", e);
    }
    return out;
  }

  private static long one(Connection c, String sql) throws SQLException {
    return one(c, sql, List.of());
  }

  private static long one(Connection c, String sql, List<Object> args) throws SQLException {
    return list(c, sql, args, rs -> rs.getLong(1)).get(0);
  }

  private static long[] two(Connection c, String sql, List<Object> args) throws SQLException {
    return list(c, sql, args, rs -> new long[] {rs.getLong(1), rs.getLong(2)}).get(0);
  }

  private static <T> List<T> list(Connection c, String sql, List<Object> args, Row<T> row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Jdbc.bindAll(ps, args);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(row.map(rs));
      }
      return out;
    }
  }
}
