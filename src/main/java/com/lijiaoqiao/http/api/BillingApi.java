package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.billing.LedgerStore;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.BillingQueries;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Balance, usage, invoices, redemption (consumers) and credit, codes, prices (admins). See docs/billing.md. */
public final class BillingApi {
  /** No credit may take a wallet above 1 000 000 000.00: balances stay far from the limit of a long. */
  static final long MAX_BALANCE_MICROS = 1_000_000_000L * Money.MICROS_PER_UNIT;

  private final BillingService billing;
  private final BillingQueries queries;
  private final LedgerStore ledger;

  private com.lijiaoqiao.store.AuditRepository audit;

  /** Every credit, code batch and price change is written to the audit log. */
  public BillingApi audited(com.lijiaoqiao.store.AuditRepository audit) {
    this.audit = audit;
    return this;
  }

  private void audit(ApiRequest r, Long tenant, String action, String type, String target, Object before, Object after) {
    if (audit != null) Audits.record(audit, r, tenant, action, type, target, before, after);
  }

  public BillingApi(BillingService billing, BillingQueries queries, LedgerStore ledger) {
    this.billing = billing;
    this.queries = queries;
    this.ledger = ledger;
  }

  public void register(ApiRouter api) {
    api.add(HttpMethod.GET, "/v1/billing/balance", Access.AUTHENTICATED, this::balance);
    api.add(HttpMethod.GET, "/v1/billing/usage", Access.AUTHENTICATED, this::usage);
    api.add(HttpMethod.GET, "/v1/billing/invoices", Access.AUTHENTICATED, this::invoices);
    api.add(HttpMethod.GET, "/v1/billing/invoices/{period}", Access.AUTHENTICATED, this::invoice);
    api.add(HttpMethod.POST, "/v1/billing/redeem", Access.AUTHENTICATED, this::redeem);
    api.add(HttpMethod.POST, "/admin/tenants/{id}/credit", Access.ADMIN, this::credit);
    api.add(HttpMethod.POST, "/admin/redemption-codes", Access.ADMIN, this::createCodes);
    api.add(HttpMethod.GET, "/admin/models", Access.ADMIN, this::listPrices);
    api.add(HttpMethod.GET, "/admin/models/{model}", Access.ADMIN, this::getPrice);
    api.add(HttpMethod.PUT, "/admin/models/{model}", Access.ADMIN, this::putPrice);
  }

