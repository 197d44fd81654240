package com.lijiaoqiao.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * How the gateway serves the console (no browser needed): the page and its files from the jar with their types and
 * caching, the page for the console's own routes, the Content-Security-Policy and other headers on every answer,
 * errors in the API's shape, and browsers sent from / to /console/ while API clients keep their answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleServingTest {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
  TestGateway gw;
  String root;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2);
    root = "http://127.0.0.1:" + gw.gateway.port();
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  Http.Reply send(String method, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return Http.send(b.build());
  }

  static void secured(Http.Reply r) {
    assertThat(r.header("content-security-policy")).isEqualTo(CSP);
    assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(r.header("referrer-policy")).isEqualTo("no-referrer");
    assertThat(r.header("x-frame-options")).isEqualTo("DENY");
  }

  @Test
  void thePageAndItsFilesAreServedWithTheirTypesCachingAndPolicy() {
    Http.Reply page = send("GET", "/console/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.header("cache-control")).isEqualTo("no-cache");
    secured(page);
    // No inline script or style: everything the page loads is a file of its own, from the gateway.
    assertThat(page.body()).doesNotContain("<style", "style=", "onload=", "onclick=").doesNotContainPattern("<script>");
    assertThat(page.body()).doesNotContainPattern("(src|href)=\"(https?:)?//");

    Matcher js = Pattern.compile("src=\"(/console/assets/main-[A-Z0-9]+\\.js)\"").matcher(page.body());
    assertThat(js.find()).as(page.body()).isTrue();
    Http.Reply script = send("GET", js.group(1));
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(script.header("cache-control")).isEqualTo("public, max-age=31536000, immutable");
    secured(script);
    Matcher css = Pattern.compile("href=\"(/console/assets/main-[A-Z0-9]+\\.css)\"").matcher(page.body());
    assertThat(css.find()).isTrue();
    assertThat(send("GET", css.group(1)).header("content-type")).isEqualTo("text/css; charset=utf-8");

    Http.Reply sw = send("GET", "/console/sw.js");
    assertThat(sw.status()).isEqualTo(200);
    assertThat(sw.header("cache-control")).isEqualTo("no-cache");
    assertThat(sw.body()).contains(js.group(1)).doesNotContain("%SHELL%", "%VERSION%");
    Http.Reply manifest = send("GET", "/console/manifest.webmanifest");
    assertThat(manifest.header("content-type")).isEqualTo("application/manifest+json");
    assertThat(manifest.json().get("start_url").asText()).isEqualTo("/console/");
    assertThat(manifest.json().get("icons").size()).isGreaterThanOrEqualTo(2);
    Http.Reply icon = send("GET", "/console/icons/icon-512.png");
    assertThat(icon.header("content-type")).isEqualTo("image/png");
    assertThat(send("HEAD", "/console/").header("content-length")).isEqualTo(page.header("content-length"));
  }

  @Test
  void theConsolesRoutesGetThePageAndMissingFilesA404InTheApiShape() {
    for (String p : new String[] {"/console/keys", "/console/admin/users", "/console/supply/packages", "/console/a/b/c"}) {
      Http.Reply r = send("GET", p);
      assertThat(r.status()).as(p).isEqualTo(200);
      assertThat(r.body()).contains("<div id=\"app\"></div>");
    }
    for (String p : new String[] {"/console/nope.js", "/console/assets/main-OLD.js", "/console/..%2F..%2Fpom.xml",
        "/console/files.txt.bak"}) {
      Http.Reply r = send("GET", p);
      assertThat(r.status()).as(p).isEqualTo(404);
      assertThat(r.json().at("/error/code").asText()).isEqualTo("COMMON_002");
      assertThat(r.json().at("/error/message_i18n/zh_CN").asText()).isNotBlank();
      secured(r);
    }
    Http.Reply post = send("POST", "/console/keys");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("allow")).isEqualTo("GET, HEAD");
    Http.Reply bare = send("GET", "/console");
    assertThat(bare.status()).isEqualTo(302);
    assertThat(bare.header("location")).isEqualTo("/console/");
  }

  @Test
  void browsersAreSentToTheConsoleAndApiClientsKeepTheirAnswer() {
    Http.Reply browser = send("GET", "/", "accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    assertThat(browser.status()).isEqualTo(302);
    assertThat(browser.header("location")).isEqualTo("/console/");
    Http.Reply sdk = send("GET", "/", "accept", "application/json");
    assertThat(sdk.status()).isEqualTo(200);
    assertThat(sdk.json().get("name").asText()).isEqualTo("lijiaoqiao");
    assertThat(send("GET", "/").status()).isEqualTo(200);
    assertThat(send("HEAD", "/", "accept", "text/html").status()).isEqualTo(200); // Claude Code's warm-up
  }
}
