package com.lijiaoqiao.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.billing.Earning;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.supply.SupplyStore.Account;
import com.lijiaoqiao.supply.SupplyStore.EarningGroup;
import com.lijiaoqiao.supply.SupplyStore.Package;
import com.lijiaoqiao.supply.SupplyStore.Payout;
import com.lijiaoqiao.supply.SupplyStore.Totals;
import com.lijiaoqiao.testing.Databases;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The marketplace's store on both databases: suppliers, accounts, packages, earnings and payouts with their books. */
class SupplyRepositoryTest {
  private static final Instant T0 = Instant.parse("2025-03-10T22:00:00Z");

  private final List<String> schemas = new ArrayList<>();
  private final List<Database> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(Database::close);
    open.clear();
    schemas.forEach(Databases::dropIfPostgres);
    schemas.clear();
  }

  /** A fresh, migrated database of its own: no other test's rows. */
  private Fixture fixture(Databases.Kind kind, int pool) throws Exception {
    String url = Databases.freshUrl(kind);
    schemas.add(url);
    if (url.isEmpty()) url = Database.embeddedUrl(Files.createTempDirectory("ljq-supply"));
    Database db = Database.open(url, kind == Databases.Kind.POSTGRES ? Databases.PG_USER : "", "", pool);
    open.add(db);
    db.migrate();
    return new Fixture(db);
  }

  private Fixture fixture(Databases.Kind kind) throws Exception {
    return fixture(kind, 4);
  }

  private static final class Fixture {
    final Database db;
    final SupplyRepository supply;
    final LedgerRepository ledger;
    final AccountRepository tenants;
    final Map<Long, Long> users = new LinkedHashMap<>();
    int requests;

    Fixture(Database db) {
      this.db = db;
      this.supply = new SupplyRepository(db.dataSource(), db.isPostgres());
      this.ledger = new LedgerRepository(db.dataSource(), db.isPostgres());
      this.tenants = new AccountRepository(db.dataSource());
    }

    long supplier(String name) {
      long t = tenants.createTenant(name);
      supply.ensureSupplier(t);
      return t;
    }

    /** A tenant that buys, with the user its requests are billed to. */
    long consumer() {
      long t = tenants.createTenant("Buyer");
      users.put(t, tenants.createUser("buyer" + t + "@supply.test", "hash", "Buyer", t, "member"));
      return t;
    }

    Account account(long supplier) {
      Map<String, String> models = new LinkedHashMap<>();
      models.put("gpt-4o", "gpt-4o-2024-08-06");
      models.put("claude-sonnet", "claude-sonnet-4-5");
      models.put("a-last", "up-a");
      return supply.insertAccount(new Account(0, supplier, "main", "openai", "openai", "https://up.test/v1", "enc:v1:xyz",
          models, 60, 100_000, 4, "pending", null, null, null, null, null));
    }

    Package pkg(long supplier, long account) {
      return supply.insertPackage(new Package(0, supplier, account, "starter", List.of("gpt-4o", "claude-sonnet"),
          1_000_000, 0, 2_000_000, 8_000_000, 1_000_000, 30, 3, 20, "pool-a", "draft", null, null, null, null));
    }

    /** A served request that earned {@code amount} for the supplier at {@code at}, through the ledger. */
    void earn(long consumer, Package p, String model, long tokens, long amount, Instant at) {
      String id = "req_" + (++requests);
      ledger.applySettlements(List.of(new Settlement(id, consumer, users.get(consumer), 1, model, "pool-a", tokens, 0, 0, 0, false, 0,
          amount + 10, at.toEpochMilli(), false, null,
          List.of(new Earning(p.id(), p.supplierId(), p.accountId(), tokens, 0, 0, amount)))), List.of());
    }

    Map<String, Long> ledgerSums(String txn) throws Exception {
      Map<String, Long> out = new LinkedHashMap<>();
      try (Connection c = db.dataSource().getConnection();
           PreparedStatement ps = c.prepareStatement("SELECT account, amount_micros, kind FROM ledger_entries "
               + "WHERE txn_id = ? ORDER BY id")) {
        ps.setString(1, txn);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) out.merge(rs.getString(1) + "/" + rs.getString(3), rs.getLong(2), Long::sum);
        }
      }
      return out;
    }

    long accountBalance(String account, long tenant) throws Exception {
      try (Connection c = db.dataSource().getConnection();
           PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries "
               + "WHERE account = ? AND tenant_id = ?")) {
        ps.setString(1, account);
        ps.setLong(2, tenant);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }

    long unbalancedTxns() throws Exception {
      try (Connection c = db.dataSource().getConnection();
           PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM (SELECT txn_id FROM ledger_entries "
               + "GROUP BY txn_id HAVING SUM(amount_micros) <> 0) x");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void suppliersAreEnsuredOnceListedByStatusAndPagedByTenant(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long a = f.tenants.createTenant("Alpha");
    long b = f.tenants.createTenant("Beta");
    long c = f.tenants.createTenant("Gamma");
    var first = f.supply.ensureSupplier(a);
    assertThat(first.tenantName()).isEqualTo("Alpha");
    assertThat(first.status()).isEqualTo("pending");
    assertThat(first.minMarginBps()).isNull();
    assertThat(first.createdAt()).isNotNull();
    assertThat(f.supply.ensureSupplier(a)).isEqualTo(first);
    f.supply.ensureSupplier(b);
    f.supply.ensureSupplier(c);
    assertThat(f.supply.supplier(f.tenants.createTenant("Not a supplier"))).isEmpty();

    var approved = f.supply.updateSupplier(b, "approved", 1500, 7, "checked").orElseThrow();
    assertThat(approved.status()).isEqualTo("approved");
    assertThat(approved.minMarginBps()).isEqualTo(1500);
    assertThat(approved.holdDays()).isEqualTo(7);
    assertThat(approved.note()).isEqualTo("checked");
    var unchanged = f.supply.updateSupplier(b, null, null, null, null).orElseThrow();
    assertThat(unchanged.status()).isEqualTo("approved");
    assertThat(unchanged.minMarginBps()).isEqualTo(1500);
    assertThat(unchanged.note()).isEqualTo("checked");
    assertThat(f.supply.updateSupplier(999_999, "approved", null, null, null)).isEmpty();

    assertThat(f.supply.suppliers(null, 10, 0)).extracting(s -> s.tenantId()).containsExactly(a, b, c);
    assertThat(f.supply.suppliers("pending", 10, 0)).extracting(s -> s.tenantId()).containsExactly(a, c);
    assertThat(f.supply.suppliers("approved", 10, 0)).extracting(s -> s.tenantName()).containsExactly("Beta");
    assertThat(f.supply.suppliers(null, 2, 0)).extracting(s -> s.tenantId()).containsExactly(a, b);
    assertThat(f.supply.suppliers(null, 2, b)).extracting(s -> s.tenantId()).containsExactly(c);
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void ensureSupplierRacesToOneRow(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind, 8);
    long t = f.tenants.createTenant("Racer");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Long>> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(pool.submit(() -> {
          go.await();
          return f.supply.ensureSupplier(t).tenantId();
        }));
      }
      go.countDown();
      for (Future<Long> r : all) assertThat(r.get()).isEqualTo(t);
    } finally {
      pool.shutdownNow();
    }
    assertThat(f.supply.suppliers(null, 10, 0)).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void accountsRoundTripWithTheirModelMapInOrder(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long other = f.supplier("Other");
    Account a = f.account(s);
    assertThat(a.id()).isPositive();
    assertThat(a.createdAt()).isNotNull();
    assertThat(a.updatedAt()).isNotNull();
    assertThat(a.models().keySet()).containsExactly("gpt-4o", "claude-sonnet", "a-last");
    assertThat(a.models()).containsEntry("gpt-4o", "gpt-4o-2024-08-06");
    assertThat(a.toString()).doesNotContain("enc:v1");
    assertThat(f.supply.account(a.id())).contains(a);
    f.account(other);

    Map<String, String> models = new LinkedHashMap<>();
    models.put("z", "z-up");
    models.put("b", "b-up");
    Instant probed = T0.truncatedTo(ChronoUnit.SECONDS);
    f.supply.updateAccount(new Account(a.id(), s, "renamed", "anthropic", "anthropic", "https://b.test", "enc:v2",
        models, 1, 2, 3, "active", "ok", probed, "200 in 120ms", null, null));
    Account back = f.supply.account(a.id()).orElseThrow();
    assertThat(back.name()).isEqualTo("renamed");
    assertThat(back.vendor()).isEqualTo("anthropic");
    assertThat(back.baseUrl()).isEqualTo("https://b.test");
    assertThat(back.credentialEnc()).isEqualTo("enc:v2");
    assertThat(back.models().keySet()).containsExactly("z", "b");
    assertThat(List.of(back.rpm(), back.tpm(), back.maxConcurrency())).containsExactly(1, 2, 3);
    assertThat(back.status()).isEqualTo("active");
    assertThat(back.probedAt()).isEqualTo(probed);
    assertThat(back.probeResult()).isEqualTo("200 in 120ms");
    assertThat(back.createdAt()).isEqualTo(a.createdAt());

    f.supply.setAccountStatus(a.id(), "suspended", "operator", null, null);
    Account suspended = f.supply.account(a.id()).orElseThrow();
    assertThat(suspended.status()).isEqualTo("suspended");
    assertThat(suspended.statusReason()).isEqualTo("operator");
    assertThat(suspended.probedAt()).isEqualTo(probed); // an operator's decision keeps the last probe
    f.supply.setAccountStatus(a.id(), "failing", "401", probed.plusSeconds(60), "401 unauthorized");
    Account failing = f.supply.account(a.id()).orElseThrow();
    assertThat(failing.probedAt()).isEqualTo(probed.plusSeconds(60));
    assertThat(failing.probeResult()).isEqualTo("401 unauthorized");

    assertThat(f.supply.accounts(s, null)).extracting(Account::id).containsExactly(a.id());
    assertThat(f.supply.accounts(null, null)).hasSize(2);
    assertThat(f.supply.accounts(null, "failing")).extracting(Account::id).containsExactly(a.id());
    assertThat(f.supply.accounts(other, "failing")).isEmpty();
    assertThat(f.supply.account(a.id() + 1000)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void packagesRoundTripAndAnEditKeepsWhatTheLedgerOwns(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long consumer = f.consumer();
    Account a = f.account(s);
    Package p = f.pkg(s, a.id());
    assertThat(p.id()).isPositive();
    assertThat(p.models()).containsExactly("gpt-4o", "claude-sonnet");
    assertThat(p.status()).isEqualTo("draft");
    assertThat(p.usedTokens()).isZero();
    assertThat(p.createdAt()).isNotNull();
    assertThat(f.supply.pkg(p.id())).contains(p);

    assertThat(f.supply.transition(p.id(), "draft", "active", T0, T0.plus(30, ChronoUnit.DAYS))).isTrue();
    f.earn(consumer, p, "gpt-4o", 1234, 500, T0);
    Package stale = p; // an edit from a copy read before the ledger counted tokens and the package went active
    f.supply.updatePackage(new Package(stale.id(), s, a.id(), "bigger", List.of("gpt-4o"), 5_000_000, 0, 3, 4, 5, 60,
        6, 7, "pool-b", "draft", T0, T0.plus(60, ChronoUnit.DAYS), null, null));
    Package back = f.supply.pkg(p.id()).orElseThrow();
    assertThat(back.name()).isEqualTo("bigger");
    assertThat(back.models()).containsExactly("gpt-4o");
    assertThat(back.quotaTokens()).isEqualTo(5_000_000);
    assertThat(List.of(back.inputPer1M(), back.outputPer1M(), back.cachedInputPer1M())).containsExactly(3L, 4L, 5L);
    assertThat(List.of(back.validDays(), back.maxConcurrency(), back.rpm())).containsExactly(60, 6, 7);
    assertThat(back.publicName()).isEqualTo("pool-b");
    assertThat(back.expiresAt()).isEqualTo(T0.plus(60, ChronoUnit.DAYS));
    assertThat(back.usedTokens()).isEqualTo(1234);
    assertThat(back.status()).isEqualTo("active");
    assertThat(back.remainingTokens()).isEqualTo(5_000_000 - 1234);

    Package second = f.pkg(s, a.id());
    assertThat(f.supply.packages(s, null)).extracting(Package::id).containsExactly(p.id(), second.id());
    assertThat(f.supply.packages(null, "draft")).extracting(Package::id).containsExactly(second.id());
    assertThat(f.supply.activePackages()).extracting(Package::id).containsExactly(p.id());
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void transitionsAreConditionalAndKeepTimesUnlessGiven(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    Package p = f.pkg(s, f.account(s).id());
    Instant expires = T0.plus(30, ChronoUnit.DAYS);
    assertThat(f.supply.transition(p.id(), "active", "paused", null, null)).isFalse(); // it is a draft
    assertThat(f.supply.transition(p.id(), "draft", "active", T0, expires)).isTrue();
    assertThat(f.supply.transition(p.id(), "draft", "active", T0.plusSeconds(1), null)).isFalse(); // the loser
    assertThat(f.supply.transition(p.id(), "active", "paused", null, null)).isTrue();
    Package paused = f.supply.pkg(p.id()).orElseThrow();
    assertThat(paused.status()).isEqualTo("paused");
    assertThat(paused.activatedAt()).isEqualTo(T0);
    assertThat(paused.expiresAt()).isEqualTo(expires);
    assertThat(f.supply.activePackages()).isEmpty();
    assertThat(f.supply.transition(p.id() + 1000, "paused", "active", null, null)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void expiryTakesActiveAndPausedPackagesPastTheirTime(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long acc = f.account(s).id();
    Package due = f.pkg(s, acc);
    Package pausedDue = f.pkg(s, acc);
    Package later = f.pkg(s, acc);
    Package draft = f.pkg(s, acc);
    f.supply.transition(due.id(), "draft", "active", T0, T0.plusSeconds(100));
    f.supply.transition(pausedDue.id(), "draft", "active", T0, T0.plusSeconds(50));
    f.supply.transition(pausedDue.id(), "active", "paused", null, null);
    f.supply.transition(later.id(), "draft", "active", T0, T0.plusSeconds(1000));
    assertThat(f.supply.expire(T0.plusSeconds(99))).containsExactly(pausedDue.id());
    assertThat(f.supply.expire(T0.plusSeconds(100))).containsExactly(due.id()); // expires_at <= now
    assertThat(f.supply.expire(T0.plusSeconds(100))).isEmpty();
    assertThat(f.supply.pkg(due.id()).orElseThrow().status()).isEqualTo("expired");
    assertThat(f.supply.pkg(later.id()).orElseThrow().status()).isEqualTo("active");
    assertThat(f.supply.pkg(draft.id()).orElseThrow().status()).isEqualTo("draft");
    assertThat(f.supply.activePackages()).extracting(Package::id).containsExactly(later.id());
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void theSignatureChangesWithEveryWriteIncludingTheLedgers(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    String empty = f.supply.signature();
    assertThat(f.supply.signature()).isEqualTo(empty);
    long s = f.supplier("Seller");
    long consumer = f.consumer();
    Account a = f.account(s);
    String one = f.supply.signature();
    assertThat(one).isNotEqualTo(empty);
    Package p = f.pkg(s, a.id());
    String two = f.supply.signature();
    assertThat(two).isNotEqualTo(one);
    f.supply.transition(p.id(), "draft", "active", T0, T0.plus(1, ChronoUnit.DAYS));
    String three = f.supply.signature();
    assertThat(three).isNotEqualTo(two);
    f.earn(consumer, p, "gpt-4o", 10, 5, T0);
    String four = f.supply.signature();
    assertThat(four).isNotEqualTo(three);
    f.supply.setAccountStatus(a.id(), "active", null, null, null);
    String five = f.supply.signature();
    assertThat(five).isNotEqualTo(four);
    assertThat(f.supply.signature()).isEqualTo(five);
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void totalsSeparateWhatIsStillOnHold(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long other = f.supplier("Other");
    long consumer = f.consumer();
    Package p = f.pkg(s, f.account(s).id());
    Package q = f.pkg(other, f.account(other).id());
    f.earn(consumer, p, "gpt-4o", 100, 1_000_000, T0);
    f.earn(consumer, p, "gpt-4o", 100, 2_000_000, T0.plus(5, ChronoUnit.DAYS));
    f.earn(consumer, p, "gpt-4o", 100, 4_000_000, T0.plus(9, ChronoUnit.DAYS));
    f.earn(consumer, q, "gpt-4o", 100, 64_000_000, T0);
    Totals t = f.supply.totals(s, T0.plus(5, ChronoUnit.DAYS)); // created_at > holdSince is on hold
    assertThat(t).isEqualTo(new Totals(7_000_000, 4_000_000, 0, 0));
    assertThat(t.available()).isEqualTo(3_000_000);
    assertThat(f.supply.totals(s, null)).isEqualTo(new Totals(7_000_000, 0, 0, 0));
    assertThat(f.supply.totals(f.tenants.createTenant("Nobody"), T0)).isEqualTo(new Totals(0, 0, 0, 0));

    Payout paid = f.supply.requestPayout(s, 1_000_000, T0.plus(5, ChronoUnit.DAYS), null, null, 1).orElseThrow();
    f.supply.settlePayout(paid.id(), "pending", "processing", null, 2);
    f.supply.settlePayout(paid.id(), "processing", "completed", "wire-1", 2);
    f.supply.requestPayout(s, 500_000, T0.plus(5, ChronoUnit.DAYS), null, null, 1).orElseThrow();
    Payout failed = f.supply.requestPayout(s, 250_000, T0.plus(5, ChronoUnit.DAYS), null, null, 1).orElseThrow();
    f.supply.settlePayout(failed.id(), "pending", "failed", null, 2);
    Totals after = f.supply.totals(s, T0.plus(5, ChronoUnit.DAYS));
    assertThat(after).isEqualTo(new Totals(7_000_000, 4_000_000, 500_000, 1_000_000));
    assertThat(after.available()).isEqualTo(1_500_000);
    // The ledger agrees: what the supplier's earnings account holds is accrued less requested and paid.
    assertThat(f.accountBalance("supplier_earnings", s)).isEqualTo(7_000_000 - 500_000 - 1_000_000);
    assertThat(f.accountBalance("supplier_payouts", s)).isEqualTo(500_000);
    assertThat(f.accountBalance("supplier_paid", s)).isEqualTo(1_000_000);
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void earningsGroupByDayAccountPackageAndModel(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long consumer = f.consumer();
    Account a1 = f.account(s);
    Account a2 = f.account(s);
    Package p1 = f.pkg(s, a1.id());
    Package p2 = f.pkg(s, a2.id());
    // T0 is 22:00 UTC on the 10th (already the 11th in UTC+8): days are UTC dates, 23:59:59 still the 10th
    f.earn(consumer, p1, "gpt-4o", 100, 10, T0);
    f.earn(consumer, p1, "gpt-4o", 200, 20, T0.plus(1, ChronoUnit.HOURS).plusSeconds(59 * 60 + 59));
    f.earn(consumer, p2, "claude-sonnet", 300, 30, T0.plus(3, ChronoUnit.HOURS));
    f.earn(consumer, p2, "gpt-4o", 400, 40, T0.plus(2, ChronoUnit.DAYS));
    f.earn(consumer, p1, "gpt-4o", 999, 999, T0.minusSeconds(1)); // before the period
    f.earn(consumer, p1, "gpt-4o", 999, 999, T0.plus(3, ChronoUnit.DAYS)); // at its end: excluded
    Instant from = T0;
    Instant to = T0.plus(3, ChronoUnit.DAYS);

    assertThat(f.supply.earnings(s, from, to, "day", null, null, null)).containsExactly(
        new EarningGroup("2025-03-10", 2, 300, 30),
        new EarningGroup("2025-03-11", 1, 300, 30),
        new EarningGroup("2025-03-12", 1, 400, 40));
    assertThat(f.supply.earnings(s, from, to, "account", null, null, null)).containsExactly(
        new EarningGroup(String.valueOf(a1.id()), 2, 300, 30),
        new EarningGroup(String.valueOf(a2.id()), 2, 700, 70));
    assertThat(f.supply.earnings(s, from, to, "package", null, null, "gpt-4o")).containsExactly(
        new EarningGroup(String.valueOf(p1.id()), 2, 300, 30),
        new EarningGroup(String.valueOf(p2.id()), 1, 400, 40));
    assertThat(f.supply.earnings(s, from, to, "model", null, null, null)).containsExactly(
        new EarningGroup("claude-sonnet", 1, 300, 30),
        new EarningGroup("gpt-4o", 3, 700, 70));
    assertThat(f.supply.earnings(s, from, to, "model", a2.id(), p2.id(), null)).containsExactly(
        new EarningGroup("claude-sonnet", 1, 300, 30),
        new EarningGroup("gpt-4o", 1, 400, 40));
    assertThat(f.supply.earnings(s + 1000, from, to, "day", null, null, null)).isEmpty();
    assertThatThrownBy(() -> f.supply.earnings(s, from, to, "week", null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void payoutsAreIdempotentAndNeverExceedWhatIsAvailable(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long consumer = f.consumer();
    Package p = f.pkg(s, f.account(s).id());
    f.earn(consumer, p, "gpt-4o", 100, 1_000_000, T0);
    f.earn(consumer, p, "gpt-4o", 100, 9_000_000, T0.plus(10, ChronoUnit.DAYS)); // on hold
    Instant hold = T0.plus(1, ChronoUnit.DAYS);

    assertThat(f.supply.requestPayout(s, 1_000_001, hold, "k0", null, 7)).isEmpty();
    assertThat(f.supply.requestPayout(s, 0, hold, null, null, 7)).isEmpty();
    assertThat(f.supply.requestPayout(s, -5, hold, null, null, 7)).isEmpty();
    assertThat(f.supply.requestPayout(f.tenants.createTenant("Not a supplier"), 1, hold, null, null, 7)).isEmpty();

    Payout first = f.supply.requestPayout(s, 600_000, hold, "k1", "to my bank", 7).orElseThrow();
    assertThat(first.status()).isEqualTo("pending");
    assertThat(first.amountMicros()).isEqualTo(600_000);
    assertThat(first.note()).isEqualTo("to my bank");
    assertThat(first.requestedBy()).isEqualTo(7L);
    assertThat(first.decidedBy()).isNull();
    assertThat(first.createdAt()).isNotNull();
    // A repeat returns the first one, unchanged, even though its amount would no longer fit.
    assertThat(f.supply.requestPayout(s, 600_000, hold, "k1", "again", 8)).contains(first);
    assertThat(f.supply.payout(first.id())).contains(first);
    assertThat(f.supply.requestPayout(s, 400_001, hold, "k2", null, 7)).isEmpty();
    Payout rest = f.supply.requestPayout(s, 400_000, hold, "k2", null, 7).orElseThrow();
    assertThat(f.supply.totals(s, hold).available()).isZero();
    assertThat(f.supply.payouts(s, null, 10)).extracting(Payout::id).containsExactly(rest.id(), first.id());
    assertThat(f.supply.payouts(s, "pending", 1)).extracting(Payout::id).containsExactly(rest.id());
    assertThat(f.supply.payouts(null, "completed", 10)).isEmpty();

    assertThat(f.ledgerSums("payout:" + first.id() + ":request")).containsExactly(
        Map.entry("supplier_earnings/payout_request", -600_000L), Map.entry("supplier_payouts/payout_request", 600_000L));
    assertThat(f.unbalancedTxns()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void settlingMovesPayoutsOnWithBalancedPostings(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind);
    long s = f.supplier("Seller");
    long consumer = f.consumer();
    Package p = f.pkg(s, f.account(s).id());
    f.earn(consumer, p, "gpt-4o", 100, 10_000_000, T0);
    Instant hold = T0.plus(1, ChronoUnit.DAYS);
    Payout a = f.supply.requestPayout(s, 3_000_000, hold, null, null, 1).orElseThrow();
    Payout b = f.supply.requestPayout(s, 2_000_000, hold, null, null, 1).orElseThrow();
    Payout c = f.supply.requestPayout(s, 1_000_000, hold, null, null, 1).orElseThrow();

    assertThatThrownBy(() -> f.supply.settlePayout(a.id(), "pending", "completed", null, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.supply.settlePayout(a.id(), "completed", "failed", null, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.supply.settlePayout(a.id(), "failed", "pending", null, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(f.supply.settlePayout(a.id(), "processing", "completed", "x", 9)).isFalse(); // still pending

    assertThat(f.supply.settlePayout(a.id(), "pending", "processing", "batch-1", 9)).isTrue();
    assertThat(f.supply.settlePayout(a.id(), "pending", "processing", "batch-1", 9)).isFalse();
    assertThat(f.supply.settlePayout(a.id(), "processing", "completed", null, 9)).isTrue();
    Payout done = f.supply.payout(a.id()).orElseThrow();
    assertThat(done.status()).isEqualTo("completed");
    assertThat(done.reference()).isEqualTo("batch-1"); // no new reference: the first stays
    assertThat(done.decidedBy()).isEqualTo(9L);
    assertThat(f.ledgerSums("payout:" + a.id() + ":completed")).containsExactly(
        Map.entry("supplier_payouts/payout", -3_000_000L), Map.entry("supplier_paid/payout", 3_000_000L));
    assertThat(f.supply.settlePayout(a.id(), "processing", "failed", null, 9)).isFalse();

    assertThat(f.supply.settlePayout(b.id(), "pending", "processing", null, 9)).isTrue();
    assertThat(f.supply.settlePayout(b.id(), "processing", "failed", "bounced", 9)).isTrue();
    assertThat(f.supply.payout(b.id()).orElseThrow().reference()).isEqualTo("bounced");
    assertThat(f.ledgerSums("payout:" + b.id() + ":failed")).containsExactly(
        Map.entry("supplier_payouts/payout_failed", -2_000_000L), Map.entry("supplier_earnings/payout_failed", 2_000_000L));
    assertThat(f.supply.settlePayout(c.id(), "pending", "failed", null, 9)).isTrue();
    assertThat(f.supply.settlePayout(c.id(), "pending", "failed", null, 9)).isFalse();
    assertThat(f.ledgerSums("payout:" + c.id() + ":processing")).isEmpty();

    assertThat(f.unbalancedTxns()).isZero();
    assertThat(f.supply.totals(s, hold)).isEqualTo(new Totals(10_000_000, 0, 0, 3_000_000));
    assertThat(f.accountBalance("supplier_earnings", s)).isEqualTo(7_000_000);
    assertThat(f.accountBalance("supplier_payouts", s)).isZero();
    assertThat(f.accountBalance("supplier_paid", s)).isEqualTo(3_000_000);
  }

  /** Many nodes (here: threads with their own connections) asking at once still pay out at most what is available. */
  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void concurrentPayoutRequestsNeverTogetherExceedWhatIsAvailable(Databases.Kind kind) throws Exception {
    Fixture f = fixture(kind, 12);
    long s = f.supplier("Seller");
    long consumer = f.consumer();
    Package p = f.pkg(s, f.account(s).id());
    f.earn(consumer, p, "gpt-4o", 100, 10_000_000, T0);
    Instant hold = T0.plus(1, ChronoUnit.DAYS);
    int threads = 10;
    int rounds = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger granted = new AtomicInteger();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        all.add(pool.submit(() -> {
          go.await();
          for (int r = 0; r < rounds; r++) {
            // 40 asks of 300 000 against 10 000 000: at most 33 can be granted.
            Optional<Payout> got = f.supply.requestPayout(s, 300_000, hold, null, "t" + n, n);
            if (got.isPresent()) granted.incrementAndGet();
          }
          return null;
        }));
      }
      // The same key from every thread at once: one payout.
      for (int i = 0; i < threads; i++) {
        all.add(pool.submit(() -> {
          go.await();
          return f.supply.requestPayout(s, 100_000, hold, "same-key", null, 1).orElseThrow().id();
        }));
      }
      go.countDown();
      List<Object> sameKey = new ArrayList<>();
      for (Future<?> r : all) {
        Object v = r.get();
        if (v != null) sameKey.add(v);
      }
      assertThat(sameKey).hasSize(threads).containsOnly(sameKey.get(0));
    } finally {
      pool.shutdownNow();
    }
    Totals t = f.supply.totals(s, hold);
    assertThat(t.requested()).isEqualTo(granted.get() * 300_000L + 100_000L);
    assertThat(t.requested()).isLessThanOrEqualTo(t.accrued());
    assertThat(granted.get()).isEqualTo(33); // 33 × 300 000 + 100 000 = 10 000 000: everything, and no more
    assertThat(f.supply.payouts(s, "pending", 100)).hasSize(34);
    assertThat(f.accountBalance("supplier_earnings", s)).isZero();
    assertThat(f.unbalancedTxns()).isZero();
  }

  @Test
  void aPayoutMoveOutsideTheLifecycleIsRefusedBeforeTheDatabase() {
    SupplyRepository none = new SupplyRepository(null, false);
    assertThatThrownBy(() -> none.settlePayout(1, "processing", "pending", null, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
