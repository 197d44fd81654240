package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 end to end: a child gateway under load — short requests and long streams — is killed with SIGKILL and
 * restarted on the same data. Afterwards every billing record has its usage record at the same cost (the two
 * agree in count and sum), every request the client saw complete is charged once at the amount it was told, the
 * wallet equals top-ups minus charges, and each long stream cut by the kill is charged once, as "interrupted",
 * more than nothing and no more than the complete answer costs.
 */
abstract class KillMidStreamContract {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"crash me\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"crash me\"}]}";
  static final String LONG = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":1000,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story\"}]}";
  static final String LONG_SIM = "chunks=200;gap=20";
  static final int LONG_STREAMS = 3;

  /** A database URL for the child ("" = the embedded H2 in its data dir). */
  abstract String databaseUrl();

  record Child(ChildJvm jvm, String baseUrl, String apiKey) {}

  /** Every child this test started: killed after it, whatever happened. */
  private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

  Child launch(Path dataDir, String dbUrl) throws Exception {
    List<String> args = new ArrayList<>(List.of("demo", "--port", Integer.toString(TestGateway.freePort()), "--data-dir",
        dataDir.toString(), "--key-rpm", "1000000"));
    if (!dbUrl.isEmpty()) args.addAll(List.of("--database-url", dbUrl));
    ChildJvm jvm = ChildJvm.start(List.of(), args, Map.of("LJQ_DATABASE_USERNAME", Databases.PG_USER),
        dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log"),
        Set.of("LJQ_BASE_URL", "LJQ_API_KEY"), Duration.ofSeconds(90));
    children.add(jvm);
    return new Child(jvm, jvm.value("LJQ_BASE_URL"), jvm.value("LJQ_API_KEY"));
  }

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
  }

  /** The cost the final usage chunk told the client, or null when the stream did not complete. */
  static Long toldCost(List<String> events) {
    try {
      if (events.size() < 2 || !events.get(events.size() - 1).equals("[DONE]")) return null;
      JsonNode usage = Http.JSON.readTree(events.get(events.size() - 2)).get("usage");
      return usage == null ? null : usage.get("cost").decimalValue().movePointRight(6).longValueExact();
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void killDashNineMidStreamLosesNoUsageRecordAndChargesTheCutStreamsOnce() throws Exception {
    String dbUrl = databaseUrl();
    Path dataDir = Files.createTempDirectory("ljq-kill").resolve("data");
    Child first = launch(dataDir, dbUrl);

    // What a complete long answer costs.
    long fullCost;
    try (Http.Stream s = Http.stream(first.baseUrl() + "/chat/completions", first.apiKey(), LONG, "x-ljq-sim", LONG_SIM)) {
      assertThat(s.status).isEqualTo(200);
      Long told = toldCost(s.rest());
      assertThat(told).isNotNull().isPositive();
      fullCost = told;
    }

    Map<String, Long> completed = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> cut = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4 + LONG_STREAMS);
    CountDownLatch warm = new CountDownLatch(30);
    CountDownLatch longStarted = new CountDownLatch(LONG_STREAMS);
    for (int t = 0; t < 4; t++) {
      boolean streams = t % 2 == 0;
      pool.submit(() -> {
        while (!stop.get()) {
          try {
            if (streams) {
              try (Http.Stream s = Http.stream(first.baseUrl() + "/chat/completions", first.apiKey(), STREAM,
                  "x-ljq-sim", "gap=2")) {
                if (s.status != 200) continue;
                Long told = toldCost(s.rest());
                if (told != null) completed.put(s.headers.firstValue("x-request-id").orElseThrow(), told);
              }
            } else {
              Http.Reply r = Http.postJson(first.baseUrl() + "/chat/completions", first.apiKey(), CHAT);
              if (r.status() == 200) completed.put(r.header("x-request-id"), Money.parse(r.header("x-ljq-cost"), true));
            }
            warm.countDown();
          } catch (Throwable e) {
            // the process is being killed: requests in flight fail, which is expected
          }
        }
      });
    }
    try {
      killMidStream(first, pool, cut, warm, longStarted);
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(completed).hasSizeGreaterThan(20);

    // Restart on the same data: the journal is replayed (cut streams charged their last progress), then stop cleanly.
    Child second = launch(dataDir, dbUrl);
    Http.Reply ok = Http.postJson(second.baseUrl() + "/chat/completions", second.apiKey(), CHAT);
    assertThat(ok.status()).isEqualTo(200);
    completed.put(ok.header("x-request-id"), Money.parse(ok.header("x-ljq-cost"), true));
    assertThat(second.jvm().stop(Duration.ofSeconds(60))).as("a graceful stop").isTrue(); // SIGTERM

    try (Database db = dbUrl.isEmpty() ? Database.open(Database.embeddedUrl(dataDir), "", "", 2)
        : Database.open(dbUrl, Databases.PG_USER, "", 2);
         Connection c = db.dataSource().getConnection()) {
      long[] billing = row(c, "SELECT COUNT(*), COALESCE(SUM(amount_micros), 0) FROM billing_records");
      long[] usage = row(c, "SELECT COUNT(*), COALESCE(SUM(u.cost_micros), 0) FROM usage_records u "
          + "WHERE EXISTS (SELECT 1 FROM billing_records b WHERE b.request_id = u.request_id)");
      long[] unmatched = row(c, "SELECT COUNT(*), 0 FROM billing_records b LEFT JOIN usage_records u "
          + "ON u.request_id = b.request_id WHERE u.request_id IS NULL OR u.cost_micros <> b.amount_micros");
      assertThat(billing[0]).isGreaterThan(completed.size() - 1L);
      assertThat(usage).as("usage records of billed requests (count, sum) against billing records").containsExactly(billing);
      assertThat(unmatched[0]).as("billing records without a usage record at the same cost").isZero();
      // Nothing else: every request of this run passed Reserve, so every usage record is a billed one.
      assertThat(row(c, "SELECT COUNT(*), 0 FROM usage_records")[0]).isEqualTo(billing[0]);

      for (var e : completed.entrySet()) {
        assertThat(charges(c, e.getKey())).as("charges of " + e.getKey()).containsExactly(e.getValue());
      }
      for (var e : cut.entrySet()) {
        List<Long> charged = charges(c, e.getKey());
        assertThat(charged).as("charges of the cut stream " + e.getKey()).hasSize(1);
        assertThat(charged.get(0)).as("charge of the cut stream " + e.getKey()).isPositive().isLessThanOrEqualTo(fullCost);
        assertThat(text(c, "SELECT outcome FROM usage_records WHERE request_id = ?", e.getKey())).isEqualTo("interrupted");
      }
      long topups = row(c, "SELECT COALESCE(SUM(amount_micros), 0), 0 FROM topups")[0];
      long balance = row(c, "SELECT COALESCE(SUM(balance_micros), 0), 0 FROM wallets")[0];
      assertThat(balance).as("wallet = top-ups − charges").isEqualTo(topups - billing[1]);
      long walletEntries = row(c, "SELECT COALESCE(SUM(amount_micros), 0), 0 FROM ledger_entries WHERE account = 'wallet'")[0];
      assertThat(walletEntries).as("the wallet's ledger entries").isEqualTo(balance);
    } finally {
      Databases.dropIfPostgres(dbUrl);
    }
  }

  /** Once the short requests run: starts the long streams and kills the gateway when each has relayed 90 chunks. */
  private static void killMidStream(Child first, ExecutorService pool, Map<String, AtomicInteger> cut, CountDownLatch warm,
                                    CountDownLatch longStarted) throws InterruptedException {
    assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
    for (int t = 0; t < LONG_STREAMS; t++) {
      pool.submit(() -> {
        try (Http.Stream s = Http.stream(first.baseUrl() + "/chat/completions", first.apiKey(), LONG,
            "x-ljq-sim", LONG_SIM)) {
          AtomicInteger chunks = new AtomicInteger();
          cut.put(s.headers.firstValue("x-request-id").orElseThrow(), chunks);
          longStarted.countDown();
          while (s.nextData() != null) chunks.incrementAndGet();
        } catch (Throwable e) {
          // killed mid-stream, as intended
        }
      });
    }
    assertThat(longStarted.await(60, TimeUnit.SECONDS)).isTrue();
    // Kill once every long stream has been relaying for well over a second (a progress entry is due each second).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (cut.values().stream().anyMatch(c -> c.get() < 90) && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(cut.values()).allSatisfy(c -> assertThat(c.get()).isBetween(90, 199));
    assertThat(first.jvm().kill()).as("gone after SIGKILL").isTrue(); // mid-load and mid-stream
  }

  static long[] row(Connection c, String sql) throws Exception {
    try (var ps = c.prepareStatement(sql); var rs = ps.executeQuery()) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  static List<Long> charges(Connection c, String requestId) throws Exception {
    List<Long> out = new ArrayList<>();
    try (var ps = c.prepareStatement("SELECT amount_micros FROM billing_records WHERE request_id = ?")) {
      ps.setString(1, requestId);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getLong(1));
      }
    }
    return out;
  }

  static String text(Connection c, String sql, String arg) throws Exception {
    try (var ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
