package com.lijiaoqiao.http.api;

import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.store.AuditRepository;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log for operators: {@code GET /admin/audit} (filters: actor, tenant, action prefix, target, time; newest
 * first, keyset pages by {@code before_id}) and {@code GET /admin/audit/verify} (the hash chain checked end to end).
 */
public final class AuditApi {
  private AuditApi() {}

  public static void register(ApiRouter api, AuditRepository audit) {
    api.add(HttpMethod.GET, "/admin/audit", Access.ADMIN, r -> {
      int limit = (int) Math.max(1, Math.min(500, longParam(r, "limit", 50)));
      String action = r.query().get("action");
      String type = r.query().get("target_type");
      String target = r.query().get("target_id");
      List<AuditRepository.Row> rows = audit.find(new AuditRepository.Query(Fields.queryLong(r.query(), "actor_user_id"),
          Fields.queryLong(r.query(), "tenant_id"), action == null ? null : Fields.bounded("action", action, 64),
          type == null ? null : Fields.bounded("target_type", type, 32),
          target == null ? null : Fields.bounded("target_id", target, 64),
          Fields.instant("from", r.query().get("from")), Fields.instant("to", r.query().get("to")),
          longParam(r, "before_id", Long.MAX_VALUE), limit));
      List<Object> data = new ArrayList<>();
      for (AuditRepository.Row row : rows) data.add(view(row));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("data", data);
      m.put("next_before_id", rows.size() < limit ? null : rows.get(rows.size() - 1).id());
      return ApiResponse.ok(m);
    });
    api.add(HttpMethod.GET, "/admin/audit/verify", Access.ADMIN, r -> {
      AuditRepository.Verification v = audit.verify();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", v.ok());
      m.put("rows", v.rows());
      m.put("first_broken_id", v.brokenId());
      m.put("reason", v.reason());
      return ApiResponse.ok(m);
    });
  }

  private static Map<String, Object> view(AuditRepository.Row row) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", row.id());
    m.put("at", row.createdAt());
    m.put("actor_user_id", row.actorUserId());
    m.put("actor_key_id", row.actorKeyId());
    m.put("tenant_id", row.tenantId());
    m.put("action", row.action());
    m.put("target_type", row.targetType());
    m.put("target_id", row.targetId());
    m.put("before", row.beforeJson() == null ? null : ApiRouter.JSON.readTree(row.beforeJson()));
    m.put("after", row.afterJson() == null ? null : ApiRouter.JSON.readTree(row.afterJson()));
    m.put("request_id", row.requestId());
    m.put("client_ip", row.clientIp());
    m.put("hash", row.hash());
    return m;
  }

  private static long longParam(ApiRequest r, String name, long dflt) {
    Long v = Fields.queryLong(r.query(), name);
    return v == null ? dflt : v;
  }
}
