package com.lijiaoqiao.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.lijiaoqiao.access.AccessTokens;
import com.lijiaoqiao.access.ApiKeyStore;
import com.lijiaoqiao.access.HashingPool;
import com.lijiaoqiao.access.IpAllowList;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.access.PasswordHasher;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiRequest;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.http.api.Fields;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.ApiKeyRepository;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.SessionRepository;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The identity room's management endpoints: sessions, users, keys and the admin pages. Every handler runs on
 * a worker thread, except those that hash passwords: they run on the bounded {@link HashingPool}. Objects of
 * another tenant (or, for members, of another user) are answered 404 exactly like missing ones. Every change
 * is written to the audit trail, without secrets.
 */
public final class IdentityApi {
  /** Management JSON: snake_case, ISO-8601 times. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  static final int MAX_PAGE_SIZE = 200;
  static final int DEFAULT_PAGE_SIZE = 20;

  public record Settings(boolean openRegistration, int maxKeysPerUser) {}

  /** Responses that carry a token or a secret must not be kept by browsers or proxies. */
  static final Map<String, String> NO_STORE = Map.of("cache-control", "no-store", "pragma", "no-cache");

  private final Settings settings;
  private final AuthService auth;
  private final AccountRepository accounts;
  private final SessionRepository sessions;
  private final ApiKeyRepository keyRows;
  private final KeyIssuer issuer;
  private final KeyRegistry registry;
  private final AuditRepository audit;
  private final LoginThrottle throttle;
  private final HashingPool hashing;

  public IdentityApi(Settings settings, AuthService auth, AccountRepository accounts, SessionRepository sessions,
                     ApiKeyRepository keyRows, KeyIssuer issuer, KeyRegistry registry, AuditRepository audit,
                     LoginThrottle throttle, HashingPool hashing) {
    this.settings = settings;
    this.auth = auth;
    this.accounts = accounts;
    this.sessions = sessions;
    this.keyRows = keyRows;
    this.issuer = issuer;
    this.registry = registry;
    this.audit = audit;
    this.throttle = throttle;
    this.hashing = hashing;
  }

  public void register(ApiRouter r) {
    r.addAsync(HttpMethod.POST, "/v1/auth/token", Access.PUBLIC, (req, w) -> token(req));
    r.add(HttpMethod.POST, "/v1/auth/refresh", Access.PUBLIC, this::refresh);
    r.add(HttpMethod.POST, "/v1/auth/logout", Access.PUBLIC, this::logout);
    r.addAsync(HttpMethod.POST, "/v1/auth/register", Access.PUBLIC, (req, w) -> hashing(() -> registerUser(req)));
    r.add(HttpMethod.GET, "/v1/users", Access.SESSION_ONLY, this::listUsers);
    r.add(HttpMethod.GET, "/v1/users/{id}", Access.SESSION_ONLY, this::getUser);
    r.addAsync(HttpMethod.PUT, "/v1/users/{id}", Access.SESSION_ONLY, (req, w) -> // hashes only for a new password
        req.body() != null && req.body().has("password") ? hashing(() -> putUser(req)) : w.run(() -> putUser(req)));
    r.add(HttpMethod.GET, "/v1/keys", Access.SESSION_ONLY, this::listKeys);
    r.add(HttpMethod.POST, "/v1/keys", Access.SESSION_ONLY, this::createKey);
    r.add(HttpMethod.DELETE, "/v1/keys/{id}", Access.SESSION_ONLY, this::deleteKey);
    r.add(HttpMethod.POST, "/v1/keys/{id}/rotate", Access.SESSION_ONLY, this::rotateKey);
    r.add(HttpMethod.GET, "/admin/stats", Access.ADMIN, this::stats);
    r.add(HttpMethod.GET, "/admin/users", Access.ADMIN, this::adminListUsers);
    r.addAsync(HttpMethod.POST, "/admin/users", Access.ADMIN, (req, w) -> hashing(() -> adminCreateUser(req)));
    r.add(HttpMethod.POST, "/admin/users/{id}/disable", Access.ADMIN, req -> setStatus(req, "disabled"));
    r.add(HttpMethod.POST, "/admin/users/{id}/enable", Access.ADMIN, req -> setStatus(req, "active"));
  }

