package com.lijiaoqiao.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.supply.SupplyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The marketplace's tables: suppliers, their upstream accounts and packages, earnings and payouts. A payout moves
 * money between the supplier's ledger accounts in the same transaction as its own row, so the books always balance:
 * requested (earnings → payouts), completed (payouts → paid), failed (payouts → earnings).
 */
public final class SupplyRepository implements SupplyStore {
  static final String SUPPLIER_PAYOUTS = "supplier_payouts";
  static final String SUPPLIER_PAID = "supplier_paid";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> MODEL_MAP = new TypeReference<>() {};
  /** The payout moves {@link #settlePayout} allows. */
  private static final Set<String> MOVES = Set.of("pending>processing", "processing>completed", "processing>failed",
      "pending>failed");

  private static final String SUPPLIER_COLUMNS = "s.tenant_id, t.name, s.status, s.min_margin_bps, s.hold_days, "
      + "s.note, s.created_at, s.updated_at FROM suppliers s JOIN tenants t ON t.id = s.tenant_id";
  private static final String ACCOUNT_COLUMNS = "id, supplier_id, name, vendor, kind, base_url, credential_enc, models, "
      + "rpm_limit, tpm_limit, max_concurrency, status, status_reason, probed_at, probe_result, created_at, updated_at "
      + "FROM supply_accounts";
  private static final String PACKAGE_COLUMNS = "id, supplier_id, account_id, name, models, quota_tokens, used_tokens, "
      + "input_per_1m, output_per_1m, cached_input_per_1m, valid_days, max_concurrency, rpm_limit, public_name, status, "
      + "activated_at, expires_at, created_at, updated_at FROM supply_packages";
  private static final String PAYOUT_COLUMNS = "id, supplier_id, amount_micros, status, reference, note, requested_by, "
      + "decided_by, created_at, updated_at FROM supply_payouts";

  private final DataSource ds;
  private final boolean postgres;

