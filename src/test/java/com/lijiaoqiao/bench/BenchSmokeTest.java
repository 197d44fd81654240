package com.lijiaoqiao.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.bench.Results.BenchInfo;
import com.lijiaoqiao.bench.Results.BurstResult;
import com.lijiaoqiao.bench.Results.BurstRound;
import com.lijiaoqiao.bench.Results.BurstStats;
import com.lijiaoqiao.bench.Results.PhaseResult;
import com.lijiaoqiao.bench.Results.SoakMinute;
import com.lijiaoqiao.bench.Results.Startup;
import com.lijiaoqiao.bench.Results.TargetResult;
import com.lijiaoqiao.bench.Results.TargetStats;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fast, in-process: percentile and median math, the stall rule, report formatting, nginx config rendering, /proc and
 * Prometheus parsing. No child processes, no timing assertions.
 */
class BenchSmokeTest {

  @Test
  void nearestRankPercentiles() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1; // 1..100
    }
    assertThat(Latencies.percentile(sorted, 0)).isEqualTo(1);
    assertThat(Latencies.percentile(sorted, 50)).isEqualTo(50);
    assertThat(Latencies.percentile(sorted, 90)).isEqualTo(90);
    assertThat(Latencies.percentile(sorted, 99)).isEqualTo(99);
    assertThat(Latencies.percentile(sorted, 99.5)).isEqualTo(100);
    assertThat(Latencies.percentile(sorted, 100)).isEqualTo(100);
    assertThat(Latencies.percentile(new long[] {7}, 50)).isEqualTo(7);
    assertThat(Latencies.percentile(new long[] {10, 20, 30, 40}, 50)).isEqualTo(20);
    assertThat(Latencies.percentile(new long[] {10, 20, 30, 40}, 51)).isEqualTo(30);
    assertThatThrownBy(() -> Latencies.percentile(new long[0], 50)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Latencies.percentile(sorted, 101)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void summarySortsGrowsAndMerges() {
    Latencies a = new Latencies(16);
    for (int i = 1000; i >= 1; i--) { // descending, more than the initial capacity
      a.add(i * 1_000L);
    }
    Latencies.Summary s = a.summarize();
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.minNs()).isEqualTo(1_000);
    assertThat(s.p50Ns()).isEqualTo(500_000);
    assertThat(s.p90Ns()).isEqualTo(900_000);
    assertThat(s.p99Ns()).isEqualTo(990_000);
    assertThat(s.maxNs()).isEqualTo(1_000_000);
    assertThat(s.meanNs()).isEqualTo(500_500.0);

    Latencies b = new Latencies();
    b.add(5);
    b.addAll(a);
    assertThat(b.count()).isEqualTo(1001);
    assertThat(b.summarize().minNs()).isEqualTo(5);
    assertThat(new Latencies().summarize()).isEqualTo(Latencies.Summary.EMPTY);
  }

  private static Latencies.Summary summary(double p50Ms, double p99Ms) {
    long p50 = (long) (p50Ms * 1e6);
    long p99 = (long) (p99Ms * 1e6);
    return new Latencies.Summary(1000, p50 / 2, p50, (p50 + p99) / 2, p99, p99 * 2, p50);
  }

  private static TargetResult round(String target, int ok, int errors, double p50, double p99, Latencies.Summary ttfb,
                                    long cpuNanos, long rss) {
    return new TargetResult(target, ok, errors, errors > 0 ? Map.of("http 502 (" + target + ")", errors) : Map.of(),
        10.0, summary(p50, p99), ttfb, cpuNanos, rss);
  }

  /** Three rounds per target; the middle round holds the medians. */
  private static List<PhaseResult> samplePhases(int gatewayErrors) {
    TargetStats d1 = new TargetStats("direct", List.of(
        round("direct", 9_000, 0, 0.090, 0.250, Latencies.Summary.EMPTY, -1, -1),
        round("direct", 10_000, 0, 0.100, 0.300, Latencies.Summary.EMPTY, -1, -1),
        round("direct", 11_000, 0, 0.110, 0.900, Latencies.Summary.EMPTY, -1, -1)));
    TargetStats n1 = new TargetStats("nginx", List.of(
        round("nginx", 9_500, 0, 0.120, 0.300, Latencies.Summary.EMPTY, 200_000_000L, 8L << 20),
        round("nginx", 9_800, 0, 0.130, 0.330, Latencies.Summary.EMPTY, 196_000_000L, 9L << 20),
        round("nginx", 9_900, 0, 0.140, 0.950, Latencies.Summary.EMPTY, 200_000_000L, 8L << 20)));
    TargetStats g1 = new TargetStats("gw-h2", List.of(
        round("gw-h2", 4_000, 0, 0.175, 0.460, Latencies.Summary.EMPTY, 360_000_000L, 300L << 20),
        round("gw-h2", 5_000, 0, 0.185, 0.510, Latencies.Summary.EMPTY, 360_000_000L, 310L << 20), // 72 µs
        round("gw-h2", 6_000, 0, 0.195, 1.200, Latencies.Summary.EMPTY, 360_000_000L, 305L << 20)));
    List<TargetResult> d2 = List.of(
        round("direct", 20_000, 0, 0.250, 0.900, summary(0.200, 0.800), -1, -1),
        round("direct", 20_000, 0, 0.250, 0.900, summary(0.200, 0.800), -1, -1),
        round("direct", 20_000, 0, 0.250, 0.900, summary(0.200, 0.800), -1, -1));
    List<TargetResult> g2 = List.of(
        round("gw-h2", 19_000, gatewayErrors, 0.400, 1.500, summary(0.300, 1.000), 1_000_000_000L, 400L << 20),
        round("gw-h2", 19_000, 0, 0.400, 1.500, summary(0.300, 1.000), 1_000_000_000L, 400L << 20),
        round("gw-h2", 19_000, 0, 0.400, 1.500, summary(0.300, 1.000), 1_000_000_000L, 400L << 20));
    return List.of(
        new PhaseResult("chat c=1", 1, false, List.of(d1, n1, g1)),
        new PhaseResult("chat c=64", 64, false, List.of(d1, n1, g1)),
        new PhaseResult("stream c=32", 32, true,
            List.of(new TargetStats("direct", d2), new TargetStats("gw-h2", g2))));
  }

  private static BenchInfo info() {
    return new BenchInfo(2, "25.0.1", "unpinned", 20, 6, 3, "chunks=20;gap=0", 1234, 0, Map.of(),
        "nginx: /usr/sbin/nginx 1.22.1", List.of());
  }

  private static BurstResult sampleBurst() {
    BurstRound d = new BurstRound(1000, 1000, 0, 0, Map.of(), 1.04, summary(69, 90), summary(1040, 1100), 1000, -1, -1, 300_000_000L);
    BurstRound g = new BurstRound(1000, 990, 10, 10, Map.of("http 503 with Retry-After", 10), 2.0,
        summary(1060, 1900), summary(2040, 2900), 400, 2_000_000_000L, 550L << 20, -1);
    return new BurstResult(1000, 20, 50, Stalls.gapLimitNs(50),
        List.of(new BurstStats("direct", List.of(d, d, d)), new BurstStats("gw-h2", List.of(g, g, g))));
  }

  @Test
  void mediansAndAddedArePairedByRound() {
    PhaseResult chat = samplePhases(0).get(0);
    assertThat(chat.direct().reqPerSec()).isEqualTo(1000.0);
    assertThat(chat.target("gw-h2").cpuMicrosPerRequest()).isEqualTo(72.0);
    assertThat(chat.target("gw-h2").peakRssBytes()).isEqualTo(310L << 20);
    // rounds: +0.085, +0.085, +0.085 at p50; p99: +0.21, +0.21, +0.30 → median +0.21
    assertThat(chat.addedMs("gw-h2", Latencies.Summary::p50Ns, false)).isCloseTo(0.085, within(1e-9));
    assertThat(chat.addedMs("gw-h2", Latencies.Summary::p99Ns, false)).isCloseTo(0.21, within(1e-9));
    assertThat(chat.addedMs("nope", Latencies.Summary::p50Ns, false)).isNaN();
    assertThat(Stalls.median(3, 1, 2)).isEqualTo(2);
    assertThat(Stalls.median(4, 1, 2, 3)).isEqualTo(2.5);
    assertThat(Stalls.median(Double.NaN, 5)).isEqualTo(5);
    assertThat(Stalls.median()).isNaN();
  }

  @Test
  void tableShowsRowsAddedLatencyCpuAndRss() {
    String table = Report.table(info(), samplePhases(0), sampleBurst(), List.of(new Startup("gw-h2", 1500, 2100)));
    assertThat(table).contains("phase", "target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "RSS MB", "errors");
    assertThat(table).containsPattern("chat c=64\\s+direct\\s+1000\\.0\\s+0\\.100\\s");
    assertThat(table).containsPattern("chat c=64\\s+gw-h2\\s+500\\.0\\s+0\\.185\\s.*\\s72\\s+310\\s+0");
    assertThat(table).containsPattern("chat c=64\\s+nginx\\s+980\\.0\\s+0\\.130\\s.*\\s20\\s+9\\s+0");
    assertThat(table).containsPattern("\\s+added\\s+-50\\.0%\\s+\\+0\\.085\\s+\\S+\\s+\\+0\\.210");
    assertThat(table).contains("stream c=32 TTFB", "stream c=32 total", "1000 concurrent streams");
    assertThat(table).containsPattern("stream c=32 TTFB\\s+gw-h2\\s+1900\\.0\\s+0\\.300");
    assertThat(table).containsPattern("gw-h2\\s+1060\\.0\\s+1900\\.0\\s+2040\\.0\\s+2900\\.0\\s+495\\s+400/1000\\s+30\\s+30 !!\\s+2000\\s+550");
    assertThat(table).contains("first proxied request served   2100 ms");
    assertThat(table).contains("!! 1000 streams / gw-h2: 30 failed");
    assertThat(table.lines()).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
  }

  @Test
  void summaryMatchesTheIssuesTable() {
    String s = Report.summary(info(), samplePhases(0), sampleBurst(), List.of(new Startup("gw-h2", 1500, 2100)));
    assertThat(s).contains("req/s @64", "CPU µs/req", "added p50 @1", "p99 @1 (dir 0.30)", "peak RSS MB");
    assertThat(s).containsPattern("nginx\\s+980\\s+20\\s+\\+0\\.030\\s+0\\.33\\s+9");
    assertThat(s).containsPattern("ours, embedded H2\\s+500\\s+72\\s+\\+0\\.085\\s+0\\.51\\s+310");
    assertThat(s).containsPattern("ours, embedded H2\\s+\\?\\s+\\+0\\.100\\s+\\+0\\.200\\s+\\+0\\.150");
    assertThat(s).containsPattern("ours, embedded H2\\s+1060\\s+1900\\s+2040\\s+2900\\s+495\\s+400/1000\\s+30 \\(30 503\\+RA\\)\\s+550");
    assertThat(s).contains("start-up to first served request:  ours, embedded H2 2.10 s");
    assertThat(s.lines()).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
  }

  @Test
  void errorsAreFlagged() {
    String table = Report.table(info(), samplePhases(3), null, List.of());
    assertThat(table).containsPattern("stream c=32 total\\s+gw-h2.*3 !!");
    assertThat(table).contains("!! ERRORS in stream c=32 / gw-h2: 3 of 57003 requests failed", "http 502");
    assertThat(samplePhases(3).get(2).hasErrors()).isTrue();
    assertThat(samplePhases(0).get(2).hasErrors()).isFalse();
  }

  @Test
  void jsonHasTheNumbers() throws Exception {
    SoakMinute m = new SoakMinute("gw-h2", 1, 5000, 0, 0.3, 1.2, 0.1, 0.5, 300L << 20, 120L << 20);
    JsonNode root = new ObjectMapper().readTree(Report.json(info(), samplePhases(3), sampleBurst(),
        List.of(new Startup("gw-h2", 1500, 2100)), List.of(m)));
    assertThat(root.get("cpus").asInt()).isEqualTo(2);
    assertThat(root.get("rounds").asInt()).isEqualTo(3);
    JsonNode chat = root.get("phases").get(1);
    assertThat(chat.get("name").asText()).isEqualTo("chat c=64");
    JsonNode gw = chat.get("targets").get("gw-h2");
    assertThat(gw.get("median").get("cpu_us_per_request").asDouble()).isEqualTo(72.0);
    assertThat(gw.get("peak_rss_bytes").asLong()).isEqualTo(310L << 20);
    assertThat(gw.get("rounds")).hasSize(3);
    assertThat(gw.get("added_ms").get("p50").asDouble()).isEqualTo(0.085);
    assertThat(chat.get("targets").get("direct").get("median").has("cpu_us_per_request")).isFalse();
    assertThat(chat.get("targets").get("direct").get("median").get("latency_ms").get("p99").asDouble()).isEqualTo(0.3);
    JsonNode stream = root.get("phases").get(2);
    assertThat(stream.get("has_errors").asBoolean()).isTrue();
    assertThat(stream.get("targets").get("gw-h2").get("error_kinds").get("http 502 (gw-h2)").asInt()).isEqualTo(3);
    assertThat(stream.get("targets").get("gw-h2").get("added_ttfb_ms").get("p50").asDouble()).isEqualTo(0.1);
    JsonNode streams = root.get("streams");
    assertThat(streams.get("stall_gap_limit_ms").asDouble()).isEqualTo(200.0);
    assertThat(streams.get("targets").get("gw-h2").get("retry_after_503").asInt()).isEqualTo(30);
    assertThat(streams.get("targets").get("gw-h2").get("median").get("stall_free").asDouble()).isEqualTo(400);
    assertThat(streams.get("targets").get("direct").get("rounds").get(0).get("load_generator_cores").asDouble())
        .isCloseTo(0.288, within(0.001));
    assertThat(streams.get("targets").get("gw-h2").get("rounds").get(0).has("load_generator_cores")).isFalse();
    assertThat(root.get("startup").get(0).get("first_served_ms").asDouble()).isEqualTo(2100.0);
    assertThat(root.get("soak").get(0).get("heap_used_bytes").asLong()).isEqualTo(120L << 20);
  }

  @Test
  void stallRule() {
    long gap = Stalls.gapLimitNs(50);
    assertThat(gap).isEqualTo(200_000_000L);
    assertThat(Stalls.gapLimitNs(0)).isEqualTo(Long.MAX_VALUE);
    long ttft = Stalls.ttftLimitNs(69_000_000L);
    assertThat(ttft).isEqualTo(690_000_000L);
    assertThat(Stalls.ttftLimitNs(100_000L)).isEqualTo(Stalls.MIN_TTFT_LIMIT_NS);
    assertThat(Stalls.stalled(70_000_000L, 60_000_000L, gap, ttft)).isFalse();
    assertThat(Stalls.stalled(70_000_000L, 200_000_000L, gap, ttft)).isFalse(); // exactly at the limit
    assertThat(Stalls.stalled(70_000_000L, 200_000_001L, gap, ttft)).isTrue();
    assertThat(Stalls.stalled(1_060_000_000L, 50_000_000L, gap, ttft)).isTrue();
    long[] ttfts = {60_000_000L, 700_000_000L, 80_000_000L, 90_000_000L};
    long[] gaps = {50_000_000L, 50_000_000L, 250_000_000L, 199_000_000L};
    assertThat(Stalls.stallFree(ttfts, gaps, gap, ttft)).isEqualTo(2);
    assertThat(Stalls.stallFree(new long[0], new long[0], gap, ttft)).isZero();
  }

  @Test
  void nginxConfigIsAPlainKeepAliveProxyInItsTempDir() {
    NginxConfig c = new NginxConfig(Path.of("/tmp/ljq-bench-x/nginx"), 18081, "127.0.0.1", 18082, 0, 1000, "root");
    String conf = c.render();
    assertThat(conf).contains("daemon off;", "user root;", "worker_processes auto;",
        "pid /tmp/ljq-bench-x/nginx/nginx.pid;", "error_log /tmp/ljq-bench-x/nginx/error.log",
        "client_body_temp_path /tmp/ljq-bench-x/nginx/client_body_temp;",
        "proxy_temp_path /tmp/ljq-bench-x/nginx/proxy_temp;", "listen 127.0.0.1:18081", "server 127.0.0.1:18082;",
        "keepalive 64;", "proxy_pass http://llm;", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";",
        "proxy_buffering off;", "access_log off;", "worker_connections 2256;");
    assertThat(c.workerConnections()).isGreaterThanOrEqualTo(2 * 1000);
    // not root: no user directive (nginx would only warn), every path still in the temp dir
    String asUser = new NginxConfig(Path.of("/tmp/x"), 1, "127.0.0.1", 2, 2, 10, null).render();
    assertThat(asUser).doesNotContain("user ").contains("worker_processes 2;", "worker_connections 1024;");
    assertThat(asUser.lines().filter(l -> l.contains("_path ") || l.startsWith("pid ") || l.startsWith("error_log ")))
        .hasSize(7).allSatisfy(l -> assertThat(l).contains("/tmp/x/"));
    // braces balance
    assertThat(conf.chars().filter(ch -> ch == '{').count()).isEqualTo(conf.chars().filter(ch -> ch == '}').count());
  }

  @Test
  void gatewayGetsTheLaunchersJvmOptions(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
    Path jar = java.nio.file.Files.createDirectories(root.resolve("target")).resolve("ljq.jar");
    assertThat(BenchRunner.gatewayJvmArgs(jar, null)).isEmpty();
    java.nio.file.Files.writeString(root.resolve("jvm.options"), "-Xmx256m\n");
    assertThat(BenchRunner.gatewayJvmArgs(jar, "")).containsExactly("@" + root.resolve("jvm.options"));
    assertThat(BenchRunner.gatewayJvmArgs(jar, " -Xmx1g  -XX:+UseG1GC ")).containsExactly("-Xmx1g", "-XX:+UseG1GC");
    java.nio.file.Files.writeString(root.resolve("target/jvm.options"), "-Xmx128m\n");
    assertThat(BenchRunner.gatewayJvmArgs(jar, null)).containsExactly("@" + root.resolve("target/jvm.options"));
    assertThat(BenchRunner.classDataSharing(jar, null)).contains("-XX:SharedArchiveFile=" + root.resolve("target/ljq.jsa"));
    assertThat(BenchRunner.classDataSharing(jar, "off")).isEmpty();
  }

  @Test
  void nginxIsFoundOrSkipped() {
    assertThat(NginxProcess.find("off")).isNull();
    assertThat(NginxProcess.find("/nonexistent/nginx")).isNull();
    String auto = NginxProcess.find("auto");
    if (auto != null) {
      assertThat(Path.of(auto)).isExecutable();
      assertThat(NginxProcess.find(auto)).isEqualTo(auto);
    }
  }

  @Test
  void procStatusAndPrometheusParsing() {
    String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  412345 kB\nVmRSS:\t  398765 kB\nThreads:\t42\n";
    assertThat(ProcTree.parseStatusKb(status, "VmRSS")).isEqualTo(398_765);
    assertThat(ProcTree.parseStatusKb(status, "VmHWM")).isEqualTo(412_345);
    assertThat(ProcTree.parseStatusKb(status, "VmSwap")).isEqualTo(-1);
    String prom = """
        # HELP jvm_memory_used_bytes The amount of used memory
        # TYPE jvm_memory_used_bytes gauge
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.097152E7
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
        jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 1.0E9
        """;
    assertThat(Report.heapUsedBytes(prom)).isEqualTo(31_457_280L);
    assertThat(Report.heapUsedBytes("up 1\n")).isEqualTo(-1);
    if (ProcCpu.supported()) {
      long self = ProcessHandle.current().pid();
      assertThat(ProcTree.rssBytes(self)).isPositive();
      assertThat(ProcTree.pids(self)).contains(self);
      assertThat(ProcTree.cpuNanos(self)).isPositive();
    }
  }

  @Test
  void procStatParsing() throws Exception {
    // comm may contain spaces and parentheses; utime (14) = 1500, stime (15) = 250
    String line = "4242 (java (my app)) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1500 250 3 4 20 0 42 0 100 0 0";
    assertThat(ProcCpu.parseCpuTicks(line)).isEqualTo(1750);
    assertThatThrownBy(() -> ProcCpu.parseCpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class);

    assumeTrue(ProcCpu.supported(), "no /proc on this system");
    long pid = ProcessHandle.current().pid();
    long before = ProcCpu.cpuTicks(pid);
    long spin = 0;
    for (int i = 0; i < 5_000_000; i++) {
      spin += i ^ (spin >>> 3);
    }
    assertThat(spin).isNotEqualTo(-1);
    assertThat(before).isGreaterThanOrEqualTo(0);
    assertThat(ProcCpu.cpuTicks(pid)).isGreaterThanOrEqualTo(before);
    assertThat(ProcCpu.clockTicksPerSecond()).isPositive();
    assertThat(ProcCpu.cpuNanos(pid)).isGreaterThan(0);
  }

  @Test
  void chatBodyIsSmallAndRealistic() throws Exception {
    JsonNode body = new ObjectMapper().readTree(RequestSpec.chatBody(true));
    assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("messages").get(0).get("content").asText().split("\\s+").length).isBetween(25, 40);
    assertThat(new ObjectMapper().readTree(RequestSpec.chatBody(false)).has("stream")).isFalse();
  }
}
