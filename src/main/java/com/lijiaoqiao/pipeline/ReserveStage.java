package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.billing.InsufficientBalanceException;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.TokenUsage;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Holds the most the request can cost (prompt tokens × input price + max_tokens × output price) against the
 * tenant's balance minus open reservations, in memory. Short → 402 BILLING_001, and no upstream is called.
 * It also fixes the price for the request's settlement: a price change applies only to later requests.
 */
public final class ReserveStage implements Stage {
  private final BillingService billing;

  public ReserveStage(BillingService billing) {
    this.billing = billing;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    long maxTokens = ex.endpoint == Endpoint.EMBEDDINGS ? 0
        : ex.parsed.maxTokens() != null ? ex.parsed.maxTokens() : billing.prices().priceOf(ex.model()).maxOutputTokens();
    BillingService.Reservation r;
    try {
      r = billing.reserve(ex.requestId, ex.principal.tenantId(), ex.model(), ex.promptTokens(), maxTokens);
    } catch (InsufficientBalanceException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("required", Money.format(e.requiredMicros));
      details.put("available", Money.format(e.availableMicros));
      details.put("currency", billing.currency());
      return Future.failedFuture(new GatewayException(ErrorCode.BILLING_001,
          "Insufficient balance: this request may cost up to " + Money.format(e.requiredMicros) + " "
              + billing.currency() + " but " + Money.format(e.availableMicros) + " is available. Top up, or lower max_tokens.",
          "余额不足。", details, null));
    }
    ex.reservedMicros = r.amount();
    ModelPrice price = r.price();
    ex.settler = exchange -> settle(exchange, price);
    ex.progress = (exchange, soFar) -> billing.journalProgress(settlement(exchange, price, soFar, true));
    return chain.proceed(ex);
  }

  private long settle(Exchange ex, ModelPrice reserved) {
    Settlement s = settlement(ex, reserved, ex.usage, false);
    ex.usageSettled = billing.settle(s);
    return s.costMicros();
  }

  /** The request's charge for {@code u}, with its usage record; a progress entry is a stream's so far. */
  private Settlement settlement(Exchange ex, ModelPrice reserved, TokenUsage u, boolean progress) {
    // A request served by a configured larger-context model is billed once, at the model that served it.
    String model = ex.route != null && ex.route.fallbackModel != null ? ex.route.fallbackModel : ex.model();
    ModelPrice price = model.equals(ex.model()) ? reserved : billing.prices().priceOf(model);
    // Charged: what the upstream reported (it charged us), or — when it reported nothing — what was actually
    // relayed. A request that produced nothing costs nothing.
    boolean billable = u.estimated() ? u.completionTokens() > 0 : u.totalTokens() > 0;
    long cost = billable
        ? price.cost(u.promptTokens(), u.cachedPromptTokens(), u.cacheCreationTokens(), u.completionTokens()) : 0;
    return new Settlement(ex.requestId, ex.principal.tenantId(), ex.principal.userId(), ex.principal.keyId(),
        model, ex.target == null ? null : ex.target.provider().id(), u.promptTokens(), u.completionTokens(),
        u.cachedPromptTokens(), u.cacheCreationTokens(), u.estimated(), ex.reservedMicros, cost,
        System.currentTimeMillis(), progress, RecordStage.facts(ex, progress ? RecordStage.INTERRUPTED : ex.outcome));
  }
}