  private ApiResponse balance(ApiRequest r) {
    long tenant = r.caller().tenantId();
    var w = billing.wallets().snapshot(tenant);
    if (billing.cluster() != null) {
      // The figure every node reserves from (a worker thread: a short wait is fine); this node's if Redis is slow.
      try {
        var shared = billing.cluster().snapshot(tenant).toCompletionStage().toCompletableFuture()
            .get(1, java.util.concurrent.TimeUnit.SECONDS);
        if (shared != null) w = new com.lijiaoqiao.billing.Wallets.Snapshot(shared.balance(), shared.reserved(), null);
      } catch (Exception unavailable) {
        // this node's figure, read from the ledger within the last second
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tenant_id", tenant);
    out.put("currency", billing.currency());
    out.put("balance", Money.format(w.balance()));
    out.put("reserved", Money.format(w.reserved()));
    out.put("available", Money.format(w.available()));
    return ApiResponse.ok(out);
  }

  private ApiResponse usage(ApiRequest r) {
    var q = r.query();
    Instant from = Fields.instant("from", q.get("from"));
    Instant to = Fields.instant("to", q.get("to"));
    Long key = null;
    if (q.get("key_id") != null) {
      try {
        key = Long.parseLong(q.get("key_id"));
      } catch (NumberFormatException e) {
        throw Fields.invalid("key_id", "'key_id' must be a key id (a number).");
      }
    }
    String model = Fields.bounded("model", q.get("model"), Fields.MAX_MODEL);
    String groupBy = q.get("group_by");
    if (groupBy != null && !List.of("day", "model", "key").contains(groupBy)) {
      throw Fields.invalid("group_by", "'group_by' must be one of day, model, key.");
    }
    String format = q.get("format") == null ? "json" : q.get("format");
    if (!format.equals("json") && !format.equals("csv")) {
      throw Fields.invalid("format", "'format' must be json or csv.");
    }
    Paging paging = Paging.from(q);
    var filter = new BillingQueries.UsageFilter(r.caller().tenantId(), from, to, key, model);
    List<Map<String, Object>> rows = new ArrayList<>();
    long total;
    if (groupBy != null) {
      total = queries.countGroups(filter, groupBy);
      for (var g : queries.groupUsage(filter, groupBy, paging.offset(), paging.pageSize())) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(groupBy, g.group());
        m.put("requests", g.requests());
        m.put("prompt_tokens", g.promptTokens());
        m.put("completion_tokens", g.completionTokens());
        m.put("cost", Money.format(g.costMicros()));
        rows.add(m);
      }
    } else {
      total = queries.countUsage(filter);
      for (var u : queries.listUsage(filter, paging.offset(), paging.pageSize())) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", u.requestId());
        m.put("created_at", u.createdAt().toString());
        m.put("key_id", u.apiKeyId());
        m.put("model", u.model());
        m.put("provider", u.provider());
        m.put("stream", u.stream());
        m.put("prompt_tokens", u.promptTokens());
        m.put("completion_tokens", u.completionTokens());
        m.put("cached_tokens", u.cachedTokens());
        m.put("cache_write_tokens", u.cacheWriteTokens());
        m.put("tokens_estimated", u.tokensEstimated());
        m.put("status", u.statusCode());
        m.put("outcome", u.outcome());
        m.put("cost", Money.format(u.costMicros()));
        rows.add(m);
      }
    }
    if (format.equals("csv")) {
      return ApiResponse.ok(new ApiRouter.Raw("text/csv; charset=utf-8", csv(rows)));
    }
    return ApiResponse.ok(paging.envelope(rows, total));
  }

  private ApiResponse invoices(ApiRequest r) {
    long tenant = r.caller().tenantId();
    List<Map<String, Object>> out = new ArrayList<>();
    for (String period : queries.activeMonths(tenant)) {
      out.add(summary(tenant, YearMonth.parse(period)));
    }
    return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
  }

