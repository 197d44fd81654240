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
 * tenant's balance minus open reservations: every node's (Redis) when shared balances are configured, else this
 * node's, in memory. Short → 402 BILLING_001, and no upstream is called.
 * It also fixes the price for the request's settlement: a price change applies only to later requests.
 */
public final class ReserveStage implements Stage {
  private final BillingService billing;

  public ReserveStage(BillingService billing) {
    this.billing = billing;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    long maxTokens = maxTokensFor(ex, billing.prices(), ex.model());
    return billing.reserveShared(ex.requestId, ex.principal.tenantId(), ex.model(), ex.promptTokens(), maxTokens)
        .transform(ar -> {
          if (ar.failed()) {
            return ar.cause() instanceof InsufficientBalanceException e ? Future.failedFuture(insufficient(e))
                : Future.failedFuture(ar.cause());
          }
          BillingService.Reservation r = ar.result();
          ex.reservedMicros = r.amount();
          ModelPrice[] price = {r.price()}; // fixed here; replaced only when the request is held again for another model
          ex.settler = exchange -> settle(exchange, price[0]);
          ex.progress = (exchange, soFar) -> billing.journalProgress(settlement(exchange, price[0], soFar, true));
          ex.exactCost = u -> price[0].exactCost(u.promptTokens(), u.cachedPromptTokens(), u.cacheCreationTokens(),
              u.completionTokens());
          ex.holdAgain = (model, extra) -> billing.reserveAgain(ex.requestId, ex.principal.tenantId(),
                  model, ex.promptTokens() + extra, maxTokensFor(ex, billing.prices(), model))
              .transform(again -> {
                if (again.failed()) {
                  return again.cause() instanceof InsufficientBalanceException e ? Future.failedFuture(insufficient(e))
                      : Future.failedFuture(again.cause());
                }
                ex.reservedMicros = again.result().amount();
                price[0] = again.result().price();
                return Future.succeededFuture();
              });
          ex.reserveFor = model -> ex.holdAgain.hold(model, 0);
          return chain.proceed(ex);
        });
  }

  /** The output the reservation assumes: max_tokens, else the model's cap (none for embeddings). */
  public static long maxTokensFor(Exchange ex, com.lijiaoqiao.billing.PriceBook prices, String model) {
    return ex.endpoint == Endpoint.EMBEDDINGS ? 0
        : ex.parsed.maxTokens() != null ? ex.parsed.maxTokens() : prices.priceOf(model).maxOutputTokens();
  }

  /** The most the request can cost at {@code model}'s price: what the balance and budgets hold for it. */
  static long estimate(Exchange ex, com.lijiaoqiao.billing.PriceBook prices, String model) {
    return prices.priceOf(model).estimate(ex.promptTokens(), maxTokensFor(ex, prices, model));
  }

  private GatewayException insufficient(InsufficientBalanceException e) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("required", Money.format(e.requiredMicros));
    details.put("available", Money.format(e.availableMicros));
    details.put("currency", billing.currency());
    return new GatewayException(ErrorCode.BILLING_001,
        "Insufficient balance: this request may cost up to " + Money.format(e.requiredMicros) + " "
            + billing.currency() + " but " + Money.format(e.availableMicros) + " is available. Top up, or lower max_tokens.",
        "余额不足。", details, null);
  }

  private long settle(Exchange ex, ModelPrice reserved) {
    Settlement s = settlement(ex, reserved, ex.usage, false);
    ex.usageSettled = billing.settle(s);
    return s.costMicros();
  }

  /** The request's charge for {@code u}, with its usage record; a progress entry is a stream's so far. */
  private Settlement settlement(Exchange ex, ModelPrice reserved, TokenUsage u, boolean progress) {
    // A request served by a configured larger-context model is billed once, at the model that served it, at the
    // price fixed when it was held again for that model.
    String model = ex.route != null && ex.route.fallbackModel != null ? ex.route.fallbackModel : ex.model();
    ModelPrice price = reserved;
    // Charged: what the upstream reported (it charged us), or — when it reported nothing — what was actually
    // relayed. A request that produced nothing costs nothing.
    boolean billable = u.estimated() ? u.completionTokens() > 0 : u.totalTokens() > 0;
    long exact = !billable ? 0
        : price.exactCost(u.promptTokens(), u.cachedPromptTokens(), u.cacheCreationTokens(), u.completionTokens());
    // A supplier earns from its package's part of the answer at its own price; failed attempts earn nothing.
    java.util.List<com.lijiaoqiao.billing.Earning> earnings = null;
    if (billable && ex.target != null && ex.target.offer() != null) {
      earnings = new java.util.ArrayList<>(1);
      earnings.add(earning(ex.target.offer(), u, progress));
    }
    // A rescued answer: the parts served before the last are charged with it, each at the price it was served at.
    for (Exchange.ServedPart part : ex.parts) {
      exact = Math.addExact(exact, part.exactCost());
      if (part.offer() != null && part.usage().totalTokens() > 0) {
        if (earnings == null) earnings = new java.util.ArrayList<>(2);
        earnings.add(earning(part.offer(), part.usage(), progress));
      }
      u = u.plus(part.usage());
    }
    // A final charge takes the tenant's exact cost with the fraction its earlier requests left over (rounded down,
    // the rest carried on); a progress entry is only what a crash would charge, rounded.
    long cost = exact == 0 ? 0 : progress ? Money.roundExact(exact)
        : billing.wallets().chargeExact(ex.principal.tenantId(), exact);
    return new Settlement(ex.requestId, ex.principal.tenantId(), ex.principal.userId(), ex.principal.keyId(),
        model, ex.target == null ? null : ex.target.provider().id(), u.promptTokens(), u.completionTokens(),
        u.cachedPromptTokens(), u.cacheCreationTokens(), u.estimated(), ex.reservedMicros, cost,
        System.currentTimeMillis(), progress, RecordStage.facts(ex, progress ? RecordStage.INTERRUPTED : ex.outcome),
        earnings);
  }

  /** A package's earning for the usage it served: exact, with the supplier's fraction of a micro-unit carried on. */
  private com.lijiaoqiao.billing.Earning earning(com.lijiaoqiao.routing.SupplyOffer o, TokenUsage u, boolean progress) {
    long exact = o.exactEarning(u.promptTokens(), u.cachedPromptTokens(), u.completionTokens());
    long amount = exact == 0 ? 0 : progress ? Money.roundExact(exact) : billing.earningsCarry().earn(o.supplierId(), exact);
    return new com.lijiaoqiao.billing.Earning(o.packageId(), o.supplierId(), o.accountId(), u.promptTokens(),
        u.completionTokens(), u.cachedPromptTokens(), amount);
  }
}