  // ---- sessions ----

  /**
   * Sign-in: throttled per IP and per account before any hashing, then run on the hashing pool. Called on the
   * event loop (the throttle is in memory).
   */
  private Future<ApiResponse> token(ApiRequest req) {
    JsonNode b = body(req);
    String email = text(b, "email", true);
    String password = text(b, "password", true);
    String ip = req.clientIp();
    String account = AuthService.accountKey(email);
    long wait = throttle.tryAcquire(ip, account);
    if (wait > 0) {
      throw new GatewayException(ErrorCode.RATE_LIMIT_001, "Too many sign-in attempts; try again in " + wait + " s.",
          "登录尝试过于频繁，请 " + wait + " 秒后再试。", Map.of(), (int) wait);
    }
    boolean cookie = SessionCookie.requested(b);
    if (cookie) SessionCookie.checkOrigin(req.headers());
    return hashing(() -> {
      ApiResponse ok = tokens(auth.login(email, password), cookie ? req : null);
      throttle.refund(ip, account); // only failures use up the budget
      return ok;
    }).onFailure(t -> {
      if (t instanceof GatewayException g && g.code() == ErrorCode.RATE_LIMIT_001) throttle.refund(ip, account);
    });
  }

  private ApiResponse refresh(ApiRequest req) {
    JsonNode b = body(req);
    if (SessionCookie.requested(b)) { // the browser's refresh token is in its HttpOnly cookie (SessionCookie)
      SessionCookie.checkOrigin(req.headers());
      return tokens(auth.refresh(SessionCookie.read(req.headers())), req);
    }
    return tokens(auth.refresh(text(b, "refresh_token", true)), null);
  }

  /** The token pair; with {@code cookieFor}, the refresh token goes into the session cookie instead of the body. */
  private ApiResponse tokens(AuthService.TokenPair t, ApiRequest cookieFor) {
    if (cookieFor == null) return new ApiResponse(200, tokenBody(t), NO_STORE);
    ObjectNode body = tokenBody(t);
    body.remove("refresh_token");
    body.put(SessionCookie.FIELD, true);
    return new ApiResponse(200, body, Map.of("cache-control", "no-store", "pragma", "no-cache",
        "set-cookie", SessionCookie.store(t.refreshToken(), auth.refreshTtlSeconds(), cookieFor.headers())));
  }

  /** Work that hashes passwords, on the bounded hashing pool; a full pool is a 429 at once. */
  private Future<ApiResponse> hashing(Callable<ApiResponse> work) {
    return hashing.submit(work).recover(t -> Future.failedFuture(t instanceof HashingPool.Busy
        ? new GatewayException(ErrorCode.RATE_LIMIT_001,
            "The gateway is busy checking passwords; try again in a moment.", "密码校验繁忙，请稍后再试。", Map.of(), 1)
        : t));
  }

  private ApiResponse logout(ApiRequest req) {
    String header = req.headers().get("authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      AccessTokens.Claims c = auth.tokens().verify(header.substring(7).trim());
      if (c != null) auth.logoutSession(c.sessionId());
    }
    if (req.body() != null) auth.logoutRefresh(text(req.body(), "refresh_token", false));
    String cookie = SessionCookie.read(req.headers());
    if (cookie != null || SessionCookie.requested(req.body())) {
      auth.logoutRefresh(cookie);
      return new ApiResponse(204, null, Map.of("set-cookie", SessionCookie.clear(req.headers())));
    }
    return ApiResponse.noContent();
  }

  private static ObjectNode tokenBody(AuthService.TokenPair t) {
    ObjectNode o = JSON.createObjectNode();
    o.put("access_token", t.accessToken());
    o.put("refresh_token", t.refreshToken());
    o.put("token_type", "Bearer");
    o.put("expires_in", t.expiresIn());
    return o;
  }

