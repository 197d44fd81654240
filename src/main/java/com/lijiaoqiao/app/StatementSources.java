package com.lijiaoqiao.app;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.storage.StatementDocument;
import com.lijiaoqiao.storage.StatementDocument.Fact;
import com.lijiaoqiao.storage.StatementDocument.Row;
import com.lijiaoqiao.store.BillingQueries;
import com.lijiaoqiao.supply.SupplyStore;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The documents behind invoice and statement files, from the same queries (and so the same figures) as
 * {@code GET /v1/billing/invoices/{period}} and {@code GET /v1/supply/statements}.
 */
final class StatementSources {
  private StatementSources() {}

  private static Instant start(YearMonth m) {
    return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  static StatementDocument invoice(BillingQueries q, String currency, long tenant, YearMonth month) {
    Instant from = start(month);
    Instant to = start(month.plusMonths(1));
    long opening = q.walletBalanceBefore(tenant, from);
    long topups = q.topupsBetween(tenant, from, to);
    long closing = q.walletBalanceBefore(tenant, to);
    List<Row> rows = new ArrayList<>();
    for (String by : List.of("model", "key")) {
      for (var l : q.chargesBetween(tenant, from, to, by)) {
        rows.add(new Row("charges_by_" + by, List.of(l.name(), Long.toString(l.requests()),
            Long.toString(l.promptTokens()), Long.toString(l.completionTokens()), Money.format(l.costMicros()))));
      }
    }
    // Everything else that moved the wallet in the month is a charge (as the invoice API says).
    return new StatementDocument("Invoice " + month + " - tenant " + tenant, List.of(
        new Fact("period", month.toString()), new Fact("currency", currency),
        new Fact("opening_balance", Money.format(opening)), new Fact("topups", Money.format(topups)),
        new Fact("charges", Money.format(opening + topups - closing)), new Fact("closing_balance", Money.format(closing))),
        List.of("name", "requests", "prompt_tokens", "completion_tokens", "amount"), rows);
  }

  /** Null when the tenant is not a supplier. */
  static StatementDocument statement(SupplyStore store, String currency, long supplier, YearMonth month) {
    if (store.supplier(supplier).isEmpty()) return null;
    Instant from = start(month);
    Instant to = start(month.plusMonths(1));
    List<Row> rows = new ArrayList<>();
    long total = 0;
    for (var g : store.earnings(supplier, from, to, "package", null, null, null)) {
      total += g.amountMicros();
      rows.add(new Row("earnings_by_package", List.of(g.key(), Long.toString(g.requests()), Long.toString(g.tokens()),
          Money.format(g.amountMicros()))));
    }
    for (var g : store.earnings(supplier, from, to, "model", null, null, null)) {
      rows.add(new Row("earnings_by_model", List.of(g.key(), Long.toString(g.requests()), Long.toString(g.tokens()),
          Money.format(g.amountMicros()))));
    }
    long paid = 0;
    for (var p : store.payouts(supplier, "completed", 10_000)) {
      if (p.updatedAt().isBefore(from) || !p.updatedAt().isBefore(to)) continue;
      paid += p.amountMicros();
      rows.add(new Row("payouts_completed", List.of(p.reference() == null ? "" : p.reference(), "", "",
          Money.format(p.amountMicros()))));
    }
    return new StatementDocument("Supplier statement " + month + " - supplier " + supplier, List.of(
        new Fact("period", month.toString()), new Fact("currency", currency),
        new Fact("total_earnings", Money.format(total)), new Fact("paid_out", Money.format(paid))),
        List.of("name", "requests", "tokens", "amount"), rows);
  }
}
