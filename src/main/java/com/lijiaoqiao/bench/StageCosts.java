package com.lijiaoqiao.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.ApiKeyStore;
import com.lijiaoqiao.access.IpAllowList;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.billing.BillingService;
import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.limits.LocalRateLimiter;
import com.lijiaoqiao.limits.RateLimiter;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.LedgerRepository;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The request path's stages measured one by one, in process, with the real classes: what authentication and
 * limits, and what reserve and settle, cost per request (p50/p99 over many iterations after a warm-up).
 * The HTTP phases of the benchmark measure them together with everything else.
 */
public final class StageCosts {
  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":["
      + "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
      + "{\"role\":\"user\",\"content\":\"Tell me about the bridges of Chongqing, briefly.\"}]}";

  public record Cost(String name, double p50Micros, double p99Micros) {}

  private StageCosts() {}

  public static List<Cost> measure(int iterations) throws Exception {
    return List.of(authAndLimits(iterations), risk(iterations), reserveAndSettle(iterations), routing(iterations),
        decodeOpenAi(iterations), decodeAndTranslateAnthropic(iterations), recordsOfARequest(Math.min(iterations, 40_000)));
  }

  /**
   * What the records of one request cost the embedded store, CPU of this whole process (H2's background writer
   * included) per request: its billing and usage record (the ledger shipper's batches of 50) and its routing
   * decision, as the gateway writes them. Not a latency: both p50 and p99 columns hold the mean CPU µs, measured
   * over the second half of {@code n} requests (the first half warms up and fills the indexes).
   */
  static Cost recordsOfARequest(int n) throws Exception {
    Path dir = Files.createTempDirectory("ljq-stagecost-records");
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try (Database db = Database.open(Database.embeddedUrl(dir), "", "", 4)) {
      db.migrate();
      AccountRepository accounts = new AccountRepository(db.dataSource());
      long tenant = accounts.createTenant("bench");
      long user = accounts.createUser("bench@ljq.local", "x", "b", tenant, "member");
      LedgerRepository ledger = new LedgerRepository(db.dataSource(), false, db.durability());
      ledger.requestEvents(false); // events.request_events: auto, without Kafka
      com.lijiaoqiao.store.RouteDecisionRepository decisions =
          new com.lijiaoqiao.store.RouteDecisionRepository(db.dataSource(), false);
      com.lijiaoqiao.billing.UsageFacts usage = new com.lijiaoqiao.billing.UsageFacts("chat.completions", "gpt-4o-mini",
          "gpt-4o-mini", false, 3, null, 200, "ok", null);
      String decision = "{\"model\":\"gpt-4o-mini\",\"chosen\":\"sim\",\"candidates\":[{\"provider\":\"sim\","
          + "\"score\":0.93,\"latency_ms\":4.1,\"availability\":1.0}],\"attempts\":1}";
      long cpuAtHalf = 0;
      int batch = 50;
      for (int i = 0; i < n; i += batch) {
        if (i >= n / 2 && cpuAtHalf == 0) cpuAtHalf = os.getProcessCpuTime();
        List<Settlement> settlements = new java.util.ArrayList<>(batch);
        List<com.lijiaoqiao.routing.DecisionRecorder.Row> rows = new java.util.ArrayList<>(batch);
        long now = System.currentTimeMillis();
        for (int j = 0; j < batch; j++) {
          String id = com.lijiaoqiao.http.RequestIds.next();
          settlements.add(new Settlement(id, tenant, user, 1, "gpt-4o-mini", "sim", 30, 40, 0, 0, false, 200, 123, now,
              false, usage));
          rows.add(new com.lijiaoqiao.routing.DecisionRecorder.Row(id, decision, now));
        }
        ledger.applySettlements(settlements, List.of());
        decisions.write(rows);
      }
      ledger.makeDurable();
      double micros = (os.getProcessCpuTime() - cpuAtHalf) / 1000.0 / (n - n / 2);
      return new Cost("records (embedded store, CPU/req)", micros, micros);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /**
   * The risk stage's work with every rule on: the key's counters (this node's memory) counted and read, and the
   * request scored; 1,000 keys, each with some history.
   */
  static Cost risk(int n) {
    com.lijiaoqiao.risk.LocalRiskCounters counters = new com.lijiaoqiao.risk.LocalRiskCounters();
    com.lijiaoqiao.risk.RiskPolicy policy = com.lijiaoqiao.risk.RiskPolicy.defaults();
    long now = System.currentTimeMillis();
    for (int k = 0; k < 1_000; k++) {
      counters.observe(new com.lijiaoqiao.risk.RiskSignals(k, k, k, 30, 1_000, 200, "gpt-4o-mini", "10.0.0." + (k % 200),
          now));
      counters.spent(k, 1_000, 50, now - 600_000);
    }
    long[] t = new long[n];
    long sink = 0;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        var signals = new com.lijiaoqiao.risk.RiskSignals(i % 1_000, 1, 1, 30, 1_000, 200, "gpt-4o-mini",
            "10.0.0." + (i % 7), System.currentTimeMillis());
        var o = counters.observe(signals).result();
        sink += com.lijiaoqiao.risk.RiskEngine.score(policy, signals, o, Set.of()).score();
        t[i] = System.nanoTime() - s;
      }
    }
    if (sink == 42) System.out.print("");
    return summarize("risk (counters + 5 rules)", t);
  }

