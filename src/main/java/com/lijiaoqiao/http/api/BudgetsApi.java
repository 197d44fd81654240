package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.budgets.Budget;
import com.lijiaoqiao.budgets.BudgetStore;
import com.lijiaoqiao.budgets.Budgets;
import com.lijiaoqiao.budgets.Period;
import com.lijiaoqiao.budgets.TenantLimit;
import com.lijiaoqiao.budgets.TenantLimits;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.ApiKeyRepository;
import com.lijiaoqiao.store.AuditRepository;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Spend budgets and tenant rate limits: {@code GET/PUT /v1/keys/{id}/budget} (whoever may manage the key),
 * {@code GET/PUT /v1/tenants/{id}/budget} (that tenant's admins and platform admins), {@code GET/PUT
 * /v1/tenants/{id}/limits} (read by both, changed only by platform admins: they protect the platform). Another
 * tenant's key or tenant is a 404, like a missing one. Every change is audited.
 */
public final class BudgetsApi {
  /** A budget of at most 1 000 000 000.00: spend counters stay exact in Redis scripts (below 2^53 micro-units). */
  public static final long MAX_BUDGET_MICROS = 1_000_000_000L * Money.MICROS_PER_UNIT;

  private final Budgets budgets;
  private final TenantLimits tenants;
  private final BudgetStore store;
  private final ApiKeyRepository keys;
  private final KeyRegistry registry;
  private final AccountRepository accounts;
  private final AuditRepository audit;
  private final String currency;

  public BudgetsApi(Budgets budgets, TenantLimits tenants, BudgetStore store, ApiKeyRepository keys,
                    KeyRegistry registry, AccountRepository accounts, AuditRepository audit, String currency) {
    this.budgets = budgets;
    this.tenants = tenants;
    this.store = store;
    this.keys = keys;
    this.registry = registry;
    this.accounts = accounts;
    this.audit = audit;
    this.currency = currency;
  }

  public void register(ApiRouter r) {
    r.add(HttpMethod.GET, "/v1/keys/{id}/budget", Access.SESSION_ONLY, this::getKeyBudget);
    r.add(HttpMethod.PUT, "/v1/keys/{id}/budget", Access.SESSION_ONLY, this::putKeyBudget);
    r.add(HttpMethod.GET, "/v1/tenants/{id}/budget", Access.SESSION_ONLY, this::getTenantBudget);
    r.add(HttpMethod.PUT, "/v1/tenants/{id}/budget", Access.SESSION_ONLY, this::putTenantBudget);
    r.add(HttpMethod.GET, "/v1/tenants/{id}/limits", Access.SESSION_ONLY, this::getTenantLimits);
    r.add(HttpMethod.PUT, "/v1/tenants/{id}/limits", Access.SESSION_ONLY, this::putTenantLimits);
  }

  /** A key's budget fields on {@code POST /v1/keys}: budget_day, budget_week, budget_month. */
  public static Budget keyBudgetFields(JsonNode b) {
    return new Budget(amount(b, "budget_day"), amount(b, "budget_week"), amount(b, "budget_month"));
  }

  /** A budget body: day, week, month (a missing or null one is no budget for that period). */
  static Budget budgetBody(JsonNode b) {
    return new Budget(amount(b, "day"), amount(b, "week"), amount(b, "month"));
  }

  private static Long amount(JsonNode b, String field) {
    return Fields.amount(b, field, false, true, MAX_BUDGET_MICROS);
  }

  // ---- keys ----

  private ApiKeyRepository.KeyRow manageableKey(Caller c, long id) {
    ApiKeyRepository.KeyRow k = keys.findRow(id).orElseThrow(BudgetsApi::notFound);
    boolean ok = c.isAdmin() || k.userId() == c.userId()
        || (Caller.TENANT_ADMIN.equals(c.role()) && k.tenantId() == c.tenantId());
    if (!ok) throw notFound();
    return k;
  }

  private ApiResponse getKeyBudget(ApiRequest req) {
    ApiKeyRepository.KeyRow k = manageableKey(req.caller(), req.pathLong("id"));
    return ApiResponse.ok(view("key_id", k.id(), keyBudget(k), "key"));
  }

  private ApiResponse putKeyBudget(ApiRequest req) {
    ApiKeyRepository.KeyRow k = manageableKey(req.caller(), req.pathLong("id"));
    Budget next = budgetBody(Fields.object(req.body(), true));
    ObjectNode before = budgetJson(keyBudget(k));
    if (!store.saveKeyBudget(k.id(), next)) throw notFound();
    registry.refreshKey(k.keyHash()); // this node at once; the others through their key sync
    budgets.reseed(store, "key", k.id()); // the period's spend so far counts against the new budget
    audit(req, k.tenantId(), "key.budget", "api_key", k.id(), before, budgetJson(next));
    return ApiResponse.ok(view("key_id", k.id(), next, "key"));
  }

  private static Budget keyBudget(ApiKeyRepository.KeyRow k) {
    return new Budget(micros(k.budgetDay()), micros(k.budgetWeek()), micros(k.budgetMonth()));
  }

