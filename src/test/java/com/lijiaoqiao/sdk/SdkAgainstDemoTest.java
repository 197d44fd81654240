package com.lijiaoqiao.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.lijiaoqiao.access.PasswordHasher;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.webhooks.WebhookSignature;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDKs in sdk/python and sdk/node, run as child processes against a real gateway (the embedded simulator as
 * upstream, as in {@code ljq demo}): a platform admin, a tenant admin, an approved supplier, a platform key with a
 * balance and a served request, and a signature made by the gateway's own signer, all passed through env vars.
 * The child's exit code decides; its output is in the failure message.
 */
class SdkAgainstDemoTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final String MARKET_MODEL = "sdk-market-model";
  private static TestGateway gw;
  private static final Map<String, String> ENV = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.webhooks.allowedAddresses.add("127.0.0.1/32");
      c.supply.allowedAddresses.add("127.0.0.1/32");
      // A consumer price for the model the SDK tests' supplier packages sell (the margin floor needs one).
      var price = new com.lijiaoqiao.app.GatewayConfig.PriceSpec();
      price.input = "2.00";
      price.output = "4.00";
      c.billing.models.put(MARKET_MODEL, price);
    });
    var accounts = gw.gateway.accounts();
    String adminPw = "admin-" + System.nanoTime();
    String taPw = "tenant-admin-" + System.nanoTime();
    String supPw = "supplier-" + System.nanoTime();
    long platform = accounts.createTenant("Platform");
    accounts.createUser("sdk-admin@test.local", PasswordHasher.hash(adminPw), "SDK admin", platform, "admin");
    accounts.createUser("sdk-tenant-admin@test.local", PasswordHasher.hash(taPw), "SDK tenant admin", gw.tenantId,
        "tenant_admin");
    long supplierTenant = accounts.createTenant("SDK supplier");
    accounts.createUser("sdk-supplier@test.local", PasswordHasher.hash(supPw), "SDK supplier", supplierTenant,
        "supplier");
    gw.gateway.marketplace().decide(supplierTenant, "approved", null, null, "the SDK test's supplier");
    gw.gateway.billing().credit(gw.tenantId, 10 * Money.MICROS_PER_UNIT, "sdk-test-credit", "SDK test", null);

    // One served request, so usage and invoices have something to show.
    String root = gw.baseUrl().replaceFirst("/v1/?$", "");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(root + "/v1/chat/completions"))
        .header("authorization", "Bearer " + gw.apiKey).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, chat.statusCode(), chat.body());
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> usage = http.send(HttpRequest.newBuilder(
              URI.create(root + "/v1/billing/usage?from=2020-01-01"))
          .header("authorization", "Bearer " + gw.apiKey).build(), HttpResponse.BodyHandlers.ofString());
      if (usage.body().contains("request_id")) break;
      Thread.sleep(50);
    }

    String secret = WebhookSignature.newSecret();
    String body = "{\"id\":\"evt_sdk\",\"type\":\"billing.low_balance\",\"data\":{\"balance\":\"0.98\"}}";
    ENV.put("LJQ_BASE_URL", root + "/v1");
    ENV.put("LJQ_ADMIN_EMAIL", "sdk-admin@test.local");
    ENV.put("LJQ_ADMIN_PASSWORD", adminPw);
    ENV.put("LJQ_TENANT_ADMIN_EMAIL", "sdk-tenant-admin@test.local");
    ENV.put("LJQ_TENANT_ADMIN_PASSWORD", taPw);
    ENV.put("LJQ_SUPPLIER_EMAIL", "sdk-supplier@test.local");
    ENV.put("LJQ_SUPPLIER_PASSWORD", supPw);
    ENV.put("LJQ_API_KEY", gw.apiKey);
    ENV.put("LJQ_SIM_BASE_URL", gw.gateway.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1");
    ENV.put("LJQ_MARKET_MODEL", MARKET_MODEL);
    ENV.put("LJQ_WEBHOOK_SECRET", secret);
    ENV.put("LJQ_WEBHOOK_BODY", body);
    ENV.put("LJQ_WEBHOOK_SIGNATURE", WebhookSignature.header(secret, System.currentTimeMillis() / 1000, body));
  }

  @AfterAll
  static void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void pythonSdk() throws Exception {
    assumeTrue(onPath("python3"), "python3 is not installed");
    run(ROOT, List.of("python3", "-m", "unittest", "discover", "-v", "-s", "sdk/python/tests"), 300);
  }

  @Test
  void nodeSdk() throws Exception {
    assumeTrue(onPath("npm"), "npm is not installed");
    Path dir = ROOT.resolve("sdk/node");
    run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
    run(dir, List.of("npm", "run", "build"), 300);
    run(dir, List.of("npm", "test"), 300);
  }

  private static void run(Path dir, List<String> command, int timeoutSeconds) throws Exception {
    Path out = Files.createTempFile("ljq-sdk", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile());
      pb.environment().putAll(ENV);
      Process p = pb.start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) p.destroyForcibly().waitFor();
      String output = Files.readString(out, StandardCharsets.UTF_8);
      System.out.println("$ " + String.join(" ", command) + " (in " + dir + ")\n" + output);
      assertTrue(done, "timed out: " + command + "\n" + output);
      assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + output);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) return true;
    }
    return false;
  }
}
