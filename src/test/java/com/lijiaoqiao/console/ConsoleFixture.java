package com.lijiaoqiao.console;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.identity.Users;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One gateway (embedded H2, the simulator upstream, loopback allowed for suppliers) and one headless Chromium
 * (Debian's, driven by Playwright; no browser download) shared by every console test class, closed when the test run
 * ends. Tests skip when the chromium binary is missing (.ci/run installs it).
 */
final class ConsoleFixture implements ExtensionContext.Store.CloseableResource {
  static final String PASSWORD = "console-password-1";
  static final String MARKET_MODEL = "console-mini";
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final AtomicInteger SEQ = new AtomicInteger();

  /** A browser window size: the desktop and the smallest phone the console supports. */
  enum Viewport {
    DESKTOP(1280, 860, false), PHONE(360, 740, true);

    final int width;
    final int height;
    final boolean mobile;

    Viewport(int width, int height, boolean mobile) {
      this.width = width;
      this.height = height;
      this.mobile = mobile;
    }

    String label() {
      return name().toLowerCase();
    }
  }

  final TestGateway gw;
  final String root;
  final Playwright playwright;
  final Browser browser;
  final List<String> cspViolations = java.util.Collections.synchronizedList(new ArrayList<>());

  private ConsoleFixture() throws Exception {
    gw = startGateway();
    root = "http://127.0.0.1:" + gw.gateway.port();
    Files.createDirectories(SCREENSHOTS);
    Playwright pw = null;
    try {
      pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
      browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium()).setHeadless(true)
          .setArgs(List.of("--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu")));
      playwright = pw;
    } catch (RuntimeException e) {
      if (pw != null) pw.close();
      gw.close();
      throw e;
    }
  }

  /** The shared gateway; a port taken between its choice and the bind (other builds on the machine) is retried. */
  private static TestGateway startGateway() {
    for (int attempt = 1; ; attempt++) {
      try {
        return TestGateway.start(Databases.Kind.H2, c -> {
          GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
          p.input = "1.00";
          p.output = "2.00";
          c.billing.models.put(MARKET_MODEL, p);
          GatewayConfig.PriceSpec mini = new GatewayConfig.PriceSpec(); // priced, so the playground's answer costs something
          mini.input = "5.00";
          mini.output = "15.00";
          c.billing.models.put("gpt-4o-mini", mini);
          c.supply.allowedAddresses.add("127.0.0.1/32"); // the simulator, as a supplier's upstream
          c.supply.syncIntervalMs = 200;
          c.security.loginPerIpPerMinute = 0; // every test signs in from 127.0.0.1
          c.security.loginPerAccountPerMinute = 0;
        });
      } catch (IllegalStateException e) {
        if (attempt >= 3 || !(e.getCause() instanceof java.net.BindException)) throw e;
      }
    }
  }

  /** Debian's chromium (a launcher script), or the binary it starts. */
  static Path chromium() {
    for (String p : List.of("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(p))) return Path.of(p);
    }
    return null;
  }

  static ConsoleFixture get(ExtensionContext ctx) {
    assumeTrue(chromium() != null, "no chromium binary (apt-get install chromium): the console's browser tests skip");
    return ctx.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(ConsoleFixture.class, k -> {
      try {
        return new ConsoleFixture();
      } catch (Exception e) {
        throw new IllegalStateException("could not start the console fixture", e);
      }
    }, ConsoleFixture.class);
  }

  /** A new user with a fresh tenant (credited for consumers) or in {@code tenant}; returns the e-mail. */
  String newUser(String role, Long tenant, long creditMicros) {
    String email = role + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@console.test";
    long id = Users.create(gw.gateway.accounts(), email, PASSWORD, "Console " + role, role, tenant);
    long tenantId = gw.gateway.accounts().findView(id).orElseThrow().tenantId();
    if (creditMicros > 0) gw.gateway.billing().credit(tenantId, creditMicros, "console-" + id, "test credit", null);
    return email;
  }

  long userId(String email) {
    return gw.gateway.accounts().findUserByEmail(email).orElseThrow().id();
  }

  long tenantOf(String email) {
    return gw.gateway.accounts().findUserByEmail(email).orElseThrow().tenantId();
  }

  /** A fresh browser context (its own cookies and storage) at this size, with its first page open. */
  Page open(Viewport v) {
    Browser.NewContextOptions o = new Browser.NewContextOptions().setViewportSize(v.width, v.height)
        .setIsMobile(v.mobile).setHasTouch(v.mobile).setDeviceScaleFactor(1).setLocale("en-US");
    BrowserContext ctx = browser.newContext(o);
    ctx.setDefaultTimeout(20_000);
    Page page = ctx.newPage();
    page.onConsoleMessage(m -> {
      if (m.text().contains("Content Security Policy")) cspViolations.add(m.text());
    });
    return page;
  }

  @Override
  public void close() {
    try {
      browser.close();
      playwright.close();
    } finally {
      gw.close();
    }
  }

  /** Resolves a {@link ConsoleFixture} parameter of test methods and constructors. */
  static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
      return p.getParameter().getType() == ConsoleFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
      return ConsoleFixture.get(ctx);
    }
  }
}
