package com.lijiaoqiao.store;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events a shipped settlement reports: the request's completion (llm.requests) and its charge (llm.billing), each
 * with the request id as its key fact. Ids, counts and amounts only: no key, prompt or credential.
 */
final class SettlementEvents {
  private SettlementEvents() {}

  static List<DomainEvent> of(List<Settlement> fresh) {
    List<DomainEvent> out = new ArrayList<>(fresh.size() * 2);
    for (Settlement s : fresh) {
      Map<String, Object> charge = new LinkedHashMap<>();
      charge.put("request_id", s.requestId());
      charge.put("tenant_id", s.tenantId());
      charge.put("api_key_id", s.apiKeyId());
      charge.put("model", s.model());
      charge.put("prompt_tokens", s.promptTokens());
      charge.put("completion_tokens", s.completionTokens());
      charge.put("cached_tokens", s.cachedTokens());
      charge.put("amount", Money.format(s.costMicros()));
      charge.put("amount_micros", s.costMicros());
      out.add(DomainEvent.of(EventTypes.BILLING_SETTLED, s.tenantId(), charge));
      if (s.usage() != null) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("request_id", s.requestId());
        req.put("tenant_id", s.tenantId());
        req.put("api_key_id", s.apiKeyId());
        req.put("endpoint", s.usage().endpoint());
        req.put("model", s.usage().requestedModel());
        req.put("served_model", s.usage().servedModel());
        req.put("provider", s.provider());
        req.put("stream", s.usage().stream());
        req.put("status", s.usage().statusCode());
        req.put("outcome", s.usage().outcome());
        req.put("error_code", s.usage().errorCode());
        req.put("latency_ms", s.usage().latencyMs());
        req.put("ttft_ms", s.usage().ttftMs());
        req.put("prompt_tokens", s.promptTokens());
        req.put("completion_tokens", s.completionTokens());
        out.add(DomainEvent.of(EventTypes.REQUEST_COMPLETED, s.tenantId(), req));
      }
    }
    return out;
  }
}
