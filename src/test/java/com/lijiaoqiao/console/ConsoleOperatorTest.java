package com.lijiaoqiao.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Http;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An operator in the console, on a desktop and on a phone: disables a user (whose key then stops working) and
 * resolves a risk review provoked by a key driven over its tenant's velocity threshold.
 */
@ExtendWith(ConsoleFixture.Extension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleOperatorTest {

  @ParameterizedTest
  @EnumSource(ConsoleFixture.Viewport.class)
  void anOperatorDisablesAUserAndResolvesARiskReview(ConsoleFixture.Viewport v, ConsoleFixture fx) throws Exception {
    String admin = fx.newUser("admin", null, 0);
    String victim = fx.newUser("member", null, 1_000_000);
    KeyIssuer.Issued victimKey = fx.gw.gateway.keyIssuer().issue(fx.userId(victim), fx.tenantOf(victim), "victim",
        Set.of(), 1000, 1_000_000, null);
    Api api = new Api(fx.gw.gateway.port());
    assertThat(api.complete(victimKey.secret()).status()).isEqualTo(200);
    long reviewId = provokeReview(fx, api, api.login(admin, ConsoleFixture.PASSWORD));

    try (ConsoleSession s = ConsoleSession.signIn(fx, v, admin, "Dashboard")) {
      Page page = s.page;
      s.go("Users & tenants");
      page.getByTestId("user-search").fill(victim);
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Search").setExact(true)).click();
      Locator row = page.getByRole(AriaRole.ROW).filter(new Locator.FilterOptions().setHasText(victim));
      assertThat(row).hasCount(1);
      s.screenshot("admin-users");
      page.getByTestId("disable-" + fx.userId(victim)).click();
      assertThat(row).containsText("disabled");
      assertThat(page.getByText("User disabled.")).isVisible();
      assertThat(api.complete(victimKey.secret()).status()).as("the disabled user's key").isEqualTo(401);

      s.go("Risk reviews");
      Locator allow = page.getByTestId("allow-" + reviewId);
      assertThat(allow).isVisible();
      s.screenshot("admin-risk");
      allow.click();
      assertThat(page.getByText("Review resolved.")).isVisible();
      assertThat(allow).hasCount(0);
      JsonNode review = api.get("/admin/risk/reviews/" + reviewId, api.login(admin, ConsoleFixture.PASSWORD)).json();
      assertThat(review.get("status").asText()).isEqualTo("allowed");

      String payer = fx.newUser("member", null, 1_000_000);
      String payerKey = fx.gw.gateway.keyIssuer().issue(fx.userId(payer), fx.tenantOf(payer), "lookup", Set.of(), 1000,
          1_000_000, null).secret();
      String requestId = api.complete(payerKey).header("x-request-id");
      String token = api.login(admin, ConsoleFixture.PASSWORD);
      for (int i = 0; i < 200 && !api.get("/admin/requests/" + requestId, token).json().path("route").isContainerNode(); i++) {
        Thread.sleep(25); // the routing decision is recorded asynchronously
      }
      s.go("Request lookup");
      page.getByTestId("request-id").fill(requestId);
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Look up")).click();
      assertThat(page.getByTestId("route-json")).containsText("sim");
      s.screenshot("admin-requests");
    }
    assertThat(fx.cspViolations).as("Content-Security-Policy violations").isEmpty();
  }

  /** A member of a fresh tenant whose rules review at 300 tokens a minute, driven over it: the review's id. */
  static long provokeReview(ConsoleFixture fx, Api api, String adminToken) throws InterruptedException {
    String member = fx.newUser("member", null, 5_000_000);
    long tenant = fx.tenantOf(member);
    Http.Reply rules = api.call("PUT", "/admin/risk/rules/tenants/" + tenant, adminToken, "{\"review_at\":40,\"block_at\":70,"
        + "\"rules\":{\"high_velocity\":{\"threshold\":300,\"weight\":45},\"unusual_model\":{\"on\":false},"
        + "\"new_account_high_value\":{\"on\":false},\"spend_spike\":{\"on\":false}}}");
    assertThat(rules.status()).as(rules.body()).isEqualTo(200);
    KeyIssuer.Issued key = fx.gw.gateway.keyIssuer().issue(fx.userId(member), tenant, "risky", Set.of(), 1000, 10_000_000, null);
    for (int i = 0; i < 60; i++) {
      assertThat(api.complete(key.secret()).status()).isEqualTo(200);
      JsonNode open = api.get("/admin/risk/reviews?status=open&tenant_id=" + tenant, adminToken).json().get("data");
      if (open.size() > 0) return open.get(0).get("id").asLong();
    }
    throw new AssertionError("no risk review after 60 requests over the velocity threshold");
  }
}
