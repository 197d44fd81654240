package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.billing.PriceBook;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.risk.RiskControl;
import com.lijiaoqiao.risk.RiskEngine;
import com.lijiaoqiao.risk.RiskSignals;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Scores the request against the risk rules (after the rate limits, before money is held): at or above the block
 * threshold it is refused with 403 RISK_001 naming the rules that fired (no counters, no thresholds); at or above the
 * review threshold it is served and queued for an operator's review. Counters unreachable: served (availability first).
 */
public final class RiskStage implements Stage {
  private final RiskControl risk;
  private final PriceBook prices;
  /** Tenant id → its age in days (0 when unknown: a tenant made a moment ago is new). */
  private final LongUnaryOperator tenantAgeDays;

  public RiskStage(RiskControl risk, PriceBook prices, LongUnaryOperator tenantAgeDays) {
    this.risk = risk;
    this.prices = prices;
    this.tenantAgeDays = tenantAgeDays;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    if (!risk.active()) return chain.proceed(ex);
    ApiKeyPrincipal p = ex.principal;
    var addr = ex.request.remoteAddress();
    RiskSignals s = new RiskSignals(p.keyId(), p.userId(), p.tenantId(), tenantAgeDays.applyAsLong(p.tenantId()),
        ReserveStage.estimate(ex, prices, ex.model()), ex.promptTokens(), ex.model(),
        addr == null ? null : addr.hostAddress(), System.currentTimeMillis());
    return risk.assess(s).transform(ar -> {
      if (ar.failed() || ar.result().action() == RiskEngine.Action.ALLOW) return chain.proceed(ex);
      RiskEngine.Verdict v = ar.result();
      risk.flag(v, s, ex.requestId, () -> {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("model", s.model());
        context.put("estimated_cost_micros", s.estimatedCostMicros());
        context.put("prompt_tokens", s.estimatedTokens());
        context.put("client_ip", s.clientIp());
        context.put("account_age_days", s.accountAgeDays());
        context.put("score", v.score());
        return context;
      });
      if (v.action() == RiskEngine.Action.REVIEW) return chain.proceed(ex);
      return Future.failedFuture(new GatewayException(ErrorCode.RISK_001,
          "This request was blocked by risk control (" + String.join(", ", v.triggered()) + "). Contact support if "
              + "this is unexpected.", "该请求被风控拦截。", Map.of("rules", v.triggered()), null));
    });
  }
}
