package com.lijiaoqiao.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What the web console relies on: the refresh token in an HttpOnly, SameSite=Strict cookie on /v1/auth (opt-in, the
 * body then holds no refresh token), refused from another origin, cleared on sign-out; and keys disabled and
 * enabled again without losing their secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserSessionTest {
  static final String PASSWORD = "correct-horse-battery";
  TestGateway gw;
  Api api;
  String root;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2);
    api = new Api(gw.gateway.port());
    root = "http://127.0.0.1:" + gw.gateway.port();
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  String newUser() {
    String email = "browser-" + System.nanoTime() + "@id.test";
    Users.create(gw.gateway.accounts(), email, PASSWORD, "B", "member", null);
    return email;
  }

  Http.Reply post(String path, String json, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return Http.send(b.build());
  }

  static String cookieOf(Http.Reply r) {
    String set = r.header("set-cookie");
    assertThat(set).as(r.body()).isNotNull();
    return set.substring(0, set.indexOf(';'));
  }

  @Test
  void theRefreshTokenLivesInAnHttpOnlyCookieOnlyWhenAskedFor() {
    String email = newUser();
    Http.Reply plain = post("/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.json().has("refresh_token")).isTrue();
    assertThat(plain.header("set-cookie")).isNull();

    Http.Reply login = post("/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD
        + "\",\"session_cookie\":true}");
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    assertThat(login.json().has("refresh_token")).isFalse();
    assertThat(login.json().get("session_cookie").asBoolean()).isTrue();
    assertThat(login.json().get("access_token").asText()).isNotBlank();
    String set = login.header("set-cookie");
    assertThat(set).startsWith("ljq_refresh=lrt-").contains("HttpOnly", "SameSite=Strict", "Path=/v1/auth")
        .doesNotContain("Secure");
    assertThat(login.header("cache-control")).isEqualTo("no-store");
    String cookie = cookieOf(login);

    Http.Reply refreshed = post("/v1/auth/refresh", "{\"session_cookie\":true}", "cookie", cookie);
    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    assertThat(refreshed.json().has("refresh_token")).isFalse();
    String next = cookieOf(refreshed);
    assertThat(next).isNotEqualTo(cookie);
    assertThat(api.get("/v1/keys", refreshed.json().get("access_token").asText()).status()).isEqualTo(200);

    // Another site's page (its Origin) is refused; a request without the cookie is a plain 401.
    Http.Reply foreign = post("/v1/auth/refresh", "{\"session_cookie\":true}", "cookie", next, "origin", "https://evil.example");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.json().at("/error/code").asText()).isEqualTo("AUTH_002");
    assertThat(post("/v1/auth/refresh", "{\"session_cookie\":true}").status()).isEqualTo(401);
    // Behind a proxy that rewrites Host, the browser's host is in X-Forwarded-Host.
    Http.Reply proxied = post("/v1/auth/refresh", "{\"session_cookie\":true}", "cookie", next,
        "origin", "https://console.example.com", "x-forwarded-host", "console.example.com");
    assertThat(proxied.status()).as(proxied.body()).isEqualTo(200);
    next = cookieOf(proxied);
    Http.Reply bad = post("/v1/auth/refresh", "{\"session_cookie\":\"yes\"}", "cookie", next);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().at("/error/details/field").asText()).isEqualTo("session_cookie");

    // Behind TLS (X-Forwarded-Proto: https) the cookie is also Secure.
    Http.Reply tls = post("/v1/auth/refresh", "{\"session_cookie\":true}", "cookie", next, "x-forwarded-proto", "https");
    assertThat(tls.status()).as(tls.body()).isEqualTo(200);
    assertThat(tls.header("set-cookie")).contains("; Secure");
    String last = cookieOf(tls);

    Http.Reply out = post("/v1/auth/logout", "{\"session_cookie\":true}", "cookie", last);
    assertThat(out.status()).isEqualTo(204);
    assertThat(out.header("set-cookie")).startsWith("ljq_refresh=;").contains("Max-Age=0");
    assertThat(post("/v1/auth/refresh", "{\"session_cookie\":true}", "cookie", last).status()).isEqualTo(401);
  }

  @Test
  void aKeyIsDisabledAndEnabledAgainWithItsSecret() {
    String email = newUser();
    String token = api.login(email, PASSWORD);
    Http.Reply created = api.post("/v1/keys", token, "{\"name\":\"pausable\"}");
    assertThat(created.status()).isEqualTo(201);
    long id = created.json().get("id").asLong();
    String secret = created.json().get("key").asText();
    gw.gateway.billing().credit(created.json().get("tenant_id").asLong(), 10_000_000, "bs-" + id, "start", null);
    assertThat(api.complete(secret).status()).isEqualTo(200);

    Http.Reply off = api.post("/v1/keys/" + id + "/disable", token, null);
    assertThat(off.status()).as(off.body()).isEqualTo(200);
    assertThat(off.json().get("status").asText()).isEqualTo("disabled");
    assertThat(off.body()).doesNotContain(secret);
    assertThat(api.complete(secret).status()).isEqualTo(401);
    assertThat(api.post("/v1/keys/" + id + "/disable", token, null).json().get("status").asText()).isEqualTo("disabled");

    Http.Reply on = api.post("/v1/keys/" + id + "/enable", token, null);
    assertThat(on.status()).as(on.body()).isEqualTo(200);
    assertThat(on.json().get("status").asText()).isEqualTo("active");
    assertThat(api.complete(secret).status()).isEqualTo(200);

    // Another user's key is not found; a revoked key cannot come back.
    String other = api.login(newUser(), PASSWORD);
    assertThat(api.post("/v1/keys/" + id + "/disable", other, null).status()).isEqualTo(404);
    assertThat(api.post("/v1/keys/999999/enable", token, null).status()).isEqualTo(404);
    assertThat(api.call("DELETE", "/v1/keys/" + id, token, null).status()).isEqualTo(204);
    Http.Reply revoked = api.post("/v1/keys/" + id + "/enable", token, null);
    assertThat(revoked.status()).isEqualTo(400);
    assertThat(revoked.json().at("/error/details/status").asText()).isEqualTo("revoked");
  }
}
