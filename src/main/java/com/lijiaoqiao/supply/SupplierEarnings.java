package com.lijiaoqiao.supply;

import com.lijiaoqiao.supply.SupplyException.Kind;
import com.lijiaoqiao.supply.SupplyStore.Payout;
import com.lijiaoqiao.supply.SupplyStore.Supplier;
import com.lijiaoqiao.supply.SupplyStore.Totals;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What suppliers earned and are paid: totals with the hold period, earnings by period and dimension, payout
 * requests against what is available, and their settlement by an operator. Blocking.
 */
public final class SupplierEarnings {
  private final SupplyStore store;
  private final Marketplace market;

  public SupplierEarnings(SupplyStore store, Marketplace market) {
    this.store = store;
    this.market = market;
  }

  /** Earnings created after this instant are still on hold for the supplier. */
  public Instant holdSince(Supplier s) {
    return market.clock().instant().minus(Duration.ofDays(market.holdDays(s)));
  }

  public Totals totals(long supplierId) {
    Supplier s = market.supplier(supplierId);
    return store.totals(supplierId, holdSince(s));
  }

  public List<SupplyStore.EarningGroup> earnings(long supplierId, Instant from, Instant to, String groupBy,
                                                 Long accountId, Long packageId, String model) {
    if (!List.of("day", "account", "package", "model").contains(groupBy)) {
      throw SupplyException.invalid("'group_by' must be day, account, package or model.");
    }
    return store.earnings(supplierId, from, to, groupBy, accountId, packageId, model);
  }

  /** A payout of {@code amount} from what is available; the same idempotency key asks once. */
  public Payout requestPayout(long supplierId, long amountMicros, String idempotencyKey, String note, long userId) {
    Supplier s = market.supplier(supplierId);
    if (!"approved".equals(s.status())) {
      throw new SupplyException(Kind.FORBIDDEN, "Payouts open once an operator approves the supplier.");
    }
    Optional<Payout> p = store.requestPayout(supplierId, amountMicros, holdSince(s), idempotencyKey, note, userId);
    if (p.isPresent() && p.get().amountMicros() != amountMicros) {
      throw new SupplyException(Kind.PAYOUT_CONFLICT, "This Idempotency-Key was used for a payout of another amount.",
          Map.of("payout_id", p.get().id()));
    }
    if (p.isEmpty()) {
      Totals t = store.totals(supplierId, holdSince(s));
      throw new SupplyException(Kind.INVALID, "The amount exceeds what is available for payout.",
          Map.of("available", com.lijiaoqiao.billing.Money.format(t.available())));
    }
    return p.get();
  }

  /** An operator moves a payout on: processing, completed (with the transfer's reference) or failed. */
  public Payout settle(long payoutId, String to, String reference, long operatorId) {
    Payout p = store.payout(payoutId).orElseThrow(SupplyException::notFound);
    boolean allowed = switch (to) {
      case "processing" -> "pending".equals(p.status());
      case "completed" -> "processing".equals(p.status());
      case "failed" -> "pending".equals(p.status()) || "processing".equals(p.status());
      default -> throw SupplyException.invalid("'status' must be processing, completed or failed.");
    };
    if ("completed".equals(to) && (reference == null || reference.isBlank())) {
      throw SupplyException.invalid("'reference' (the transfer's reference) is required to complete a payout.");
    }
    if (!allowed || !store.settlePayout(payoutId, p.status(), to, reference, operatorId)) {
      throw new SupplyException(Kind.PAYOUT_CONFLICT, "The payout is " + p.status() + ": cannot move it to " + to + ".",
          Map.of("status", p.status()));
    }
    if ("completed".equals(to)) {
      store.event(com.lijiaoqiao.events.EventTypes.SETTLEMENT_COMPLETED, p.supplierId(), Map.of("payout_id", p.id(),
          "amount", com.lijiaoqiao.billing.Money.format(p.amountMicros()), "reference", reference));
    }
    return store.payout(payoutId).orElseThrow();
  }
}