  private ApiResponse registerUser(ApiRequest req) {
    if (!settings.openRegistration()) {
      throw new GatewayException(ErrorCode.AUTH_002, "Registration is closed; ask an administrator for an account.",
          "未开放注册，请联系管理员创建账户。", Map.of(), null);
    }
    JsonNode b = body(req);
    // Anyone may sign up as a consumer or as a supplier (whose tenant an operator approves before it sells).
    String role = text(b, "role", false);
    if (role != null && !Caller.MEMBER.equals(role) && !Caller.SUPPLIER.equals(role)) {
      throw com.lijiaoqiao.http.api.Fields.invalid("role", "'role' must be member or supplier.");
    }
    long id = Users.create(accounts, text(b, "email", true), text(b, "password", true), text(b, "name", false),
        role == null ? Caller.MEMBER : role, null);
    AccountRepository.UserView v = accounts.findView(id).orElseThrow();
    audit(req, id, v.tenantId(), "user.register", "user", id, null, v);
    return new ApiResponse(201, JSON.valueToTree(v), NO_STORE);
  }

  // ---- users ----

  private ApiResponse listUsers(ApiRequest req) {
    Caller c = req.caller();
    Long tenant;
    if (c.isAdmin()) {
      tenant = longParam(req, "tenant_id");
    } else if (Caller.TENANT_ADMIN.equals(c.role())) {
      tenant = c.tenantId();
    } else {
      throw new GatewayException(ErrorCode.AUTH_002, "Only administrators and tenant administrators list users.",
          "仅管理员和租户管理员可以查看用户列表。", Map.of(), null);
    }
    return users(req, tenant);
  }

  private ApiResponse adminListUsers(ApiRequest req) {
    return users(req, longParam(req, "tenant_id"));
  }

  private ApiResponse users(ApiRequest req, Long tenant) {
    int[] p = paging(req);
    String status = enumParam(req, "status", Set.of("active", "disabled"));
    String role = enumParam(req, "role", Users.ROLES);
    String q = req.query().get("q");
    if (q == null) q = req.query().get("search");
    var page = accounts.listUsers(tenant, status, role, q, (p[0] - 1) * p[1], p[1]);
    return ApiResponse.ok(list(page.rows(), p, page.total()));
  }

  /** The user if the caller may see it; 404 otherwise, like a missing one. */
  private AccountRepository.UserView visibleUser(Caller c, long id) {
    AccountRepository.UserView u = accounts.findView(id).orElseThrow(IdentityApi::notFound);
    boolean ok = c.isAdmin() || c.userId() == id
        || (Caller.TENANT_ADMIN.equals(c.role()) && c.tenantId() == u.tenantId());
    if (!ok) throw notFound();
    return u;
  }

  private ApiResponse getUser(ApiRequest req) {
    return ApiResponse.ok(JSON.valueToTree(visibleUser(req.caller(), req.pathLong("id"))));
  }

  private ApiResponse putUser(ApiRequest req) {
    Caller c = req.caller();
    long id = req.pathLong("id");
    AccountRepository.UserView before = visibleUser(c, id);
    JsonNode b = body(req);
    String name = text(b, "name", false);
    String password = text(b, "password", false);
    String role = text(b, "role", false);
    if (name == null && password == null && role == null) {
      throw GatewayException.badRequest("Nothing to change: send 'name', 'password' (with 'old_password') or 'role'.");
    }
    Fields.bounded("name", name, Fields.MAX_NAME);
    if (password != null) {
      if (c.userId() != id) {
        throw new GatewayException(ErrorCode.AUTH_002, "Only the user can change their own password.",
            "只有用户本人可以修改密码。", Map.of(), null);
      }
      Users.checkPassword(password);
      String old = text(b, "old_password", true);
      AccountRepository.UserRow row = accounts.findUser(id).orElseThrow(IdentityApi::notFound);
      if (!PasswordHasher.matches(old, row.passwordHash())) {
        throw new GatewayException(ErrorCode.AUTH_002, "The old password is wrong.", "原密码错误。", Map.of(), null);
      }
    }
    if (role != null && !role.equals(before.role())) {
      Users.checkRole(role);
      boolean allowed = c.isAdmin()
          || (Caller.TENANT_ADMIN.equals(c.role()) && c.tenantId() == before.tenantId() && !Caller.ADMIN.equals(role)
              && !Caller.ADMIN.equals(before.role()) && c.userId() != id);
      if (!allowed) {
        throw new GatewayException(ErrorCode.AUTH_002, "You may not change this user's role.", "无权修改该用户的角色。",
            Map.of(), null);
      }
    }
    if (name != null) accounts.updateName(id, name);
    if (password != null) {
      accounts.updatePasswordHash(id, PasswordHasher.hash(password));
      sessions.revokeAllForUser(id, "password_changed");
    }
    if (role != null && !role.equals(before.role())) {
      accounts.updateRole(id, role);
      registry.refreshUser(id);
    }
    AccountRepository.UserView after = accounts.findView(id).orElseThrow();
    ObjectNode afterJson = JSON.valueToTree(after);
    if (password != null) afterJson.put("password", "changed");
    audit(req, c.userId(), before.tenantId(), "user.update", "user", id, JSON.valueToTree(before), afterJson);
    return ApiResponse.ok(JSON.valueToTree(after));
  }

