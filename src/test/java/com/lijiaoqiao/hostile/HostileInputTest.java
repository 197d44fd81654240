package com.lijiaoqiao.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The project's own hostile-input suite (issue 9): thousands of generated hostile requests against every route
 * of a real gateway — byte flips, wrong types, extreme numbers and dates, huge strings, deep nesting, invalid
 * UTF-8, duplicate keys, lying Content-Length, Transfer-Encoding with Content-Length, odd paths, methods and
 * headers, garbage and insufficient credentials — then the gateway must still charge a normal request correctly
 * and restart on its data.
 *
 * <p>Knobs (system properties): {@code hostile.seed} (default fixed, printed), {@code hostile.count} (H2, default
 * 10 000), {@code hostile.pgCount} (PostgreSQL, default 2 000), {@code hostile.concurrency} (16),
 * {@code hostile.timeoutMs} (15 000: the bound on every answer), {@code hostile.case} (run only that case
 * number, to reproduce one failure). Every failure is also written to {@code target/hostile-failures-<db>.txt}.
 */
class HostileInputTest {
  static final long SEED = Long.getLong("hostile.seed", 0x4C4A51L);
  static final int CONCURRENCY = Integer.getInteger("hostile.concurrency", 16);
  static final long TIMEOUT_MS = Long.getLong("hostile.timeoutMs", 15_000);
  static final int MAX_TIMEOUTS = 40;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void h2() throws Exception {
    run(Databases.Kind.H2, Integer.getInteger("hostile.count", 10_000));
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void postgres() throws Exception {
    run(Databases.Kind.POSTGRES, Integer.getInteger("hostile.pgCount", 2_000));
  }

  /** One failing case as reported. */
  record Failure(String group, HostileCase c, Wire.Outcome o, Verdict.Problem p) {
    String line() {
      return c.describe() + " → " + (o.status() > 0 ? o.status() : o.error()) + " " + p.kind() + ": " + p.detail()
          + (o.body().length > 0 ? " | body: " + o.bodySnippet(200) : "");
    }
  }

  private void run(Databases.Kind db, int count) throws Exception {
    Integer only = Integer.getInteger("hostile.case");
    System.out.println("HOSTILE db=" + db + " seed=" + SEED + " count=" + count + " concurrency=" + CONCURRENCY
        + " timeoutMs=" + TIMEOUT_MS + (only != null ? " case=" + only : "")
        + "  (reproduce: -Dhostile.seed=" + SEED + " -Dhostile.case=<n>)");
    try (HostileGateway h = HostileGateway.start(db)) {
      CaseGenerator gen = new CaseGenerator(h, SEED);
      int sweepRun = Math.min(gen.sweepSize(), (count + CaseGenerator.SWEEP_EVERY - 1) / CaseGenerator.SWEEP_EVERY);
      System.out.println("HOSTILE systematic sweep: " + gen.sweepSize() + " cases, " + sweepRun + " of them in this run"
          + " (one case in " + CaseGenerator.SWEEP_EVERY + "); the rest are random");
      ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY, daemon("hostile-worker"));
      ExecutorService slowPool = Executors.newCachedThreadPool(daemon("hostile-slow"));
      ExecutorService jdkPool = Executors.newFixedThreadPool(4, daemon("hostile-jdk"));
      ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("hostile-watchdog"));
      Wire wire = new Wire("127.0.0.1", h.port(), TIMEOUT_MS, jdkPool, watchdog);

      Stats stats = new Stats();
      ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger timeouts = new AtomicInteger();
      long t0 = System.nanoTime();
      int from = only != null ? only : 0;
      int to = only != null ? only + 1 : count;
      for (int i = from; i < to; i++) {
        int index = i;
        workers.submit(() -> {
          if (timeouts.get() > MAX_TIMEOUTS) {
            stats.skipped.increment();
            return;
          }
          HostileCase c;
          try {
            c = gen.generate(index);
          } catch (RuntimeException e) {
            stats.generatorErrors.increment();
            System.out.println("HOSTILE generator error in case " + index + ": " + e);
            e.printStackTrace(System.out);
            return;
          }
          if (c.slow()) {
            slowPool.submit(() -> execute(c, wire, stats, failures, timeouts));
          } else {
            execute(c, wire, stats, failures, timeouts);
          }
        });
      }
      workers.shutdown();
      assertThat(workers.awaitTermination(240, TimeUnit.SECONDS)).as("the hostile traffic finished").isTrue();
      slowPool.shutdown();
      assertThat(slowPool.awaitTermination(TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS)).isTrue();
      long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      System.out.println(stats.summary(db, SEED, wallMs, failures));
      List<String> after = new ArrayList<>();
      healthyAndCharging(h, after);
      restartable(h, after);
      watchdog.shutdownNow();
      jdkPool.shutdownNow();
      report(db, failures, after, stats);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void execute(HostileCase c, Wire wire, Stats stats, ConcurrentLinkedQueue<Failure> failures,
                              AtomicInteger timeouts) {
    Wire.Outcome o;
    try {
      o = c.raw() != null ? wire.raw(c.raw(), c.head()) : wire.jdk(c.method(), c.target(), c.headers(), c.body());
    } catch (RuntimeException e) {
      o = new Wire.Outcome(-1, Map.of(), new byte[0], 0, "client error: " + e);
    }
    if ("timeout".equals(o.error())) timeouts.incrementAndGet();
    stats.record(c, o);
    for (Verdict.Problem p : Verdict.check(c, o)) {
      String group = c.route() + " | " + (o.status() > 0 ? Integer.toString(o.status()) : o.error()) + " | " + p.kind();
      failures.add(new Failure(group, c, o, p));
    }
  }

  // ------------------------------------------------------------------ afterwards: healthy, charging, restartable

  private static void healthyAndCharging(HostileGateway h, List<String> problems) {
    Api api = h.api();
    String chat = "{\"model\":\"" + HostileGateway.PAID_MODEL + "\",\"max_tokens\":16,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Are you still there after all that?\"}]}";
    try {
      Http.Reply price = api.call("PUT", "/admin/models/" + HostileGateway.PAID_MODEL, h.adminToken,
          "{\"input\":\"0.15\",\"output\":\"0.60\"}");
      if (price.status() != 200) problems.add("after the traffic, setting the price answered " + price.status() + " " + clip(price.body()));
      BigDecimal before = balance(api, h.healthKey, problems, "before the paid request");
      Http.Reply r = Http.postJson("http://127.0.0.1:" + h.port() + "/v1/chat/completions", h.healthKey, chat);
      if (r.status() != 200) {
        problems.add("after the traffic, a normal paid chat answered " + r.status() + " " + clip(r.body()));
        return;
      }
      String cost = r.header("x-ljq-cost");
      BigDecimal after = balance(api, h.healthKey, problems, "after the paid request");
      if (cost == null || new BigDecimal(cost).signum() <= 0) {
        problems.add("after the traffic, a paid chat was not charged (x-ljq-cost " + cost + ")");
      } else if (before != null && after != null && before.subtract(after).compareTo(new BigDecimal(cost)) != 0) {
        problems.add("after the traffic, the balance moved by " + before.subtract(after) + " for a charge of " + cost);
      }
      System.out.println("HOSTILE healthy: paid chat 200, x-ljq-cost=" + cost + ", balance " + before + " → " + after);
      h.healthRequestId = r.header("x-request-id");
      h.balanceBeforeRestart = after;
    } catch (AssertionError | RuntimeException e) {
      problems.add("after the traffic, the health check failed: " + e);
    }
  }

  private static void restartable(HostileGateway h, List<String> problems) {
    try {
      h.restart();
    } catch (RuntimeException e) {
      problems.add("the gateway did not start again on its data: " + e);
      return;
    }
    try {
      Api api = h.api();
      BigDecimal balance = balance(api, h.healthKey, problems, "after the restart");
      if (h.balanceBeforeRestart != null && balance != null && balance.compareTo(h.balanceBeforeRestart) != 0) {
        problems.add("after the restart the balance is " + balance + ", before it was " + h.balanceBeforeRestart
            + " (a charge was lost or doubled)");
      }
      Http.Reply r = api.complete(h.healthKey);
      if (r.status() != 200 || r.header("x-ljq-cost") == null) {
        problems.add("after the restart, a chat answered " + r.status() + " (cost " + r.header("x-ljq-cost") + ") " + clip(r.body()));
      }
      String token = api.login(h.adminEmail, HostileGateway.PASSWORD);
      if (h.healthRequestId != null) {
        Http.Reply usage = api.get("/v1/billing/usage?key_id=" + h.healthKeyId + "&page_size=200", h.healthKey);
        if (usage.status() != 200 || !usage.body().contains(h.healthRequestId)) {
          problems.add("after the restart, the paid request " + h.healthRequestId + " is not in /v1/billing/usage: "
              + usage.status() + " " + clip(usage.body()));
        }
        Http.Reply req = api.get("/admin/requests/" + h.healthRequestId, token);
        if (req.status() != 200) problems.add("after the restart, /admin/requests/{id} answered " + req.status() + " " + clip(req.body()));
      }
      System.out.println("HOSTILE restartable: balance " + balance + ", chat " + r.status() + ", admin sign-in ok");
    } catch (AssertionError | RuntimeException e) {
      problems.add("after the restart, the checks failed: " + e);
    }
  }

  private static BigDecimal balance(Api api, String key, List<String> problems, String when) {
    Http.Reply b = api.get("/v1/billing/balance", key);
    if (b.status() != 200) {
      problems.add(when + ", /v1/billing/balance answered " + b.status() + " " + clip(b.body()));
      return null;
    }
    JsonNode j = b.json();
    return new BigDecimal(j.get("balance").asText());
  }

  // ------------------------------------------------------------------ reporting

  private static void report(Databases.Kind db, ConcurrentLinkedQueue<Failure> failures, List<String> after, Stats stats) {
    Map<String, List<Failure>> byGroup = new TreeMap<>();
    for (Failure f : failures) byGroup.computeIfAbsent(f.group(), k -> new ArrayList<>()).add(f);
    byGroup.values().forEach(l -> l.sort(Comparator.comparingInt(f -> f.c().index())));
    // the worst first: 5xx, hangs, credentials, accepted framing, …, then shape problems; bigger groups first
    List<String> order = List.of("5xx", "hang", "auth-bypass", "accepted", "query-key-accepted", "no-answer", "broken-body", "shape");
    Map<String, List<Failure>> groups = new LinkedHashMap<>();
    byGroup.entrySet().stream()
        .sorted(Comparator.<Map.Entry<String, List<Failure>>>comparingInt(e -> order.indexOf(e.getValue().get(0).p().kind()))
            .thenComparing(e -> -e.getValue().size()).thenComparing(Map.Entry::getKey))
        .forEach(e -> groups.put(e.getKey(), e.getValue()));
    StringBuilder full = new StringBuilder();
    full.append("seed=").append(SEED).append(" db=").append(db).append(" failures=").append(failures.size())
        .append(" groups=").append(groups.size()).append('\n');
    after.forEach(a -> full.append("AFTER: ").append(a).append('\n'));
    groups.forEach((g, l) -> {
      full.append("\n== ").append(g).append(" (").append(l.size()).append(")\n");
      l.stream().limit(8).forEach(f -> full.append("  ").append(f.line()).append('\n'));
    });
    try {
      Path out = Path.of("target", "hostile-failures-" + db.name().toLowerCase() + ".txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, full, StandardCharsets.UTF_8);
      System.out.println("HOSTILE failures written to " + out.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(full);

    StringBuilder msg = new StringBuilder();
    msg.append(failures.size()).append(" hostile request(s) answered wrongly, in ").append(groups.size())
        .append(" group(s) (route | status | problem); seed ").append(SEED).append(", db ").append(db).append('\n');
    after.forEach(a -> msg.append("AFTER: ").append(a).append('\n'));
    int shown = 0;
    for (var e : groups.entrySet()) {
      if (shown >= 30) {
        msg.append("… and ").append(groups.size() - shown).append(" more group(s): see target/hostile-failures-")
            .append(db.name().toLowerCase()).append(".txt\n");
        break;
      }
      msg.append("[").append(e.getValue().size()).append("×] ").append(e.getKey()).append("\n    e.g. ")
          .append(e.getValue().get(0).line()).append('\n');
      shown++;
    }
    assertThat(stats.generatorErrors.sum()).as("generator errors (a bug in the test)").isZero();
    assertThat(stats.skipped.sum()).as("cases skipped after " + MAX_TIMEOUTS + " timeouts").isZero();
    assertThat(failures.isEmpty() && after.isEmpty()).as(msg.toString()).isTrue();
  }

  private static String clip(String s) {
    return s == null ? "null" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  /** Figures for the summary line. */
  static final class Stats {
    final Map<String, LongAdder> families = new ConcurrentHashMap<>();
    final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    final Map<String, LongAdder> transports = new ConcurrentHashMap<>();
    final Map<String, LongAdder> creds = new ConcurrentHashMap<>();
    final Map<String, LongAdder> groups = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    final AtomicLong maxLatency = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final LongAdder requests = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder generatorErrors = new LongAdder();
    final LongAdder slow = new LongAdder();
    volatile String maxLatencyCase = "";

    void record(HostileCase c, Wire.Outcome o) {
      requests.increment();
      families.computeIfAbsent(c.family(), k -> new LongAdder()).increment();
      transports.computeIfAbsent(c.raw() != null ? "raw" : "jdk", k -> new LongAdder()).increment();
      String credClass = c.cred().contains(":") ? c.cred().substring(0, c.cred().indexOf(':')) : c.cred();
      creds.computeIfAbsent(credClass, k -> new LongAdder()).increment();
      String route = c.route();
      groups.computeIfAbsent(route.contains(".") ? route.substring(0, route.indexOf('.')) : "data", k -> new LongAdder())
          .increment();
      String s = o.status() > 0 ? Integer.toString(o.status()) : o.error().startsWith("io") ? "io-error"
          : o.error().startsWith("closed") ? "closed" : o.error();
      statuses.computeIfAbsent(s, k -> new LongAdder()).increment();
      latencies.add(o.latencyMs());
      bytesSent.addAndGet(c.raw() != null ? c.raw().length : c.body() == null ? 0 : c.body().length);
      if (c.slow()) slow.increment();
      if (o.latencyMs() > maxLatency.get()) {
        maxLatency.set(o.latencyMs());
        maxLatencyCase = c.describe();
      }
    }

    String summary(Databases.Kind db, long seed, long wallMs, ConcurrentLinkedQueue<Failure> failures) {
      long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      long p50 = l.length == 0 ? 0 : l[l.length / 2];
      long p99 = l.length == 0 ? 0 : l[Math.min(l.length - 1, (int) (l.length * 0.99))];
      long failing = failures.stream().map(f -> f.c().index()).distinct().count();
      return "HOSTILE SUMMARY db=" + db + " seed=" + seed + " requests=" + requests.sum() + " wall=" + wallMs + "ms ("
          + (wallMs == 0 ? 0 : requests.sum() * 1000 / wallMs) + "/s) sent=" + (bytesSent.get() / 1024) + "KiB"
          + " areas=" + sorted(groups) + " families=" + sorted(families) + " transports=" + sorted(transports)
          + " credentials=" + sorted(creds) + " statuses=" + sorted(statuses) + " latencyMs{p50=" + p50 + ",p99=" + p99
          + ",max=" + maxLatency.get() + "} slowCases=" + slow.sum() + " failingRequests=" + failing
          + " failures=" + failures.size() + " skipped=" + skipped.sum()
          + "\nHOSTILE slowest: " + maxLatencyCase;
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> m) {
      Map<String, Long> out = new LinkedHashMap<>();
      new TreeMap<>(m).forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }
}
