package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
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

  static final Set<String> READY = Set.of("LJQ_BASE_URL", "LJQ_API_KEY", "LJQ_ADMIN_EMAIL", "LJQ_ADMIN_PASSWORD");

  /** Every child this test started: killed after it, whatever happened. */
  private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

  /** {@code ljq demo} as a child JVM on this data directory; returns once it serves (its log beside the directory). */
  static ChildJvm demo(Path dataDir, int port) throws Exception {
    return ChildJvm.start(List.of(), List.of("demo", "--port", Integer.toString(port), "--data-dir",
            dataDir.toString()), Map.of(), dataDir.resolveSibling(dataDir.getFileName() + "-" + port + ".log"), READY,
        Duration.ofSeconds(90));
  }

  ChildJvm launch(Path dataDir, int port) throws Exception {
    ChildJvm child = demo(dataDir, port);
    children.add(child);
    return child;
  }

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void killDashNineLosesNoChargeAndChargesNothingTwice() throws Exception {
    Path dataDir = Files.createTempDirectory("ljq-crash").resolve("data");
    ChildJvm first = launch(dataDir, TestGateway.freePort());
    Map<String, Long> completed = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    String base = first.value("LJQ_BASE_URL");
    String apiKey = first.value("LJQ_API_KEY");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch warm = new CountDownLatch(30);
    for (int t = 0; t < 6; t++) {
      boolean streams = t % 2 == 0;
      pool.submit(() -> {
        while (!stop.get()) {
          try {
            if (streams) {
              try (Http.Stream s = Http.stream(base + "/chat/completions", apiKey, STREAM,
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
              Http.Reply r = Http.postJson(base + "/chat/completions", apiKey, CHAT);
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
    try {
      assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(500);
      first.kill(); // SIGKILL, mid-load
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(completed).hasSizeGreaterThan(20);

    // Restart on the same data: unshipped settlements are replayed, open reservations are gone.
    ChildJvm second = launch(dataDir, TestGateway.freePort());
    Http.Reply ok = Http.postJson(second.value("LJQ_BASE_URL") + "/chat/completions", apiKey, CHAT);
    assertThat(ok.status()).isEqualTo(200);
    completed.put(ok.header("x-request-id"), Money.parse(ok.header("x-ljq-cost"), true));
    assertThat(second.stop(Duration.ofSeconds(60))).as("a graceful stop").isTrue(); // SIGTERM

    ChildJvm.Result reconcile = ChildJvm.run(List.of("reconcile", "--data-dir", dataDir.toString()), Duration.ofSeconds(90));
    assertThat(reconcile.exitCode()).as(reconcile.output()).isZero();
    assertThat(reconcile.output()).contains("RECONCILED");

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
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aManagementChangeAnsweredIsThereAfterKillDashNine() throws Exception {
    Path dataDir = Files.createTempDirectory("ljq-durable").resolve("data");
    ChildJvm first = launch(dataDir, TestGateway.freePort());
    String base = first.value("LJQ_BASE_URL");
    String apiKey = first.value("LJQ_API_KEY");
    Http.Reply login = Http.postJson(base + "/auth/token", null,
        "{\"email\":\"" + first.value("LJQ_ADMIN_EMAIL") + "\",\"password\":\"" + first.value("LJQ_ADMIN_PASSWORD") + "\"}");
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    String admin = Http.JSON.readTree(login.body()).get("access_token").asText();
    JsonNode before = Http.JSON.readTree(Http.get(base + "/billing/balance", apiKey).body());
    long tenant = before.get("tenant_id").asLong();
    long balanceBefore = Money.parse(before.get("balance").asText(), true);
    for (int i = 0; i < 5; i++) {
      Http.Reply credit = Http.postJson(base.replace("/v1", "") + "/admin/tenants/" + tenant + "/credit", admin,
          "{\"amount\":\"1.25\",\"note\":\"durable " + i + "\"}", "idempotency-key", "durable-credit-" + i);
      assertThat(credit.status()).as(credit.body()).isIn(200, 201);
    }
    Http.Reply key = Http.postJson(base + "/keys", admin, "{\"name\":\"made just before the crash\"}");
    assertThat(key.status()).as(key.body()).isIn(200, 201);
    String secret = Http.JSON.readTree(key.body()).get("key").asText();
    first.kill(); // SIGKILL right after the answers

    ChildJvm second = launch(dataDir, TestGateway.freePort());
    try {
      JsonNode after = Http.JSON.readTree(Http.get(second.value("LJQ_BASE_URL") + "/billing/balance", apiKey).body());
      assertThat(Money.parse(after.get("balance").asText(), true)).isEqualTo(balanceBefore + 5 * 1_250_000L);
      assertThat(Http.get(second.value("LJQ_BASE_URL") + "/models", secret).status()).isEqualTo(200);
    } finally {
      second.stop(Duration.ofSeconds(60));
    }
  }
}
