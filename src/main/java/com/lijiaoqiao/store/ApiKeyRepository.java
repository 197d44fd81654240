package com.lijiaoqiao.store;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.access.ApiKeyStore;
import com.lijiaoqiao.access.IpAllowList;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/** Platform keys, stored only as HMAC hashes plus a display prefix. */
public final class ApiKeyRepository implements ApiKeyStore {
  private static final String COLUMNS = "k.id, k.user_id, k.tenant_id, k.key_hash, k.key_prefix, k.name, "
      + "k.description, k.allowed_models, k.allowed_ips, k.rate_limit_rpm, k.rate_limit_tpm, k.status AS key_status, "
      + "CASE WHEN u.status = 'active' THEN k.status ELSE 'user_' || u.status END AS status, k.expires_at, "
      + "k.last_used_at, k.created_at, k.revoked_at, u.role, k.budget_day_micros, k.budget_week_micros, "
      + "k.budget_month_micros";
  private static final String FROM = " FROM api_keys k JOIN users u ON u.id = k.user_id";

  /** A key as the management API shows it: never the hash, never the secret. */
  public record KeyRow(long id, long userId, long tenantId, String name, String description, String keyPrefix,
                       List<String> allowedModels, List<String> allowedIps, int rpmLimit, int tpmLimit, String status,
                       Instant expiresAt, Instant lastUsedAt, Instant createdAt, Instant revokedAt,
                       String budgetDay, String budgetWeek, String budgetMonth,
                       @com.fasterxml.jackson.annotation.JsonIgnore String keyHash) {}

  private final DataSource ds;

  public ApiKeyRepository(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public long insert(NewKey k) {
    return Jdbc.insertReturningId(ds, "INSERT INTO api_keys(user_id, tenant_id, key_hash, key_prefix, name, "
        + "description, allowed_models, allowed_ips, rate_limit_rpm, rate_limit_tpm, expires_at) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
          ps.setLong(1, k.userId());
          ps.setLong(2, k.tenantId());
          ps.setString(3, k.hash());
          ps.setString(4, k.displayPrefix());
          ps.setString(5, k.name() == null ? "" : k.name());
          ps.setString(6, k.description());
          ps.setString(7, String.join(",", k.allowedModels()));
          ps.setString(8, k.allowedIps() == null ? "" : k.allowedIps());
          ps.setInt(9, k.rpm());
          ps.setInt(10, k.tpm());
          ps.setTimestamp(11, Jdbc.timestamp(k.expiresAt()));
        }, (c, id) -> List.of(com.lijiaoqiao.events.DomainEvent.of(com.lijiaoqiao.events.EventTypes.KEY_CREATED,
            k.tenantId(), java.util.Map.of("api_key_id", id, "user_id", k.userId(), "name",
                k.name() == null ? "" : k.name()))));
  }

