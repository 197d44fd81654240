package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.LedgerStore;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.Settlement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The double-entry ledger, wallets, billing records, top-ups and redemption codes. Every money movement is
 * one transaction whose ledger entries sum to zero, together with the wallet's cached balance.
 */
public final class LedgerRepository implements LedgerStore {
  static final String WALLET = "wallet";
  static final String REVENUE = "revenue";
  static final String TOPUP_SOURCE = "topup_source";
  /** What suppliers earned and have not been paid or requested (one account per supplier tenant). */
  static final String SUPPLIER_EARNINGS = "supplier_earnings";

  private final DataSource ds;
  private final boolean postgres;
  private final Durability durability;

  public LedgerRepository(DataSource ds, boolean postgres) {
    this(ds, postgres, Durability.NONE);
  }

  public LedgerRepository(DataSource ds, boolean postgres, Durability durability) {
    this.ds = ds;
    this.postgres = postgres;
    this.durability = durability;
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
      throw new StoreException("ledger transaction failed", e);
    }
  }

  @Override
  public void makeDurable() {
    durability.flush();
  }

  @Override
  public void applySettlements(List<Settlement> batch, List<LowBalance> lowBalances) {
    if (batch.isEmpty() && lowBalances.isEmpty()) return;
    inTransaction(c -> {
      Set<String> known = existingRequestIds(c, batch);
      List<Settlement> fresh = new ArrayList<>();
      for (Settlement s : batch) {
        if (known.add(s.requestId())) fresh.add(s);
      }
      if (fresh.isEmpty()) return null;
      try (PreparedStatement br = c.prepareStatement("INSERT INTO billing_records(user_id, tenant_id, request_id, "
          + "provider, model, prompt_tokens, completion_tokens, amount_micros, api_key_id, cached_tokens, "
          + "reserved_micros, tokens_estimated, created_at, cache_write_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (Settlement s : fresh) {
          br.setLong(1, s.userId());
          br.setLong(2, s.tenantId());
          br.setString(3, s.requestId());
          br.setString(4, s.provider() == null ? "" : s.provider());
          br.setString(5, s.model());
          br.setLong(6, s.promptTokens());
          br.setLong(7, s.completionTokens());
          br.setLong(8, s.costMicros());
          br.setLong(9, s.apiKeyId());
          br.setLong(10, s.cachedTokens());
          br.setLong(11, s.reservedMicros());
          br.setBoolean(12, s.tokensEstimated());
          br.setTimestamp(13, new Timestamp(s.createdAtMillis()));
          br.setLong(14, s.cacheWriteTokens());
          br.addBatch();
        }
        br.executeBatch();
      }
      // The usage record comes from the same journaled settlement, so a crash can lose neither alone.
      List<com.lijiaoqiao.usage.UsageRecord> usage = new ArrayList<>();
      for (Settlement s : fresh) {
        com.lijiaoqiao.usage.UsageRecord r = UsageRepository.of(s);
        if (r != null) usage.add(r);
      }
      UsageRepository.insertMissing(c, usage);
      if (requestEvents) OutboxRepository.append(c, SettlementEvents.of(fresh));
      // One posting per tenant per batch (wallet −Σ; revenue +Σ less what suppliers earned from it; each supplier
      // +its earnings); the per-request detail is the billing record and the supply earning rows. This keeps ledger
      // writes off the per-request cost while every posting still balances.
      Map<Long, Long> perTenant = new LinkedHashMap<>();
      Map<Long, Map<Long, Long>> earnedFrom = new LinkedHashMap<>(); // consumer tenant → supplier → earnings
      for (Settlement s : fresh) {
        if (s.costMicros() != 0) perTenant.merge(s.tenantId(), s.costMicros(), Long::sum);
        for (com.lijiaoqiao.billing.Earning e : s.earningsOrEmpty()) {
          if (e.amountMicros() == 0) continue;
          perTenant.putIfAbsent(s.tenantId(), 0L);
          earnedFrom.computeIfAbsent(s.tenantId(), t -> new LinkedHashMap<>()).merge(e.supplierId(), e.amountMicros(),
              Long::sum);
        }
      }
      if (!perTenant.isEmpty()) {
        Timestamp at = new Timestamp(fresh.get(fresh.size() - 1).createdAtMillis());
        String batchId = fresh.get(0).requestId();
        try (PreparedStatement le = entryInsert(c)) {
          for (var e : perTenant.entrySet()) {
            String txn = "charges:" + e.getKey() + ":" + batchId;
            long suppliers = 0;
            for (var earned : earnedFrom.getOrDefault(e.getKey(), Map.of()).entrySet()) {
              addEntry(le, txn, SUPPLIER_EARNINGS, earned.getKey(), earned.getValue(), "earning", at);
              suppliers += earned.getValue();
            }
            if (e.getValue() != 0) addEntry(le, txn, WALLET, e.getKey(), -e.getValue(), "charge", at);
            if (e.getValue() - suppliers != 0) addEntry(le, txn, REVENUE, e.getKey(), e.getValue() - suppliers, "charge", at);
          }
          le.executeBatch();
        }
        Map<Long, Long> deltas = new LinkedHashMap<>();
        perTenant.forEach((t, v) -> {
          if (v != 0) deltas.put(t, -v);
        });
        adjustWallets(c, deltas);
        String node = leaseNode;
        if (node != null && !deltas.isEmpty()) {
          // A charge is paid out of its node's lease: lease and balance shrink together (see LeasedBalance).
          try (PreparedStatement lp = c.prepareStatement(
              "UPDATE balance_leases SET amount_micros = amount_micros - ? WHERE tenant_id = ? AND node_id = ?")) {
            for (var e : deltas.entrySet()) {
              lp.setLong(1, -e.getValue());
              lp.setLong(2, e.getKey());
              lp.setString(3, node);
              lp.addBatch();
            }
            lp.executeBatch();
          }
        }
      }
      SupplyLedger.apply(c, fresh, leaseNode);
      insertLowBalanceEvents(c, lowBalances);
      return null;
    });
  }

  private static Set<String> existingRequestIds(Connection c, List<Settlement> batch) throws SQLException {
    Set<String> found = new HashSet<>();
    for (int from = 0; from < batch.size(); from += 500) {
      List<Settlement> part = batch.subList(from, Math.min(batch.size(), from + 500));
      String marks = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT request_id FROM billing_records WHERE request_id IN (" + marks + ")")) {
        for (int i = 0; i < part.size(); i++) ps.setString(i + 1, part.get(i).requestId());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) found.add(rs.getString(1));
        }
      }
    }
    return found;
  }

  static PreparedStatement entryInsert(Connection c) throws SQLException {
    return c.prepareStatement("INSERT INTO ledger_entries(txn_id, account, tenant_id, amount_micros, kind, created_at) "
        + "VALUES (?, ?, ?, ?, ?, ?)");
  }

  static void addEntry(PreparedStatement ps, String txn, String account, Long tenant, long amount, String kind,
                               Timestamp at) throws SQLException {
    ps.setString(1, txn);
    ps.setString(2, account);
    if (tenant == null) ps.setNull(3, java.sql.Types.BIGINT);
    else ps.setLong(3, tenant);
    ps.setLong(4, amount);
    ps.setString(5, kind);
    ps.setTimestamp(6, at);
    ps.addBatch();
  }

  /** Applies balance changes, creating wallets that do not exist yet. */
  private static void adjustWallets(Connection c, Map<Long, Long> deltas) throws SQLException {
    if (deltas.isEmpty()) return;
    ensureWallets(c, deltas.keySet());
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE wallets SET balance_micros = balance_micros + ?, updated_at = CURRENT_TIMESTAMP WHERE tenant_id = ?")) {
      for (var e : deltas.entrySet()) {
        ps.setLong(1, e.getValue());
        ps.setLong(2, e.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void ensureWallets(Connection c, Collection<Long> tenants) throws SQLException {
    Set<Long> existing = new HashSet<>();
    String marks = String.join(",", java.util.Collections.nCopies(tenants.size(), "?"));
    try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM wallets WHERE tenant_id IN (" + marks + ")")) {
      int i = 1;
      for (Long t : tenants) ps.setLong(i++, t);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) existing.add(rs.getLong(1));
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO wallets(tenant_id, balance_micros) VALUES (?, 0)")) {
      boolean any = false;
      for (Long t : tenants) {
        if (existing.contains(t)) continue;
        ps.setLong(1, t);
        ps.addBatch();
        any = true;
      }
      if (any) ps.executeBatch();
    }
  }

  private static void insertLowBalanceEvents(Connection c, List<LowBalance> lows) throws SQLException {
    if (lows.isEmpty()) return;
    List<com.lijiaoqiao.events.DomainEvent> events = new ArrayList<>();
    for (LowBalance l : lows) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("tenant_id", l.tenantId());
      p.put("request_id", l.requestId());
      p.put("balance", com.lijiaoqiao.billing.Money.format(l.balanceAfter()));
      p.put("threshold", com.lijiaoqiao.billing.Money.format(l.threshold()));
      events.add(com.lijiaoqiao.events.DomainEvent.of(l.balanceAfter() <= 0
          ? com.lijiaoqiao.events.EventTypes.BALANCE_DEPLETED : com.lijiaoqiao.events.EventTypes.LOW_BALANCE,
          l.tenantId(), p));
    }
    OutboxRepository.append(c, events);
  }


  @Override
  public Map<Long, WalletRow> loadWallets() {
    Map<Long, WalletRow> out = new HashMap<>();
    for (WalletRow w : Jdbc.query(ds, "SELECT tenant_id, balance_micros, low_balance_threshold_micros FROM wallets",
        ps -> {}, rs -> new WalletRow(rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3, Long.class)))) {
      out.put(w.tenantId(), w);
    }
    return out;
  }

  /** This node's id in balance_leases: its shipped charges shrink its leases in the same transaction. */
  private volatile String leaseNode;
  /** Whether each settlement also writes request.completed and billing.settled events (events.request_events). */
  private volatile boolean requestEvents = true;

  public void requestEvents(boolean on) {
    this.requestEvents = on;
  }

  /** This node's id in leases, or null when leases are off. */
  public String leaseNode() {
    return leaseNode;
  }

  public void leaseNode(String nodeId) {
    this.leaseNode = nodeId;
  }

  @Override
  public long balanceOf(long tenantId) {
    List<Long> b = Jdbc.query(ds, "SELECT balance_micros FROM wallets WHERE tenant_id = ?", ps -> ps.setLong(1, tenantId),
        rs -> rs.getLong(1));
    return b.isEmpty() ? 0 : b.get(0);
  }

  @Override
  public Topup credit(long tenantId, long amount, String source, String idempotencyKey, String note, Long actor) {
    Optional<Topup> existing = findTopup(idempotencyKey);
    if (existing.isPresent()) return existing.get();
    try {
      return inTransaction(c -> insertTopup(c, tenantId, amount, source, idempotencyKey, note, actor));
    } catch (StoreException e) {
      // Two concurrent credits with one key: the unique constraint let one in; return it.
      return findTopup(idempotencyKey).orElseThrow(() -> e);
    }
  }

  private Topup insertTopup(Connection c, long tenantId, long amount, String source, String key, String note,
                            Long actor) throws SQLException {
    long id;
    Instant now = Instant.now();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO topups(tenant_id, amount_micros, source, "
        + "idempotency_key, note, actor_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      ps.setLong(1, tenantId);
      ps.setLong(2, amount);
      ps.setString(3, source);
      ps.setString(4, key);
      ps.setString(5, note);
      if (actor == null) ps.setNull(6, java.sql.Types.BIGINT);
      else ps.setLong(6, actor);
      ps.setTimestamp(7, Timestamp.from(now));
      ps.executeUpdate();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        rs.next();
        id = rs.getLong(1);
      }
    }
    try (PreparedStatement le = entryInsert(c)) {
      Timestamp at = Timestamp.from(now);
      addEntry(le, "topup:" + id, TOPUP_SOURCE, null, -amount, "topup", at);
      addEntry(le, "topup:" + id, WALLET, tenantId, amount, "topup", at);
      le.executeBatch();
    }
    adjustWallets(c, Map.of(tenantId, amount));
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("topup_id", id);
    p.put("tenant_id", tenantId);
    p.put("amount", com.lijiaoqiao.billing.Money.format(amount));
    p.put("source", source);
    OutboxRepository.append(c, List.of(com.lijiaoqiao.events.DomainEvent.of(com.lijiaoqiao.events.EventTypes.TOPUP,
        tenantId, p)));
    return new Topup(id, tenantId, amount, source, note, now, false);
  }

  private Optional<Topup> findTopup(String key) {
    return Jdbc.query(ds, "SELECT id, tenant_id, amount_micros, source, note, created_at FROM topups WHERE idempotency_key = ?",
        ps -> ps.setString(1, key), rs -> new Topup(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
            rs.getString(5), Jdbc.instant(rs, "created_at"), true)).stream().findFirst();
  }

  @Override
  public Optional<Topup> redeem(String codeHash, long tenantId, Instant now) {
    return inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE redemption_codes SET redeemed_tenant_id = ?, redeemed_at = ? "
          + "WHERE code_hash = ? AND redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)")) {
        ps.setLong(1, tenantId);
        ps.setTimestamp(2, Timestamp.from(now));
        ps.setString(3, codeHash);
        ps.setTimestamp(4, Timestamp.from(now));
        if (ps.executeUpdate() != 1) return Optional.<Topup>empty();
      }
      long amount;
      try (PreparedStatement ps = c.prepareStatement("SELECT amount_micros FROM redemption_codes WHERE code_hash = ?")) {
        ps.setString(1, codeHash);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          amount = rs.getLong(1);
        }
      }
      return Optional.of(insertTopup(c, tenantId, amount, "redemption", "redeem:" + codeHash, null, null));
    });
  }

  @Override
  public void createCodes(List<String> hashes, List<String> prefixes, long amount, Instant expiresAt, Long actor) {
    inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO redemption_codes(code_hash, code_prefix, amount_micros, "
          + "expires_at, created_by) VALUES (?, ?, ?, ?, ?)")) {
        for (int i = 0; i < hashes.size(); i++) {
          ps.setString(1, hashes.get(i));
          ps.setString(2, prefixes.get(i));
          ps.setLong(3, amount);
          ps.setTimestamp(4, expiresAt == null ? null : Timestamp.from(expiresAt));
          if (actor == null) ps.setNull(5, java.sql.Types.BIGINT);
          else ps.setLong(5, actor);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public Map<String, ModelPrice> loadPrices() {
    Map<String, ModelPrice> out = new LinkedHashMap<>();
    for (ModelPrice p : Jdbc.query(ds, "SELECT model, input_per_1m_micros, output_per_1m_micros, "
        + "cached_input_per_1m_micros, max_output_tokens, cache_write_per_1m_micros FROM model_prices ORDER BY model",
        ps -> {}, rs -> {
          Long write = (Long) rs.getObject(6, Long.class);
          return new ModelPrice(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
              write == null ? rs.getLong(2) : write);
        })) {
      out.put(p.model(), p);
    }
    return out;
  }

  @Override
  public void savePrice(ModelPrice p) {
    String sql = postgres
        ? "INSERT INTO model_prices(model, input_per_1m_micros, output_per_1m_micros, cached_input_per_1m_micros, "
            + "max_output_tokens, cache_write_per_1m_micros, updated_at) VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP) "
            + "ON CONFLICT (model) DO UPDATE SET "
            + "input_per_1m_micros = EXCLUDED.input_per_1m_micros, output_per_1m_micros = EXCLUDED.output_per_1m_micros, "
            + "cached_input_per_1m_micros = EXCLUDED.cached_input_per_1m_micros, "
            + "max_output_tokens = EXCLUDED.max_output_tokens, "
            + "cache_write_per_1m_micros = EXCLUDED.cache_write_per_1m_micros, updated_at = CURRENT_TIMESTAMP"
        : "MERGE INTO model_prices(model, input_per_1m_micros, output_per_1m_micros, cached_input_per_1m_micros, "
            + "max_output_tokens, cache_write_per_1m_micros, updated_at) KEY (model) VALUES (?, ?, ?, ?, ?, ?, "
            + "CURRENT_TIMESTAMP)";
    Jdbc.update(ds, sql, ps -> {
      ps.setString(1, p.model());
      ps.setLong(2, p.inputPer1M());
      ps.setLong(3, p.outputPer1M());
      ps.setLong(4, p.cachedInputPer1M());
      ps.setInt(5, p.maxOutputTokens());
      ps.setLong(6, p.cacheWritePer1M());
    });
  }

  @Override
  public boolean tenantExists(long tenantId) {
    return !Jdbc.query(ds, "SELECT 1 FROM tenants WHERE id = ?", ps -> ps.setLong(1, tenantId), rs -> 1).isEmpty();
  }
}