  private ApiResponse adminCreateUser(ApiRequest req) {
    JsonNode b = body(req);
    String role = text(b, "role", false);
    long id = Users.create(accounts, text(b, "email", true), text(b, "password", true), text(b, "name", false),
        role == null ? Caller.MEMBER : role, longField(b, "tenant_id"));
    AccountRepository.UserView v = accounts.findView(id).orElseThrow();
    audit(req, req.caller().userId(), v.tenantId(), "user.create", "user", id, null, JSON.valueToTree(v));
    return ApiResponse.created(JSON.valueToTree(v));
  }

  private ApiResponse setStatus(ApiRequest req, String status) {
    long id = req.pathLong("id");
    AccountRepository.UserView before = accounts.findView(id).orElseThrow(IdentityApi::notFound);
    if (id == req.caller().userId() && !"active".equals(status)) {
      throw GatewayException.badRequest("Administrators cannot disable themselves.");
    }
    accounts.updateStatus(id, status);
    registry.refreshUser(id);
    if (!"active".equals(status)) sessions.revokeAllForUser(id, "user_" + status);
    AccountRepository.UserView after = accounts.findView(id).orElseThrow();
    audit(req, req.caller().userId(), before.tenantId(), "active".equals(status) ? "user.enable" : "user.disable",
        "user", id, JSON.valueToTree(before), JSON.valueToTree(after));
    return ApiResponse.ok(JSON.valueToTree(after));
  }

  // ---- keys ----

  private ApiResponse listKeys(ApiRequest req) {
    Caller c = req.caller();
    int[] p = paging(req);
    Long tenant = null;
    Long user = longParam(req, "user_id");
    if (Caller.TENANT_ADMIN.equals(c.role())) {
      tenant = c.tenantId();
    } else if (!c.isAdmin()) {
      user = c.userId();
    }
    String status = enumParam(req, "status", Set.of("active", "revoked", "disabled"));
    var page = keyRows.list(tenant, user, status, (p[0] - 1) * p[1], p[1]);
    return ApiResponse.ok(list(page.rows(), p, page.total()));
  }

