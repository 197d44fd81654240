package com.lijiaoqiao.store;

import com.lijiaoqiao.budgets.Budget;
import com.lijiaoqiao.budgets.BudgetStore;
import com.lijiaoqiao.budgets.TenantLimit;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Spend budgets of keys (columns of api_keys) and tenants (tenant_limits), and spend read back from billing_records. */
public final class BudgetRepository implements BudgetStore {
  private final DataSource ds;

  public BudgetRepository(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public List<TenantLimit> loadTenantLimits() {
    return Jdbc.query(ds, "SELECT tenant_id, budget_day_micros, budget_week_micros, budget_month_micros, rpm_limit, "
        + "tpm_limit FROM tenant_limits", ps -> {}, rs -> new TenantLimit(rs.getLong("tenant_id"), budget(rs),
        rs.getInt("rpm_limit"), rs.getInt("tpm_limit")));
  }

  @Override
  public void saveTenantLimit(TenantLimit t) {
    Timestamp now = Timestamp.from(Instant.now());
    String update = "UPDATE tenant_limits SET budget_day_micros = ?, budget_week_micros = ?, budget_month_micros = ?, "
        + "rpm_limit = ?, tpm_limit = ?, updated_at = ? WHERE tenant_id = ?";
    Jdbc.Binder bind = ps -> {
      bindBudget(ps, 1, t.budget());
      ps.setInt(4, t.rpmLimit());
      ps.setInt(5, t.tpmLimit());
      ps.setTimestamp(6, now);
      ps.setLong(7, t.tenantId());
    };
    if (Jdbc.update(ds, update, bind) == 1) return;
    try {
      Jdbc.update(ds, "INSERT INTO tenant_limits(budget_day_micros, budget_week_micros, budget_month_micros, "
          + "rpm_limit, tpm_limit, updated_at, tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?)", bind);
    } catch (StoreException e) {
      if (Jdbc.update(ds, update, bind) != 1) throw e; // another writer inserted it first: ours is the later write
    }
  }

  @Override
  public boolean saveKeyBudget(long keyId, Budget b) {
    return new ApiKeyRepository(ds).saveBudget(keyId, b);
  }

  @Override
  public Map<Long, Long> spentByTenantSince(Instant since) {
    return sums("tenant_id", since);
  }

  @Override
  public Map<Long, Long> spentByKeySince(Instant since) {
    return sums("api_key_id", since);
  }

  private Map<Long, Long> sums(String column, Instant since) {
    Map<Long, Long> out = new HashMap<>();
    Jdbc.query(ds, "SELECT " + column + ", SUM(amount_micros) FROM billing_records WHERE created_at >= ? AND "
        + column + " IS NOT NULL GROUP BY " + column, ps -> ps.setTimestamp(1, Timestamp.from(since)), rs -> {
          out.put(rs.getLong(1), rs.getLong(2));
          return null;
        });
    return out;
  }

  static void bindBudget(PreparedStatement ps, int first, Budget b) throws SQLException {
    Long[] v = {b.dayMicros(), b.weekMicros(), b.monthMicros()};
    for (int i = 0; i < 3; i++) {
      if (v[i] == null) ps.setNull(first + i, Types.BIGINT);
      else ps.setLong(first + i, v[i]);
    }
  }

  private static Budget budget(ResultSet rs) throws SQLException {
    return new Budget(ApiKeyRepository.micros(rs, "budget_day_micros"), ApiKeyRepository.micros(rs,
        "budget_week_micros"), ApiKeyRepository.micros(rs, "budget_month_micros"));
  }
}
