package com.lijiaoqiao.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Read-side billing views: usage listings and aggregates, monthly statements, ledger reconciliation. */
public final class BillingQueries {
  private final DataSource ds;

  public BillingQueries(DataSource ds) {
    this.ds = ds;
  }

  public record UsageFilter(long tenantId, Instant from, Instant to, Long apiKeyId, String model) {}

  public record UsageRow(String requestId, Instant createdAt, long apiKeyId, String model, String provider,
                         boolean stream, long promptTokens, long completionTokens, long cachedTokens,
                         long cacheWriteTokens, boolean tokensEstimated, int statusCode, String outcome,
                         long costMicros) {}

  public record UsageGroup(String group, long requests, long promptTokens, long completionTokens, long costMicros) {}

  private static String where(UsageFilter f, List<Object> args) {
    StringBuilder w = new StringBuilder(" WHERE tenant_id = ?");
    args.add(f.tenantId());
    if (f.from() != null) {
      w.append(" AND created_at >= ?");
      args.add(Timestamp.from(f.from()));
    }
    if (f.to() != null) {
      w.append(" AND created_at < ?");
      args.add(Timestamp.from(f.to()));
    }
    if (f.apiKeyId() != null) {
      w.append(" AND api_key_id = ?");
      args.add(f.apiKeyId());
    }
    if (f.model() != null) {
      w.append(" AND model = ?");
      args.add(f.model());
    }
    return w.toString();
  }

  private static Jdbc.Binder bind(List<Object> args) {
    return ps -> {
      for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
    };
  }

  public long countUsage(UsageFilter f) {
    List<Object> args = new ArrayList<>();
    String sql = "SELECT COUNT(*) FROM usage_records" + where(f, args);
    return Jdbc.query(ds, sql, bind(args), rs -> rs.getLong(1)).get(0);
  }

