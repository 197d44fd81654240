package com.lijiaoqiao.cluster;

import com.lijiaoqiao.testing.Databases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the shared PostgreSQL says once every node has stopped: charges, usage records and sums, read once. */
final class ClusterBooks {
  /** Request id → every billing record's amount (more than one would be a double charge). */
  final Map<String, List<Long>> charges = new HashMap<>();
  /** Request id → every usage record's cost. */
  final Map<String, List<Long>> usage = new HashMap<>();
  final long topups;
  final long balances;
  final long charged;
  final long refunds;
  final long billingRecords;

  ClusterBooks(String dbUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, Databases.PG_USER, "")) {
      rows(c, "SELECT request_id, amount_micros FROM billing_records", charges);
      rows(c, "SELECT request_id, cost_micros FROM usage_records", usage);
      topups = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM topups");
      balances = one(c, "SELECT COALESCE(SUM(balance_micros), 0) FROM wallets");
      charged = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM billing_records");
      refunds = one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE kind = 'refund' AND account = 'wallet'");
      billingRecords = one(c, "SELECT COUNT(*) FROM billing_records");
    }
  }

  static long balance(String dbUrl, long tenant) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, Databases.PG_USER, "")) {
      return one(c, "SELECT COALESCE(SUM(balance_micros), 0) FROM wallets WHERE tenant_id = " + tenant);
    }
  }

  /** The balance leases now: "tenant/node…: amount" (diagnostics). */
  static List<String> leases(String dbUrl) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(dbUrl, Databases.PG_USER, "");
         var ps = c.prepareStatement("SELECT l.tenant_id, l.node_id, l.amount_micros, w.balance_micros FROM balance_leases l "
             + "JOIN wallets w ON w.tenant_id = l.tenant_id ORDER BY l.tenant_id, l.node_id");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add("tenant " + rs.getLong(1) + " node " + rs.getString(2).substring(0, 8) + "…: lease "
            + com.lijiaoqiao.billing.Money.format(rs.getLong(3)) + " of balance "
            + com.lijiaoqiao.billing.Money.format(rs.getLong(4)));
      }
    }
    return out;
  }

  static long charged(String dbUrl, long tenant) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, Databases.PG_USER, "")) {
      return one(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM billing_records WHERE tenant_id = " + tenant);
    }
  }

  List<Long> chargesOf(String requestId) {
    return charges.getOrDefault(requestId, List.of());
  }

  List<Long> usageOf(String requestId) {
    return usage.getOrDefault(requestId, List.of());
  }

  private static void rows(Connection c, String sql, Map<String, List<Long>> into) throws Exception {
    try (var ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) into.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
    }
  }

  private static long one(Connection c, String sql) throws Exception {
    try (var ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
