package com.lijiaoqiao.http.api;

import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.billing.Books;
import com.lijiaoqiao.billing.Reconciliation;
import com.lijiaoqiao.billing.SettlementJournal;
import com.lijiaoqiao.billing.Wallets;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * GET /admin/reconcile: the checks of ljq reconcile against the live database, this node's journal and its
 * open reservations (docs/api.md). Runs on the worker pool (ApiRouter.add). The journal totals are compared
 * only by ljq reconcile with the gateway stopped: live, shipping moves them between two reads.
 */
public final class ReconcileApi {
  /** How long a second look waits for the usage and ledger writers to flush what they hold. */
  private static final long SETTLE_MS = 3_000;

  private final BillingService billing;
  private final Books.Source books;
  private final IntSupplier usagePending;

  public ReconcileApi(BillingService billing, Books.Source books, IntSupplier usagePending) {
    this.billing = billing;
    this.books = books;
    this.usagePending = usagePending;
  }

  public void register(ApiRouter api) {
    api.add(HttpMethod.GET, "/admin/reconcile", Access.ADMIN, r -> ApiResponse.ok(view(reconcile())));
  }

  Reconciliation.Report reconcile() throws InterruptedException {
    Reconciliation.Report first = once();
    if (first.ok()) return first;
    // A request's usage record and its settlement reach the database from two queues: a difference is only
    // reported if it is still there once both queues are empty.
    long deadline = System.currentTimeMillis() + SETTLE_MS;
    while ((usagePending.getAsInt() > 0 || billing.pendingShipments() > 0) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(200); // a batch taken off a queue is being written
    return once();
  }

  private Reconciliation.Report once() {
    long count = billing.wallets().openHolds();
    long micros = billing.wallets().all().values().stream().mapToLong(Wallets.Snapshot::reserved).sum();
    // The journal first: what it shows as shipped is already committed when the books are read.
    SettlementJournal.Figures journal = billing.journalFigures();
    return Reconciliation.run(books, List.of(journal), false, billing.setAsideEntries(),
        new Reconciliation.OpenReservations(count, micros));
  }

  static Map<String, Object> view(Reconciliation.Report r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ok", r.ok());
    out.put("figures", r.figures());
    out.put("drifts", r.drifts().stream().map(d -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("check", d.check());
      m.put("detail", d.detail());
      m.put("ids", d.ids());
      return m;
    }).toList());
    out.put("set_aside", r.setAside().stream().map(a -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("request_id", a.requestId());
      m.put("tenant_id", a.tenantId());
      m.put("cost", a.costMicros() == null ? null : com.lijiaoqiao.billing.Money.format(a.costMicros()));
      m.put("reason", a.reason());
      m.put("at", a.at());
      return m;
    }).toList());
    return out;
  }
}
