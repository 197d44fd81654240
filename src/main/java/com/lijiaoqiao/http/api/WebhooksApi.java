package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.webhooks.WebhookException;
import com.lijiaoqiao.webhooks.WebhookStore.Attempt;
import com.lijiaoqiao.webhooks.WebhookStore.Delivery;
import com.lijiaoqiao.webhooks.WebhookStore.Endpoint;
import com.lijiaoqiao.webhooks.Webhooks;
import com.lijiaoqiao.webhooks.Webhooks.Scope;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Webhook endpoints over HTTP (docs/webhooks.md): {@code /v1/webhooks} for a tenant admin or a supplier (their tenant's
 * endpoints; another tenant's are 404), {@code /admin/webhooks} for operators (every endpoint, and the platform's own).
 * Signed-in users only (no API keys: a leaked key must not redirect a tenant's events). The signing secret is in the
 * answer to a create or a rotate, nowhere else; every change is audited without it.
 */
public final class WebhooksApi {
  static final int MAX_URL = 2048;
  private static final List<String> STATES = List.of("pending", "delivered", "failed");

  private final Webhooks webhooks;
  private final AuditRepository audit;

  public WebhooksApi(Webhooks webhooks, AuditRepository audit) {
    this.webhooks = webhooks;
    this.audit = audit;
  }

  public void register(ApiRouter api) {
    routes(api, "/v1/webhooks", Access.SESSION_ONLY, WebhooksApi::tenantScope);
    routes(api, "/admin/webhooks", Access.ADMIN, r -> Scope.OPERATOR);
  }

  private void routes(ApiRouter api, String root, Access access, Function<ApiRequest, Scope> scopeOf) {
    api.add(HttpMethod.GET, root, access, r -> {
      Scope s = scopeOf.apply(r);
      Paging p = Paging.from(r.query());
      Long owner = s.operator() ? Fields.queryLong(r.query(), "tenant_id") : null;
      boolean platformOnly = s.operator() && "platform".equals(r.query().get("owner"));
      List<Object> out = new ArrayList<>();
      for (Endpoint e : call(() -> webhooks.list(s, owner, platformOnly, p.pageSize(), p.offset()))) out.add(view(e));
      return ApiResponse.ok(p.envelope(out, webhooks.count(s, owner, platformOnly)));
    });
    api.add(HttpMethod.POST, root, access, r -> {
      Scope s = scopeOf.apply(r);
      Webhooks.WithSecret created = call(() -> webhooks.create(s, changes(r, s, true), r.caller().userId()));
      Map<String, Object> v = view(created.endpoint());
      auditChange(r, created.endpoint(), "webhook.create", null, v);
      v.put("secret", created.secret()); // once: it is stored sealed and never shown again
      return ApiResponse.created(v);
    });
    api.add(HttpMethod.GET, root + "/{id}", access,
        r -> ApiResponse.ok(view(call(() -> webhooks.get(scopeOf.apply(r), r.pathLong("id"))))));
    api.add(HttpMethod.PUT, root + "/{id}", access, r -> {
      Scope s = scopeOf.apply(r);
      Endpoint before = call(() -> webhooks.get(s, r.pathLong("id")));
      Endpoint after = call(() -> webhooks.update(s, before.id(), changes(r, s, false)));
      auditChange(r, after, "webhook.update", view(before), view(after));
      return ApiResponse.ok(view(after));
    });
    api.add(HttpMethod.DELETE, root + "/{id}", access, r -> {
      Scope s = scopeOf.apply(r);
      Endpoint before = call(() -> webhooks.get(s, r.pathLong("id")));
      call(() -> {
        webhooks.delete(s, before.id());
        return null;
      });
      auditChange(r, before, "webhook.delete", view(before), null);
      return ApiResponse.noContent();
    });
    api.add(HttpMethod.POST, root + "/{id}/rotate-secret", access, r -> {
      Webhooks.WithSecret rotated = call(() -> webhooks.rotate(scopeOf.apply(r), r.pathLong("id")));
      Map<String, Object> v = view(rotated.endpoint());
      auditChange(r, rotated.endpoint(), "webhook.rotate_secret", null, Map.of("id", rotated.endpoint().id()));
      v.put("secret", rotated.secret());
      return ApiResponse.ok(v);
    });
    api.add(HttpMethod.GET, root + "/{id}/deliveries", access, r -> {
      Scope s = scopeOf.apply(r);
      long id = r.pathLong("id");
      Paging p = Paging.from(r.query());
      String status = r.query().get("status");
      if (status != null && !STATES.contains(status)) {
        throw Fields.invalid("status", "'status' must be one of " + String.join(", ", STATES) + ".");
      }
      List<Delivery> page = call(() -> webhooks.deliveries(s, id, status, p.pageSize(), p.offset()));
      return ApiResponse.ok(p.envelope(deliveryViews(page), webhooks.countDeliveries(s, id, status)));
    });
    api.add(HttpMethod.GET, root + "/{id}/deliveries/{delivery_id}", access, r -> {
      Delivery d = call(() -> webhooks.delivery(scopeOf.apply(r), r.pathLong("id"), r.pathLong("delivery_id")));
      return ApiResponse.ok(deliveryViews(List.of(d)).get(0));
    });
    api.add(HttpMethod.POST, root + "/{id}/deliveries/{delivery_id}/redeliver", access, r -> {
      Scope s = scopeOf.apply(r);
      Endpoint e = call(() -> webhooks.get(s, r.pathLong("id")));
      Delivery d = call(() -> webhooks.redeliver(s, e.id(), r.pathLong("delivery_id")));
      auditChange(r, e, "webhook.redeliver", null, Map.of("id", e.id(), "delivery_id", d.id(), "event_id", d.eventId()));
      return new ApiResponse(202, deliveryViews(List.of(d)).get(0), Map.of());
    });
  }

  /** A tenant admin or a supplier manages its tenant's endpoints; members and operators (who use /admin) may not. */
  private static Scope tenantScope(ApiRequest r) {
    Caller c = r.caller();
    if (!Caller.TENANT_ADMIN.equals(c.role()) && !Caller.SUPPLIER.equals(c.role())) {
      throw new GatewayException(ErrorCode.AUTH_002, c.isAdmin()
          ? "Operators manage webhooks under /admin/webhooks."
          : "Webhooks are managed by the tenant's administrators.", "仅租户管理员可以管理 Webhook。", Map.of(), null);
    }
    return Scope.tenant(c.tenantId());
  }

  private static Webhooks.Changes changes(ApiRequest r, Scope s, boolean create) {
    JsonNode b = Fields.object(r.body(), true);
    String url = Fields.text(b, "url", create, MAX_URL);
    List<String> types = b.has("event_types") && !b.get("event_types").isNull()
        ? Fields.strings(b, "event_types", 50, 60) : null;
    if (create && types == null) throw Fields.invalid("event_types", "'event_types' is required.");
    Boolean enabled = b.has("enabled") && !b.get("enabled").isNull() ? Fields.bool(b, "enabled", true) : null;
    Long filter = Fields.optionalLong(b, "filter_tenant_id", 1, Long.MAX_VALUE);
    if (filter != null && !s.operator()) {
      throw Fields.invalid("filter_tenant_id", "'filter_tenant_id' is for operators' endpoints (/admin/webhooks).");
    }
    return new Webhooks.Changes(url == null ? null : url.trim(), types,
        Fields.text(b, "description", false, Fields.MAX_DESCRIPTION), enabled, filter);
  }

  /** Runs webhook work, mapping its refusals to the documented errors. */
  private static <T> T call(Callable<T> work) throws Exception {
    try {
      return work.call();
    } catch (WebhookException e) {
      throw switch (e.kind()) {
        case NOT_FOUND -> new GatewayException(ErrorCode.COMMON_002, "Not found.");
        case INVALID -> Fields.invalid(e.field(), e.getMessage());
        case DISABLED -> new GatewayException(ErrorCode.WEBHOOK_4091, e.getMessage());
      };
    }
  }

  static Map<String, Object> view(Endpoint e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("object", "webhook_endpoint");
    m.put("tenant_id", e.tenantId());
    if (e.tenantId() == null) m.put("filter_tenant_id", e.tenantFilter());
    m.put("url", e.url());
    m.put("event_types", e.eventTypes());
    m.put("description", e.description());
    m.put("enabled", e.enabled());
    m.put("disabled_reason", e.disabledReason());
    m.put("disabled_at", e.disabledAt());
    m.put("failing_since", e.failingSinceMs() == null ? null : Instant.ofEpochMilli(e.failingSinceMs()));
    m.put("consecutive_failures", e.consecutiveFailures());
    m.put("created_at", e.createdAt());
    m.put("updated_at", e.updatedAt());
    return m;
  }

  private List<Map<String, Object>> deliveryViews(List<Delivery> ds) {
    Map<Long, List<Map<String, Object>>> logs = new LinkedHashMap<>();
    for (Attempt a : webhooks.attempts(ds.stream().map(Delivery::id).toList())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("attempt", a.number());
      m.put("started_at", a.startedAt());
      m.put("duration_ms", a.durationMs());
      m.put("status_code", a.statusCode());
      m.put("error_class", a.errorClass());
      m.put("response_prefix", a.responsePrefix());
      m.put("next_attempt_at", a.nextAttemptAt());
      logs.computeIfAbsent(a.deliveryId(), k -> new ArrayList<>()).add(m);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Delivery d : ds) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.id());
      m.put("object", "webhook_delivery");
      m.put("endpoint_id", d.endpointId());
      m.put("event_id", d.eventId());
      m.put("event_type", d.eventType());
      m.put("tenant_id", d.tenantId());
      m.put("status", d.status());
      m.put("attempts", d.attempts());
      m.put("next_attempt_at", d.nextAttemptAtMs() == null || !"pending".equals(d.status()) ? null
          : Instant.ofEpochMilli(d.nextAttemptAtMs()));
      m.put("give_up_at", Instant.ofEpochMilli(d.giveUpAtMs()));
      m.put("last_status_code", d.lastStatusCode());
      m.put("last_error", d.lastError());
      m.put("created_at", d.createdAt());
      m.put("delivered_at", d.deliveredAt());
      m.put("log", logs.getOrDefault(d.id(), List.of()));
      out.add(m);
    }
    return out;
  }

  /** The audit row holds the endpoint's URL without its query or user info: a receiver's token often sits there. */
  private void auditChange(ApiRequest r, Endpoint e, String action, Object before, Object after) {
    Audits.record(audit, r, e.tenantId(), action, "webhook_endpoint", Long.toString(e.id()), masked(before),
        masked(after));
  }

  private static Object masked(Object view) {
    if (!(view instanceof Map<?, ?> m) || !(m.get("url") instanceof String url)) return view;
    Map<Object, Object> copy = new java.util.LinkedHashMap<>(m);
    try {
      java.net.URI u = new java.net.URI(url);
      copy.put("url", u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
          + (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?…"));
    } catch (java.net.URISyntaxException | RuntimeException ex) {
      copy.put("url", "…");
    }
    return copy;
  }

}
