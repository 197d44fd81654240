package com.lijiaoqiao.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.access.AccessTokens;
import com.lijiaoqiao.access.SecretFiles;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Sessions, keys and limits end to end over HTTP; run on H2 and on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class IdentityContract {
  static final String PASSWORD = "correct-horse-battery";
  static final AtomicInteger SEQ = new AtomicInteger();

  TestGateway gw;
  Api api;
  String adminToken;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database(), c -> {
      c.security.keyLastUsedFlushMs = 100;
      c.security.maxKeysPerUser = 3;
      // This suite checks the lock-out kept in the database; the per-node throttle in front of it has its own
      // test (LoginProtectionTest) and would otherwise answer the concurrent guesses below with 429s.
      c.security.loginPerIpPerMinute = 0;
      c.security.loginPerAccountPerMinute = 0;
      c.security.hashingQueue = 64;
    });
    api = new Api(gw.gateway.port());
    String admin = newUser("admin", null);
    adminToken = api.login(admin, PASSWORD);
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  String newUser(String role, Long tenant) {
    String email = role + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@id.test";
    Users.create(gw.gateway.accounts(), email, PASSWORD, "T " + role, role, tenant);
    return email;
  }

  long idOf(String email) {
    return gw.gateway.accounts().findUserByEmail(email).orElseThrow().id();
  }

  JsonNode createKey(String token, String body) {
    Http.Reply r = api.post("/v1/keys", token, body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  @Test
  void signInRefreshRotatesAndReuseRevokesTheFamily() {
    String email = newUser("member", null);
    Http.Reply r = api.post("/v1/auth/token", null, "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(r.status()).isEqualTo(200);
    JsonNode t = r.json();
    assertThat(t.get("token_type").asText()).isEqualTo("Bearer");
    assertThat(t.get("expires_in").asLong()).isEqualTo(900);
    String access = t.get("access_token").asText();
    String refresh1 = t.get("refresh_token").asText();
    assertThat(api.get("/v1/users/" + idOf(email), access).status()).isEqualTo(200);

    Http.Reply r2 = api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh1 + "\"}");
    assertThat(r2.status()).isEqualTo(200);
    String refresh2 = r2.json().get("refresh_token").asText();
    String access2 = r2.json().get("access_token").asText();
    assertThat(refresh2).isNotEqualTo(refresh1);
    assertThat(api.get("/v1/users/" + idOf(email), access2).status()).isEqualTo(200);

    // reuse of the first token: refused, and the whole family (refresh2, access2) is revoked
    assertThat(api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh1 + "\"}").status()).isEqualTo(401);
    assertThat(api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh2 + "\"}").status()).isEqualTo(401);
    assertThat(api.get("/v1/users/" + idOf(email), access2).status()).isEqualTo(401);
    // a new sign-in still works
    assertThat(api.login(email, PASSWORD)).isNotBlank();
  }

  @Test
  void logoutEndsTheSession() {
    String email = newUser("member", null);
    Http.Reply r = api.post("/v1/auth/token", null, "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
    String access = r.json().get("access_token").asText();
    String refresh = r.json().get("refresh_token").asText();
    assertThat(api.post("/v1/auth/logout", access, null).status()).isEqualTo(204);
    assertThat(api.get("/v1/users/" + idOf(email), access).status()).isEqualTo(401);
    assertThat(api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}").status()).isEqualTo(401);
  }

  Http.Reply signIn(String email, String password) {
    return api.post("/v1/auth/token", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
  }

  /** The error object without its trace id: what must not differ between two refusals. */
  static JsonNode errorWithoutTrace(Http.Reply r) {
    ObjectNode e = ((ObjectNode) r.json().get("error")).deepCopy();
    e.remove("trace_id");
    return e;
  }

  @Test
  void fiveFailedSignInsLockTheAccountAndALockedAccountAnswersLikeAnUnknownOne() {
    String email = newUser("member", null);
    for (int i = 0; i < 5; i++) {
      Http.Reply bad = signIn(email, "wrong-password");
      assertThat(bad.status()).isEqualTo(401);
      assertThat(bad.json().at("/error/code").asText()).isEqualTo("AUTH_001");
    }
    Http.Reply locked = signIn(email, PASSWORD);
    Http.Reply unknown = signIn("nobody-" + System.nanoTime() + "@id.test", PASSWORD);
    Http.Reply wrong = signIn(newUser("member", null), "wrong-password");
    for (Http.Reply r : List.of(locked, unknown, wrong)) {
      assertThat(r.status()).as(r.body()).isEqualTo(401);
      assertThat(r.header("retry-after")).as("a Retry-After would reveal the lock").isNull();
      assertThat(errorWithoutTrace(r)).isEqualTo(errorWithoutTrace(unknown));
    }
    AccountRepository.UserRow row = gw.gateway.accounts().findUserByEmail(email).orElseThrow();
    assertThat(row.lockedUntil()).isNotNull();
    assertThat(row.failedLogins()).isEqualTo(5);
    // four failures do not lock
    String other = newUser("member", null);
    for (int i = 0; i < 4; i++) {
      api.post("/v1/auth/token", null, "{\"email\":\"" + other + "\",\"password\":\"wrong-password\"}");
    }
    assertThat(api.login(other, PASSWORD)).isNotBlank();
  }

  @Test
  void concurrentWrongPasswordsCannotOutrunTheLock() throws Exception {
    String email = newUser("member", null);
    int n = 31;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Http.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String guess = "wrong-password-" + i;
        replies.add(pool.submit(() -> {
          go.await();
          return signIn(email, guess);
        }));
      }
      go.countDown();
      for (Future<Http.Reply> f : replies) assertThat(f.get(60, TimeUnit.SECONDS).status()).isEqualTo(401);
    } finally {
      pool.shutdownNow();
    }
    // Each attempt is counted before its hash is checked, so the count is exactly the number of real checks.
    AccountRepository.UserRow row = gw.gateway.accounts().findUserByEmail(email).orElseThrow();
    assertThat(row.failedLogins()).as("password hashes checked").isEqualTo(5);
    assertThat(row.lockedUntil()).isAfter(java.time.Instant.now().plusSeconds(800));
    assertThat(signIn(email, PASSWORD).status()).as("the right password during the lock").isEqualTo(401);
  }

  @Test
  void aStaleBearerHeaderDoesNotStopSignInRefreshOrLogout() {
    String email = newUser("member", null);
    AccountRepository.UserRow u = gw.gateway.accounts().findUserByEmail(email).orElseThrow();
    byte[] signingKey = SecretFiles.resolve("", gw.dataDir.resolve("secrets").resolve("jwt-signing.secret"));
    String expired = new AccessTokens(signingKey, -60).issue(u.id(), u.tenantId(), u.role(), "a-session-long-gone");
    String body = "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
    assertThat(api.post("/v1/auth/token", "not-a-jwt", body).status()).isEqualTo(200);
    Http.Reply t = api.post("/v1/auth/token", expired, body);
    assertThat(t.status()).as(t.body()).isEqualTo(200);
    Http.Reply r = api.post("/v1/auth/refresh", expired,
        "{\"refresh_token\":\"" + t.json().get("refresh_token").asText() + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String refresh = r.json().get("refresh_token").asText();
    String access = r.json().get("access_token").asText();
    Http.Reply out = api.post("/v1/auth/logout", expired, "{\"refresh_token\":\"" + refresh + "\"}");
    assertThat(out.status()).as(out.body()).isEqualTo(204);
    assertThat(api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}").status())
        .as("the refresh token was revoked by the logout").isEqualTo(401);
    assertThat(api.get("/v1/users/" + u.id(), access).status()).as("its session ended").isEqualTo(401);
    // a stale header on a route that needs a caller is still refused
    assertThat(api.get("/v1/users/" + u.id(), expired).status()).isEqualTo(401);
  }

  @Test
  void responsesCarryingTokensOrSecretsAreNotCached() {
    String email = newUser("member", null);
    Http.Reply t = signIn(email, PASSWORD);
    Http.Reply r = api.post("/v1/auth/refresh", null,
        "{\"refresh_token\":\"" + t.json().get("refresh_token").asText() + "\"}");
    String token = r.json().get("access_token").asText();
    Http.Reply created = api.post("/v1/keys", token, "{\"name\":\"nc\"}");
    Http.Reply rotated = api.post("/v1/keys/" + created.json().get("id").asLong() + "/rotate", token, null);
    for (Http.Reply x : List.of(t, r, created, rotated)) {
      assertThat(x.status()).as(x.body()).isBetween(200, 201);
      assertThat(x.header("cache-control")).isEqualTo("no-store");
      assertThat(x.header("pragma")).isEqualTo("no-cache");
    }
  }

  @Test
  void rotatedAndDeletedKeysStopOnTheNextRequest() {
    String email = newUser("member", null);
    String token = api.login(email, PASSWORD);
    JsonNode k = createKey(token, "{\"name\":\"ci\",\"description\":\"for CI\"}");
    String secret = k.get("key").asText();
    assertThat(secret).startsWith("lgw-");
    assertThat(k.get("rpm_limit").asInt()).isEqualTo(60);
    assertThat(k.get("tpm_limit").asInt()).isEqualTo(100000);
    assertThat(api.complete(secret).status()).isEqualTo(200);

    Http.Reply rot = api.post("/v1/keys/" + k.get("id").asLong() + "/rotate", token, null);
    assertThat(rot.status()).isEqualTo(200);
    String rotated = rot.json().get("key").asText();
    assertThat(rotated).isNotEqualTo(secret);
    assertThat(api.complete(secret).status()).isEqualTo(401);
    assertThat(api.complete(rotated).status()).isEqualTo(200);

    assertThat(api.call("DELETE", "/v1/keys/" + k.get("id").asLong(), token, null).status()).isEqualTo(204);
    assertThat(api.complete(rotated).status()).isEqualTo(401);
    // the list shows it revoked, and never a secret or hash
    Http.Reply list = api.get("/v1/keys", token);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().at("/data/0/status").asText()).isEqualTo("revoked");
    assertThat(list.body()).doesNotContain(rotated).doesNotContain(secret).doesNotContain("key_hash");
    assertThat(list.json().at("/pagination/total").asLong()).isEqualTo(1);
  }

  @Test
  void aDisabledUsersKeysAndSessionsAreRejected() {
    String email = newUser("member", null);
    String token = api.login(email, PASSWORD);
    String refresh = api.post("/v1/auth/token", null,
        "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").json().get("refresh_token").asText();
    String secret = createKey(token, "{}").get("key").asText();
    assertThat(api.complete(secret).status()).isEqualTo(200);
    long id = idOf(email);
    Http.Reply d = api.post("/admin/users/" + id + "/disable", adminToken, null);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.json().get("status").asText()).isEqualTo("disabled");
    assertThat(api.complete(secret).status()).isEqualTo(401);
    assertThat(api.get("/v1/keys", token).status()).isEqualTo(401);
    assertThat(api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}").status()).isEqualTo(401);
    assertThat(api.post("/v1/auth/token", null, "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}")
        .status()).isEqualTo(401);
    assertThat(api.post("/admin/users/" + id + "/enable", adminToken, null).status()).isEqualTo(200);
    assertThat(api.complete(secret).status()).isEqualTo(200);
    var actions = gw.gateway.audit().all().stream().filter(a -> a.targetId().equals(Long.toString(id)))
        .map(a -> a.action()).toList();
    assertThat(actions).contains("user.disable", "user.enable");
    assertThat(gw.gateway.audit().verifyChain()).isTrue();
  }

  @Test
  void aKeyLimitedToThreeRequestsPerMinuteGetsA429OnTheFourth() {
    String token = api.login(newUser("member", null), PASSWORD);
    String secret = createKey(token, "{\"rpm_limit\":3}").get("key").asText();
    for (int i = 0; i < 3; i++) {
      Http.Reply ok = api.complete(secret);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.header("x-ratelimit-limit-requests")).isEqualTo("3");
      assertThat(ok.header("x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(2 - i));
      assertThat(ok.header("x-ratelimit-limit-tokens")).isEqualTo("100000");
      assertThat(ok.header("x-ratelimit-remaining-tokens")).isNotNull();
      assertThat(ok.header("x-ratelimit-reset-requests")).matches("\\d+(ms|s)|\\d+m\\d+s");
      assertThat(ok.header("x-ratelimit-reset-tokens")).isNotNull();
    }
    Http.Reply limited = api.complete(secret);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().at("/error/code").asText()).isEqualTo("RATE_LIMIT_001");
    assertThat(Integer.parseInt(limited.header("retry-after"))).isBetween(1, 20);
    assertThat(limited.header("x-ratelimit-limit-requests")).isEqualTo("3");
    assertThat(limited.header("x-ratelimit-remaining-requests")).isEqualTo("0");
    // the 429 is recorded
    String rid = limited.header("x-request-id");
    long deadline = System.currentTimeMillis() + 10_000;
    while (gw.gateway.usage().findByRequestId(rid).isEmpty() && System.currentTimeMillis() < deadline) sleep(20);
    assertThat(gw.gateway.usage().findByRequestId(rid)).singleElement()
        .satisfies(u -> assertThat(u.statusCode()).isEqualTo(429));
  }

  @Test
  void aTokenLimitRefusesWithRateLimit002() {
    String token = api.login(newUser("member", null), PASSWORD);
    String secret = createKey(token, "{\"tpm_limit\":100}").get("key").asText();
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", secret,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":50}");
    assertThat(r.status()).isEqualTo(200);
    Http.Reply r2 = Http.postJson(gw.baseUrl() + "/chat/completions", secret,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":90}");
    assertThat(r2.status()).isEqualTo(429);
    assertThat(r2.json().at("/error/code").asText()).isEqualTo("RATE_LIMIT_002");
    assertThat(r2.header("retry-after")).isNotNull();
    assertThat(r2.header("x-ratelimit-limit-tokens")).isEqualTo("100");
  }

  @Test
  void streamsCarryTheRateLimitHeaders() {
    String token = api.login(newUser("member", null), PASSWORD);
    String secret = createKey(token, "{\"rpm_limit\":7}").get("key").asText();
    try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", secret,
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(s.status).isEqualTo(200);
      assertThat(s.headers.firstValue("x-ratelimit-limit-requests")).hasValue("7");
      assertThat(s.headers.firstValue("x-ratelimit-remaining-requests")).hasValue("6");
      s.rest();
    }
  }

  @Test
  void theIpAllowListIsEnforced() {
    String token = api.login(newUser("member", null), PASSWORD);
    String elsewhere = createKey(token, "{\"allowed_ips\":[\"10.1.2.0/24\"]}").get("key").asText();
    Http.Reply refused = api.complete(elsewhere);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("AUTH_002");
    String local = createKey(token, "{\"allowed_ips\":[\"10.1.2.3\",\"127.0.0.0/8\"]}").get("key").asText();
    assertThat(api.complete(local).status()).isEqualTo(200);
    assertThat(api.post("/v1/keys", token, "{\"allowed_ips\":[\"not-an-ip\"]}").status()).isEqualTo(400);
  }

  @Test
  void keysAreCappedPerUserAndLastUsedIsWrittenOffThePath() {
    String token = api.login(newUser("member", null), PASSWORD);
    String first = createKey(token, "{}").get("key").asText();
    createKey(token, "{}");
    createKey(token, "{}");
    Http.Reply fourth = api.post("/v1/keys", token, "{}");
    assertThat(fourth.status()).isEqualTo(400);
    assertThat(fourth.json().at("/error/details/max_keys_per_user").asInt()).isEqualTo(3);
    assertThat(api.complete(first).status()).isEqualTo(200);
    long deadline = System.currentTimeMillis() + 5_000;
    JsonNode used = null;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode k : api.get("/v1/keys", token).json().get("data")) {
        if (!k.get("last_used_at").isNull()) used = k;
      }
      if (used != null) break;
      sleep(50);
    }
    assertThat(used).as("a key with last_used_at").isNotNull();
  }

  @Test
  void usersCanRenameAndChangeTheirPasswordOnlyWithTheOldOne() {
    String email = newUser("member", null);
    String token = api.login(email, PASSWORD);
    long id = idOf(email);
    Http.Reply r = api.call("PUT", "/v1/users/" + id, token, "{\"name\":\"Renamed\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("name").asText()).isEqualTo("Renamed");
    assertThat(r.body()).doesNotContain("password_hash").doesNotContain("argon2");
    assertThat(api.call("PUT", "/v1/users/" + id, token, "{\"password\":\"new-password-123\",\"old_password\":\"nope-nope\"}")
        .status()).isEqualTo(403);
    assertThat(api.call("PUT", "/v1/users/" + id, token, "{\"password\":\"new-password-123\"}").status()).isEqualTo(400);
    assertThat(api.call("PUT", "/v1/users/" + id, token,
        "{\"password\":\"new-password-123\",\"old_password\":\"" + PASSWORD + "\"}").status()).isEqualTo(200);
    assertThat(api.login(email, "new-password-123")).isNotBlank();
    assertThat(api.call("PUT", "/v1/users/" + id, token, "{\"role\":\"admin\"}").status()).isEqualTo(401); // sessions ended
  }

  @Test
  void listsArePagedAndBadPagingIsA400() {
    for (int i = 0; i < 3; i++) newUser("member", null);
    Http.Reply r = api.get("/admin/users?page=1&page_size=2", adminToken);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("data").size()).isEqualTo(2);
    assertThat(r.json().at("/pagination/page_size").asInt()).isEqualTo(2);
    assertThat(r.json().at("/pagination/total").asLong()).isGreaterThanOrEqualTo(4);
    assertThat(api.get("/admin/users?page_size=201", adminToken).status()).isEqualTo(400);
    assertThat(api.get("/admin/users?page=0", adminToken).status()).isEqualTo(400);
    assertThat(api.get("/admin/users?page=x", adminToken).status()).isEqualTo(400);
    assertThat(api.get("/admin/users?role=king", adminToken).status()).isEqualTo(400);
    assertThat(api.get("/admin/users?role=admin&status=active", adminToken).json().get("data"))
        .allSatisfy(u -> assertThat(u.get("role").asText()).isEqualTo("admin"));
    Http.Reply stats = api.get("/admin/stats", adminToken);
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.json().get("users").asLong()).isGreaterThanOrEqualTo(4);
    assertThat(stats.json().at("/today/requests").isNumber()).isTrue();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