  private static Long micros(String amount) {
    return amount == null ? null : Money.parse(amount, true);
  }

  // ---- tenants ----

  /** The tenant, if the caller may see it: a platform admin, or an admin of that tenant; another's is a 404. */
  private long visibleTenant(ApiRequest req) {
    long id = req.pathLong("id");
    Caller c = req.caller();
    if (c.isAdmin()) {
      if (!accounts.tenantExists(id)) throw notFound();
      return id;
    }
    if (c.tenantId() != id) throw notFound();
    if (!Caller.TENANT_ADMIN.equals(c.role())) {
      throw new GatewayException(ErrorCode.AUTH_002, "Only the tenant's administrators manage its budgets and limits.",
          "仅租户管理员可以管理租户的预算与限额。", Map.of(), null);
    }
    return id;
  }

  private ApiResponse getTenantBudget(ApiRequest req) {
    long id = visibleTenant(req);
    return ApiResponse.ok(view("tenant_id", id, tenants.of(id).budget(), "tenant"));
  }

  private ApiResponse putTenantBudget(ApiRequest req) {
    long id = visibleTenant(req);
    Budget next = budgetBody(Fields.object(req.body(), true));
    TenantLimit before = tenants.of(id);
    tenants.save(new TenantLimit(id, next, before.rpmLimit(), before.tpmLimit()));
    budgets.reseed(store, "tenant", id); // the period's spend so far counts against the new budget
    audit(req, id, "tenant.budget", "tenant", id, budgetJson(before.budget()), budgetJson(next));
    return ApiResponse.ok(view("tenant_id", id, next, "tenant"));
  }

  private ApiResponse getTenantLimits(ApiRequest req) {
    long id = visibleTenant(req);
    return ApiResponse.ok(limitsJson(tenants.of(id)));
  }

  private ApiResponse putTenantLimits(ApiRequest req) {
    if (!req.caller().isAdmin()) {
      visibleTenant(req); // another tenant's stays a 404
      throw new GatewayException(ErrorCode.AUTH_002, "Only platform administrators change a tenant's rate limits.",
          "仅平台管理员可以修改租户的速率限制。", Map.of(), null);
    }
    long id = visibleTenant(req);
    JsonNode b = Fields.object(req.body(), true);
    int rpm = (int) Fields.integer(b, "rpm_limit", 0, 0, 1_000_000_000);
    int tpm = (int) Fields.integer(b, "tpm_limit", 0, 0, 1_000_000_000);
    TenantLimit before = tenants.of(id);
    TenantLimit next = new TenantLimit(id, before.budget(), rpm, tpm);
    tenants.save(next);
    audit(req, id, "tenant.limits", "tenant", id, limitsJson(before), limitsJson(next));
    return ApiResponse.ok(limitsJson(next));
  }

  private static ObjectNode limitsJson(TenantLimit t) {
    ObjectNode o = ApiRouter.JSON.createObjectNode();
    o.put("tenant_id", t.tenantId());
    o.put("rpm_limit", t.rpmLimit());
    o.put("tpm_limit", t.tpmLimit());
    return o;
  }

  // ---- views ----

  /** The budgets with what the current periods spent (the cluster's figure with Redis) and when each resets. */
  private ObjectNode view(String idField, long id, Budget b, String scope) {
    Map<Period, Long> spent = await(budgets.spent(scope, id));
    Instant now = Instant.now();
    ObjectNode o = ApiRouter.JSON.createObjectNode();
    o.put(idField, id);
    o.put("currency", currency);
    for (Period p : Period.values()) {
      ObjectNode x = o.putObject(p.label);
      Long limit = b.amount(p);
      if (limit == null) x.putNull("limit");
      else x.put("limit", Money.format(limit));
      x.put("spent", Money.format(spent.getOrDefault(p, 0L)));
      x.put("resets_at", p.end(now).toString());
    }
    return o;
  }

  private static ObjectNode budgetJson(Budget b) {
    ObjectNode o = ApiRouter.JSON.createObjectNode();
    for (Period p : Period.values()) {
      Long v = b.amount(p);
      if (v == null) o.putNull(p.label);
      else o.put(p.label, Money.format(v));
    }
    return o;
  }

  /** Handlers run on a worker thread, so waiting for the counters (Redis) here blocks no event loop. */
  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new GatewayException(ErrorCode.COMMON_004, "Spend counters are unavailable; try again.",
          "消费计数暂不可用，请稍后再试。", Map.of(), 1);
    }
  }

  private void audit(ApiRequest req, long tenant, String action, String type, long target, Object before,
                     Object after) {
    Caller c = req.caller();
    audit.append(new AuditRepository.Event(c.userId(), c.apiKeyId(), tenant, action, type, Long.toString(target),
        before.toString(), after.toString(), req.requestId(), req.clientIp()));
  }

  private static GatewayException notFound() {
    return new GatewayException(ErrorCode.COMMON_002, "Not found.", "资源不存在。", Map.of(), null);
  }
}
