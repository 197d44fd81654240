package com.lijiaoqiao.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A consumer in the console, on a desktop and on a 360 px phone: signs in, creates a key and sees its secret once,
 * streams an answer in the playground with that key, and finds the spend in the dashboard and the usage explorer;
 * a key named like markup is shown as text.
 */
@ExtendWith(ConsoleFixture.Extension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleConsumerTest {

  @ParameterizedTest
  @EnumSource(ConsoleFixture.Viewport.class)
  void aConsumerCreatesAKeyUsesItInThePlaygroundAndSeesTheSpend(ConsoleFixture.Viewport v, ConsoleFixture fx)
      throws Exception {
    String email = fx.newUser("member", null, 5_000_000);
    try (ConsoleSession s = ConsoleSession.signIn(fx, v, email, "Dashboard")) {
      Page page = s.page;
      s.screenshot("dashboard-empty");

      // A key: the secret is shown once, with a copy button, and is gone once dismissed.
      s.go("API keys");
      page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("playground " + v.label());
      page.getByLabel("Allowed models").fill("gpt-4o-mini, claude-haiku-4-5");
      page.getByLabel("Daily budget").fill("2.00");
      page.getByTestId("create-key").click();
      Locator secretBox = page.getByTestId("new-secret");
      assertThat(secretBox).containsText("lgw-");
      String secret = secretBox.textContent().trim();
      assertThat(secret).startsWith("lgw-");
      assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("New secret"))
          .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Copy"))).isVisible();
      s.screenshot("keys-secret-once");
      page.getByTestId("secret-done").click();
      assertThat(secretBox).hasCount(0);
      assertThat(page.locator("body")).not().containsText(secret);
      assertThat(page.getByRole(AriaRole.CELL, new Page.GetByRoleOptions().setName("playground " + v.label()))).isVisible();
      s.screenshot("keys");

      // The playground streams with that key (kept in this tab's memory only) and shows tokens and cost.
      s.go("Playground");
      assertThat(page.getByTestId("pg-model").locator("option[value='gpt-4o-mini']")).hasCount(1);
      page.getByTestId("pg-model").selectOption("gpt-4o-mini");
      page.getByTestId("pg-prompt").fill("Tell me about interchanges.");
      page.getByTestId("pg-send").click();
      assertThat(page.getByTestId("pg-cost")).not().hasText("—");
      assertThat(Double.parseDouble(page.getByTestId("pg-cost").textContent())).isPositive();
      assertThat(page.getByTestId("pg-answer")).not().isEmpty();
      assertThat(page.getByTestId("pg-completion-tokens")).hasText(java.util.regex.Pattern.compile("[1-9][0-9]*"));
      s.screenshot("playground");

      // The dashboard and the usage explorer show it (usage is recorded asynchronously: reload until it is there).
      s.go("Dashboard");
      assertThat(s.reloadUntil(() -> !page.getByTestId("requests-30d").textContent().trim().equals("0")
          && !page.getByTestId("requests-30d").textContent().isBlank(), 20_000)).as("requests on the dashboard").isTrue();
      assertThat(Double.parseDouble(page.getByTestId("spend-30d").textContent().split(" ")[0])).as("spend").isPositive();
      s.screenshot("dashboard");
      s.go("Usage");
      assertThat(page.getByRole(AriaRole.CELL, new Page.GetByRoleOptions().setName("gpt-4o-mini")).first()).isVisible();
      com.microsoft.playwright.Download csv = page.waitForDownload(() -> page.getByTestId("usage-csv").click());
      assertThat(csv.suggestedFilename()).isEqualTo("usage.csv");
      String rows = new String(java.nio.file.Files.readAllBytes(csv.path()), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(rows.lines().findFirst().orElse("")).contains("request_id");
      assertThat(rows).contains("gpt-4o-mini");
      page.getByLabel("Group by").selectOption("model");
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply")).click();
      assertThat(page.getByRole(AriaRole.COLUMNHEADER, new Page.GetByRoleOptions().setName("Model"))).isVisible();
      s.screenshot("usage");

      // Chinese, from the switch; dark theme.
      page.getByTestId("lang-toggle").click();
      s.heading("用量");
      page.getByTestId("theme-toggle").click();
      assertThat(page.locator("html")).hasAttribute("data-theme", "dark");
      s.screenshot("usage-zh-dark");
      page.getByTestId("lang-toggle").click();
      page.getByTestId("theme-toggle").click();
      s.heading("Usage");
    }
    assertThat(fx.cspViolations).as("Content-Security-Policy violations").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ConsoleFixture.Viewport.class)
  void aKeyNamedLikeMarkupIsShownAsText(ConsoleFixture.Viewport v, ConsoleFixture fx) {
    String email = fx.newUser("member", null, 0);
    String name = "<img src=x onerror=alert(1)>";
    try (ConsoleSession s = ConsoleSession.signIn(fx, v, email, "Dashboard")) {
      Page page = s.page;
      List<String> dialogs = new ArrayList<>();
      page.onDialog(d -> {
        dialogs.add(d.message());
        d.dismiss();
      });
      s.go("API keys");
      page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill(name);
      page.getByTestId("create-key").click();
      assertThat(page.getByTestId("new-secret")).containsText("lgw-");
      page.getByTestId("secret-done").click();
      assertThat(page.getByText(name, new Page.GetByTextOptions().setExact(true))).isVisible();
      page.reload();
      s.heading("API keys");
      assertThat(page.getByText(name, new Page.GetByTextOptions().setExact(true))).isVisible();
      assertThat(page.locator("img[src='x']")).hasCount(0);
      assertThat(dialogs).isEmpty();
    }
  }
}
