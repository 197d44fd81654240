package com.lijiaoqiao.store;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.access.ApiKeyStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/** Platform keys, stored only as HMAC hashes plus a display prefix. */
public final class ApiKeyRepository implements ApiKeyStore {
  private static final String COLUMNS = "k.id, k.user_id, k.tenant_id, k.key_hash, k.key_prefix, k.name, "
      + "k.allowed_models, k.rate_limit_rpm, k.rate_limit_tpm, "
      + "CASE WHEN u.status = 'active' THEN k.status ELSE 'user_' || u.status END AS status, k.expires_at";
  private static final String FROM = " FROM api_keys k JOIN users u ON u.id = k.user_id";

  private final DataSource ds;

  public ApiKeyRepository(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public long insert(NewKey k) {
    return Jdbc.insertReturningId(ds, "INSERT INTO api_keys(user_id, tenant_id, key_hash, key_prefix, name, "
        + "allowed_models, rate_limit_rpm, rate_limit_tpm, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
          ps.setLong(1, k.userId());
          ps.setLong(2, k.tenantId());
          ps.setString(3, k.hash());
          ps.setString(4, k.displayPrefix());
          ps.setString(5, k.name());
          ps.setString(6, String.join(",", k.allowedModels()));
          ps.setInt(7, k.rpm());
          ps.setInt(8, k.tpm());
          ps.setTimestamp(9, Jdbc.timestamp(k.expiresAt()));
        });
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

  private static StoredKey map(ResultSet rs) throws SQLException {
    String models = rs.getString("allowed_models");
    Set<String> allowed = models == null || models.isBlank() ? Set.of()
        : Arrays.stream(models.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    ApiKeyPrincipal p = new ApiKeyPrincipal(rs.getLong("id"), rs.getLong("user_id"), rs.getLong("tenant_id"),
        rs.getString("name"), rs.getString("key_prefix"), allowed, rs.getInt("rate_limit_rpm"),
        rs.getInt("rate_limit_tpm"), rs.getString("status"), Jdbc.instant(rs, "expires_at"));
    return new StoredKey(rs.getString("key_hash"), p);
  }
}
