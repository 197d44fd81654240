package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.supply.Marketplace;
import com.lijiaoqiao.supply.SupplierEarnings;
import com.lijiaoqiao.supply.SupplyException;
import com.lijiaoqiao.supply.SupplyStore;
import com.lijiaoqiao.supply.SupplyStore.Account;
import com.lijiaoqiao.supply.SupplyStore.Package;
import com.lijiaoqiao.supply.SupplyStore.Payout;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The supplier side over HTTP (/v1/supply/*: accounts, packages, earnings, statements, payouts) and the operator's
 * tools (/admin/suppliers, /admin/supply/*, /admin/payouts). A supplier sees only its own objects (another's are
 * 404); nothing here ever returns a credential, a consumer's identity or a prompt. See docs/marketplace.md.
 */
public final class SupplyApi {
  private final Marketplace market;
  private final SupplierEarnings earnings;
  private final SupplyStore store;
  private final AuditRepository audit;
  private final String currency;
  /** An account's live state as the router sees it (latency, availability, breakers), or null before its traffic. */
  private final java.util.function.LongFunction<Object> liveStats;

  public SupplyApi(Marketplace market, SupplierEarnings earnings, SupplyStore store, AuditRepository audit,
                   String currency, java.util.function.LongFunction<Object> liveStats) {
    this.liveStats = liveStats;
    this.market = market;
    this.earnings = earnings;
    this.store = store;
    this.audit = audit;
    this.currency = currency;
  }

  public void register(ApiRouter api) {
    api.add(HttpMethod.GET, "/v1/supply/me", Access.AUTHENTICATED, r -> ApiResponse.ok(me(supplier(r))));
    api.add(HttpMethod.GET, "/v1/supply/accounts", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      List<Object> out = new ArrayList<>();
      for (Account a : store.accounts(s, null)) out.add(account(a));
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.POST, "/v1/supply/accounts", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      Account a = call(() -> market.register(s, accountInput(r.body(), true)));
      auditChange(r, s, "supply.account.create", "supply_account", a.id(), null, account(a));
      return ApiResponse.created(account(a));
    });
    api.add(HttpMethod.GET, "/v1/supply/accounts/{id}", Access.AUTHENTICATED, r -> {
      Map<String, Object> m = account(call(() -> market.account(supplier(r), r.pathLong("id"))));
      m.put("live", liveStats.apply((Long) m.get("id")));
      return ApiResponse.ok(m);
    });
    api.add(HttpMethod.PUT, "/v1/supply/accounts/{id}", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      Account before = call(() -> market.account(s, r.pathLong("id")));
      Account a = call(() -> market.update(s, before.id(), accountInput(r.body(), false)));
      auditChange(r, s, "supply.account.update", "supply_account", a.id(), account(before), account(a));
      return ApiResponse.ok(account(a));
    });
    api.add(HttpMethod.POST, "/v1/supply/accounts/{id}/verify", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      Account a = call(() -> market.reverifyBySupplier(s, r.pathLong("id")));
      return ApiResponse.ok(account(a));
    });
    api.add(HttpMethod.DELETE, "/v1/supply/accounts/{id}", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      long id = r.pathLong("id");
      Account before = call(() -> market.account(s, id));
      call(() -> {
        market.delete(s, id);
        return null;
      });
      auditChange(r, s, "supply.account.delete", "supply_account", id, account(before),
          account(store.account(id).orElse(before)));
      return ApiResponse.noContent();
    });
    api.add(HttpMethod.GET, "/v1/supply/packages", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      String status = status(r, List.of("draft", "active", "paused", "sold_out", "expired"));
      List<Object> out = new ArrayList<>();
      for (Package p : store.packages(s, status)) out.add(pkg(p));
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.POST, "/v1/supply/packages", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      JsonNode b = Fields.object(r.body(), true);
      Package created = call(() -> market.create(s, packageInput(b)));
      Package p = !"active".equals(Fields.text(b, "status", false, 20)) ? created
          : call(() -> market.transition(s, created.id(), "active"));
      auditChange(r, s, "supply.package.create", "supply_package", p.id(), null, pkg(p));
      return ApiResponse.created(pkg(p));
    });
    api.add(HttpMethod.GET, "/v1/supply/packages/{id}", Access.AUTHENTICATED,
        r -> ApiResponse.ok(pkg(call(() -> market.pkg(supplier(r), r.pathLong("id"))))));
    api.add(HttpMethod.PUT, "/v1/supply/packages/{id}", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      Package before = call(() -> market.pkg(s, r.pathLong("id")));
      JsonNode b = Fields.object(r.body(), true);
      Package p = before;
      Marketplace.PackageInput in = packageInput(b);
      if (changesTerms(b)) p = call(() -> market.update(s, before.id(), in));
      String to = Fields.text(b, "status", false, 20);
      if (to != null && !to.equals(p.status())) p = call(() -> market.transition(s, before.id(), to));
      auditChange(r, s, "supply.package.update", "supply_package", p.id(), pkg(before), pkg(p));
      return ApiResponse.ok(pkg(p));
    });
    api.add(HttpMethod.GET, "/v1/supply/earnings", Access.AUTHENTICATED, r -> earningsView(r, supplier(r)));
    api.add(HttpMethod.GET, "/v1/supply/statements", Access.AUTHENTICATED, r -> statement(r, supplier(r)));
    api.add(HttpMethod.GET, "/v1/supply/payouts", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      List<Object> out = new ArrayList<>();
      for (Payout p : store.payouts(s, status(r, PAYOUT_STATES), 1000)) out.add(payout(p));
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.POST, "/v1/supply/payouts", Access.AUTHENTICATED, r -> {
      long s = supplier(r);
      JsonNode b = Fields.object(r.body(), true);
      long amount = Fields.amount(b, "amount", true, false, Fields.MAX_AMOUNT_MICROS);
      String key = r.headers().get("Idempotency-Key");
      if (key != null) key = Fields.bounded("Idempotency-Key", key, Fields.MAX_IDEMPOTENCY_KEY);
      String note = Fields.text(b, "note", false, 300);
      String k = key;
      java.util.Set<Long> before = new java.util.HashSet<>();
      if (k != null) for (Payout old : store.payouts(s, null, 10_000)) before.add(old.id());
      Payout p = call(() -> earnings.requestPayout(s, amount, k, note, r.caller().userId()));
      if (before.contains(p.id())) return ApiResponse.ok(payout(p)); // the same request again: the first answer
      auditChange(r, s, "supply.payout.request", "supply_payout", p.id(), null, payout(p));
      return ApiResponse.created(payout(p));
    });
    registerAdmin(api);
  }

  private static final List<String> PAYOUT_STATES = List.of("pending", "processing", "completed", "failed");

  private void registerAdmin(ApiRouter api) {
    api.add(HttpMethod.GET, "/admin/suppliers", Access.ADMIN, r -> {
      List<Object> out = new ArrayList<>();
      for (SupplyStore.Supplier s : store.suppliers(status(r, List.of("pending", "approved", "suspended")), 1000, 0)) {
        out.add(adminSupplier(s));
      }
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.GET, "/admin/suppliers/{id}", Access.ADMIN, r -> ApiResponse.ok(adminSupplier(
        store.supplier(r.pathLong("id")).orElseThrow(() -> new GatewayException(ErrorCode.COMMON_002, "Not found.")))));
    api.add(HttpMethod.PUT, "/admin/suppliers/{id}", Access.ADMIN, r -> {
      long id = r.pathLong("id");
      JsonNode b = Fields.object(r.body(), true);
      SupplyStore.Supplier before = call(() -> market.supplierForOperator(id));
      Long margin = Fields.optionalLong(b, "min_margin_bps", 0, 10_000);
      Long hold = Fields.optionalLong(b, "hold_days", 0, 365);
      SupplyStore.Supplier after = call(() -> market.decide(id, Fields.text(b, "status", false, 20),
          margin == null ? null : margin.intValue(), hold == null ? null : hold.intValue(),
          Fields.text(b, "note", false, 200)));
      auditChange(r, id, "supply.supplier.update", "supplier", id, adminSupplier(before), adminSupplier(after));
      return ApiResponse.ok(adminSupplier(after));
    });
    api.add(HttpMethod.GET, "/admin/supply/accounts", Access.ADMIN, r -> {
      Long supplier = Fields.queryLong(r.query(), "supplier_id");
      List<Object> out = new ArrayList<>();
      for (Account a : store.accounts(supplier, status(r, List.of("pending", "active", "suspended", "disabled")))) {
        Map<String, Object> m = account(a);
        m.put("supplier_id", a.supplierId());
        out.add(m);
      }
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.PUT, "/admin/supply/accounts/{id}", Access.ADMIN, r -> {
      long id = r.pathLong("id");
      JsonNode b = Fields.object(r.body(), true);
      Account before = store.account(id).orElseThrow(() -> new GatewayException(ErrorCode.COMMON_002, "Not found."));
      Account a = call(() -> market.setAccountStatus(id, Fields.text(b, "status", true, 20),
          Fields.text(b, "reason", false, 200)));
      auditChange(r, a.supplierId(), "supply.account.status", "supply_account", id, account(before), account(a));
      return ApiResponse.ok(account(a));
    });
    api.add(HttpMethod.GET, "/admin/supply/packages", Access.ADMIN, r -> {
      Long supplier = Fields.queryLong(r.query(), "supplier_id");
      List<Object> out = new ArrayList<>();
      for (Package p : store.packages(supplier, status(r, List.of("draft", "active", "paused", "sold_out", "expired")))) {
        Map<String, Object> m = pkg(p);
        m.put("supplier_id", p.supplierId());
        out.add(m);
      }
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.GET, "/admin/payouts", Access.ADMIN, r -> {
      List<Object> out = new ArrayList<>();
      for (Payout p : store.payouts(Fields.queryLong(r.query(), "supplier_id"), status(r, PAYOUT_STATES), 1000)) {
        Map<String, Object> m = payout(p);
        m.put("supplier_id", p.supplierId());
        out.add(m);
      }
      return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
    });
    api.add(HttpMethod.PUT, "/admin/payouts/{id}", Access.ADMIN, r -> {
      long id = r.pathLong("id");
      JsonNode b = Fields.object(r.body(), true);
      Payout before = store.payout(id).orElseThrow(() -> new GatewayException(ErrorCode.COMMON_002, "Not found."));
      Payout p = call(() -> earnings.settle(id, Fields.text(b, "status", true, 20), Fields.text(b, "reference", false, 200),
          r.caller().userId()));
      auditChange(r, p.supplierId(), "supply.payout." + p.status(), "supply_payout", id, payout(before), payout(p));
      Map<String, Object> m = payout(p);
      m.put("supplier_id", p.supplierId());
      return ApiResponse.ok(m);
    });
  }

  /** The caller's supplier tenant: only users with the supplier role use /v1/supply (operators use /admin/supply). */
  private long supplier(ApiRequest r) {
    Caller c = r.caller();
    if (!Caller.SUPPLIER.equals(c.role())) {
      throw new GatewayException(ErrorCode.AUTH_002, "Only suppliers use the supply API.", "仅供应商可以使用供应接口。",
          Map.of(), null);
    }
    return c.tenantId();
  }

  /** Runs marketplace work, mapping its refusals to the documented errors. */
  private static <T> T call(java.util.concurrent.Callable<T> work) throws Exception {
    try {
      return work.call();
    } catch (SupplyException e) {
      ErrorCode code = switch (e.kind) {
        case NOT_FOUND -> ErrorCode.COMMON_002;
        case BAD_CREDENTIAL -> ErrorCode.SUP_ACC_4001;
        case PROBE_FAILED -> ErrorCode.SUP_ACC_4002;
        case PRICE_BELOW_FLOOR -> ErrorCode.SUP_PKG_4001;
        case STATE_CONFLICT -> ErrorCode.SUP_PKG_4091;
        case ACCOUNT_CONFLICT -> ErrorCode.SUP_ACC_4091;
        case PAYOUT_CONFLICT -> ErrorCode.SUP_PAY_4091;
        case FORBIDDEN -> ErrorCode.AUTH_002;
        case INVALID -> ErrorCode.COMMON_001;
      };
      throw new GatewayException(code, e.getMessage(), code.zh, e.details, null);
    }
  }

  private Map<String, Object> me(long supplierId) {
    SupplyStore.Supplier s = market.supplier(supplierId);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("supplier_id", s.tenantId());
    m.put("status", s.status());
    m.put("min_margin_bps", market.marginBps(s));
    m.put("hold_days", market.holdDays(s));
    m.put("earnings", totals(earnings.totals(supplierId)));
    return m;
  }

  private Map<String, Object> adminSupplier(SupplyStore.Supplier s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("supplier_id", s.tenantId());
    m.put("name", s.tenantName());
    m.put("status", s.status());
    m.put("min_margin_bps", market.marginBps(s));
    m.put("hold_days", market.holdDays(s));
    m.put("note", s.note());
    m.put("earnings", totals(earnings.totals(s.tenantId())));
    long served = 0;
    long tokens = 0;
    for (Package p : store.packages(s.tenantId(), null)) tokens += p.usedTokens();
    for (SupplyStore.EarningGroup g : store.earnings(s.tenantId(), Fields.MIN_TIME, Fields.MAX_TIME, "package", null,
        null, null)) {
      served += g.requests();
    }
    m.put("requests_served", served);
    m.put("tokens_served", tokens);
    m.put("created_at", s.createdAt());
    return m;
  }

  private static Map<String, Object> totals(SupplyStore.Totals t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accrued", Money.format(t.accrued()));
    m.put("pending", Money.format(t.onHold()));
    m.put("available", Money.format(t.available()));
    m.put("requested", Money.format(t.requested()));
    m.put("paid", Money.format(t.paid()));
    return m;
  }

  /** An account as its supplier sees it: never the credential, only that one is set. */
  static Map<String, Object> account(Account a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("name", a.name());
    m.put("vendor", a.vendor());
    m.put("kind", a.kind());
    m.put("base_url", a.baseUrl());
    m.put("has_credential", a.credentialEnc() != null && !a.credentialEnc().isEmpty());
    m.put("models", a.models());
    m.put("rpm", a.rpm());
    m.put("tpm", a.tpm());
    m.put("max_concurrency", a.maxConcurrency());
    m.put("status", a.status());
    m.put("status_reason", a.statusReason());
    m.put("probed_at", a.probedAt());
    m.put("probe_result", a.probeResult());
    m.put("created_at", a.createdAt());
    m.put("updated_at", a.updatedAt());
    return m;
  }

  static Map<String, Object> pkg(Package p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("account_id", p.accountId());
    m.put("name", p.name());
    m.put("models", p.models());
    m.put("quota_tokens", p.quotaTokens());
    m.put("used_tokens", p.usedTokens());
    m.put("remaining_tokens", p.remainingTokens());
    m.put("input_per_1m", Money.format(p.inputPer1M()));
    m.put("output_per_1m", Money.format(p.outputPer1M()));
    m.put("cached_input_per_1m", Money.format(p.cachedInputPer1M()));
    m.put("valid_days", p.validDays());
    m.put("max_concurrency", p.maxConcurrency());
    m.put("rpm", p.rpm());
    m.put("public_name", p.publicName());
    m.put("status", p.status());
    m.put("activated_at", p.activatedAt());
    m.put("expires_at", p.expiresAt());
    m.put("created_at", p.createdAt());
    m.put("updated_at", p.updatedAt());
    return m;
  }

  private static Map<String, Object> payout(Payout p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("amount", Money.format(p.amountMicros()));
    m.put("status", p.status());
    m.put("reference", p.reference());
    m.put("note", p.note());
    m.put("created_at", p.createdAt());
    m.put("updated_at", p.updatedAt());
    return m;
  }

  private static Marketplace.AccountInput accountInput(JsonNode raw, boolean create) {
    JsonNode b = Fields.object(raw, true);
    Map<String, String> models = null;
    JsonNode ms = b.get("models");
    if (ms != null && !ms.isNull()) {
      models = new LinkedHashMap<>();
      if (ms.isArray()) {
        for (String m : Fields.strings(b, "models", 200, Fields.MAX_MODEL)) models.put(m, m);
      } else if (ms.isObject()) {
        if (ms.size() > 200) throw Fields.invalid("models", "'models' has more than 200 entries.");
        var it = ms.fields();
        while (it.hasNext()) {
          var e = it.next();
          if (!e.getValue().isTextual()) throw Fields.invalid("models", "'models' maps public names to upstream names.");
          String pub = Fields.bounded("models", e.getKey(), Fields.MAX_MODEL);
          String up = Fields.bounded("models", e.getValue().asText(), Fields.MAX_MODEL);
          if (pub.isBlank()) throw Fields.invalid("models", "'models' has an empty model name.");
          models.put(pub, up.isBlank() ? pub : up);
        }
      } else {
        throw Fields.invalid("models", "'models' must be an array of names or an object of public → upstream names.");
      }
    }
    String credential = Fields.text(b, "credential", false, Fields.MAX_CREDENTIAL);
    if (credential == null) credential = Fields.text(b, "api_key", false, Fields.MAX_CREDENTIAL);
    Long rpm = Fields.optionalLong(b, "rpm", 0, 1_000_000);
    Long tpm = Fields.optionalLong(b, "tpm", 0, 1_000_000_000);
    Long conc = Fields.optionalLong(b, "max_concurrency", 0, 100_000);
    return new Marketplace.AccountInput(Fields.text(b, "name", create, Fields.MAX_NAME),
        Fields.text(b, "vendor", false, 40), Fields.text(b, "base_url", false, Fields.MAX_URL), credential, models,
        rpm == null ? null : rpm.intValue(), tpm == null ? null : tpm.intValue(), conc == null ? null : conc.intValue());
  }

  private static boolean changesTerms(JsonNode b) {
    for (String f : List.of("account_id", "name", "models", "quota_tokens", "input_per_1m", "output_per_1m",
        "cached_input_per_1m", "valid_days", "max_concurrency", "rpm", "public_name")) {
      if (b.has(f)) return true;
    }
    return false;
  }

  private static Marketplace.PackageInput packageInput(JsonNode b) {
    Long conc = Fields.optionalLong(b, "max_concurrency", 0, 100_000);
    Long rpm = Fields.optionalLong(b, "rpm", 0, 1_000_000);
    Long days = Fields.optionalLong(b, "valid_days", 1, 3650);
    List<String> models = b.has("models") ? Fields.strings(b, "models", 200, Fields.MAX_MODEL) : null;
    return new Marketplace.PackageInput(Fields.optionalLong(b, "account_id", 1, Long.MAX_VALUE),
        Fields.text(b, "name", false, Fields.MAX_NAME), models,
        Fields.optionalLong(b, "quota_tokens", 1, 1_000_000_000_000_000L),
        Fields.amount(b, "input_per_1m", false, true, Fields.MAX_PRICE_MICROS),
        Fields.amount(b, "output_per_1m", false, true, Fields.MAX_PRICE_MICROS),
        Fields.amount(b, "cached_input_per_1m", false, true, Fields.MAX_PRICE_MICROS),
        days == null ? null : days.intValue(), conc == null ? null : conc.intValue(),
        rpm == null ? null : rpm.intValue(), Fields.text(b, "public_name", false, 64));
  }

  private ApiResponse earningsView(ApiRequest r, long supplierId) throws Exception {
    Instant from = Fields.instant("from", r.query().get("from"));
    Instant to = Fields.instant("to", r.query().get("to"));
    String groupBy = r.query().get("group_by") == null ? "day" : Fields.bounded("group_by", r.query().get("group_by"), 20);
    Long account = Fields.queryLong(r.query(), "account_id");
    Long pkg = Fields.queryLong(r.query(), "package_id");
    String model = r.query().get("model") == null ? null : Fields.bounded("model", r.query().get("model"), Fields.MAX_MODEL);
    List<SupplyStore.EarningGroup> groups = call(() -> earnings.earnings(supplierId,
        from == null ? Fields.MIN_TIME : from, to == null ? Fields.MAX_TIME : to, groupBy, account, pkg, model));
    if ("csv".equals(r.query().get("format"))) {
      StringBuilder sb = new StringBuilder(groupBy + ",requests,tokens,amount\n");
      for (SupplyStore.EarningGroup g : groups) {
        sb.append(BillingApi.csvCell(g.key())).append(',').append(g.requests()).append(',').append(g.tokens())
            .append(',').append(Money.format(g.amountMicros())).append('\n');
      }
      return ApiResponse.ok(new ApiRouter.Raw("text/csv; charset=utf-8", sb.toString().getBytes(StandardCharsets.UTF_8)));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("currency", currency);
    m.put("totals", totals(earnings.totals(supplierId)));
    m.put("group_by", groupBy);
    List<Object> rows = new ArrayList<>();
    for (SupplyStore.EarningGroup g : groups) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(groupBy, g.key());
      row.put("requests", g.requests());
      row.put("tokens", g.tokens());
      row.put("amount", Money.format(g.amountMicros()));
      rows.add(row);
    }
    m.put("data", rows);
    return ApiResponse.ok(m);
  }

  /** A month's statement: earnings by package and model, payouts completed in it, and the totals. */
  private ApiResponse statement(ApiRequest r, long supplierId) throws Exception {
    YearMonth month = r.query().get("month") == null ? YearMonth.now(ZoneOffset.UTC)
        : Fields.month("month", r.query().get("month"));
    Instant from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    List<SupplyStore.EarningGroup> byPackage = store.earnings(supplierId, from, to, "package", null, null, null);
    List<SupplyStore.EarningGroup> byModel = store.earnings(supplierId, from, to, "model", null, null, null);
    long total = byPackage.stream().mapToLong(SupplyStore.EarningGroup::amountMicros).sum();
    List<Payout> paid = new ArrayList<>();
    for (Payout p : store.payouts(supplierId, "completed", 10_000)) {
      if (!p.updatedAt().isBefore(from) && p.updatedAt().isBefore(to)) paid.add(p);
    }
    if ("csv".equals(r.query().get("format"))) {
      StringBuilder sb = new StringBuilder("section,name,requests,tokens,amount\n");
      for (SupplyStore.EarningGroup g : byPackage) line(sb, "earnings_by_package", g);
      for (SupplyStore.EarningGroup g : byModel) line(sb, "earnings_by_model", g);
      for (Payout p : paid) {
        sb.append("payout,").append(BillingApi.csvCell(p.reference() == null ? "" : p.reference())).append(",,,")
            .append(Money.format(p.amountMicros())).append('\n');
      }
      sb.append("total_earnings,,,,").append(Money.format(total)).append('\n');
      return ApiResponse.ok(new ApiRouter.Raw("text/csv; charset=utf-8", sb.toString().getBytes(StandardCharsets.UTF_8)));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("month", month.toString());
    m.put("earnings", Money.format(total));
    m.put("currency", currency);
    m.put("by_package", groups("package_id", byPackage));
    m.put("by_model", groups("model", byModel));
    List<Object> payouts = new ArrayList<>();
    for (Payout p : paid) payouts.add(payout(p));
    m.put("payouts_completed", payouts);
    return ApiResponse.ok(m);
  }

  private static List<Object> groups(String keyName, List<SupplyStore.EarningGroup> groups) {
    List<Object> out = new ArrayList<>();
    for (SupplyStore.EarningGroup g : groups) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(keyName, g.key());
      row.put("requests", g.requests());
      row.put("tokens", g.tokens());
      row.put("amount", Money.format(g.amountMicros()));
      out.add(row);
    }
    return out;
  }

  private static void line(StringBuilder sb, String section, SupplyStore.EarningGroup g) {
    sb.append(section).append(',').append(BillingApi.csvCell(g.key())).append(',').append(g.requests()).append(',')
        .append(g.tokens()).append(',').append(Money.format(g.amountMicros())).append('\n');
  }

  private static String status(ApiRequest r, List<String> allowed) {
    String s = r.query().get("status");
    if (s == null || s.isEmpty()) return null;
    if (!allowed.contains(s)) throw Fields.invalid("status", "'status' must be one of " + allowed + ".");
    return s;
  }

  private void auditChange(ApiRequest r, long tenant, String action, String type, long target, Object before,
                           Object after) {
    Audits.record(audit, r, tenant, action, type, Long.toString(target), before, after);
  }

}