  /** Router.plan for a model served by 20 providers with live latency and outcome history. */
  static Cost routing(int n) {
    com.lijiaoqiao.routing.Router router = new com.lijiaoqiao.routing.Router(
        new com.lijiaoqiao.routing.Router.StateSettings(5, 20, 10, 0.5, 30_000, 128, 100),
        com.lijiaoqiao.routing.Weights.DEFAULT, Map.of(), true, System::nanoTime);
    List<com.lijiaoqiao.routing.ProviderDef> defs = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      defs.add(new com.lijiaoqiao.routing.ProviderDef("p" + i, "openai-compatible", "http://127.0.0.1:9/v1", "",
          Map.of("gpt-4o-mini", "gpt-4o-mini"), true, true, true, 128_000, i % 3, 0.5 + i / 40.0, 0.1 + i / 100.0,
          0.4 + i / 50.0, "bench", true, "config"));
    }
    router.install(defs, d -> new com.lijiaoqiao.providers.OpenAiCompatibleProvider(d.id(), d.baseUrl(), "", 1000, 1000));
    java.util.Random rnd = new java.util.Random(7);
    for (int i = 0; i < 20; i++) {
      for (int k = 0; k < 100; k++) router.state("p" + i).record("gpt-4o-mini", "ok", rnd.nextInt(10) > 0, false, 50 + rnd.nextInt(400));
    }
    com.lijiaoqiao.routing.Needs needs = new com.lijiaoqiao.routing.Needs(false, false, false, 200);
    long[] t = new long[n];
    long sink = 0;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        sink += router.plan("gpt-4o-mini", needs, null).size();
        t[i] = System.nanoTime() - s;
      }
    }
    if (sink == 42) System.out.print("");
    return summarize("route (20 candidates)", t);
  }

  /** The JSON work every OpenAI-format request needs: parse and validate the body. */
  static Cost decodeOpenAi(int n) {
    byte[] body = BODY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long[] t = new long[n];
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        com.lijiaoqiao.protocol.OpenAiRequest.parse(Endpoint.CHAT_COMPLETIONS, body);
        t[i] = System.nanoTime() - s;
      }
    }
    return summarize("decode OpenAI request", t);
  }

  /** An Anthropic Messages request decoded and translated into the OpenAI body an OpenAI upstream gets. */
  static Cost decodeAndTranslateAnthropic(int n) throws Exception {
    byte[] body = ("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"system\":\"You are a helpful assistant.\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about the bridges of Chongqing, briefly.\"}]}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ObjectMapper json = new ObjectMapper();
    long[] t = new long[n];
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        var req = com.lijiaoqiao.protocol.anthropic.AnthropicRequest.parse(body, false);
        json.writeValueAsBytes(req.toOpenAi());
        t[i] = System.nanoTime() - s;
      }
    }
    return summarize("decode + translate Anthropic request", t);
  }

  public static void print(List<Cost> costs, PrintStream out) {
    out.println("stage cost (in process)            p50 µs    p99 µs");
    for (Cost c : costs) {
      out.printf("%-34s %8.2f  %8.2f%n", c.name(), c.p50Micros(), c.p99Micros());
    }
  }

  static Cost authAndLimits(int n) throws Exception {
    ApiKeySecrets secrets = new ApiKeySecrets(new byte[32]);
    String key = ApiKeySecrets.newKey();
    String hash = secrets.hash(key);
    ApiKeyPrincipal p = new ApiKeyPrincipal(1, 1, 1, "k", "lgw-x", Set.of(), 1_000_000_000, 1_000_000_000,
        "active", null, "member", IpAllowList.parse("127.0.0.0/8,10.0.0.0/8"), null);
    KeyRegistry registry = new KeyRegistry(new InMemoryKeys(hash, p), null);
    registry.loadAll();
    LocalRateLimiter limiter = new LocalRateLimiter();
    JsonNode body = new ObjectMapper().readTree(BODY);
    long[] t = new long[n];
    long sink = 0;
    for (int round = 0; round < 2; round++) { // the first round warms the JIT
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        if (!ApiKeySecrets.wellFormed(key)) throw new IllegalStateException();
        ApiKeyPrincipal found = registry.lookup(secrets.hash(key)).result();
        if (!found.active(Instant.now()) || !found.allowedIps().permits("127.0.0.1")) throw new IllegalStateException();
        found.activity().touch(System.currentTimeMillis());
        long estimate = TokenCounter.estimatePrompt(Endpoint.CHAT_COMPLETIONS, body, 1) + 64;
        RateLimiter.Decision d = limiter.tryAcquire(found.keyId(), found.rpmLimit(), found.tpmLimit(), estimate);
        limiter.adjust(found.keyId(), found.tpmLimit(), -d.chargedTokens());
        sink += d.remainingRequests();
        t[i] = System.nanoTime() - s;
      }
    }
    if (sink == 42) System.out.print(""); // keep the loop's result alive
    return summarize("authenticate + rate limit", t);
  }

  /** Reserve and settle against the real wallets, journal and (background) ledger shipper on embedded H2. */
  static Cost reserveAndSettle(int n) throws Exception {
    Path dir = Files.createTempDirectory("ljq-stagecost");
    try (Database db = Database.open(Database.embeddedUrl(dir), "", "", 4)) {
      db.migrate();
      AccountRepository accounts = new AccountRepository(db.dataSource());
      long tenant = accounts.createTenant("bench");
      long user = accounts.createUser("bench@ljq.local", "x", "b", tenant, "member");
      BillingService billing = new BillingService(new LedgerRepository(db.dataSource(), false), dir.resolve("journal"),
          0, "USD");
      try {
        billing.savePrice(new ModelPrice("gpt-4o-mini", 150_000, 600_000, 75_000, 16_384));
        billing.credit(tenant, 1_000_000_000_000L, "bench", null, null);
        long[] t = new long[n];
        int seq = 0;
        for (int round = 0; round < 2; round++) {
          for (int i = 0; i < n; i++) {
            String id = "req-" + (seq++);
            long s = System.nanoTime();
            BillingService.Reservation r = billing.reserve(id, tenant, "gpt-4o-mini", 30, 64);
            long cost = r.price().cost(30, 0, 40);
            billing.settle(new Settlement(id, tenant, user, 1, "gpt-4o-mini", "sim", 30, 40, 0, 0, false, r.amount(), cost,
                System.currentTimeMillis()));
            t[i] = System.nanoTime() - s;
          }
        }
        return summarize("reserve + settle (journaled)", t);
      } finally {
        billing.close();
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static Cost summarize(String name, long[] t) {
    Arrays.sort(t);
    return new Cost(name, t[t.length / 2] / 1000.0, t[(int) (t.length * 0.99)] / 1000.0);
  }

  /** The key registry's store, in memory: the measured path never reaches it. */
  private record InMemoryKeys(String hash, ApiKeyPrincipal principal) implements ApiKeyStore {
    public long insert(NewKey k) {
      throw new IllegalStateException("the benchmark key store is read-only");
    }

    public List<StoredKey> loadActive() {
      return List.of(new StoredKey(hash, principal));
    }

    public Optional<StoredKey> findByHash(String h) {
      return Optional.empty();
    }

    public List<StoredKey> findByUser(long u) {
      return List.of();
    }

    public List<StoredKey> findChangedSince(Instant since) {
      return List.of();
    }

    public boolean replaceSecret(long id, String o, String n, String d) {
      return false;
    }

    public boolean revoke(long id) {
      return false;
    }

    public void updateLastUsed(Map<Long, Long> m) {}
  }
}
