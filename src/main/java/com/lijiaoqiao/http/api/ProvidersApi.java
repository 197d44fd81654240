package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.routing.ProviderDef;
import com.lijiaoqiao.routing.ProviderService;
import com.lijiaoqiao.routing.ProviderState;
import com.lijiaoqiao.routing.Router;
import com.lijiaoqiao.store.RouteDecisionRepository;
import com.lijiaoqiao.store.UsageRepository;
import com.lijiaoqiao.usage.UsageRecord;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin endpoints of the provider registry and routing: CRUD on /admin/providers (credentials accepted,
 * never returned), live per-provider stats, and one request's usage record with its routing decision.
 */
public final class ProvidersApi {
  static final long MAX_CONTEXT = 100_000_000;
  static final long MAX_TIER = 1000;
  /** Upstream prices are only compared between candidates; any unit, at most this. */
  static final double MAX_UPSTREAM_PRICE = 1_000_000;

  private ProvidersApi() {}

  public static void register(ApiRouter api, ProviderService providers, Router router, UsageRepository usage,
                              RouteDecisionRepository decisions, com.lijiaoqiao.store.AuditRepository audit) {
    api.add(HttpMethod.GET, "/admin/providers", Access.ADMIN, r -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ProviderDef d : providers.list()) out.add(view(d));
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.POST, "/admin/providers", Access.ADMIN, r -> {
      ProviderDef d = parse(body(r), null, null);
      try {
        Map<String, Object> created = view(providers.create(d));
        audit(audit, r, "provider.create", d.id(), null, created);
        return ApiResponse.created(created);
      } catch (ProviderService.Invalid e) {
        throw GatewayException.badRequest(e.getMessage());
      }
    });
    api.add(HttpMethod.GET, "/admin/providers/{id}", Access.ADMIN, r -> ApiResponse.ok(view(find(providers, r))));
    api.add(HttpMethod.PUT, "/admin/providers/{id}", Access.ADMIN, r -> {
      ProviderDef old = find(providers, r);
      ProviderDef d = parse(body(r), old.id(), old);
      try {
        ProviderDef updated = providers.update(old.id(), d);
        if (updated == null) throw notFound();
        audit(audit, r, "provider.update", old.id(), view(old), view(updated));
        return ApiResponse.ok(view(updated));
      } catch (ProviderService.Invalid e) {
        throw GatewayException.badRequest(e.getMessage());
      }
    });
    api.add(HttpMethod.DELETE, "/admin/providers/{id}", Access.ADMIN, r -> {
      try {
        ProviderDef old = providers.get(r.path("id"));
        if (!providers.delete(r.path("id"))) throw notFound();
        audit(audit, r, "provider.delete", old.id(), view(old), null);
      } catch (ProviderService.Invalid e) {
        throw GatewayException.badRequest(e.getMessage());
      }
      return ApiResponse.noContent();
    });
    api.add(HttpMethod.GET, "/admin/providers/{id}/stats", Access.ADMIN, r -> {
      ProviderDef d = find(providers, r);
      ProviderState st = router.existingState(d.id());
      if (st == null) st = router.state(d.id());
      return ApiResponse.ok(st.snapshot());
    });
    api.add(HttpMethod.GET, "/admin/requests/{request_id}", Access.ADMIN, r -> {
      String id = r.path("request_id");
      List<UsageRecord> records = usage.findByRequestId(id);
      String route = decisions.find(id);
      if (records.isEmpty() && route == null) throw notFound();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("request_id", id);
      out.put("usage", records.isEmpty() ? null : usageView(records.get(0)));
      out.put("route", route == null ? null : ApiRouter.JSON.readTree(route));
      return ApiResponse.ok(out);
    });
  }

  /** Provider changes in the audit log: the API's view, which never holds the credential (only has_credential). */
  private static void audit(com.lijiaoqiao.store.AuditRepository audit, ApiRouter.ApiRequest r, String action, String id,
                            Object before, Object after) {
    Audits.record(audit, r, null, action, "provider", id, before, after);
  }

  private static GatewayException notFound() {
    return new GatewayException(ErrorCode.COMMON_002, "Not found.");
  }

  private static ProviderDef find(ProviderService providers, ApiRequest r) {
    ProviderDef d = providers.get(r.path("id"));
    if (d == null) throw notFound();
    return d;
  }

  private static JsonNode body(ApiRequest r) {
    return Fields.object(r.body(), true);
  }

  /** The API's view of a provider: everything but the credential (only whether one is set). */
  static Map<String, Object> view(ProviderDef d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("kind", d.kind());
    m.put("base_url", d.baseUrl());
    m.put("has_credential", d.credential() != null && !d.credential().isEmpty());
    m.put("models", d.models());
    Map<String, Object> caps = new LinkedHashMap<>();
    caps.put("streaming", d.streaming());
    caps.put("tools", d.tools());
    caps.put("vision", d.vision());
    caps.put("max_context", d.maxContext());
    m.put("capabilities", caps);
    m.put("tier", d.tier());
    m.put("quality", d.quality());
    m.put("input_price", d.inputPrice());
    m.put("output_price", d.outputPrice());
    m.put("owned_by", d.ownedBy());
    m.put("enabled", d.enabled());
    m.put("source", d.source());
    return m;
  }

  /** A definition from JSON; on PUT, absent fields keep {@code old}'s values (a null credential keeps it). */
  static ProviderDef parse(JsonNode b, String id, ProviderDef old) {
    String pid = id != null ? id : Fields.text(b, "id", true, 64);
    String kind = text(b, "kind", 40, old != null ? old.kind() : "openai-compatible");
    String baseUrl = text(b, "base_url", Fields.MAX_URL, old != null ? old.baseUrl() : "");
    String credential = b.has("credential") ? text(b, "credential", Fields.MAX_CREDENTIAL, "")
        : b.has("api_key") ? text(b, "api_key", Fields.MAX_CREDENTIAL, "") : (old != null ? null : "");
    Map<String, String> models = new LinkedHashMap<>();
    JsonNode ms = b.get("models");
    if (ms == null || ms.isNull()) {
      if (old != null) models.putAll(old.models());
    } else if (ms.isObject()) {
      if (ms.size() > Fields.MAX_PROVIDER_MODELS) {
        throw Fields.invalid("models", "models has more than " + Fields.MAX_PROVIDER_MODELS + " entries.");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = ms.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String up = e.getValue().isTextual() && !e.getValue().asText().isBlank() ? e.getValue().asText() : e.getKey();
        models.put(modelName(e.getKey()), modelName(up));
      }
    } else if (ms.isArray()) {
      if (ms.size() > Fields.MAX_PROVIDER_MODELS) {
        throw Fields.invalid("models", "models has more than " + Fields.MAX_PROVIDER_MODELS + " entries.");
      }
      for (JsonNode n : ms) {
        if (!n.isTextual()) throw Fields.invalid("models", "models must be names or an object of aliases.");
        models.put(modelName(n.asText()), n.asText());
      }
    } else {
      throw Fields.invalid("models", "models must be an object (public name → upstream name) or a list.");
    }
    JsonNode caps = b.has("capabilities") && b.get("capabilities").isObject() ? b.get("capabilities") : b;
    return new ProviderDef(pid, kind, baseUrl, credential, models,
        Fields.bool(caps, "streaming", old == null || old.streaming()),
        Fields.bool(caps, "tools", old == null || old.tools()),
        Fields.bool(caps, "vision", old == null || old.vision()),
        (int) Fields.integer(caps, "max_context", old != null ? old.maxContext() : 0, 0, MAX_CONTEXT),
        (int) Fields.integer(b, "tier", old != null ? old.tier() : 0, 0, MAX_TIER),
        Fields.number(b, "quality", old != null ? old.quality() : 0.5, 0, 1),
        Fields.number(b, "input_price", old != null ? old.inputPrice() : 0, 0, MAX_UPSTREAM_PRICE),
        Fields.number(b, "output_price", old != null ? old.outputPrice() : 0, 0, MAX_UPSTREAM_PRICE),
        text(b, "owned_by", Fields.MAX_OWNED_BY, old != null ? old.ownedBy() : ""),
        Fields.bool(b, "enabled", old == null || old.enabled()), "admin");
  }

  /** A public or upstream model name: 1–128 characters (the width of every model column). */
  private static String modelName(String name) {
    if (name.isBlank()) throw Fields.invalid("models", "models must not contain an empty name.");
    return Fields.bounded("models", name, Fields.MAX_MODEL);
  }

  private static String text(JsonNode b, String f, int max, String dflt) {
    String v = Fields.text(b, f, false, max);
    return v == null ? dflt : v;
  }

  private static Map<String, Object> usageView(UsageRecord u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", u.model());
    m.put("served_model", u.servedModel());
    m.put("provider", u.provider());
    m.put("stream", u.stream());
    m.put("prompt_tokens", u.promptTokens());
    m.put("completion_tokens", u.completionTokens());
    m.put("tokens_estimated", u.tokensEstimated());
    m.put("latency_ms", u.latencyMs());
    m.put("ttft_ms", u.ttftMs());
    m.put("status_code", u.statusCode());
    m.put("outcome", u.outcome());
    m.put("error_code", u.errorCode());
    m.put("created_at", u.createdAt().toString());
    return m;
  }
}
