package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway as a separate process under concurrent load is killed with SIGKILL, restarted on the same data,
 * stopped cleanly, and `ljq reconcile` passes: every request the client saw complete is charged exactly once,
 * at the amount the client was told.
 */
class CrashRecoveryTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"crash me\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"crash me\"}]}";

  record Gateway(Process process, String baseUrl, String apiKey, String adminEmail, String adminPassword) {}

  static Gateway launch(Path dataDir, int port) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "com.lijiaoqiao.app.Main",
        "demo", "--port", Integer.toString(port), "--data-dir", dataDir.toString())
        .redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-" + port + ".log").toFile())
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String base = null;
    String key = null;
    String adminEmail = null;
    String adminPassword = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((base == null || key == null) && System.nanoTime() < deadline) {
      String line = out.readLine();
      if (line == null) throw new AssertionError("the gateway exited before it was ready");
      if (line.startsWith("LJQ_BASE_URL=")) base = line.substring(13);
      if (line.startsWith("LJQ_API_KEY=")) key = line.substring(12);
      if (line.startsWith("LJQ_ADMIN_EMAIL=")) adminEmail = line.substring(16);
      if (line.startsWith("LJQ_ADMIN_PASSWORD=")) adminPassword = line.substring(19);
    }
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // keep the pipe empty
        }
      } catch (Exception ignored) {
        // process gone
      }
    });
    drain.setDaemon(true);
    drain.start();
    return new Gateway(p, base, key, adminEmail, adminPassword);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void killDashNineLosesNoChargeAndChargesNothingTwice() throws Exception {
    Path dataDir = Files.createTempDirectory("ljq-crash").resolve("data");
    Gateway first = launch(dataDir, TestGateway.freePort());
    Map<String, Long> completed = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch warm = new CountDownLatch(30);
    for (int t = 0; t < 6; t++) {
      boolean streams = t % 2 == 0;
      pool.submit(() -> {
        while (!stop.get()) {
          try {
            if (streams) {
              try (Http.Stream s = Http.stream(first.baseUrl() + "/chat/completions", first.apiKey(), STREAM,
                  "x-ljq-sim", "gap=2")) {
                if (s.status != 200) continue;
                String id = s.headers.firstValue("x-request-id").orElseThrow();
                List<String> events = s.rest();
                if (events.size() >= 2 && events.get(events.size() - 1).equals("[DONE]")) {
                  JsonNode usage = Http.JSON.readTree(events.get(events.size() - 2)).get("usage");
                  completed.put(id, usage.get("cost").decimalValue().movePointRight(6).longValueExact());
                }
              }
            } else {
              Http.Reply r = Http.postJson(first.baseUrl() + "/chat/completions", first.apiKey(), CHAT);
              if (r.status() == 200) {
                completed.put(r.header("x-request-id"), Money.parse(r.header("x-ljq-cost"), true));
              }
            }
            warm.countDown();
          } catch (Throwable e) {
            // the process is being killed: requests in flight fail, which is expected
          }
        }
      });
    }
    assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(500);
    first.process().destroyForcibly(); // SIGKILL, mid-load
    first.process().waitFor(30, TimeUnit.SECONDS);
    stop.set(true);
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(completed).hasSizeGreaterThan(20);

    // Restart on the same data: unshipped settlements are replayed, open reservations are gone.
    Gateway second = launch(dataDir, TestGateway.freePort());
    Http.Reply ok = Http.postJson(second.baseUrl() + "/chat/completions", second.apiKey(), CHAT);
    assertThat(ok.status()).isEqualTo(200);
    completed.put(ok.header("x-request-id"), Money.parse(ok.header("x-ljq-cost"), true));
    second.process().destroy(); // SIGTERM: graceful
    assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();

    String java = ProcessHandle.current().info().command().orElse("java");
    Process reconcile = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "com.lijiaoqiao.app.Main",
        "reconcile", "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
    String report = new String(reconcile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(reconcile.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(reconcile.exitValue()).as(report).isZero();
    assertThat(report).contains("RECONCILED");

    try (Database db = Database.open(Database.embeddedUrl(dataDir), "", "", 2);
         var c = db.dataSource().getConnection();
         var ps = c.prepareStatement("SELECT COUNT(*), MIN(amount_micros), MAX(amount_micros) FROM billing_records WHERE request_id = ?")) {
      for (var e : completed.entrySet()) {
        ps.setString(1, e.getKey());
        try (var rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getLong(1)).as("billing records of " + e.getKey()).isEqualTo(1);
          assertThat(rs.getLong(2)).as("charge of " + e.getKey()).isEqualTo(e.getValue());
        }
      }
    }
  }

  /**
   * The embedded store writes commits to its file a moment later; a management change must still be durable once
   * it is answered. Credits and a new key, each answered 2xx and followed at once by SIGKILL, are all there after
   * the restart.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aManagementChangeAnsweredIsThereAfterKillDashNine() throws Exception {
    Path dataDir = Files.createTempDirectory("ljq-durable").resolve("data");
    Gateway first = launch(dataDir, TestGateway.freePort());
    Http.Reply login = Http.postJson(first.baseUrl() + "/auth/token", null,
        "{\"email\":\"" + first.adminEmail() + "\",\"password\":\"" + first.adminPassword() + "\"}");
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    String admin = Http.JSON.readTree(login.body()).get("access_token").asText();
    JsonNode before = Http.JSON.readTree(Http.get(first.baseUrl() + "/billing/balance", first.apiKey()).body());
    long tenant = before.get("tenant_id").asLong();
    long balanceBefore = Money.parse(before.get("balance").asText(), true);
    for (int i = 0; i < 5; i++) {
      Http.Reply credit = Http.postJson(first.baseUrl().replace("/v1", "") + "/admin/tenants/" + tenant + "/credit", admin,
          "{\"amount\":\"1.25\",\"note\":\"durable " + i + "\"}", "idempotency-key", "durable-credit-" + i);
      assertThat(credit.status()).as(credit.body()).isIn(200, 201);
    }
    Http.Reply key = Http.postJson(first.baseUrl() + "/keys", admin, "{\"name\":\"made just before the crash\"}");
    assertThat(key.status()).as(key.body()).isIn(200, 201);
    String secret = Http.JSON.readTree(key.body()).get("key").asText();
    first.process().destroyForcibly(); // SIGKILL right after the answers
    first.process().waitFor(30, TimeUnit.SECONDS);

    Gateway second = launch(dataDir, TestGateway.freePort());
    try {
      JsonNode after = Http.JSON.readTree(Http.get(second.baseUrl() + "/billing/balance", second.apiKey()).body());
      assertThat(Money.parse(after.get("balance").asText(), true)).isEqualTo(balanceBefore + 5 * 1_250_000L);
      assertThat(Http.get(second.baseUrl() + "/models", secret).status()).isEqualTo(200);
    } finally {
      second.process().destroy();
      second.process().waitFor(60, TimeUnit.SECONDS);
    }
  }
}