  private ApiResponse createKey(ApiRequest req) {
    Caller c = req.caller();
    JsonNode b = req.body() == null ? JSON.createObjectNode() : body(req);
    long owner = c.userId();
    long tenant = c.tenantId();
    Long forUser = longField(b, "user_id");
    if (forUser != null && forUser != c.userId()) {
      AccountRepository.UserView u = accounts.findView(forUser).orElseThrow(IdentityApi::notFound);
      boolean ok = c.isAdmin() || (Caller.TENANT_ADMIN.equals(c.role()) && u.tenantId() == c.tenantId());
      if (!ok) throw notFound();
      owner = u.id();
      tenant = u.tenantId();
    }
    String name = Fields.text(b, "name", false, Fields.MAX_NAME);
    if (name == null) name = "";
    String description = Fields.text(b, "description", false, Fields.MAX_DESCRIPTION);
    Set<String> models = stringSet(b, "allowed_models", Fields.MAX_MODEL);
    Set<String> ips = stringSet(b, "allowed_ips", 64);
    String ipSpec = String.join(",", ips);
    try {
      IpAllowList.parse(ipSpec);
    } catch (IllegalArgumentException e) {
      throw Fields.invalid("allowed_ips", "'allowed_ips': " + e.getMessage() + ".");
    }
    int rpm = (int) Fields.integer(b, "rpm_limit", 60, 1, 1_000_000);
    int tpm = (int) Fields.integer(b, "tpm_limit", 100_000, 1, 1_000_000_000);
    Instant expires = Fields.expiry(b, "expires_at");
    com.lijiaoqiao.budgets.Budget budget = com.lijiaoqiao.http.api.BudgetsApi.keyBudgetFields(b);
    synchronized (this) { // the per-user cap is checked and taken together (one node; the DB check is authoritative)
      if (keyRows.countActiveByUser(owner) >= settings.maxKeysPerUser()) {
        throw new GatewayException(ErrorCode.COMMON_001, "A user may hold at most " + settings.maxKeysPerUser()
            + " active keys; delete one first.", "每个用户最多持有 " + settings.maxKeysPerUser() + " 个有效密钥。",
            Map.of("max_keys_per_user", settings.maxKeysPerUser()), null);
      }
      KeyIssuer.Issued issued = issuer.issue(new ApiKeyStore.NewKey(owner, tenant, null, null, name, description,
          models, ipSpec, rpm, tpm, expires));
      if (!budget.isEmpty() && keyRows.saveBudget(issued.keyId(), budget)) {
        registry.refreshKey(keyRows.findRow(issued.keyId()).orElseThrow().keyHash());
      }
      ApiKeyRepository.KeyRow row = keyRows.findRow(issued.keyId()).orElseThrow();
      audit(req, c.userId(), tenant, "key.create", "api_key", row.id(), null, JSON.valueToTree(row));
      ObjectNode out = JSON.valueToTree(row);
      out.put("key", issued.secret());
      return new ApiResponse(201, out, NO_STORE);
    }
  }

  /** The key if the caller may manage it: its owner, a tenant admin of its tenant, or an admin. */
  private ApiKeyRepository.KeyRow manageableKey(Caller c, long id) {
    ApiKeyRepository.KeyRow k = keyRows.findRow(id).orElseThrow(IdentityApi::notFound);
    boolean ok = c.isAdmin() || k.userId() == c.userId()
        || (Caller.TENANT_ADMIN.equals(c.role()) && k.tenantId() == c.tenantId());
    if (!ok) throw notFound();
    return k;
  }

  private ApiResponse deleteKey(ApiRequest req) {
    ApiKeyRepository.KeyRow k = manageableKey(req.caller(), req.pathLong("id"));
    if (!"revoked".equals(k.status())) {
      issuer.revoke(k.id(), k.keyHash());
      ApiKeyRepository.KeyRow after = keyRows.findRow(k.id()).orElseThrow();
      audit(req, req.caller().userId(), k.tenantId(), "key.delete", "api_key", k.id(), JSON.valueToTree(k),
          JSON.valueToTree(after));
    }
    return ApiResponse.noContent();
  }

  private ApiResponse rotateKey(ApiRequest req) {
    ApiKeyRepository.KeyRow k = manageableKey(req.caller(), req.pathLong("id"));
    if (!"active".equals(k.status())) {
      throw GatewayException.badRequest("Only an active key can be rotated.");
    }
    KeyIssuer.Issued issued = issuer.rotate(k.id(), k.keyHash());
    if (issued == null) throw GatewayException.badRequest("Only an active key can be rotated.");
    ApiKeyRepository.KeyRow after = keyRows.findRow(k.id()).orElseThrow();
    audit(req, req.caller().userId(), k.tenantId(), "key.rotate", "api_key", k.id(), JSON.valueToTree(k),
        JSON.valueToTree(after));
    ObjectNode out = JSON.valueToTree(after);
    out.put("key", issued.secret());
    return new ApiResponse(200, out, NO_STORE);
  }