  /** key.disabled for the key (why: revoked, disabled), with its tenant and user read in the change's transaction. */
  private static List<com.lijiaoqiao.events.DomainEvent> keyDisabled(java.sql.Connection c, long keyId, String why)
      throws java.sql.SQLException {
    try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT tenant_id, user_id FROM api_keys WHERE id = ?")) {
      ps.setLong(1, keyId);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return List.of();
        return List.of(com.lijiaoqiao.events.DomainEvent.of(com.lijiaoqiao.events.EventTypes.KEY_DISABLED, rs.getLong(1),
            java.util.Map.of("api_key_id", keyId, "user_id", rs.getLong(2), "reason", why)));
      }
    }
  }

  @Override
  public List<StoredKey> loadActive() {
    return Jdbc.query(ds, "SELECT " + COLUMNS + FROM + " WHERE k.status = 'active' AND u.status = 'active'",
        ps -> {}, ApiKeyRepository::map);
  }

  @Override
  public Optional<StoredKey> findByHash(String hash) {
    return Jdbc.query(ds, "SELECT " + COLUMNS + FROM + " WHERE k.key_hash = ?", ps -> ps.setString(1, hash),
        ApiKeyRepository::map).stream().findFirst();
  }

  @Override
  public List<StoredKey> findByUser(long userId) {
    return Jdbc.query(ds, "SELECT " + COLUMNS + FROM + " WHERE k.user_id = ? AND k.status <> 'revoked'",
        ps -> ps.setLong(1, userId), ApiKeyRepository::map);
  }

  @Override
  public List<StoredKey> findChangedSince(Instant since) {
    Timestamp t = Timestamp.from(since);
    return Jdbc.query(ds, "SELECT " + COLUMNS + FROM + " WHERE k.updated_at > ? UNION SELECT " + COLUMNS + FROM
        + " WHERE u.updated_at > ?", ps -> {
          ps.setTimestamp(1, t);
          ps.setTimestamp(2, t);
        }, ApiKeyRepository::map);
  }

  @Override
  public boolean replaceSecret(long keyId, String oldHash, String newHash, String newDisplayPrefix) {
    return Jdbc.update(ds, "UPDATE api_keys SET key_hash = ?, key_prefix = ?, updated_at = ? "
        + "WHERE id = ? AND key_hash = ? AND status = 'active'", ps -> {
          ps.setString(1, newHash);
          ps.setString(2, newDisplayPrefix);
          ps.setTimestamp(3, Timestamp.from(Instant.now()));
          ps.setLong(4, keyId);
          ps.setString(5, oldHash);
        }) == 1;
  }

  /** Disables an active key (risk control's block_key): it stops working on every node at the next key sync. */
  public boolean disable(long keyId) {
    Timestamp now = Timestamp.from(Instant.now());
    return Jdbc.update(ds, "UPDATE api_keys SET status = 'disabled', updated_at = ? WHERE id = ? AND status = 'active'",
        ps -> {
          ps.setTimestamp(1, now);
          ps.setLong(2, keyId);
        }, keyId, (c, id) -> keyDisabled(c, id, "disabled")) == 1;
  }

  /** Enables a disabled key again (its owner's choice, or an operator's after a risk block); revoked keys stay revoked. */
  public boolean enable(long keyId) {
    Timestamp now = Timestamp.from(Instant.now());
    return Jdbc.update(ds, "UPDATE api_keys SET status = 'active', updated_at = ? WHERE id = ? AND status = 'disabled'",
        ps -> {
          ps.setTimestamp(1, now);
          ps.setLong(2, keyId);
        }) == 1;
  }

  @Override
  public boolean revoke(long keyId) {
    Timestamp now = Timestamp.from(Instant.now());
    return Jdbc.update(ds, "UPDATE api_keys SET status = 'revoked', revoked_at = ?, updated_at = ? "
        + "WHERE id = ? AND status <> 'revoked'", ps -> {
          ps.setTimestamp(1, now);
          ps.setTimestamp(2, now);
          ps.setLong(3, keyId);
        }, keyId, (c, id) -> keyDisabled(c, id, "revoked")) == 1;
  }

  @Override
  public void updateLastUsed(Map<Long, Long> lastUsed) {
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ? "
             + "AND (last_used_at IS NULL OR last_used_at < ?)")) {
      for (Map.Entry<Long, Long> e : lastUsed.entrySet()) {
        Timestamp t = new Timestamp(e.getValue());
        ps.setTimestamp(1, t);
        ps.setLong(2, e.getKey());
        ps.setTimestamp(3, t);
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw new StoreException("updating last-used times failed", e);
    }
  }

  /** Sets a key's spend budgets; the key counts as changed, so every node's key sync picks them up. */
  public boolean saveBudget(long keyId, com.lijiaoqiao.budgets.Budget b) {
    return Jdbc.update(ds, "UPDATE api_keys SET budget_day_micros = ?, budget_week_micros = ?, budget_month_micros = ?, "
        + "updated_at = ? WHERE id = ?", ps -> {
          BudgetRepository.bindBudget(ps, 1, b);
          ps.setTimestamp(4, Timestamp.from(Instant.now()));
          ps.setLong(5, keyId);
        }) == 1;
  }

  public Optional<KeyRow> findRow(long id) {
    return Jdbc.query(ds, "SELECT " + COLUMNS + FROM + " WHERE k.id = ?", ps -> ps.setLong(1, id),
        ApiKeyRepository::row).stream().findFirst();
  }

  public long countActiveByUser(long userId) {
    return Jdbc.query(ds, "SELECT COUNT(*) FROM api_keys WHERE user_id = ? AND status = 'active'",
        ps -> ps.setLong(1, userId), rs -> rs.getLong(1)).get(0);
  }

  public record Page<T>(List<T> rows, long total) {}

  /** Keys, newest first; null filters are not applied. */
  public Page<KeyRow> list(Long tenantId, Long userId, String status, int offset, int limit) {
    StringBuilder where = new StringBuilder(" WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (tenantId != null) {
      where.append(" AND k.tenant_id = ?");
      args.add(tenantId);
    }
    if (userId != null) {
      where.append(" AND k.user_id = ?");
      args.add(userId);
    }
    if (status != null) {
      where.append(" AND k.status = ?");
      args.add(status);
    }
    long total = Jdbc.query(ds, "SELECT COUNT(*)" + FROM + where, ps -> Jdbc.bindAll(ps, args),
        rs -> rs.getLong(1)).get(0);
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(limit);
    pageArgs.add(offset);
    List<KeyRow> rows = Jdbc.query(ds, "SELECT " + COLUMNS + FROM + where + " ORDER BY k.id DESC LIMIT ? OFFSET ?",
        ps -> Jdbc.bindAll(ps, pageArgs), ApiKeyRepository::row);
    return new Page<>(rows, total);
  }

  private static List<String> split(String s) {
    return s == null || s.isBlank() ? List.of()
        : Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  private static KeyRow row(ResultSet rs) throws SQLException {
    return new KeyRow(rs.getLong("id"), rs.getLong("user_id"), rs.getLong("tenant_id"), rs.getString("name"),
        rs.getString("description"), rs.getString("key_prefix"), split(rs.getString("allowed_models")),
        split(rs.getString("allowed_ips")), rs.getInt("rate_limit_rpm"), rs.getInt("rate_limit_tpm"),
        rs.getString("key_status"), Jdbc.instant(rs, "expires_at"), Jdbc.instant(rs, "last_used_at"),
        Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "revoked_at"), amount(rs, "budget_day_micros"),
        amount(rs, "budget_week_micros"), amount(rs, "budget_month_micros"), rs.getString("key_hash"));
  }

  /** A budget as the API shows amounts: a decimal string, null for none. */
  private static String amount(ResultSet rs, String column) throws SQLException {
    Long v = micros(rs, column);
    return v == null ? null : com.lijiaoqiao.billing.Money.format(v);
  }

  static Long micros(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static StoredKey map(ResultSet rs) throws SQLException {
    Set<String> allowed = split(rs.getString("allowed_models")).stream().collect(Collectors.toUnmodifiableSet());
    IpAllowList ips;
    try {
      ips = IpAllowList.parse(rs.getString("allowed_ips"));
    } catch (IllegalArgumentException e) {
      ips = IpAllowList.parse("0.0.0.0/32"); // an unreadable allow-list admits nobody rather than everybody
    }
    ApiKeyPrincipal p = new ApiKeyPrincipal(rs.getLong("id"), rs.getLong("user_id"), rs.getLong("tenant_id"),
        rs.getString("name"), rs.getString("key_prefix"), allowed, rs.getInt("rate_limit_rpm"),
        rs.getInt("rate_limit_tpm"), rs.getString("status"), Jdbc.instant(rs, "expires_at"), rs.getString("role"),
        ips, null, new com.lijiaoqiao.budgets.Budget(micros(rs, "budget_day_micros"), micros(rs, "budget_week_micros"),
            micros(rs, "budget_month_micros")));
    return new StoredKey(rs.getString("key_hash"), p);
  }
}
