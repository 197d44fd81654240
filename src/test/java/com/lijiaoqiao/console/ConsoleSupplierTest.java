package com.lijiaoqiao.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A supplier in the console, on a desktop and on a phone: registers an upstream account (the built-in simulator, on
 * loopback, which this gateway allows) and sees the probe's result; an operator approves the supplier; the supplier
 * publishes a package on the account and pauses it.
 */
@ExtendWith(ConsoleFixture.Extension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleSupplierTest {

  @ParameterizedTest
  @EnumSource(ConsoleFixture.Viewport.class)
  void aSupplierRegistersAnAccountAndAPackage(ConsoleFixture.Viewport v, ConsoleFixture fx) {
    String email = fx.newUser("supplier", null, 0);
    String credential = "sk-console-supplier-" + v.label();
    try (ConsoleSession s = ConsoleSession.signIn(fx, v, email, "Dashboard")) {
      Page page = s.page;
      s.go("Upstream accounts");
      page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("sim " + v.label());
      page.getByLabel("Base URL").fill(fx.gw.gateway.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1");
      page.getByLabel("API key of the account").fill(credential);
      page.getByLabel("Models", new Page.GetByLabelOptions().setExact(true)).fill(ConsoleFixture.MARKET_MODEL + "=gpt-4o-mini");
      page.getByTestId("register-account").click();
      assertThat(page.getByTestId("probe-result")).containsText("sim " + v.label());
      assertThat(page.getByTestId("probe-result")).containsText("active");
      assertThat(page.getByRole(AriaRole.CELL, new Page.GetByRoleOptions().setName("sim " + v.label()))).isVisible();
      assertThat(page.locator("body")).not().containsText(credential);
      s.screenshot("supply-accounts");

      // An operator approves the new supplier (its record was created, pending, with its first account).
      String admin = fx.newUser("admin", null, 0);
      try (ConsoleSession op = ConsoleSession.signIn(fx, v, admin, "Dashboard")) {
        op.go("Suppliers");
        op.page.getByTestId("approve-supplier-" + fx.tenantOf(email)).click();
        assertThat(op.page.locator(".notice.ok")).hasText("Supplier approved.");
        op.screenshot("admin-suppliers");
      }

      s.go("Packages");
      page.getByLabel("Account").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("sim " + v.label() + " (active)"));
      page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("pkg " + v.label());
      page.getByLabel("Token quota").fill("500000");
      page.getByLabel("Input price per 1M").fill("0.50");
      page.getByLabel("Output price per 1M").fill("1.00");
      page.getByTestId("create-package").click();
      assertThat(page.locator(".notice.ok, .notice.error")).hasText("Package created."); // else the API's error, shown
      var row = page.getByRole(AriaRole.ROW).filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText("pkg " + v.label()));
      assertThat(row).containsText("active");
      assertThat(row).containsText("500,000");
      s.screenshot("supply-packages");
      row.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Pause")).click();
      assertThat(row).containsText("paused");

      s.go("Earnings");
      s.screenshot("supply-earnings");
      s.go("Statements & payouts");
      s.screenshot("supply-payouts");
    }
    assertThat(fx.cspViolations).as("Content-Security-Policy violations").isEmpty();
  }
}
