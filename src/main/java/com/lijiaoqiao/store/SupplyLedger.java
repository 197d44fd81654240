package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.Earning;
import com.lijiaoqiao.billing.Settlement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The marketplace's part of a shipped batch of settlements, in the ledger's own transaction: one earning row per
 * request and package, and each package's used tokens (a package whose quota is used up turns sold_out, with an
 * event). The ledger postings themselves are written by {@link LedgerRepository}.
 */
final class SupplyLedger {
  private SupplyLedger() {}

  static void apply(Connection c, List<Settlement> fresh, String leaseNode) throws SQLException {
    Map<Long, Long> tokensByPackage = new LinkedHashMap<>();
    boolean any = false;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO supply_earnings(request_id, package_id, supplier_id, "
        + "account_id, consumer_tenant_id, model, prompt_tokens, completion_tokens, cached_tokens, tokens, "
        + "amount_micros, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Settlement s : fresh) {
        Map<Long, Earning> once = new LinkedHashMap<>(); // one row per package, should a rescue list it twice
        for (Earning e : s.earningsOrEmpty()) {
          once.merge(e.packageId(), e, (a, b) -> new Earning(a.packageId(), a.supplierId(), a.accountId(),
              a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens(),
              a.cachedTokens() + b.cachedTokens(), a.amountMicros() + b.amountMicros()));
        }
        for (Earning e : once.values()) {
          ps.setString(1, s.requestId());
          ps.setLong(2, e.packageId());
          ps.setLong(3, e.supplierId());
          ps.setLong(4, e.accountId());
          ps.setLong(5, s.tenantId());
          ps.setString(6, s.model());
          ps.setLong(7, e.promptTokens());
          ps.setLong(8, e.completionTokens());
          ps.setLong(9, e.cachedTokens());
          ps.setLong(10, e.tokens());
          ps.setLong(11, e.amountMicros());
          ps.setTimestamp(12, new Timestamp(s.createdAtMillis()));
          ps.addBatch();
          any = true;
          tokensByPackage.merge(e.packageId(), e.tokens(), Long::sum);
        }
      }
      if (any) ps.executeBatch();
    }
    if (tokensByPackage.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement("UPDATE supply_packages SET used_tokens = used_tokens + ?, "
        + "updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
      for (var e : tokensByPackage.entrySet()) {
        ps.setLong(1, e.getValue());
        ps.setLong(2, e.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    if (leaseNode != null) {
      // Tokens are used out of this node's lease on the package: lease and remaining shrink together.
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE package_leases SET amount_micros = amount_micros - ? WHERE package_id = ? AND node_id = ?")) {
        for (var e : tokensByPackage.entrySet()) {
          ps.setLong(1, e.getValue());
          ps.setLong(2, e.getKey());
          ps.setString(3, leaseNode);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    List<long[]> soldOut = new ArrayList<>();
    String marks = String.join(",", java.util.Collections.nCopies(tokensByPackage.size(), "?"));
    try (PreparedStatement ps = c.prepareStatement("SELECT id, supplier_id FROM supply_packages WHERE id IN (" + marks
        + ") AND status = 'active' AND used_tokens >= quota_tokens")) {
      int i = 1;
      for (Long id : tokensByPackage.keySet()) ps.setLong(i++, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) soldOut.add(new long[] {rs.getLong(1), rs.getLong(2)});
      }
    }
    if (soldOut.isEmpty()) return;
    List<com.lijiaoqiao.events.DomainEvent> events = new ArrayList<>();
    try (PreparedStatement up = c.prepareStatement("UPDATE supply_packages SET status = 'sold_out', "
        + "updated_at = CURRENT_TIMESTAMP WHERE id = ? AND status = 'active'")) {
      for (long[] p : soldOut) {
        up.setLong(1, p[0]);
        up.addBatch();
        events.add(com.lijiaoqiao.events.DomainEvent.of(com.lijiaoqiao.events.EventTypes.PACKAGE_SOLD_OUT, p[1],
            Map.of("package_id", p[0])));
      }
      up.executeBatch();
    }
    OutboxRepository.append(c, events);
  }
}
