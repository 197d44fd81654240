package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.testing.ChildJvm;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * SIGTERM under load on the embedded database: H2 must not close itself from its own shutdown hook while the
 * gateway still drains. After the process exits, every settlement is already in the ledger (nothing is left for
 * the next start's replay) and every completed request has its usage record.
 */
class SigtermDrainTest {
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void sigtermUnderLoadShipsEverySettlementAndUsageRecordBeforeTheDatabaseCloses() throws Exception {
    Path dataDir = Files.createTempDirectory("ljq-sigterm").resolve("data");
    int port = TestGateway.freePort();
    try (ChildJvm gw = CrashRecoveryTest.demo(dataDir, port)) {
      drainUnderLoad(dataDir, port, gw);
    }
  }

  private static void drainUnderLoad(Path dataDir, int port, ChildJvm gw) throws Exception {
    String base = gw.value("LJQ_BASE_URL");
    String apiKey = gw.value("LJQ_API_KEY");
    Map<String, Long> completed = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch warm = new CountDownLatch(30);
    for (int t = 0; t < 6; t++) {
      pool.submit(() -> {
        while (!stop.get()) {
          try {
            // A slow-ish answer keeps requests in flight when SIGTERM arrives; they finish within the grace.
            Http.Reply r = Http.postJson(base + "/chat/completions", apiKey, CrashRecoveryTest.CHAT,
                "x-ljq-sim", "latency=300");
            if (r.status() == 200) completed.put(r.header("x-request-id"), Money.parse(r.header("x-ljq-cost"), true));
            warm.countDown();
          } catch (Throwable e) {
            // the gateway is stopping: new connections are refused
          }
        }
      });
    }
    try {
      assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
      // SIGTERM with requests in flight and settlements queued
      assertThat(gw.stop(Duration.ofSeconds(90))).as("a graceful stop").isTrue();
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(completed).hasSizeGreaterThan(20);

    String log = Files.readString(dataDir.resolveSibling(dataDir.getFileName() + "-" + port + ".log"),
        StandardCharsets.UTF_8);
    assertThat(log).doesNotContain("already closed").doesNotContain("failed, retrying")
        .doesNotContain("leaving");
    try (SettlementJournal journal = new SettlementJournal(dataDir.resolve("journal"))) {
      assertThat(journal.unshipped()).as("settlements left for the next start").isEmpty();
    }
    try (Database db = Database.open(Database.embeddedUrl(dataDir), "", "", 2);
         var c = db.dataSource().getConnection();
         var billed = c.prepareStatement("SELECT COUNT(*), MIN(amount_micros) FROM billing_records WHERE request_id = ?");
         var used = c.prepareStatement("SELECT COUNT(*), MIN(cost_micros) FROM usage_records WHERE request_id = ?")) {
      for (var e : completed.entrySet()) {
        for (var ps : java.util.List.of(billed, used)) {
          ps.setString(1, e.getKey());
          try (var rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).as("records of " + e.getKey()).isEqualTo(1);
            assertThat(rs.getLong(2)).as("cost of " + e.getKey()).isEqualTo(e.getValue());
          }
        }
      }
    }
  }
}
