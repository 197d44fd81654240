package com.lijiaoqiao.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.routing.ProviderDef;
import com.lijiaoqiao.routing.ProviderStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Admin-managed providers. The credential column holds only the encrypted value. */
public final class ProviderRepository implements ProviderStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final DataSource ds;

  public ProviderRepository(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public List<ProviderDef> loadAll() {
    return Jdbc.query(ds, "SELECT * FROM providers ORDER BY id", ps -> {}, rs -> new ProviderDef(
        rs.getString("id"), rs.getString("kind"), rs.getString("base_url"), rs.getString("credential_enc"),
        models(rs.getString("models")), rs.getBoolean("streaming"), rs.getBoolean("tools"),
        rs.getBoolean("vision"), rs.getInt("max_context"), rs.getInt("tier"), rs.getDouble("quality"),
        rs.getDouble("input_price"), rs.getDouble("output_price"), rs.getString("owned_by"),
        rs.getBoolean("enabled"), "admin"));
  }

  @Override
  public void insert(ProviderDef d) {
    Jdbc.update(ds, "INSERT INTO providers(kind, base_url, credential_enc, models, streaming, tools, vision, "
        + "max_context, tier, quality, input_price, output_price, owned_by, enabled, updated_at, id) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> bind(ps, d));
  }

  @Override
  public boolean update(ProviderDef d) {
    return updateRow(d);
  }

  @Override
  public String signature() {
    return Jdbc.query(ds, "SELECT COUNT(*), MAX(updated_at) FROM providers", ps -> {},
        rs -> rs.getLong(1) + "@" + rs.getTimestamp(2)).get(0);
  }

  private boolean updateRow(ProviderDef d) {
    return Jdbc.update(ds, "UPDATE providers SET kind = ?, base_url = ?, credential_enc = ?, models = ?, "
        + "streaming = ?, tools = ?, vision = ?, max_context = ?, tier = ?, quality = ?, input_price = ?, "
        + "output_price = ?, owned_by = ?, enabled = ?, updated_at = ? WHERE id = ?", ps -> bind(ps, d)) > 0;
  }

  @Override
  public boolean delete(String id) {
    return Jdbc.update(ds, "DELETE FROM providers WHERE id = ?", ps -> ps.setString(1, id)) > 0;
  }

  private static void bind(java.sql.PreparedStatement ps, ProviderDef d) throws java.sql.SQLException {
    ps.setString(1, d.kind());
    ps.setString(2, d.baseUrl() == null ? "" : d.baseUrl());
    ps.setString(3, d.credential() == null ? "" : d.credential());
    try {
      ps.setString(4, JSON.writeValueAsString(d.models()));
    } catch (Exception e) {
      throw new java.sql.SQLException("models cannot be written", e);
    }
    ps.setBoolean(5, d.streaming());
    ps.setBoolean(6, d.tools());
    ps.setBoolean(7, d.vision());
    ps.setInt(8, d.maxContext());
    ps.setInt(9, d.tier());
    ps.setDouble(10, d.quality());
    ps.setDouble(11, d.inputPrice());
    ps.setDouble(12, d.outputPrice());
    ps.setString(13, d.ownedBy() == null ? "" : d.ownedBy());
    ps.setBoolean(14, d.enabled());
    ps.setTimestamp(15, Jdbc.timestamp(Instant.now()));
    ps.setString(16, d.id());
  }

  private static Map<String, String> models(String json) {
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (Exception e) {
      throw new StoreException("providers.models is not a JSON object", e);
    }
  }

  /** The raw stored credential column, for tests proving it is encrypted. */
  public String storedCredential(String id) {
    List<String> r = Jdbc.query(ds, "SELECT credential_enc FROM providers WHERE id = ?", ps -> ps.setString(1, id),
        rs -> rs.getString(1));
    return r.isEmpty() ? null : r.get(0);
  }
}
