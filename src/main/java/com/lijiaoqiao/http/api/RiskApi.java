package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.risk.RiskControl;
import com.lijiaoqiao.risk.RiskPolicy;
import com.lijiaoqiao.risk.RiskStore;
import com.lijiaoqiao.store.AuditRepository;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operators' risk control: the rules (global, per tenant) changed at runtime, and the review queue with its
 * decisions (allow for a while, block the key, disable the user). Every change is audited. See docs/risk.md.
 */
public final class RiskApi {
  private static final int MAX_WEIGHT = 1_000;
  private final RiskControl risk;
  private final AuditRepository audit;

  public RiskApi(RiskControl risk, AuditRepository audit) {
    this.risk = risk;
    this.audit = audit;
  }

  public void register(ApiRouter api) {
    api.add(HttpMethod.GET, "/admin/risk/rules", Access.ADMIN, r -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("global", RiskControl.JSON.valueToTree(risk.global()));
      Map<String, Object> tenants = new LinkedHashMap<>();
      risk.tenantPolicies().forEach((t, p) -> tenants.put(Long.toString(t), RiskControl.JSON.valueToTree(p)));
      m.put("tenants", tenants);
      m.put("rules", List.of(RiskPolicy.HIGH_VELOCITY, RiskPolicy.NEW_ACCOUNT_HIGH_VALUE, RiskPolicy.UNUSUAL_MODEL,
          RiskPolicy.ACCOUNT_SHARING, RiskPolicy.SPEND_SPIKE));
      return ApiResponse.ok(m);
    });
    api.add(HttpMethod.PUT, "/admin/risk/rules", Access.ADMIN, r -> {
      RiskPolicy before = risk.global();
      RiskPolicy after = merge(before, Fields.object(r.body(), true));
      risk.save(null, after);
      Audits.record(audit, r, null, "risk.rules.update", "risk_policy", "global", tree(before), tree(after));
      return ApiResponse.ok(RiskControl.JSON.valueToTree(after));
    });
    api.add(HttpMethod.GET, "/admin/risk/rules/tenants/{tenant_id}", Access.ADMIN, r -> {
      long t = r.pathLong("tenant_id");
      RiskPolicy p = risk.tenantPolicies().get(t);
      if (p == null) throw new GatewayException(ErrorCode.COMMON_002, "Not found.");
      return ApiResponse.ok(RiskControl.JSON.valueToTree(p));
    });
    api.add(HttpMethod.PUT, "/admin/risk/rules/tenants/{tenant_id}", Access.ADMIN, r -> {
      long t = r.pathLong("tenant_id");
      RiskPolicy before = risk.tenantPolicies().get(t);
      RiskPolicy after = merge(before != null ? before : risk.global(), Fields.object(r.body(), true));
      risk.save(t, after);
      Audits.record(audit, r, t, "risk.rules.update", "risk_policy", "tenant:" + t, tree(before), tree(after));
      return ApiResponse.ok(RiskControl.JSON.valueToTree(after));
    });
    api.add(HttpMethod.DELETE, "/admin/risk/rules/tenants/{tenant_id}", Access.ADMIN, r -> {
      long t = r.pathLong("tenant_id");
      RiskPolicy before = risk.tenantPolicies().get(t);
      if (before == null || !risk.deleteTenantPolicy(t)) throw new GatewayException(ErrorCode.COMMON_002, "Not found.");
      Audits.record(audit, r, t, "risk.rules.delete", "risk_policy", "tenant:" + t, tree(before), null);
      return ApiResponse.noContent();
    });
    api.add(HttpMethod.GET, "/admin/risk/reviews", Access.ADMIN, r -> {
      String status = r.query().get("status");
      if (status != null && !List.of("open", "allowed", "blocked_key", "disabled_user").contains(status)) {
        throw Fields.invalid("status", "'status' must be open, allowed, blocked_key or disabled_user.");
      }
      Long tenant = Fields.queryLong(r.query(), "tenant_id");
      Long before = Fields.queryLong(r.query(), "before_id");
      int limit = (int) Math.max(1, Math.min(200, Fields.queryLong(r.query(), "limit") == null ? 50 : Fields.queryLong(r.query(), "limit")));
      List<Object> out = new ArrayList<>();
      List<RiskStore.Review> rows = risk.store().reviews(status, tenant, limit, before == null ? Long.MAX_VALUE : before);
      for (RiskStore.Review v : rows) out.add(view(v));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("data", out);
      m.put("next_before_id", rows.size() < limit ? null : rows.get(rows.size() - 1).id());
      return ApiResponse.ok(m);
    });
    api.add(HttpMethod.GET, "/admin/risk/reviews/{id}", Access.ADMIN, r -> ApiResponse.ok(view(
        risk.store().review(r.pathLong("id")).orElseThrow(() -> new GatewayException(ErrorCode.COMMON_002, "Not found.")))));
    api.add(HttpMethod.POST, "/admin/risk/reviews/{id}/resolve", Access.ADMIN, r -> {
      long id = r.pathLong("id");
      RiskStore.Review before = risk.store().review(id)
          .orElseThrow(() -> new GatewayException(ErrorCode.COMMON_002, "Not found."));
      JsonNode b = Fields.object(r.body(), true);
      String action = Fields.text(b, "action", true, 20);
      if (!List.of("allow", "block_key", "disable_user").contains(action)) {
        throw Fields.invalid("action", "'action' must be allow, block_key or disable_user.");
      }
      long hours = Fields.integer(b, "allow_for_hours", 24, 1, 24 * 90);
      if (!risk.resolve(id, action, r.caller().userId(), Fields.text(b, "note", false, 300), hours * 3_600_000L)) {
        throw new GatewayException(ErrorCode.COMMON_001, "The review is not open (it was " + before.status() + ").",
            "该审核已处理。", Map.of("status", before.status()), null);
      }
      RiskStore.Review after = risk.store().review(id).orElseThrow();
      Audits.record(audit, r, before.tenantId(), "risk.review." + action, "risk_review", Long.toString(id), view(before), view(after));
      return ApiResponse.ok(view(after));
    });
  }

  /** The policy with the body's fields applied: enabled, review_at, block_at, and rules.{name}.{on,weight,threshold,window}. */
  static RiskPolicy merge(RiskPolicy base, JsonNode b) {
    boolean enabled = Fields.bool(b, "enabled", base.enabled());
    int reviewAt = (int) Fields.integer(b, "review_at", base.reviewAt(), 0, MAX_WEIGHT * 10);
    int blockAt = (int) Fields.integer(b, "block_at", base.blockAt(), 0, MAX_WEIGHT * 10);
    if (reviewAt > blockAt) throw Fields.invalid("review_at", "'review_at' must not be above 'block_at'.");
    Map<String, RiskPolicy.Rule> rules = new LinkedHashMap<>(base.rules());
    JsonNode rs = b.get("rules");
    if (rs != null && !rs.isNull()) {
      if (!rs.isObject()) throw Fields.invalid("rules", "'rules' must be an object of rule name → settings.");
      var it = rs.fields();
      while (it.hasNext()) {
        var e = it.next();
        RiskPolicy.Rule old = rules.get(e.getKey());
        if (old == null) throw Fields.invalid("rules", "Unknown rule '" + Fields.bounded("rules", e.getKey(), 40) + "'.");
        JsonNode v = Fields.object(e.getValue(), true);
        rules.put(e.getKey(), new RiskPolicy.Rule(Fields.bool(v, "on", old.on()),
            (int) Fields.integer(v, "weight", old.weight(), 0, MAX_WEIGHT),
            Fields.integer(v, "threshold", old.threshold(), 0, Long.MAX_VALUE / 4),
            Fields.integer(v, "window", old.window(), 0, Long.MAX_VALUE / 4)));
      }
    }
    return new RiskPolicy(enabled, reviewAt, blockAt, rules);
  }

  private static Object tree(RiskPolicy p) {
    return p == null ? null : RiskControl.JSON.valueToTree(p);
  }

  private static Map<String, Object> view(RiskStore.Review v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("tenant_id", v.tenantId());
    m.put("user_id", v.userId());
    m.put("api_key_id", v.keyId());
    m.put("rules", List.of(v.pattern().split(",")));
    m.put("score", v.score());
    m.put("action", v.action());
    try {
      m.put("context", RiskControl.JSON.readTree(v.context()));
    } catch (Exception e) {
      m.put("context", null);
    }
    m.put("request_id", v.requestId());
    m.put("hits", v.hits());
    m.put("status", v.status());
    m.put("decided_by", v.decidedBy());
    m.put("decided_at", v.decidedAt());
    m.put("note", v.note());
    m.put("created_at", v.createdAt());
    m.put("updated_at", v.updatedAt());
    return m;
  }

}