  private ApiResponse invoice(ApiRequest r) {
    YearMonth period = Fields.month("period", r.path("period"));
    long tenant = r.caller().tenantId();
    Map<String, Object> inv = summary(tenant, period);
    Instant from = period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = period.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    inv.put("charges_by_model", lines(queries.chargesBetween(tenant, from, to, "model"), "model"));
    inv.put("charges_by_key", lines(queries.chargesBetween(tenant, from, to, "key"), "key_id"));
    if ("csv".equals(r.query().get("format"))) {
      StringBuilder sb = new StringBuilder("section,name,requests,prompt_tokens,completion_tokens,amount\n");
      sb.append("summary,opening_balance,,,,").append(inv.get("opening_balance")).append('\n');
      sb.append("summary,topups,,,,").append(inv.get("topups")).append('\n');
      for (var l : queries.chargesBetween(tenant, from, to, "model")) {
        sb.append("charge_by_model,").append(csvCell(l.name())).append(',').append(l.requests()).append(',')
            .append(l.promptTokens()).append(',').append(l.completionTokens()).append(',')
            .append(Money.format(l.costMicros())).append('\n');
      }
      for (var l : queries.chargesBetween(tenant, from, to, "key")) {
        sb.append("charge_by_key,").append(csvCell(l.name())).append(',').append(l.requests()).append(',')
            .append(l.promptTokens()).append(',').append(l.completionTokens()).append(',')
            .append(Money.format(l.costMicros())).append('\n');
      }
      sb.append("summary,charges,,,,").append(inv.get("charges")).append('\n');
      sb.append("summary,closing_balance,,,,").append(inv.get("closing_balance")).append('\n');
      return ApiResponse.ok(new ApiRouter.Raw("text/csv; charset=utf-8", sb.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return ApiResponse.ok(inv);
  }

  private Map<String, Object> summary(long tenant, YearMonth period) {
    Instant from = period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = period.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    long opening = queries.walletBalanceBefore(tenant, from);
    long topups = queries.topupsBetween(tenant, from, to);
    long closing = queries.walletBalanceBefore(tenant, to);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant_id", tenant);
    m.put("period", period.toString());
    m.put("currency", billing.currency());
    m.put("opening_balance", Money.format(opening));
    m.put("topups", Money.format(topups));
    // Everything else that moved the wallet in the month is a charge (refunds would appear as negatives).
    m.put("charges", Money.format(opening + topups - closing));
    m.put("closing_balance", Money.format(closing));
    return m;
  }

  private static List<Map<String, Object>> lines(List<BillingQueries.ChargeLine> lines, String nameField) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (var l : lines) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put(nameField, l.name());
      m.put("requests", l.requests());
      m.put("prompt_tokens", l.promptTokens());
      m.put("completion_tokens", l.completionTokens());
      m.put("amount", Money.format(l.costMicros()));
      out.add(m);
    }
    return out;
  }

  private ApiResponse redeem(ApiRequest r) {
    String code = Fields.text(Fields.object(r.body(), true), "code", true, 64);
    var topup = billing.redeem(code, r.caller().tenantId()).orElseThrow(() -> new GatewayException(ErrorCode.COMMON_002,
        "This code does not exist, has expired or was already used.", "兑换码无效、已过期或已被使用。", Map.of(), null));
    return ApiResponse.ok(topupJson(topup));
  }

  private ApiResponse credit(ApiRequest r) {
    long tenant = r.pathLong("id");
    String key = r.headers().get("idempotency-key");
    if (key == null || key.isBlank() || key.length() > Fields.MAX_IDEMPOTENCY_KEY) {
      throw Fields.invalid("Idempotency-Key", "An 'Idempotency-Key' header (1–" + Fields.MAX_IDEMPOTENCY_KEY
          + " characters) is required for credits.");
    }
    JsonNode b = Fields.object(r.body(), true);
    long amount = Fields.amount(b, "amount", true, false, Fields.MAX_AMOUNT_MICROS);
    String note = Fields.text(b, "note", false, Fields.MAX_NOTE);
    if (!ledger.tenantExists(tenant)) throw new GatewayException(ErrorCode.COMMON_002, "No such tenant.");
    if (billing.wallets().snapshot(tenant).balance() > MAX_BALANCE_MICROS - amount) {
      throw Fields.invalid("amount", "This credit would take the balance above " + Money.format(MAX_BALANCE_MICROS) + ".");
    }
    var topup = billing.credit(tenant, amount, "admin:" + key, note, r.caller().userId());
    if (topup.tenantId() != tenant || topup.amount() != amount) {
      throw new GatewayException(ErrorCode.COMMON_001, "This Idempotency-Key was already used for another credit.",
          "该幂等键已用于另一笔充值。", Map.of("topup_id", topup.id()), null);
    }
    if (!topup.replayed()) audit(r, tenant, "tenant.credit", "topup", Long.toString(topup.id()), null, topupJson(topup));
    return ApiResponse.ok(topupJson(topup));
  }

  private ApiResponse createCodes(ApiRequest r) {
    JsonNode b = Fields.object(r.body(), true);
    long amount = Fields.amount(b, "amount", true, false, Fields.MAX_AMOUNT_MICROS);
    int count = (int) Fields.integer(b, "count", 1, 1, 1000);
    Instant expires = Fields.expiry(b, "expires_at");
    List<String> codes = billing.createCodes(amount, count, expires, r.caller().userId());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("amount", Money.format(amount));
    out.put("currency", billing.currency());
    out.put("expires_at", expires == null ? null : expires.toString());
    out.put("codes", codes); // shown once: only their hashes are kept
    Map<String, Object> logged = new LinkedHashMap<>(out);
    logged.put("codes", codes.stream().map(c -> c.substring(0, 8) + "…").toList()); // the codes' prefixes, never a code
    audit(r, null, "redemption_codes.create", "redemption_codes", Integer.toString(count), null, logged);
    return ApiResponse.created(out);
  }

  private ApiResponse listPrices(ApiRequest r) {
    List<Map<String, Object>> out = new ArrayList<>();
    billing.prices().all().values().stream().sorted(java.util.Comparator.comparing(ModelPrice::model))
        .forEach(p -> out.add(priceJson(p)));
    return ApiResponse.ok(Paging.from(r.query()).pageOf(out));
  }

  private ApiResponse getPrice(ApiRequest r) {
    ModelPrice p = billing.prices().find(r.path("model"));
    if (p == null) throw new GatewayException(ErrorCode.COMMON_002, "No price is set for this model.");
    return ApiResponse.ok(priceJson(p));
  }

  private ApiResponse putPrice(ApiRequest r) {
    String model = r.path("model");
    if (model.isBlank() || model.length() > Fields.MAX_MODEL) {
      throw Fields.invalid("model", "The model name must be 1–" + Fields.MAX_MODEL + " characters.");
    }
    JsonNode b = Fields.object(r.body(), true);
    long input = Fields.amount(b, "input", true, true, Fields.MAX_PRICE_MICROS);
    long output = Fields.amount(b, "output", true, true, Fields.MAX_PRICE_MICROS);
    Long cachedIn = Fields.amount(b, "cached_input", false, true, Fields.MAX_PRICE_MICROS);
    long cached = cachedIn == null ? input : cachedIn;
    int maxOut = (int) Fields.integer(b, "max_output_tokens", 4096, 1, 10_000_000);
    Long writeIn = Fields.amount(b, "cache_write_input", false, true, Fields.MAX_PRICE_MICROS);
    long write = writeIn == null ? input : writeIn;
    ModelPrice p = new ModelPrice(model, input, output, cached, maxOut, write);
    ModelPrice before = billing.prices().find(model);
    billing.savePrice(p);
    audit(r, null, "price.update", "model_price", model, before == null ? null : priceJson(before), priceJson(p));
    return ApiResponse.ok(priceJson(p));
  }

  private Map<String, Object> priceJson(ModelPrice p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", p.model());
    m.put("currency", billing.currency());
    m.put("input", Money.format(p.inputPer1M()));
    m.put("output", Money.format(p.outputPer1M()));
    m.put("cached_input", Money.format(p.cachedInputPer1M()));
    m.put("cache_write_input", Money.format(p.cacheWritePer1M()));
    m.put("per", "1M tokens");
    m.put("max_output_tokens", p.maxOutputTokens());
    return m;
  }

  private Map<String, Object> topupJson(LedgerStore.Topup t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("topup_id", t.id());
    m.put("tenant_id", t.tenantId());
    m.put("amount", Money.format(t.amount()));
    m.put("currency", billing.currency());
    m.put("source", t.source());
    m.put("note", t.note());
    m.put("created_at", t.createdAt() == null ? null : t.createdAt().toString());
    var w = billing.wallets().snapshot(t.tenantId());
    m.put("balance", Money.format(w.balance()));
    return m;
  }

  private static byte[] csv(List<Map<String, Object>> rows) {
    StringBuilder sb = new StringBuilder();
    if (!rows.isEmpty()) {
      sb.append(String.join(",", rows.get(0).keySet())).append('\n');
      for (Map<String, Object> row : rows) {
        List<String> cells = new ArrayList<>();
        row.values().forEach(v -> cells.add(csvCell(v == null ? "" : v.toString())));
        sb.append(String.join(",", cells)).append('\n');
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String csvCell(String s) {
    if (s == null) return "";
    // Quote, and defuse spreadsheet formulas in values that came from users (model names).
    boolean number = s.matches("-?\\d+(\\.\\d+)?");
    String v = !number && (s.startsWith("=") || s.startsWith("+") || s.startsWith("-") || s.startsWith("@")) ? "'" + s : s;
    return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
