package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.billing.PriceBook;
import com.lijiaoqiao.budgets.Budget;
import com.lijiaoqiao.budgets.Budgets;
import com.lijiaoqiao.budgets.SpendCounters;
import com.lijiaoqiao.budgets.TenantLimits;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Spend budgets of the key and its tenant (day, week, month). Holds the request's reservation estimate against
 * each configured budget, next to what the period spent and what requests in flight hold; one that would be
 * exceeded is a 402 BILLING_001 naming the budget and when it resets, and no balance is reserved. The hold
 * becomes the actual cost when the request settles, and is released if it never does.
 */
public final class BudgetStage implements Stage {
  private final Budgets budgets;
  private final TenantLimits tenants;
  private final PriceBook prices;
  private final String currency;

  public BudgetStage(Budgets budgets, TenantLimits tenants, PriceBook prices, String currency) {
    this.budgets = budgets;
    this.tenants = tenants;
    this.prices = prices;
    this.currency = currency;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    ApiKeyPrincipal p = ex.principal;
    Budget tenantBudget = tenants.of(p.tenantId()).budget();
    if (p.budget().isEmpty() && tenantBudget.isEmpty()) return chain.proceed(ex);
    long amount = ReserveStage.estimate(ex, prices, ex.model()); // what Reserve will hold against the balance
    return budgets.hold(ex.requestId, p.keyId(), p.budget(), p.tenantId(), tenantBudget, amount).compose(v -> {
      if (!v.held()) return Future.failedFuture(exceeded(v, amount));
      return chain.proceed(ex).andThen(ar -> budgets.release(ex.requestId)); // settled by now, if it ever was
    });
  }

  private GatewayException exceeded(SpendCounters.Verdict v, long amount) {
    SpendCounters.Line l = v.refusedBy();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("budget", l.budget());
    details.put("limit", Money.format(l.limitMicros()));
    details.put("spent", Money.format(v.spentMicros()));
    details.put("held", Money.format(v.heldMicros()));
    details.put("required", Money.format(amount));
    details.put("currency", currency);
    details.put("resets_at", l.resetsAt().toString());
    String[] scopePeriod = l.budget().split("_", 2);
    String scope = "key".equals(scopePeriod[0]) ? "this key's" : "the tenant's";
    return new GatewayException(ErrorCode.BILLING_001,
        "Budget exceeded: " + scope + " " + scopePeriod[1] + " budget of " + Money.format(l.limitMicros()) + " "
            + currency + " has " + Money.format(v.spentMicros()) + " spent and " + Money.format(v.heldMicros())
            + " held by requests in flight; this request may cost up to " + Money.format(amount) + ". It resets at "
            + l.resetsAt() + ". Lower max_tokens, or raise the budget.",
        "已超出预算（" + l.budget() + "），将于 " + l.resetsAt() + " 重置。", details, null);
  }
}
