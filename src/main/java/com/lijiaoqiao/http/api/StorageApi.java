package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.storage.ObjectStore;
import com.lijiaoqiao.storage.StatementDocument;
import com.lijiaoqiao.store.AuditRepository;
import io.vertx.core.http.HttpMethod;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Object storage over HTTP (docs/storage.md): invoice and statement files behind short-lived presigned links, and the
 * per-tenant request-log switch. Only the owner tenant (or an operator naming it) gets a tenant's file; another
 * tenant's is 404. Without storage.s3 the file routes answer 503 COMMON_004 and request logs cannot be turned on.
 */
public final class StorageApi {
  /** Builds a month's document for one tenant; null when that tenant has none of this kind (not a supplier). */
  @FunctionalInterface
  public interface Documents {
    StatementDocument of(long tenantId, YearMonth month) throws Exception;
  }

  /** Reads and writes the request-log setting (the storage room keeps its cache in step). */
  public interface LogSettings {
    Map<String, Object> get(long tenantId);

    Map<String, Object> put(long tenantId, Boolean enabled, Integer retentionDays, long byUser);
  }

  public static final int MAX_RETENTION_DAYS = 3650;

  private final ObjectStore store;
  private final Duration linkTtl;
  private final Clock clock;
  private final Documents invoices;
  private final Documents statements;
  private final LogSettings logs;
  private final LongPredicate tenantExists;
  private final AuditRepository audit;

  public StorageApi(ObjectStore store, Duration linkTtl, Clock clock, Documents invoices, Documents statements,
                    LogSettings logs, LongPredicate tenantExists, AuditRepository audit) {
    this.store = store;
    this.linkTtl = linkTtl;
    this.clock = clock;
    this.invoices = invoices;
    this.statements = statements;
    this.logs = logs;
    this.tenantExists = tenantExists;
    this.audit = audit;
  }

  public void register(ApiRouter api) {
    api.add(HttpMethod.GET, "/v1/billing/invoices/{period}/file", Access.AUTHENTICATED, r ->
        file(r, "invoices/tenant=", target(r, "tenant_id", null), "invoice", invoices));
    api.add(HttpMethod.GET, "/v1/supply/statements/{period}/file", Access.AUTHENTICATED, r ->
        file(r, "statements/supplier=", target(r, "supplier_id", Caller.SUPPLIER), "statement", statements));
    api.add(HttpMethod.GET, "/v1/request-logs/settings", Access.AUTHENTICATED,
        r -> ApiResponse.ok(logs.get(r.caller().tenantId())));
    api.add(HttpMethod.PUT, "/v1/request-logs/settings", Access.SESSION_ONLY, r -> {
      Caller c = r.caller();
      if (!Caller.TENANT_ADMIN.equals(c.role()) && !c.isAdmin()) {
        throw new GatewayException(ErrorCode.AUTH_002, "Only a tenant admin changes the tenant's request logs.",
            "仅租户管理员可以更改请求日志设置。", Map.of(), null);
      }
      return ApiResponse.ok(put(r, c.tenantId()));
    });
    api.add(HttpMethod.GET, "/admin/tenants/{id}/request-logs", Access.ADMIN, r -> ApiResponse.ok(logs.get(tenant(r))));
    api.add(HttpMethod.PUT, "/admin/tenants/{id}/request-logs", Access.ADMIN, r -> ApiResponse.ok(put(r, tenant(r))));
  }

  private long tenant(ApiRequest r) {
    long id = r.pathLong("id");
    if (!tenantExists.test(id)) throw new GatewayException(ErrorCode.COMMON_002, "No such tenant.");
    return id;
  }

  private Map<String, Object> put(ApiRequest r, long tenantId) {
    JsonNode b = Fields.object(r.body(), true);
    Boolean enabled = b.has("enabled") ? Fields.bool(b, "enabled", false) : null;
    Integer days = b.has("retention_days") ? (int) Fields.integer(b, "retention_days", 30, 1, MAX_RETENTION_DAYS) : null;
    if (enabled == null && days == null) throw Fields.invalid("enabled", "give enabled and/or retention_days");
    if (Boolean.TRUE.equals(enabled) && store == null) throw unavailable();
    Map<String, Object> before = logs.get(tenantId);
    Map<String, Object> after = logs.put(tenantId, enabled, days, r.caller().userId());
    Audits.record(audit, r, tenantId, "request_logs.update", "tenant", String.valueOf(tenantId), before, after);
    return after;
  }

  /**
   * Whose file: the caller's own tenant; an operator may name any tenant ({@code tenant_id} / {@code supplier_id}).
   * A non-operator naming another tenant gets 404, as for any other tenant's object.
   */
  private long target(ApiRequest r, String param, String requiredRole) {
    Caller c = r.caller();
    Long named = Fields.queryLong(r.query(), param);
    if (c.isAdmin() && named != null) {
      if (!tenantExists.test(named)) throw new GatewayException(ErrorCode.COMMON_002, "No such tenant.");
      return named;
    }
    if (named != null && named != c.tenantId()) throw new GatewayException(ErrorCode.COMMON_002, "Not found.");
    if (requiredRole != null && !requiredRole.equals(c.role())) {
      throw new GatewayException(ErrorCode.AUTH_002, "Only suppliers have statements.", "仅供应商有结算单。",
          Map.of(), null);
    }
    return c.tenantId();
  }

  private ApiResponse file(ApiRequest r, String keyPrefix, long tenantId, String what, Documents source)
      throws Exception {
    YearMonth month = Fields.month("period", r.path("period"));
    String format = r.query().get("format") == null ? "pdf" : r.query().get("format");
    if (!format.equals("pdf") && !format.equals("csv")) throw Fields.invalid("format", "must be pdf or csv");
    if (month.isAfter(YearMonth.now(clock))) throw Fields.invalid("period", "is in the future");
    if (store == null || source == null) throw unavailable();
    StatementDocument doc = source.of(tenantId, month);
    if (doc == null) throw new GatewayException(ErrorCode.COMMON_002, "No " + what + " for that month.");
    byte[] bytes = format.equals("pdf") ? doc.pdf() : doc.csv();
    String key = keyPrefix + tenantId + "/" + month + "." + format;
    try {
      // Rendered on every request: an open month changes until it ends; a closed one renders the same again.
      store.put(key, bytes, format.equals("pdf") ? "application/pdf" : "text/csv; charset=utf-8");
    } catch (ObjectStore.StoreUnavailable e) {
      throw new GatewayException(ErrorCode.COMMON_004, "Object storage is unavailable; try again shortly.",
          "对象存储暂不可用，请稍后重试。", Map.of(), 30);
    }
    var url = store.presignGet(key, linkTtl, what + "-" + month + "." + format);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("url", url.toString());
    out.put("expires_at", clock.instant().plus(linkTtl).toString());
    out.put("format", format);
    out.put("period", month.toString());
    out.put("bytes", bytes.length);
    return ApiResponse.ok(out);
  }

  private static GatewayException unavailable() {
    return new GatewayException(ErrorCode.COMMON_004, "Object storage is not configured on this gateway (storage.s3).",
        "此网关未配置对象存储（storage.s3）。", Map.of(), null);
  }
}