  public SupplyRepository(DataSource ds, boolean postgres) {
    this.ds = ds;
    this.postgres = postgres;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(Work<T> work) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("supply transaction failed", e);
    }
  }

  // Suppliers

  @Override
  public void event(String type, long tenantId, Map<String, ?> payload) {
    try (java.sql.Connection c = ds.getConnection()) {
      OutboxRepository.append(c, List.of(com.lijiaoqiao.events.DomainEvent.of(type, tenantId, payload)));
    } catch (SQLException e) {
      throw new StoreException("appending an event failed", e);
    }
  }


  @Override
  public Optional<Supplier> supplier(long tenantId) {
    return Jdbc.query(ds, "SELECT " + SUPPLIER_COLUMNS + " WHERE s.tenant_id = ?", ps -> ps.setLong(1, tenantId),
        SupplyRepository::supplierRow).stream().findFirst();
  }

  @Override
  public Supplier ensureSupplier(long tenantId) {
    Optional<Supplier> found = supplier(tenantId);
    if (found.isPresent()) return found.get();
    try {
      Jdbc.update(ds, "INSERT INTO suppliers(tenant_id, status) VALUES (?, 'pending')", ps -> ps.setLong(1, tenantId));
    } catch (StoreException e) {
      // Another node inserted it first (a duplicate key): read theirs. No row at all: the tenant does not exist.
      return supplier(tenantId).orElseThrow(() -> e);
    }
    return supplier(tenantId).orElseThrow(() -> new StoreException("supplier vanished after insert", null));
  }

  @Override
  public List<Supplier> suppliers(String status, int limit, long afterTenantId) {
    List<Object> args = new ArrayList<>();
    args.add(afterTenantId);
    String where = " WHERE s.tenant_id > ?";
    if (status != null) {
      where += " AND s.status = ?";
      args.add(status);
    }
    args.add(Math.max(0, limit));
    return Jdbc.query(ds, "SELECT " + SUPPLIER_COLUMNS + where + " ORDER BY s.tenant_id LIMIT ?",
        ps -> Jdbc.bindAll(ps, args), SupplyRepository::supplierRow);
  }

  @Override
  public Optional<Supplier> updateSupplier(long tenantId, String status, Integer minMarginBps, Integer holdDays,
                                           String note) {
    int n = Jdbc.update(ds, "UPDATE suppliers SET status = COALESCE(?, status), "
        + "min_margin_bps = COALESCE(?, min_margin_bps), hold_days = COALESCE(?, hold_days), note = COALESCE(?, note), "
        + "updated_at = CURRENT_TIMESTAMP WHERE tenant_id = ?", ps -> {
          setString(ps, 1, status);
          setInt(ps, 2, minMarginBps);
          setInt(ps, 3, holdDays);
          setString(ps, 4, note);
          ps.setLong(5, tenantId);
        });
    return n == 0 ? Optional.empty() : supplier(tenantId);
  }

  private static Supplier supplierRow(ResultSet rs) throws SQLException {
    return new Supplier(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, Integer.class),
        rs.getObject(5, Integer.class), rs.getString(6), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }

  // Accounts

  @Override
  public Account insertAccount(Account a) {
    return inTransaction(c -> {
      long id;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO supply_accounts(supplier_id, name, vendor, kind, "
          + "base_url, credential_enc, models, rpm_limit, tpm_limit, max_concurrency, status, status_reason, probed_at, "
          + "probe_result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setLong(1, a.supplierId());
        bindAccount(ps, 2, a);
        ps.executeUpdate();
        id = generatedId(ps);
      }
      return one(c, "SELECT " + ACCOUNT_COLUMNS + " WHERE id = ?", id, SupplyRepository::accountRow).orElseThrow();
    });
  }

  @Override
  public Optional<Account> account(long id) {
    return Jdbc.query(ds, "SELECT " + ACCOUNT_COLUMNS + " WHERE id = ?", ps -> ps.setLong(1, id),
        SupplyRepository::accountRow).stream().findFirst();
  }

  @Override
  public List<Account> accounts(Long supplierId, String status) {
    List<Object> args = new ArrayList<>();
    return Jdbc.query(ds, "SELECT " + ACCOUNT_COLUMNS + filter(supplierId, status, args) + " ORDER BY id",
        ps -> Jdbc.bindAll(ps, args), SupplyRepository::accountRow);
  }

  @Override
  public void updateAccount(Account a) {
    Jdbc.update(ds, "UPDATE supply_accounts SET name = ?, vendor = ?, kind = ?, base_url = ?, credential_enc = ?, "
        + "models = ?, rpm_limit = ?, tpm_limit = ?, max_concurrency = ?, status = ?, status_reason = ?, probed_at = ?, "
        + "probe_result = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?", ps -> {
          bindAccount(ps, 1, a);
          ps.setLong(14, a.id());
        });
  }

  /**
   * Sets the status and its reason. A probe's time and result are written with it when {@code probedAt} is given;
   * otherwise (an operator's decision) the last probe stays.
   */
  @Override
  public void setAccountStatus(long id, String status, String reason, Instant probedAt, String probeResult) {
    if (probedAt == null) {
      Jdbc.update(ds, "UPDATE supply_accounts SET status = ?, status_reason = ?, updated_at = CURRENT_TIMESTAMP "
          + "WHERE id = ?", ps -> {
            ps.setString(1, status);
            ps.setString(2, reason);
            ps.setLong(3, id);
          });
    } else {
      Jdbc.update(ds, "UPDATE supply_accounts SET status = ?, status_reason = ?, probed_at = ?, probe_result = ?, "
          + "updated_at = CURRENT_TIMESTAMP WHERE id = ?", ps -> {
            ps.setString(1, status);
            ps.setString(2, reason);
            ps.setTimestamp(3, Timestamp.from(probedAt));
            ps.setString(4, probeResult);
            ps.setLong(5, id);
          });
    }
  }

  /** Binds the 13 mutable columns of an account, from name to probe_result, starting at {@code i}. */
  private static void bindAccount(PreparedStatement ps, int i, Account a) throws SQLException {
    ps.setString(i, a.name());
    ps.setString(i + 1, a.vendor());
    ps.setString(i + 2, a.kind());
    ps.setString(i + 3, a.baseUrl());
    ps.setString(i + 4, a.credentialEnc());
    ps.setString(i + 5, modelsJson(a.models()));
    ps.setInt(i + 6, a.rpm());
    ps.setInt(i + 7, a.tpm());
    ps.setInt(i + 8, a.maxConcurrency());
    ps.setString(i + 9, a.status() == null ? "pending" : a.status());
    ps.setString(i + 10, a.statusReason());
    ps.setTimestamp(i + 11, Jdbc.timestamp(a.probedAt()));
    ps.setString(i + 12, a.probeResult());
  }

  private static Account accountRow(ResultSet rs) throws SQLException {
    return new Account(rs.getLong("id"), rs.getLong("supplier_id"), rs.getString("name"), rs.getString("vendor"),
        rs.getString("kind"), rs.getString("base_url"), rs.getString("credential_enc"), models(rs.getString("models")),
        rs.getInt("rpm_limit"), rs.getInt("tpm_limit"), rs.getInt("max_concurrency"), rs.getString("status"),
        rs.getString("status_reason"), Jdbc.instant(rs, "probed_at"), rs.getString("probe_result"),
        Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }

  private static String modelsJson(Map<String, String> models) throws SQLException {
    try {
      return JSON.writeValueAsString(models == null ? Map.of() : models);
    } catch (Exception e) {
      throw new SQLException("models cannot be written", e);
    }
  }

  private static Map<String, String> models(String json) throws SQLException {
    if (json == null || json.isBlank()) return new LinkedHashMap<>();
    try {
      return JSON.readValue(json, MODEL_MAP);
    } catch (Exception e) {
      throw new SQLException("models cannot be read", e);
    }
  }

  // Packages

  @Override
  public Package insertPackage(Package p) {
    return inTransaction(c -> {
      long id;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO supply_packages(account_id, name, models, "
          + "quota_tokens, input_per_1m, output_per_1m, cached_input_per_1m, valid_days, max_concurrency, rpm_limit, "
          + "public_name, activated_at, expires_at, supplier_id, used_tokens, status) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
        bindPackage(ps, p);
        ps.setLong(14, p.supplierId());
        ps.setLong(15, p.usedTokens());
        ps.setString(16, p.status() == null ? "draft" : p.status());
        ps.executeUpdate();
        id = generatedId(ps);
      }
      return one(c, "SELECT " + PACKAGE_COLUMNS + " WHERE id = ?", id, SupplyRepository::packageRow).orElseThrow();
    });
  }

  @Override
  public Optional<Package> pkg(long id) {
    return Jdbc.query(ds, "SELECT " + PACKAGE_COLUMNS + " WHERE id = ?", ps -> ps.setLong(1, id),
        SupplyRepository::packageRow).stream().findFirst();
  }

  @Override
  public List<Package> packages(Long supplierId, String status) {
    List<Object> args = new ArrayList<>();
    return Jdbc.query(ds, "SELECT " + PACKAGE_COLUMNS + filter(supplierId, status, args) + " ORDER BY id",
        ps -> Jdbc.bindAll(ps, args), SupplyRepository::packageRow);
  }

  @Override
  public List<Package> activePackages() {
    return packages(null, "active");
  }

  /**
   * Writes a package's terms. Not {@code used_tokens} nor {@code status}: the ledger moves those in its own
   * transactions (used tokens, sold_out), and {@link #transition} is the one conditional way to change a state, so
   * an edit made from a stale copy cannot undo either.
   */
  @Override
  public void updatePackage(Package p) {
    Jdbc.update(ds, "UPDATE supply_packages SET account_id = ?, name = ?, models = ?, quota_tokens = ?, "
        + "input_per_1m = ?, output_per_1m = ?, cached_input_per_1m = ?, valid_days = ?, max_concurrency = ?, "
        + "rpm_limit = ?, public_name = ?, activated_at = ?, expires_at = ?, updated_at = CURRENT_TIMESTAMP "
        + "WHERE id = ?", ps -> {
          bindPackage(ps, p);
          ps.setLong(14, p.id());
        });
  }

  /** Binds a package's 13 editable columns, account_id to expires_at, at 1..13. */
  private static void bindPackage(PreparedStatement ps, Package p) throws SQLException {
    ps.setLong(1, p.accountId());
    ps.setString(2, p.name());
    ps.setString(3, String.join(",", p.models() == null ? List.of() : p.models()));
    ps.setLong(4, p.quotaTokens());
    ps.setLong(5, p.inputPer1M());
    ps.setLong(6, p.outputPer1M());
    ps.setLong(7, p.cachedInputPer1M());
    ps.setInt(8, p.validDays());
    ps.setInt(9, p.maxConcurrency());
    ps.setInt(10, p.rpm());
    ps.setString(11, p.publicName());
    ps.setTimestamp(12, Jdbc.timestamp(p.activatedAt()));
    ps.setTimestamp(13, Jdbc.timestamp(p.expiresAt()));
  }

  private static Package packageRow(ResultSet rs) throws SQLException {
    String models = rs.getString("models");
    List<String> names = models == null || models.isBlank() ? List.of()
        : Arrays.stream(models.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new Package(rs.getLong("id"), rs.getLong("supplier_id"), rs.getLong("account_id"), rs.getString("name"),
        names, rs.getLong("quota_tokens"), rs.getLong("used_tokens"), rs.getLong("input_per_1m"),
        rs.getLong("output_per_1m"), rs.getLong("cached_input_per_1m"), rs.getInt("valid_days"),
        rs.getInt("max_concurrency"), rs.getInt("rpm_limit"), rs.getString("public_name"), rs.getString("status"),
        Jdbc.instant(rs, "activated_at"), Jdbc.instant(rs, "expires_at"), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "updated_at"));
  }

  @Override
  public boolean transition(long id, String from, String to, Instant activatedAt, Instant expiresAt) {
    return Jdbc.update(ds, "UPDATE supply_packages SET status = ?, activated_at = COALESCE(?, activated_at), "
        + "expires_at = COALESCE(?, expires_at), updated_at = CURRENT_TIMESTAMP WHERE id = ? AND status = ?", ps -> {
          ps.setString(1, to);
          setTimestamp(ps, 2, activatedAt);
          setTimestamp(ps, 3, expiresAt);
          ps.setLong(4, id);
          ps.setString(5, from);
        }) == 1;
  }

  /** Active and paused packages whose time is up become expired; returns those this call moved. */
  @Override
  public List<Long> expire(Instant now) {
    Timestamp at = Timestamp.from(now);
    return inTransaction(c -> {
      List<Long> due = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM supply_packages "
          + "WHERE status IN ('active', 'paused') AND expires_at <= ? ORDER BY id")) {
        ps.setTimestamp(1, at);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) due.add(rs.getLong(1));
        }
      }
      List<Long> expired = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("UPDATE supply_packages SET status = 'expired', "
          + "updated_at = CURRENT_TIMESTAMP WHERE id = ? AND status IN ('active', 'paused') AND expires_at <= ?")) {
        for (Long id : due) { // conditional per row: another node may have moved it meanwhile
          ps.setLong(1, id);
          ps.setTimestamp(2, at);
          if (ps.executeUpdate() == 1) expired.add(id);
        }
      }
      return expired;
    });
  }

  /**
   * Row counts, the largest ids, the sum of used tokens and the sum of every row's updated_at (as epoch seconds):
   * any insert or update of an account or package changes one of them, even one whose timestamp (a transaction's
   * start) is older than the newest row's, which a MAX(updated_at) alone would miss.
   */
  @Override
  public String signature() {
    return Jdbc.query(ds, "SELECT (SELECT COUNT(*) FROM supply_accounts), (SELECT MAX(id) FROM supply_accounts), "
        + "(SELECT SUM(EXTRACT(EPOCH FROM updated_at)) FROM supply_accounts), "
        + "(SELECT COUNT(*) FROM supply_packages), (SELECT MAX(id) FROM supply_packages), "
        + "(SELECT SUM(used_tokens) FROM supply_packages), "
        + "(SELECT SUM(EXTRACT(EPOCH FROM updated_at)) FROM supply_packages)", ps -> {}, rs -> {
          StringBuilder sb = new StringBuilder();
          for (int i = 1; i <= 7; i++) {
            if (i > 1) sb.append(i == 4 ? '|' : ':');
            Object v = rs.getObject(i);
            sb.append(v instanceof java.math.BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(v));
          }
          return sb.toString();
        }).get(0);
  }

  // Earnings and payouts

  @Override
  public Totals totals(long supplierId, Instant holdSince) {
    try (Connection c = ds.getConnection()) {
      return totals(c, supplierId, holdSince);
    } catch (SQLException e) {
      throw new StoreException("supply totals failed", e);
    }
  }

  private static Totals totals(Connection c, long supplierId, Instant holdSince) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT "
        + "(SELECT COALESCE(SUM(amount_micros), 0) FROM supply_earnings WHERE supplier_id = ?), "
        + "(SELECT COALESCE(SUM(amount_micros), 0) FROM supply_earnings WHERE supplier_id = ? AND created_at > ?), "
        + "(SELECT COALESCE(SUM(amount_micros), 0) FROM supply_payouts WHERE supplier_id = ? "
        + "AND status IN ('pending', 'processing')), "
        + "(SELECT COALESCE(SUM(amount_micros), 0) FROM supply_payouts WHERE supplier_id = ? AND status = 'completed')")) {
      ps.setLong(1, supplierId);
      ps.setLong(2, supplierId);
      // No hold: nothing is later than the far future.
      ps.setTimestamp(3, Timestamp.from(holdSince == null ? Instant.parse("9999-12-31T00:00:00Z") : holdSince));
      ps.setLong(4, supplierId);
      ps.setLong(5, supplierId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
      }
    }
  }

  /**
   * Earnings in [from, to) grouped by {@code day} (UTC, YYYY-MM-DD), {@code account}, {@code package} (their ids) or
   * {@code model}; ordered by key (ids numerically). The database aggregates; days are whole 86 400 s buckets of the
   * epoch, which is the UTC date on both databases.
   */
  @Override
  public List<EarningGroup> earnings(long supplierId, Instant from, Instant to, String groupBy, Long accountId,
                                     Long packageId, String model) {
    String key = switch (groupBy == null ? "" : groupBy) {
      case "day" -> "CAST(FLOOR(EXTRACT(EPOCH FROM created_at) / 86400) AS BIGINT)";
      case "account" -> "account_id";
      case "package" -> "package_id";
      case "model" -> "model";
      default -> throw new IllegalArgumentException("groupBy must be day, account, package or model: " + groupBy);
    };
    List<Object> args = new ArrayList<>(List.of(supplierId, from, to));
    StringBuilder where = new StringBuilder(" WHERE supplier_id = ? AND created_at >= ? AND created_at < ?");
    if (accountId != null) {
      where.append(" AND account_id = ?");
      args.add(accountId);
    }
    if (packageId != null) {
      where.append(" AND package_id = ?");
      args.add(packageId);
    }
    if (model != null) {
      where.append(" AND model = ?");
      args.add(model);
    }
    boolean numeric = !groupBy.equals("model");
    List<Object[]> rows = Jdbc.query(ds, "SELECT " + key + " AS k, COUNT(*), COALESCE(SUM(tokens), 0), "
        + "COALESCE(SUM(amount_micros), 0) FROM supply_earnings" + where + " GROUP BY " + key,
        ps -> Jdbc.bindAll(ps, args), rs -> new Object[] {
            numeric ? (Object) rs.getLong(1) : rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
    rows.sort(numeric ? Comparator.comparingLong(r -> (Long) r[0]) : Comparator.comparing(r -> (String) r[0]));
    List<EarningGroup> out = new ArrayList<>(rows.size());
    for (Object[] r : rows) {
      String k = groupBy.equals("day") ? LocalDate.ofEpochDay((Long) r[0]).toString() : String.valueOf(r[0]);
      out.add(new EarningGroup(k, (Long) r[1], (Long) r[2], (Long) r[3]));
    }
    return out;
  }

  @Override
  public Optional<Payout> requestPayout(long supplierId, long amountMicros, Instant holdSince, String idempotencyKey,
                                        String note, long requestedBy) {
    return inTransaction(c -> {
      // The supplier's row is the lock: two requests (on any nodes) see each other's payouts in their totals.
      try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM suppliers WHERE tenant_id = ? FOR UPDATE")) {
        ps.setLong(1, supplierId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) return Optional.<Payout>empty();
        }
      }
      if (idempotencyKey != null) {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PAYOUT_COLUMNS
            + " WHERE supplier_id = ? AND idempotency_key = ?")) {
          ps.setLong(1, supplierId);
          ps.setString(2, idempotencyKey);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) return Optional.of(payoutRow(rs));
          }
        }
      }
      if (amountMicros <= 0 || amountMicros > totals(c, supplierId, holdSince).available()) {
        return Optional.<Payout>empty();
      }
      long id;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO supply_payouts(supplier_id, amount_micros, status, "
          + "note, requested_by, idempotency_key) VALUES (?, ?, 'pending', ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setLong(1, supplierId);
        ps.setLong(2, amountMicros);
        ps.setString(3, note);
        ps.setLong(4, requestedBy);
        ps.setString(5, idempotencyKey);
        ps.executeUpdate();
        id = generatedId(ps);
      }
      Payout p = one(c, "SELECT " + PAYOUT_COLUMNS + " WHERE id = ?", id, SupplyRepository::payoutRow).orElseThrow();
      try (PreparedStatement le = LedgerRepository.entryInsert(c)) {
        Timestamp at = Timestamp.from(p.createdAt());
        String txn = "payout:" + id + ":request";
        LedgerRepository.addEntry(le, txn, LedgerRepository.SUPPLIER_EARNINGS, supplierId, -amountMicros,
            "payout_request", at);
        LedgerRepository.addEntry(le, txn, SUPPLIER_PAYOUTS, supplierId, amountMicros, "payout_request", at);
        le.executeBatch();
      }
      return Optional.of(p);
    });
  }

  @Override
  public Optional<Payout> payout(long id) {
    return Jdbc.query(ds, "SELECT " + PAYOUT_COLUMNS + " WHERE id = ?", ps -> ps.setLong(1, id),
        SupplyRepository::payoutRow).stream().findFirst();
  }

  /** Newest first. */
  @Override
  public List<Payout> payouts(Long supplierId, String status, int limit) {
    List<Object> args = new ArrayList<>();
    String where = filter(supplierId, status, args);
    args.add(Math.max(0, limit));
    return Jdbc.query(ds, "SELECT " + PAYOUT_COLUMNS + where + " ORDER BY id DESC LIMIT ?",
        ps -> Jdbc.bindAll(ps, args), SupplyRepository::payoutRow);
  }

  /**
   * Moves a payout and posts its money in one transaction: completed (payouts → paid), failed (payouts → earnings,
   * available again). A reference, when given, replaces the stored one.
   *
   * @throws IllegalArgumentException for a move other than pending → processing | failed, processing → completed |
   *     failed
   */
  @Override
  public boolean settlePayout(long id, String from, String to, String reference, long decidedBy) {
    if (!MOVES.contains(from + ">" + to)) {
      throw new IllegalArgumentException("a payout cannot move from " + from + " to " + to);
    }
    return inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE supply_payouts SET status = ?, "
          + "reference = COALESCE(?, reference), decided_by = ?, updated_at = CURRENT_TIMESTAMP "
          + "WHERE id = ? AND status = ?")) {
        ps.setString(1, to);
        setString(ps, 2, reference);
        ps.setLong(3, decidedBy);
        ps.setLong(4, id);
        ps.setString(5, from);
        if (ps.executeUpdate() != 1) return false;
      }
      if (to.equals("processing")) return true;
      Payout p = one(c, "SELECT " + PAYOUT_COLUMNS + " WHERE id = ?", id, SupplyRepository::payoutRow).orElseThrow();
      try (PreparedStatement le = LedgerRepository.entryInsert(c)) {
        Timestamp at = Timestamp.from(p.updatedAt());
        String txn = "payout:" + id + ":" + to;
        long a = p.amountMicros();
        if (to.equals("completed")) {
          LedgerRepository.addEntry(le, txn, SUPPLIER_PAYOUTS, p.supplierId(), -a, "payout", at);
          LedgerRepository.addEntry(le, txn, SUPPLIER_PAID, p.supplierId(), a, "payout", at);
        } else {
          LedgerRepository.addEntry(le, txn, SUPPLIER_PAYOUTS, p.supplierId(), -a, "payout_failed", at);
          LedgerRepository.addEntry(le, txn, LedgerRepository.SUPPLIER_EARNINGS, p.supplierId(), a, "payout_failed", at);
        }
        le.executeBatch();
      }
      return true;
    });
  }

  private static Payout payoutRow(ResultSet rs) throws SQLException {
    return new Payout(rs.getLong("id"), rs.getLong("supplier_id"), rs.getLong("amount_micros"), rs.getString("status"),
        rs.getString("reference"), rs.getString("note"), rs.getObject("requested_by", Long.class),
        rs.getObject("decided_by", Long.class), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }

  // Helpers

  /** " WHERE supplier_id = ? AND status = ?" for the filters given (null = any), their values added to args. */
  private static String filter(Long supplierId, String status, List<Object> args) {
    List<String> parts = new ArrayList<>();
    if (supplierId != null) {
      parts.add("supplier_id = ?");
      args.add(supplierId);
    }
    if (status != null) {
      parts.add("status = ?");
      args.add(status);
    }
    return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
  }

  private static <T> Optional<T> one(Connection c, String sql, long id, Jdbc.RowMapper<T> mapper) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
      }
    }
  }

  private static long generatedId(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.getGeneratedKeys()) {
      if (!rs.next()) throw new SQLException("no id returned");
      return rs.getLong(1);
    }
  }

  private static void setString(PreparedStatement ps, int i, String v) throws SQLException {
    if (v == null) ps.setNull(i, Types.VARCHAR);
    else ps.setString(i, v);
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) ps.setNull(i, Types.INTEGER);
    else ps.setInt(i, v);
  }

  private static void setTimestamp(PreparedStatement ps, int i, Instant v) throws SQLException {
    if (v == null) ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
    else ps.setTimestamp(i, Timestamp.from(v));
  }
}
