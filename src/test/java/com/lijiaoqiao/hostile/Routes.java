package com.lijiaoqiao.hostile;

import java.util.List;

/**
 * Every route the gateway serves (HttpFrontend's data plane, ApiRouter's registrations in IdentityApi, BillingApi
 * and ProvidersApi), with who may call it, how often the generator picks it, whether it takes a body and its
 * query parameters.
 */
final class Routes {
  enum Access { PUBLIC, DATA, AUTHENTICATED, SESSION, ADMIN }

  record Route(String name, String method, String template, Access access, int weight, boolean body,
               List<String> query) {
    boolean anthropic() {
      return template.startsWith("/v1/messages");
    }

    boolean templated() {
      return template.contains("{");
    }

    /** Google's Gemini API: errors in Google's shape. */
    boolean gemini() {
      return name.startsWith("gemini.");
    }

    /** The query a valid call needs (streamGenerateContent is served as server-sent events only). */
    String requiredQuery() {
      return template.endsWith(":streamGenerateContent") ? "alt=sse" : "";
    }
  }

  private static final List<String> PAGING = List.of("page", "page_size");
  private static final List<String> USERS_Q = List.of("tenant_id", "status", "role", "q", "search", "page", "page_size");

  static final List<Route> ALL = List.of(
      // data plane
      new Route("chat", "POST", "/v1/chat/completions", Access.DATA, 120, true, List.of()),
      new Route("completions", "POST", "/v1/completions", Access.DATA, 45, true, List.of()),
      new Route("embeddings", "POST", "/v1/embeddings", Access.DATA, 45, true, List.of()),
      new Route("messages", "POST", "/v1/messages", Access.DATA, 80, true, List.of("beta")),
      new Route("count_tokens", "POST", "/v1/messages/count_tokens", Access.DATA, 35, true, List.of("beta")),
      new Route("responses", "POST", "/v1/responses", Access.DATA, 70, true, List.of()),
      new Route("responses.get", "GET", "/v1/responses/{response_id}", Access.DATA, 10, false, List.of()),
      new Route("responses.delete", "DELETE", "/v1/responses/{response_id}", Access.DATA, 6, false, List.of()),
      new Route("models", "GET", "/v1/models", Access.DATA, 25, false, List.of()),
      new Route("model", "GET", "/v1/models/{model_id}", Access.DATA, 20, false, List.of()),
      // Google's Gemini API (x-goog-api-key; Google's error shape), also under /v1/models/{model}:<method>
      new Route("gemini.generate", "POST", "/v1beta/models/{model}:generateContent", Access.DATA, 60, true, List.of()),
      new Route("gemini.stream", "POST", "/v1beta/models/{model}:streamGenerateContent", Access.DATA, 35, true,
          List.of("alt")),
      new Route("gemini.count", "POST", "/v1beta/models/{model}:countTokens", Access.DATA, 25, true, List.of()),
      new Route("gemini.models", "GET", "/v1beta/models", Access.DATA, 10, false, List.of("pageSize", "pageToken")),
      new Route("gemini.model", "GET", "/v1beta/models/{model}", Access.DATA, 12, false, List.of()),
      new Route("gemini.v1.generate", "POST", "/v1/models/{model}:generateContent", Access.DATA, 10, true, List.of()),
      new Route("gemini.v1.stream", "POST", "/v1/models/{model}:streamGenerateContent", Access.DATA, 8, true,
          List.of("alt")),
      new Route("gemini.v1.count", "POST", "/v1/models/{model}:countTokens", Access.DATA, 6, true, List.of()),
      // OpenAI's model paths as @google/genai's apiVersion 'v1' calls them: told apart by x-goog-api-key
      new Route("gemini.v1.models", "GET", "/v1/models", Access.DATA, 6, false, List.of("pageSize", "pageToken")),
      new Route("gemini.v1.model", "GET", "/v1/models/{model}", Access.DATA, 8, false, List.of()),
      new Route("health", "GET", "/health", Access.PUBLIC, 4, false, List.of()),
      new Route("root", "HEAD", "/", Access.PUBLIC, 3, false, List.of()),
      // identity
      new Route("auth.token", "POST", "/v1/auth/token", Access.PUBLIC, 20, true, List.of()),
      new Route("auth.refresh", "POST", "/v1/auth/refresh", Access.PUBLIC, 20, true, List.of()),
      new Route("auth.logout", "POST", "/v1/auth/logout", Access.PUBLIC, 20, true, List.of()),
      new Route("auth.register", "POST", "/v1/auth/register", Access.PUBLIC, 12, true, List.of()),
      new Route("users.list", "GET", "/v1/users", Access.SESSION, 20, false, USERS_Q),
      new Route("users.get", "GET", "/v1/users/{user_id}", Access.SESSION, 20, false, List.of()),
      new Route("users.put", "PUT", "/v1/users/{user_id}", Access.SESSION, 25, true, List.of()),
      new Route("keys.list", "GET", "/v1/keys", Access.SESSION, 20, false, List.of("user_id", "status", "page", "page_size")),
      new Route("keys.create", "POST", "/v1/keys", Access.SESSION, 40, true, List.of()),
      new Route("keys.delete", "DELETE", "/v1/keys/{key_id}", Access.SESSION, 20, false, List.of()),
      new Route("keys.rotate", "POST", "/v1/keys/{key_id}/rotate", Access.SESSION, 20, true, List.of()),
      // billing
      new Route("billing.balance", "GET", "/v1/billing/balance", Access.AUTHENTICATED, 20, false, List.of()),
      new Route("billing.usage", "GET", "/v1/billing/usage", Access.AUTHENTICATED, 45, false,
          List.of("from", "to", "key_id", "model", "group_by", "format", "page", "page_size")),
      new Route("billing.invoices", "GET", "/v1/billing/invoices", Access.AUTHENTICATED, 20, false, PAGING),
      new Route("billing.invoice", "GET", "/v1/billing/invoices/{period}", Access.AUTHENTICATED, 40, false, List.of("format")),
      new Route("billing.redeem", "POST", "/v1/billing/redeem", Access.AUTHENTICATED, 25, true, List.of()),
      // admin
      new Route("admin.stats", "GET", "/admin/stats", Access.ADMIN, 10, false, List.of()),
      new Route("admin.users", "GET", "/admin/users", Access.ADMIN, 20, false, USERS_Q),
      new Route("admin.users.create", "POST", "/admin/users", Access.ADMIN, 20, true, List.of()),
      new Route("admin.users.disable", "POST", "/admin/users/{user_id}/disable", Access.ADMIN, 10, true, List.of()),
      new Route("admin.users.enable", "POST", "/admin/users/{user_id}/enable", Access.ADMIN, 10, true, List.of()),
      new Route("admin.credit", "POST", "/admin/tenants/{tenant_id}/credit", Access.ADMIN, 35, true, List.of()),
      new Route("admin.codes", "POST", "/admin/redemption-codes", Access.ADMIN, 25, true, List.of()),
      new Route("admin.models", "GET", "/admin/models", Access.ADMIN, 10, false, PAGING),
      new Route("admin.model", "GET", "/admin/models/{model}", Access.ADMIN, 12, false, List.of()),
      new Route("admin.model.put", "PUT", "/admin/models/{model}", Access.ADMIN, 35, true, List.of()),
      new Route("admin.providers", "GET", "/admin/providers", Access.ADMIN, 10, false, PAGING),
      new Route("admin.providers.create", "POST", "/admin/providers", Access.ADMIN, 45, true, List.of()),
      new Route("admin.provider", "GET", "/admin/providers/{provider_id}", Access.ADMIN, 10, false, List.of()),
      new Route("admin.provider.put", "PUT", "/admin/providers/{provider_id}", Access.ADMIN, 35, true, List.of()),
      new Route("admin.provider.delete", "DELETE", "/admin/providers/{provider_id}", Access.ADMIN, 8, false, List.of()),
      new Route("admin.provider.stats", "GET", "/admin/providers/{provider_id}/stats", Access.ADMIN, 8, false, List.of()),
      new Route("admin.request", "GET", "/admin/requests/{request_id}", Access.ADMIN, 10, false, List.of()),
      new Route("admin.reconcile", "GET", "/admin/reconcile", Access.ADMIN, 3, false, List.of()),
      // budgets and tenant limits (on the victim's key and tenant only: the suite's own traffic must keep flowing)
      new Route("keys.budget", "GET", "/v1/keys/{key_id}/budget", Access.SESSION, 6, false, List.of()),
      new Route("keys.budget.put", "PUT", "/v1/keys/{key_id}/budget", Access.SESSION, 15, true, List.of()),
      new Route("tenants.budget", "GET", "/v1/tenants/{tenant_id}/budget", Access.SESSION, 6, false, List.of()),
      new Route("tenants.budget.put", "PUT", "/v1/tenants/{tenant_id}/budget", Access.SESSION, 15, true, List.of()),
      new Route("tenants.limits", "GET", "/v1/tenants/{tenant_id}/limits", Access.SESSION, 6, false, List.of()),
      new Route("tenants.limits.put", "PUT", "/v1/tenants/{tenant_id}/limits", Access.SESSION, 15, true, List.of()),
      // the marketplace (a member's session: refused by role; the bodies are still hostile)
      new Route("supply.me", "GET", "/v1/supply/me", Access.SESSION, 4, false, List.of()),
      new Route("supply.accounts", "GET", "/v1/supply/accounts", Access.SESSION, 4, false, PAGING),
      new Route("supply.accounts.create", "POST", "/v1/supply/accounts", Access.SESSION, 10, true, List.of()),
      new Route("supply.packages", "GET", "/v1/supply/packages", Access.SESSION, 4, false, List.of("status")),
      new Route("supply.earnings", "GET", "/v1/supply/earnings", Access.SESSION, 6, false,
          List.of("from", "to", "group_by", "format", "account_id", "package_id", "model")),
      new Route("supply.payouts.create", "POST", "/v1/supply/payouts", Access.SESSION, 6, true, List.of()),
      new Route("admin.suppliers", "GET", "/admin/suppliers", Access.ADMIN, 4, false, List.of("status")),
      new Route("admin.supplier.put", "PUT", "/admin/suppliers/{tenant_id}", Access.ADMIN, 10, true, List.of()),
      new Route("admin.supply.accounts", "GET", "/admin/supply/accounts", Access.ADMIN, 4, false,
          List.of("supplier_id", "status")),
      new Route("admin.supply.packages", "GET", "/admin/supply/packages", Access.ADMIN, 4, false,
          List.of("supplier_id", "status")),
      new Route("admin.payouts", "GET", "/admin/payouts", Access.ADMIN, 4, false, List.of("supplier_id", "status")),
      new Route("admin.payout.put", "PUT", "/admin/payouts/{payout_id}", Access.ADMIN, 8, true, List.of()),
      // risk (the rules are read only here: the suite's own traffic must keep flowing), audit, events, webhooks
      new Route("admin.risk.rules", "GET", "/admin/risk/rules", Access.ADMIN, 3, false, List.of()),
      new Route("admin.risk.reviews", "GET", "/admin/risk/reviews", Access.ADMIN, 6, false,
          List.of("status", "tenant_id", "before_id", "limit")),
      new Route("admin.risk.resolve", "POST", "/admin/risk/reviews/{review_id}/resolve", Access.ADMIN, 8, true, List.of()),
      new Route("admin.audit", "GET", "/admin/audit", Access.ADMIN, 8, false,
          List.of("actor_user_id", "tenant_id", "action", "target_type", "target_id", "from", "to", "before_id", "limit")),
      new Route("admin.audit.verify", "GET", "/admin/audit/verify", Access.ADMIN, 2, false, List.of()),
      new Route("admin.events.stats", "GET", "/admin/events/stats", Access.ADMIN, 2, false, List.of()),
      new Route("admin.webhooks", "GET", "/admin/webhooks", Access.ADMIN, 4, false, PAGING),
      new Route("admin.webhooks.create", "POST", "/admin/webhooks", Access.ADMIN, 10, true, List.of()));

  static final int TOTAL_WEIGHT = ALL.stream().mapToInt(Route::weight).sum();

  private Routes() {}

  static Route pick(java.util.Random rnd) {
    int n = rnd.nextInt(TOTAL_WEIGHT);
    for (Route r : ALL) {
      n -= r.weight();
      if (n < 0) return r;
    }
    return ALL.get(0);
  }

  static Route named(String name) {
    return ALL.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }
}
