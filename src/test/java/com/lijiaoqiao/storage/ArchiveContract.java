package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.app.Main;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.S3Server;
import com.lijiaoqiao.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Issue 18: a day of mixed traffic (non-stream and stream calls, a failed call, a top-up, an audited change) is
 * archived to a real S3-compatible server; the manifests' counts and sums equal the database's and the ledger's;
 * {@code ljq reconcile --archive} passes, and fails once an archived file is altered; retention prunes only verified
 * windows; the store going away in the middle of an upload loses nothing, and the next run completes the window.
 * "Today" is archived by an archiver whose clock stands two days ahead (the job archives only finished days).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class ArchiveContract {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"stream\":true,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static S3Server s3;

  TestGateway gw;
  String prefix;
  final LocalDate today = LocalDate.now(ZoneOffset.UTC);
  final List<String> requests = new ArrayList<>();

  abstract Databases.Kind database();

  @BeforeAll
  static void startStore() throws Exception {
    s3 = new S3Server();
  }

  @AfterAll
  static void stopStore() throws Exception {
    s3.close();
  }

  @BeforeEach
  void traffic() throws Exception {
    s3.start();
    prefix = "arch-" + UUID.randomUUID().toString().substring(0, 8);
    gw = TestGateway.start(database(), c -> {
      GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
      p.input = "0.15";
      p.output = "0.60";
      c.billing.models.put("gpt-4o-mini", p);
      s3.configure(c, prefix);
      c.storage.archive.enabled = false; // the tests drive the archiver themselves
    });
    gw.gateway.billing().credit(gw.tenantId, 10_000_000, "arch-" + UUID.randomUUID(), "start", null);
    gw.gateway.audit().append(new AuditRepository.Event(null, null, gw.tenantId, "test.change", "tenant",
        String.valueOf(gw.tenantId), "{\"a\":1}", "{\"a\":2}", null, null));
    for (int i = 0; i < 6; i++) {
      if (i % 2 == 0) {
        Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, CHAT);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        requests.add(r.header("x-request-id"));
      } else {
        try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey, STREAM)) {
          assertThat(s.status).isEqualTo(200);
          requests.add(s.headers.firstValue("x-request-id").orElseThrow());
          s.rest();
        }
      }
    }
    Http.Reply bad = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(bad.status()).isGreaterThanOrEqualTo(400);
    for (String id : requests) awaitRows("SELECT COUNT(*) FROM billing_records b JOIN usage_records u "
        + "ON u.request_id = b.request_id WHERE b.request_id = '" + id + "'");
    awaitRows("SELECT COUNT(*) FROM usage_records WHERE request_id = '" + bad.header("x-request-id") + "'");
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) gw.close();
    s3.start();
  }

  Archiver archiver(ObjectStore store, int rowsPerPart) {
    return new Archiver(store, gw.gateway.storageRepository(), "node-test", rowsPerPart,
        Clock.offset(Clock.systemUTC(), Duration.ofDays(2)), new StorageMetrics(
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
  }

  Manifest manifest(ArchiveKind k) {
    return Manifest.read(gw.gateway.objectStore().get(ArchiveFiles.manifestKey(k, today)));
  }

  @Test
  void aDayIsArchivedWithManifestsThatEqualTheLedgerAndReconcileChecksTheFiles() throws Exception {
    assertThat(archiver(gw.gateway.objectStore(), 4).archiveDays(today, today, Duration.ZERO)).isEqualTo(4);
    assertThat(archiver(gw.gateway.objectStore(), 4).archive(ArchiveKind.USAGE, today))
        .isEqualTo(Archiver.Result.ALREADY_DONE);

    Manifest billing = manifest(ArchiveKind.BILLING);
    Manifest usage = manifest(ArchiveKind.USAGE);
    Manifest ledger = manifest(ArchiveKind.LEDGER);
    Manifest audit = manifest(ArchiveKind.AUDIT);
    assertThat(billing.rows()).isEqualTo(6).isEqualTo(single("SELECT COUNT(*) FROM billing_records"));
    long charged = single("SELECT -SUM(amount_micros) FROM ledger_entries WHERE kind = 'charge' AND account = 'wallet'");
    assertThat(charged).isPositive();
    assertThat(billing.sums().get("amount_micros")).isEqualTo(charged);
    assertThat(ledger.sums().get("wallet_charge_micros")).isEqualTo(charged);
    assertThat(ledger.sums().get("amount_micros")).isZero(); // every transaction balanced, all inside the day
    assertThat(ledger.rows()).isEqualTo(single("SELECT COUNT(*) FROM ledger_entries"));
    assertThat(usage.rows()).isEqualTo(7).isEqualTo(single("SELECT COUNT(*) FROM usage_records"));
    assertThat(usage.sums().get("cost_micros")).isEqualTo(charged);
    assertThat(audit.rows()).isEqualTo(single("SELECT COUNT(*) FROM audit_events")).isPositive();
    assertThat(usage.parts()).hasSize(2); // 4 rows a part
    assertThat(usage.schemaVersion()).isEqualTo(ArchiveKind.SCHEMA_VERSION);

    gw.stop();
    Reconciled ok = reconcile();
    assertThat(ok.exit()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("RECONCILED").contains("ARCHIVE VERIFIED").doesNotContain("DRIFT");

    // Someone alters an archived usage file behind the gateway's back: reconcile names it.
    Path part = s3.file(prefix + "/" + usage.parts().get(0).key());
    byte[] original = Files.readAllBytes(part);
    byte[] altered = original.clone();
    altered[altered.length / 2] ^= 0x01;
    Files.write(part, altered);
    Reconciled bad = reconcile();
    assertThat(bad.exit()).as(bad.out()).isEqualTo(1);
    assertThat(bad.out()).contains("ARCHIVE DRIFT DETECTED").contains(usage.parts().get(0).key() + " was altered");
    Files.write(part, original);
    assertThat(reconcile().exit()).isZero();
  }

  @Test
  void theStoreGoingAwayMidUploadLosesNothingAndTheNextRunCompletesTheWindow() throws Exception {
    long usageRows = single("SELECT COUNT(*) FROM usage_records");
    // The real server stops after the second part is stored: the third part's upload fails.
    ObjectStore store = gw.gateway.objectStore();
    int[] puts = {0};
    ObjectStore stopping = new ForwardingStore(store) {
      @Override
      public void put(String key, byte[] bytes, String contentType) {
        super.put(key, bytes, contentType);
        if (++puts[0] == 2) {
          try {
            s3.stop();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    };
    assertThat(archiver(stopping, 2).archive(ArchiveKind.USAGE, today)).isEqualTo(Archiver.Result.FAILED);
    ArchiveStore.Window w = gw.gateway.storageRepository().window(ArchiveKind.USAGE, today);
    assertThat(w.state()).isEqualTo("uploading");
    assertThat(w.lastError()).contains("object store");
    // Retention cannot touch a window that never verified: every row is still in the database.
    assertThat(archiver(store, 2).prune(1)).isZero();
    assertThat(single("SELECT COUNT(*) FROM usage_records")).isEqualTo(usageRows);
    assertThat(gw.gateway.readiness().checks().get("object_storage")).startsWith("degraded");
    assertThat(gw.gateway.readiness().ready()).isTrue();

    s3.start();
    assertThat(archiver(store, 2).archive(ArchiveKind.USAGE, today)).isEqualTo(Archiver.Result.ARCHIVED);
    Manifest m = manifest(ArchiveKind.USAGE);
    assertThat(m.rows()).isEqualTo(usageRows);
    assertThat(m.parts()).hasSize((int) ((usageRows + 1) / 2));
    assertThat(gw.gateway.readiness().checks().get("object_storage")).isEqualTo("ok");
  }

  @Test
  void retentionPrunesOnlyVerifiedUsageWindowsAndTheBooksStillReconcile() throws Exception {
    long usageRows = single("SELECT COUNT(*) FROM usage_records");
    long billingRows = single("SELECT COUNT(*) FROM billing_records");
    Archiver later = new Archiver(gw.gateway.objectStore(), gw.gateway.storageRepository(), "node-test", 1000,
        Clock.offset(Clock.systemUTC(), Duration.ofDays(40)), new StorageMetrics(
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    assertThat(later.prune(30)).as("nothing verified yet").isZero();
    assertThat(single("SELECT COUNT(*) FROM usage_records")).isEqualTo(usageRows);

    assertThat(later.archiveDays(today, today, Duration.ZERO)).isEqualTo(4);
    assertThat(later.prune(60)).as("within the retention").isZero();
    assertThat(later.prune(30)).isEqualTo(usageRows);
    assertThat(single("SELECT COUNT(*) FROM usage_records")).isZero();
    assertThat(single("SELECT COUNT(*) FROM billing_records")).isEqualTo(billingRows); // never pruned
    assertThat(gw.gateway.storageRepository().window(ArchiveKind.USAGE, today).state()).isEqualTo("pruned");
    assertThat(gw.gateway.storageRepository().window(ArchiveKind.BILLING, today).state()).isEqualTo("verified");

    gw.stop();
    Reconciled r = reconcile();
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("RECONCILED").contains("ARCHIVE VERIFIED");
  }

  // helpers

  record Reconciled(int exit, String out) {}

  Reconciled reconcile() throws Exception {
    Path yaml = gw.dataDir.resolveSibling(gw.dataDir.getFileName() + "-reconcile.yaml");
    GatewayConfig.S3 c = gw.config.storage.s3;
    Files.writeString(yaml, "data_dir: \"" + gw.dataDir + "\"\ndatabase:\n  url: \"" + gw.config.database.url
        + "\"\n  username: \"" + gw.config.database.username + "\"\nstorage:\n  s3:\n    enabled: true\n"
        + "    endpoint: \"" + c.endpoint + "\"\n    bucket: \"" + c.bucket + "\"\n    prefix: \"" + c.prefix
        + "\"\n    path_style: true\n    access_key_id: \"" + c.accessKeyId + "\"\n    secret_access_key: \""
        + c.secretAccessKey + "\"\n");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new Main()).execute("reconcile", "--archive", "--config", yaml.toString());
    } finally {
      System.setOut(old);
      Files.deleteIfExists(yaml);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain(S3Server.SECRET_KEY);
    return new Reconciled(exit, out);
  }

  long single(String sql) throws Exception {
    if (gw.gateway.database() != null && !stopped()) {
      try (var c = gw.gateway.database().dataSource().getConnection(); var st = c.createStatement();
           var rs = st.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
    String url = gw.config.database.url.isBlank() ? Database.embeddedUrl(gw.dataDir) : gw.config.database.url;
    try (Database db = Database.open(url, gw.config.database.username, gw.config.database.password, 2);
         var c = db.dataSource().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private boolean stopped() {
    try (var c = gw.gateway.database().dataSource().getConnection()) {
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  void awaitRows(String countSql) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (single(countSql) == 0) {
      if (System.nanoTime() > deadline) throw new AssertionError("never written: " + countSql);
      Thread.sleep(20);
    }
  }
}
