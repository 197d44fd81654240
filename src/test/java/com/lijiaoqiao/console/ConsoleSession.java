package com.lijiaoqiao.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** One signed-in person in one browser context: navigation through the console's menu, waits, screenshots. */
final class ConsoleSession implements AutoCloseable {
  final ConsoleFixture fx;
  final ConsoleFixture.Viewport viewport;
  final Page page;

  private ConsoleSession(ConsoleFixture fx, ConsoleFixture.Viewport viewport) {
    this.fx = fx;
    this.viewport = viewport;
    this.page = fx.open(viewport);
  }

  /** Opens the console and signs in through its form; waits for the first page of the role. */
  static ConsoleSession signIn(ConsoleFixture fx, ConsoleFixture.Viewport v, String email, String landing) {
    ConsoleSession s = new ConsoleSession(fx, v);
    s.page.navigate(fx.root + "/console/");
    s.page.getByLabel("E-mail").fill(email);
    s.page.getByLabel("Password").fill(ConsoleFixture.PASSWORD);
    s.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    s.heading(landing);
    return s;
  }

  /** Opens a page from the navigation (through the menu button on a phone) and waits for its heading. */
  ConsoleSession go(String link) {
    Locator menu = page.getByTestId("menu");
    if (menu.isVisible()) menu.click();
    page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Main"))
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName(link).setExact(true)).click();
    return heading(link);
  }

  ConsoleSession heading(String title) {
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(title).setLevel(1))).isVisible();
    return this;
  }

  Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  /** Reloads the page until the condition holds (the session resumes from its cookie each time); false at the deadline. */
  boolean reloadUntil(BooleanSupplier condition, long deadlineMs) {
    long end = System.currentTimeMillis() + deadlineMs;
    while (true) {
      if (condition.getAsBoolean()) return true;
      if (System.currentTimeMillis() > end) return false;
      page.reload();
      page.waitForLoadState();
    }
  }

  /** A full-page screenshot in target/console-screenshots/{viewport}-{name}.png. */
  void screenshot(String name) {
    page.waitForLoadState();
    page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
        .setPath(ConsoleFixture.SCREENSHOTS.resolve(viewport.label() + "-" + name + ".png")));
  }

  static Path screenshotPath(ConsoleFixture.Viewport v, String name) {
    return ConsoleFixture.SCREENSHOTS.resolve(v.label() + "-" + name + ".png");
  }

  @Override
  public void close() {
    page.context().close();
  }
}