  // ---- admin ----

  private ApiResponse stats(ApiRequest req) {
    ObjectNode o = JSON.createObjectNode();
    o.put("users", accounts.count("SELECT COUNT(*) FROM users"));
    o.put("active_users", accounts.count("SELECT COUNT(*) FROM users WHERE status = 'active'"));
    o.put("tenants", accounts.count("SELECT COUNT(*) FROM tenants"));
    o.put("keys", accounts.count("SELECT COUNT(*) FROM api_keys"));
    o.put("active_keys", accounts.count("SELECT COUNT(*) FROM api_keys WHERE status = 'active'"));
    Instant today = LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC);
    long[] d = accounts.usageSince(today);
    long[] w = accounts.usageSince(today.minusSeconds(6L * 86_400));
    ObjectNode t = o.putObject("today");
    t.put("requests", d[0]);
    t.put("tokens", d[1]);
    t.put("errors", d[2]);
    ObjectNode s = o.putObject("last_7_days");
    s.put("requests", w[0]);
    s.put("tokens", w[1]);
    s.put("errors", w[2]);
    return ApiResponse.ok(o);
  }

  // ---- helpers ----

  private void audit(ApiRequest req, Long actor, Long tenant, String action, String type, long target, Object before,
                     Object after) {
    Caller c = req.caller();
    audit.append(new AuditRepository.Event(actor, c == null ? null : c.apiKeyId(), tenant, action, type,
        Long.toString(target), before == null ? null : json(before), after == null ? null : json(after),
        req.requestId(), req.clientIp()));
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static GatewayException notFound() {
    return new GatewayException(ErrorCode.COMMON_002, "Not found.", "资源不存在。", Map.of(), null);
  }

  private static JsonNode body(ApiRequest req) {
    JsonNode b = req.body();
    if (b == null || !b.isObject()) throw GatewayException.badRequest("The request body must be a JSON object.");
    return b;
  }

  private static String text(JsonNode b, String field, boolean required) {
    return Fields.text(b, field, required, Integer.MAX_VALUE);
  }

  private static Long longField(JsonNode b, String field) {
    return Fields.optionalLong(b, field, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private static Set<String> stringSet(JsonNode b, String field, int maxItem) {
    return new LinkedHashSet<>(Fields.strings(b, field, Fields.MAX_LIST, maxItem));
  }

  private static Long longParam(ApiRequest req, String name) {
    String v = req.query().get(name);
    if (v == null || v.isEmpty()) return null;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw GatewayException.badRequest("'" + name + "' must be an integer.");
    }
  }

  private static String enumParam(ApiRequest req, String name, Set<String> allowed) {
    String v = req.query().get(name);
    if (v == null || v.isEmpty()) return null;
    if (!allowed.contains(v)) throw GatewayException.badRequest("'" + name + "' must be one of " + allowed + ".");
    return v;
  }

  /** [page, page_size]; bad values are a 400. */
  static int[] paging(ApiRequest req) {
    int page = intParam(req, "page", 1);
    int size = intParam(req, "page_size", DEFAULT_PAGE_SIZE);
    if (page < 1) throw GatewayException.badRequest("'page' must be 1 or more.");
    if (size < 1 || size > MAX_PAGE_SIZE) {
      throw GatewayException.badRequest("'page_size' must be between 1 and " + MAX_PAGE_SIZE + ".");
    }
    if ((long) (page - 1) * size > Integer.MAX_VALUE) throw GatewayException.badRequest("'page' is too large.");
    return new int[] {page, size};
  }

  private static int intParam(ApiRequest req, String name, int dflt) {
    String v = req.query().get(name);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw GatewayException.badRequest("'" + name + "' must be an integer.");
    }
  }

  private static ObjectNode list(List<?> rows, int[] p, long total) {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode data = o.putArray("data");
    for (Object r : rows) data.add((JsonNode) JSON.valueToTree(r));
    ObjectNode pg = o.putObject("pagination");
    pg.put("page", p[0]);
    pg.put("page_size", p[1]);
    pg.put("total", total);
    return o;
  }
}
