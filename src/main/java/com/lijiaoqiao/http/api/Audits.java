package com.lijiaoqiao.http.api;

import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.store.AuditRepository;

/** One administrative change into the audit log: who (the caller), the target, before and after as JSON. */
final class Audits {
  private Audits() {}

  /** {@code before} and {@code after} are API views: they never hold a secret (callers mask what must be). */
  static void record(AuditRepository audit, ApiRequest r, Long tenant, String action, String type, String target,
                     Object before, Object after) {
    Caller c = r.caller();
    audit.append(new AuditRepository.Event(c == null ? null : c.userId(), c == null ? null : c.apiKeyId(), tenant,
        clip(action, 64), clip(type, 32), clip(target, 200), json(before), json(after), r.requestId(), r.clientIp()));
  }

  /** Within its column (the second line of defence: routes bound what they name first). */
  private static String clip(String v, int max) {
    return v == null || v.length() <= max ? v : v.substring(0, max);
  }

  private static String json(Object o) {
    if (o == null) return null;
    try {
      return ApiRouter.JSON.writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