  public List<UsageRow> listUsage(UsageFilter f, int offset, int limit) {
    List<Object> args = new ArrayList<>();
    String sql = "SELECT request_id, created_at, api_key_id, model, provider, stream, prompt_tokens, completion_tokens, "
        + "cached_tokens, cache_write_tokens, tokens_estimated, status_code, outcome, cost_micros FROM usage_records"
        + where(f, args)
        + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
    args.add(limit);
    args.add(offset);
    return Jdbc.query(ds, sql, bind(args), rs -> new UsageRow(rs.getString(1), Jdbc.instant(rs, "created_at"),
        rs.getLong(3), rs.getString(4), rs.getString(5), rs.getBoolean(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
        rs.getLong(10), rs.getBoolean(11), rs.getInt(12), rs.getString(13), rs.getLong(14)));
  }

  /** Groups by "day" (UTC date), "model" or "key". */
  public List<UsageGroup> groupUsage(UsageFilter f, String groupBy, int offset, int limit) {
    String expr = switch (groupBy) {
      case "day" -> "CAST(CAST(created_at AT TIME ZONE 'UTC' AS DATE) AS VARCHAR(10))";
      case "model" -> "model";
      case "key" -> "CAST(api_key_id AS VARCHAR(20))";
      default -> throw new IllegalArgumentException(groupBy);
    };
    List<Object> args = new ArrayList<>();
    String sql = "SELECT " + expr + " AS g, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_micros) "
        + "FROM usage_records" + where(f, args) + " GROUP BY " + expr + " ORDER BY g LIMIT ? OFFSET ?";
    args.add(limit);
    args.add(offset);
    return Jdbc.query(ds, sql, bind(args), rs -> new UsageGroup(rs.getString(1), rs.getLong(2), rs.getLong(3),
        rs.getLong(4), rs.getLong(5)));
  }

  public long countGroups(UsageFilter f, String groupBy) {
    String expr = switch (groupBy) {
      case "day" -> "CAST(CAST(created_at AT TIME ZONE 'UTC' AS DATE) AS VARCHAR(10))";
      case "model" -> "model";
      case "key" -> "CAST(api_key_id AS VARCHAR(20))";
      default -> throw new IllegalArgumentException(groupBy);
    };
    List<Object> args = new ArrayList<>();
    String sql = "SELECT COUNT(DISTINCT " + expr + ") FROM usage_records" + where(f, args);
    return Jdbc.query(ds, sql, bind(args), rs -> rs.getLong(1)).get(0);
  }

  /** The sum of a tenant wallet's ledger entries before an instant (its balance then). */
  public long walletBalanceBefore(long tenantId, Instant at) {
    return Jdbc.query(ds, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE account = 'wallet' "
        + "AND tenant_id = ? AND created_at < ?", ps -> {
          ps.setLong(1, tenantId);
          ps.setTimestamp(2, Timestamp.from(at));
        }, rs -> rs.getLong(1)).get(0);
  }

  public long topupsBetween(long tenantId, Instant from, Instant to) {
    return Jdbc.query(ds, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE account = 'wallet' "
        + "AND kind = 'topup' AND tenant_id = ? AND created_at >= ? AND created_at < ?", ps -> {
          ps.setLong(1, tenantId);
          ps.setTimestamp(2, Timestamp.from(from));
          ps.setTimestamp(3, Timestamp.from(to));
        }, rs -> rs.getLong(1)).get(0);
  }

  public record ChargeLine(String name, long requests, long promptTokens, long completionTokens, long costMicros) {}

  /** Charges in a period grouped by "model" or "api_key_id" (from the billing records). */
  public List<ChargeLine> chargesBetween(long tenantId, Instant from, Instant to, String column) {
    String expr = column.equals("model") ? "model" : "CAST(api_key_id AS VARCHAR(20))";
    return Jdbc.query(ds, "SELECT " + expr + " AS g, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), "
        + "SUM(amount_micros) FROM billing_records WHERE tenant_id = ? AND created_at >= ? AND created_at < ? "
        + "GROUP BY " + expr + " ORDER BY g", ps -> {
          ps.setLong(1, tenantId);
          ps.setTimestamp(2, Timestamp.from(from));
          ps.setTimestamp(3, Timestamp.from(to));
        }, rs -> new ChargeLine(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
  }

  /** Months (UTC, "YYYY-MM") in which the tenant's wallet moved. */
  public List<String> activeMonths(long tenantId) {
    return Jdbc.query(ds, "SELECT DISTINCT created_at FROM ledger_entries WHERE account = 'wallet' AND tenant_id = ?",
        ps -> ps.setLong(1, tenantId), rs -> Jdbc.instant(rs, "created_at"))
        .stream().map(i -> i.toString().substring(0, 7)).distinct().sorted().toList();
  }

  /** Figures for the ledger invariant (SPEC §5). */
  public record LedgerFigures(long topups, long walletBalances, long charges, long refunds, long revenueEntries,
                              long unbalancedTransactions, List<String> walletMismatches, long chargeRecords,
                              long chargeEntriesMismatch) {}

  public LedgerFigures figures() {
    long topups = single("SELECT COALESCE(SUM(amount_micros), 0) FROM topups");
    long wallets = single("SELECT COALESCE(SUM(balance_micros), 0) FROM wallets");
    long charges = single("SELECT COALESCE(SUM(amount_micros), 0) FROM billing_records");
    long refunds = single("SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE kind = 'refund' AND account = 'wallet'");
    long revenue = single("SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE account = 'revenue'");
    long unbalanced = single("SELECT COUNT(*) FROM (SELECT txn_id FROM ledger_entries GROUP BY txn_id "
        + "HAVING SUM(amount_micros) <> 0) u");
    List<String> mismatches = Jdbc.query(ds, "SELECT w.tenant_id, w.balance_micros, COALESCE(e.s, 0) FROM wallets w "
        + "LEFT JOIN (SELECT tenant_id, SUM(amount_micros) AS s FROM ledger_entries WHERE account = 'wallet' "
        + "GROUP BY tenant_id) e ON e.tenant_id = w.tenant_id WHERE w.balance_micros <> COALESCE(e.s, 0)",
        ps -> {}, rs -> "tenant " + rs.getLong(1) + ": wallet " + rs.getLong(2) + " != entries " + rs.getLong(3));
    long records = single("SELECT COUNT(*) FROM billing_records");
    // Charges are posted per tenant and batch; each tenant's billing records must add up to its revenue postings.
    long chargeMismatch = single("SELECT COUNT(*) FROM (SELECT t.id, COALESCE((SELECT SUM(b.amount_micros) FROM "
        + "billing_records b WHERE b.tenant_id = t.id), 0) AS billed, COALESCE((SELECT SUM(e.amount_micros) FROM "
        + "ledger_entries e WHERE e.account = 'revenue' AND e.kind = 'charge' AND e.tenant_id = t.id), 0) AS posted "
        + "FROM tenants t) x WHERE x.billed <> x.posted");
    return new LedgerFigures(topups, wallets, charges, refunds, revenue, unbalanced, mismatches, records, chargeMismatch);
  }

  private long single(String sql) {
    return Jdbc.query(ds, sql, ps -> {}, rs -> rs.getLong(1)).get(0);
  }
}
