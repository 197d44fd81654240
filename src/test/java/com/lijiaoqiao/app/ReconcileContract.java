package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Issue 10: ljq reconcile holds independent sums against each other (journal, billing records, usage records,
 * ledger postings) and cannot be fooled by one of them changing alone. Each tampering below passed the old
 * reconcile; each must now exit 1 and name what differs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ReconcileContract {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"stream\":true,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final ObjectMapper JSON = new ObjectMapper();

  TestGateway gw;
  final List<String> requests = new ArrayList<>();

  abstract Databases.Kind database();

  @BeforeEach
  void load() throws Exception {
    gw = TestGateway.start(database(), c -> c.billing.models.put("gpt-4o-mini",
        price()));
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 10_000_000, "reconcile-" + UUID.randomUUID(), "start", null);
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
    for (String id : requests) awaitRows("SELECT COUNT(*) FROM billing_records b JOIN usage_records u "
        + "ON u.request_id = b.request_id WHERE b.request_id = '" + id + "'");
  }

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void aCleanRunAfterLoadReconcilesLiveAndStopped() throws Exception {
    JsonNode live = adminReconcile();
    assertThat(live.get("ok").asBoolean()).as(live.toString()).isTrue();
    assertThat(live.get("drifts")).isEmpty();
    assertThat(live.at("/figures/billing_records").asLong()).isEqualTo(6);
    assertThat(live.at("/figures/usage_records_of_billed_requests").asLong()).isEqualTo(6);
    assertThat(live.at("/figures/journaled_settlements").asLong()).isEqualTo(6);
    assertThat(live.at("/figures/open_reservation_count").asLong()).isZero();
    HttpRequest member = HttpRequest.newBuilder(URI.create(adminUrl())).header(TestCallers.HEADER,
        TestCallers.member(gw.userId, gw.tenantId)).GET().build();
    assertThat(Http.send(member).status()).isEqualTo(403);

    gw.stop();
    Reconciled r = reconcile();
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("RECONCILED").doesNotContain("DRIFT").contains("journaled settlements")
        .containsPattern("billing records since journal began\\s+6\\R");
  }

  @Test
  void aDeletedBillingRecordIsNamedEvenWhenItsPostingsAndWalletAreMadeToAgree() throws Exception {
    gw.stop();
    String id = requests.get(2);
    long cost = single("SELECT amount_micros FROM billing_records WHERE request_id = '" + id + "'");
    // The old check took charges from the billing records themselves: delete the record, take its cost off the
    // charge postings and give it back to the wallet, and every database-only sum agrees again.
    sql("DELETE FROM billing_records WHERE request_id = '" + id + "'");
    long txn = single("SELECT MAX(id) FROM ledger_entries WHERE kind = 'charge' AND account = 'revenue'");
    String txnId = text("SELECT txn_id FROM ledger_entries WHERE id = " + txn);
    sql("UPDATE ledger_entries SET amount_micros = amount_micros - " + cost + " WHERE txn_id = '" + txnId + "' AND account = 'revenue'");
    sql("UPDATE ledger_entries SET amount_micros = amount_micros + " + cost + " WHERE txn_id = '" + txnId + "' AND account = 'wallet'");
    sql("UPDATE wallets SET balance_micros = balance_micros + " + cost + " WHERE tenant_id = " + gw.tenantId);
    Reconciled r = reconcile();
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("DRIFT journal").contains(id + ": journaled " + Money.format(cost))
        .contains("DRIFT unbilled_usage").contains(id + ": " + Money.format(cost)).contains("DRIFT journal_totals");
  }

  @Test
  void aRemovedOrAlteredPostingIsNamed() throws Exception {
    gw.stop();
    String txnId = text("SELECT MIN(txn_id) FROM ledger_entries WHERE kind = 'charge'");
    sql("UPDATE ledger_entries SET amount_micros = amount_micros + 7 WHERE txn_id = '" + txnId + "' AND account = 'revenue'");
    Reconciled altered = reconcile();
    assertThat(altered.exit()).as(altered.out()).isEqualTo(1);
    assertThat(altered.out()).contains("DRIFT unbalanced_transactions").contains(txnId + " sums to 7")
        .contains("DRIFT charge_postings").contains("tenant " + gw.tenantId);

    sql("DELETE FROM ledger_entries WHERE txn_id = '" + txnId + "'");
    Reconciled removed = reconcile();
    assertThat(removed.exit()).as(removed.out()).isEqualTo(1);
    assertThat(removed.out()).contains("DRIFT charge_postings").contains("DRIFT wallet_entries")
        .contains("tenant " + gw.tenantId);
  }

  @Test
  void aMissingUsageRecordOrOneOfAnotherCostIsNamed() throws Exception {
    gw.stop();
    String missing = requests.get(0);
    String other = requests.get(1);
    long cost = single("SELECT amount_micros FROM billing_records WHERE request_id = '" + other + "'");
    sql("DELETE FROM usage_records WHERE request_id = '" + missing + "'");
    sql("UPDATE usage_records SET cost_micros = cost_micros + 1 WHERE request_id = '" + other + "'");
    Reconciled r = reconcile();
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("DRIFT usage_records: 2 billed requests").contains(missing + ": ")
        .contains(missing).contains("vs missing").contains(other + ": " + Money.format(cost) + " vs " + Money.format(cost + 1));
  }

  @Test
  void aNegativeBalanceIsReportedWithItsAmount() throws Exception {
    // An upstream that overruns max_tokens is charged in full, even past the balance.
    String id = "overdraft-" + UUID.randomUUID().toString().substring(0, 8);
    long balance = gw.gateway.billing().wallets().snapshot(gw.tenantId).balance();
    gw.gateway.billing().reserve(id, gw.tenantId, "gpt-4o-mini", 1, 1);
    gw.gateway.billing().settle(new Settlement(id, gw.tenantId, gw.userId, 1, "gpt-4o-mini", "sim", 1, 1, 0, 0,
        false, 1, balance + 2_500_000, System.currentTimeMillis()));
    awaitRows("SELECT COUNT(*) FROM billing_records WHERE request_id = '" + id + "'");
    sql("INSERT INTO usage_records(request_id, tenant_id, user_id, api_key_id, endpoint, model, status_code, outcome, "
        + "cost_micros) VALUES ('" + id + "', " + gw.tenantId + ", " + gw.userId + ", 1, 'chat', 'gpt-4o-mini', 200, "
        + "'ok', " + (balance + 2_500_000) + ")");
    gw.stop();
    Reconciled r = reconcile();
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("DRIFT negative_balances").contains("tenant " + gw.tenantId + ": -2.50");
    assertThat(r.out()).doesNotContain("DRIFT journal").doesNotContain("DRIFT usage");
  }

  @Test
  void aJournaledSettlementThatNeverReachedTheLedgerIsNamed() throws Exception {
    gw.stop();
    // What a lost shipment looks like: the journal holds it and its checkpoint has passed it, the ledger not.
    String id = "lost-" + UUID.randomUUID().toString().substring(0, 8);
    Path journal = gw.dataDir.resolve("journal/settlements.journal");
    Files.writeString(journal, JSON.writeValueAsString(new Settlement(id, gw.tenantId, gw.userId, 1, "gpt-4o-mini",
        "sim", 10, 5, 0, 0, false, 4321, 4321, System.currentTimeMillis())) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    Files.writeString(gw.dataDir.resolve("journal/settlements.checkpoint"), Long.toString(Files.size(journal)));
    Reconciled r = reconcile();
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).contains("DRIFT journal: 1 journaled settlements").contains(id + ": journaled 0.004321")
        .contains("no billing record").contains("DRIFT journal_totals: journaled 7 settlements");
  }

  // --- helpers

  static GatewayConfig.PriceSpec price() {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = "0.15";
    p.output = "0.60";
    p.cachedInput = "0.075";
    return p;
  }

  String adminUrl() {
    return gw.baseUrl().replace("/v1", "") + "/admin/reconcile";
  }

  JsonNode adminReconcile() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(adminUrl())).timeout(Duration.ofSeconds(30))
        .header(TestCallers.HEADER, TestCallers.admin()).GET().build();
    Http.Reply r = Http.send(req);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  Database db() {
    String url = gw.config.database.url.isBlank() ? Database.embeddedUrl(gw.dataDir) : gw.config.database.url;
    return Database.open(url, gw.config.database.username, gw.config.database.password, 2);
  }

  void sql(String sql) throws Exception {
    try (Database db = db(); var c = db.dataSource().getConnection(); var st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  long single(String sql) throws Exception {
    return Long.parseLong(text(sql));
  }

  String text(String sql) throws Exception {
    try (Database db = db(); var c = db.dataSource().getConnection(); var st = c.createStatement();
         var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  void awaitRows(String countSql) throws Exception {
    var ds = gw.gateway.database().dataSource();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try (var c = ds.getConnection(); var st = c.createStatement(); var rs = st.executeQuery(countSql)) {
        rs.next();
        if (rs.getLong(1) > 0) return;
      }
      if (System.nanoTime() > deadline) throw new AssertionError("never written: " + countSql);
      Thread.sleep(20);
    }
  }

  record Reconciled(int exit, String out) {}

  Reconciled reconcile() throws Exception {
    Path yaml = gw.dataDir.resolveSibling(gw.dataDir.getFileName() + "-reconcile.yaml");
    Files.writeString(yaml, "data_dir: \"" + gw.dataDir + "\"\ndatabase:\n  url: \"" + gw.config.database.url
        + "\"\n  username: \"" + gw.config.database.username + "\"\n");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new Main()).execute("reconcile", "--config", yaml.toString());
    } finally {
      System.setOut(old);
      Files.deleteIfExists(yaml);
    }
    return new Reconciled(exit, buf.toString(StandardCharsets.UTF_8));
  }
}
