package com.lijiaoqiao.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pages the flows do not visit, each opened and photographed (target/console-screenshots/), desktop and phone:
 * the sign-in page, the consumer's invoices, redeem and client settings, the operator's system, providers (with a
 * provider's live statistics), prices, payouts and audit log. Each must show its heading and no error.
 */
@ExtendWith(ConsoleFixture.Extension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleScreenshotsTest {

  @ParameterizedTest
  @EnumSource(ConsoleFixture.Viewport.class)
  void everyMainPageOpensAndIsPhotographed(ConsoleFixture.Viewport v, ConsoleFixture fx) throws Exception {
    Page signInPage = fx.open(v);
    signInPage.navigate(fx.root + "/");
    assertThat(signInPage.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
    signInPage.screenshot(new Page.ScreenshotOptions().setFullPage(true).setPath(ConsoleSession.screenshotPath(v, "sign-in")));
    // The PWA: a manifest, and the service worker that keeps the shell for offline use.
    assertThat(signInPage.locator("link[rel=manifest]")).hasAttribute("href", "/console/manifest.webmanifest");
    Object active = signInPage.evaluate("async () => { const r = await navigator.serviceWorker.ready; return !!r.active; }");
    assertThat(active).isEqualTo(true);
    signInPage.context().close();

    String admin = fx.newUser("admin", null, 1_000_000);
    try (ConsoleSession s = ConsoleSession.signIn(fx, v, admin, "Dashboard")) {
      for (String[] p : List.of(new String[] {"Invoices", "invoices"}, new String[] {"Redeem a code", "redeem"},
          new String[] {"Client settings", "clients"}, new String[] {"System", "admin-system"},
          new String[] {"Prices", "admin-prices"}, new String[] {"Payouts", "admin-payouts"},
          new String[] {"Audit log", "admin-audit"}, new String[] {"Providers", "admin-providers"})) {
        s.go(p[0]);
        assertThat(s.page.locator(".notice.error")).hasCount(0);
        s.screenshot(p[1]);
      }
      s.button("Live stats").first().click();
      assertThat(s.page.getByText("Breaker per model").first()).isAttached();
      s.screenshot("admin-provider-stats");
    }
    assertThat(Files.exists(ConsoleSession.screenshotPath(v, "admin-audit"))).isTrue();
    assertThat(fx.cspViolations).as("Content-Security-Policy violations").isEmpty();
  }
}
