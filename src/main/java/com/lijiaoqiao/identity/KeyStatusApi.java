package com.lijiaoqiao.identity;

import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.ApiKeyRepository;
import com.lijiaoqiao.store.AuditRepository;
import io.vertx.core.http.HttpMethod;
import java.util.Map;

/**
 * Disabling a key without deleting it, and enabling it again: {@code POST /v1/keys/{id}/disable|enable}. A disabled
 * key is refused like a revoked one (on every node at its next key sync, on this one at once) but keeps its id, name,
 * limits, budgets and usage, and its secret works again once enabled. Who may: the key's owner, a tenant admin of its
 * tenant, an admin; anyone else gets 404, like for a missing key. Revoked keys cannot come back.
 */
public final class KeyStatusApi {
  private final ApiKeyRepository keys;
  private final KeyRegistry registry;
  private final AuditRepository audit;

  public KeyStatusApi(ApiKeyRepository keys, KeyRegistry registry, AuditRepository audit) {
    this.keys = keys;
    this.registry = registry;
    this.audit = audit;
  }

  public void register(ApiRouter r) {
    r.add(HttpMethod.POST, "/v1/keys/{id}/disable", Access.SESSION_ONLY, req -> change(req, false));
    r.add(HttpMethod.POST, "/v1/keys/{id}/enable", Access.SESSION_ONLY, req -> change(req, true));
  }

  private ApiResponse change(ApiRequest req, boolean enable) {
    ApiKeyRepository.KeyRow k = manageable(req.caller(), req.pathLong("id"));
    String wanted = enable ? "active" : "disabled";
    if (!wanted.equals(k.status())) {
      String from = enable ? "disabled" : "active";
      if (!from.equals(k.status())) {
        throw new GatewayException(ErrorCode.COMMON_001, "Only " + (enable ? "a disabled" : "an active") + " key can be "
            + (enable ? "enabled" : "disabled") + "; this one is " + k.status() + ".",
            enable ? "只有已停用的密钥可以启用。" : "只有有效的密钥可以停用。", Map.of("status", k.status()), null);
      }
      boolean changed = enable ? keys.enable(k.id()) : keys.disable(k.id());
      if (changed) {
        registry.refreshKey(k.keyHash());
        ApiKeyRepository.KeyRow after = keys.findRow(k.id()).orElseThrow();
        Caller c = req.caller();
        audit.append(new AuditRepository.Event(c.userId(), c.apiKeyId(), k.tenantId(), enable ? "key.enable" : "key.disable",
            "api_key", Long.toString(k.id()), json(k), json(after), req.requestId(), req.clientIp()));
      }
    }
    return ApiResponse.ok(IdentityApi.JSON.valueToTree(keys.findRow(k.id()).orElseThrow()));
  }

  /** The key if the caller may manage it (as IdentityApi's key routes decide); 404 otherwise. */
  private ApiKeyRepository.KeyRow manageable(Caller c, long id) {
    ApiKeyRepository.KeyRow k = keys.findRow(id).orElseThrow(IdentityApi::notFound);
    boolean ok = c.isAdmin() || k.userId() == c.userId()
        || (Caller.TENANT_ADMIN.equals(c.role()) && k.tenantId() == c.tenantId());
    if (!ok) throw IdentityApi.notFound();
    return k;
  }

  private static String json(Object o) {
    try {
      return IdentityApi.JSON.writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
