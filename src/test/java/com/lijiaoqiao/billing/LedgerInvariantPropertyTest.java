package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.store.BillingQueries;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.LedgerRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;

/**
 * Thousands of random operations — requests that succeed, fail, stream and get cut, or are refused for
 * balance; top-ups (some repeated with the same idempotency key) and redemptions — run concurrently against
 * the real billing engine and ledger (embedded database). After each run the books balance exactly:
 * Σ top-ups = Σ balances + Σ reservations + Σ charges − Σ refunds, and memory agrees with the database.
 */
class LedgerInvariantPropertyTest {
  enum Kind { SUCCESS, FAIL, STREAM_CUT, CLIENT_ABORT, TOPUP, TOPUP_REPEAT, REDEEM }

  record Op(Kind kind, int tenant, int prompt, int completion, int cached, int maxTokens, long amount) {}

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.of(Kind.class),
        Arbitraries.integers().between(0, 4),
        Arbitraries.integers().between(0, 5000),
        Arbitraries.integers().between(0, 3000),
        Arbitraries.integers().between(0, 5000),
        Arbitraries.integers().between(1, 4000),
        Arbitraries.longs().between(1, 3_000_000)).as(Op::new);
    return op.list().ofMinSize(50).ofMaxSize(400);
  }

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterTry
  void cleanup() throws Exception {
    for (AutoCloseable c : toClose) c.close();
    toClose.clear();
  }

  @Property(tries = 15)
  void theLedgerBalancesAfterAnyConcurrentMix(@ForAll("operations") List<Op> ops) throws Exception {
    Path dir = Files.createTempDirectory("ljq-prop");
    Database db = Database.open(Database.embeddedUrl(dir), "", "", 8);
    toClose.add(db);
    db.migrate();
    long[] tenants = new long[5];
    var accounts = new com.lijiaoqiao.store.AccountRepository(db.dataSource());
    for (int i = 0; i < tenants.length; i++) tenants[i] = accounts.createTenant("t" + i);
    long user = accounts.createUser("u@prop.test", "x", "u", tenants[0], "member");
    LedgerRepository ledger = new LedgerRepository(db.dataSource(), false);
    BillingService billing = new BillingService(ledger, dir.resolve("journal"), 500_000, "USD");
    billing.savePrice(new ModelPrice("m", 150_000, 600_000, 75_000, 4096));
    List<String> codes = billing.createCodes(1_000_000, 20, null, null);
    AtomicInteger seq = new AtomicInteger();
    AtomicInteger codeIndex = new AtomicInteger();

    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<?>> futures = new ArrayList<>();
    for (Op op : ops) {
      futures.add(pool.submit(() -> apply(billing, tenants[op.tenant()], user, op, seq.incrementAndGet(), codes, codeIndex)));
    }
    for (Future<?> f : futures) f.get();
    pool.shutdown();

    // Reservations are all settled; memory is the truth the request path uses.
    assertThat(billing.wallets().openHolds()).isZero();
    var memory = billing.wallets().all();
    billing.close(); // ships everything queued

    BillingQueries.LedgerFigures f = new BillingQueries(db.dataSource()).figures();
    long reservations = memory.values().stream().mapToLong(Wallets.Snapshot::reserved).sum();
    assertThat(f.topups()).isEqualTo(f.walletBalances() + reservations + f.charges() - f.refunds());
    assertThat(f.revenueEntries()).isEqualTo(f.charges());
    assertThat(f.unbalancedTransactions()).isZero();
    assertThat(f.walletMismatches()).isEmpty();
    assertThat(f.chargeEntriesMismatch()).isZero();
    var stored = ledger.loadWallets();
    for (long t : tenants) {
      long mem = memory.getOrDefault(t, new Wallets.Snapshot(0, 0, null)).balance();
      long db1 = stored.containsKey(t) ? stored.get(t).balance() : 0;
      assertThat(db1).as("tenant " + t).isEqualTo(mem);
    }
  }

  private static void apply(BillingService billing, long tenant, long user, Op op, int n, List<String> codes,
                            AtomicInteger codeIndex) {
    String requestId = "req-" + n;
    switch (op.kind()) {
      case TOPUP -> billing.credit(tenant, op.amount(), "k-" + n, null, null);
      case TOPUP_REPEAT -> {
        billing.credit(tenant, op.amount(), "same-" + op.tenant(), null, null);
        billing.credit(tenant, op.amount(), "same-" + op.tenant(), null, null);
      }
      case REDEEM -> {
        int i = codeIndex.getAndIncrement() % (codes.size() + 5); // some codes are tried twice, some are bogus
        String code = i < codes.size() ? codes.get(i) : "LJQ-BOGUS-" + i;
        billing.redeem(code, tenant);
        if (i % 3 == 0 && i < codes.size()) billing.redeem(code, tenant);
      }
      default -> {
        BillingService.Reservation r;
        try {
          r = billing.reserve(requestId, tenant, "m", op.prompt(), op.maxTokens());
        } catch (InsufficientBalanceException e) {
          return; // refused: nothing reserved, nothing to settle
        }
        long prompt = op.prompt();
        long completion = Math.min(op.completion(), op.maxTokens());
        long cost = switch (op.kind()) {
          case SUCCESS -> r.price().cost(prompt, Math.min(op.cached(), prompt), completion);
          case FAIL -> 0;
          default -> completion == 0 ? 0 : r.price().cost(prompt, 0, completion / 2); // cut: what was relayed
        };
        Settlement s = new Settlement(requestId, tenant, user, 1, "m", "p", prompt, completion, 0, 0,
            op.kind() != Kind.SUCCESS, r.amount(), cost, System.currentTimeMillis());
        assertThat(billing.settle(s)).isTrue();
        assertThat(billing.settle(s)).isFalse(); // idempotent by request id
      }
    }
  }
}
