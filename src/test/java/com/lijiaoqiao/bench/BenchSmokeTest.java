package com.lijiaoqiao.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.bench.Results.BenchInfo;
import com.lijiaoqiao.bench.Results.PhaseResult;
import com.lijiaoqiao.bench.Results.TargetResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fast, in-process: percentile math, report formatting, /proc CPU parsing. No child processes, no timings. */
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

  private static List<PhaseResult> samplePhases(int gatewayErrors) {
    TargetResult d1 = new TargetResult("direct", 10_000, 0, Map.of(), 10.0, summary(0.100, 0.300),
        Latencies.Summary.EMPTY, -1);
    TargetResult g1 = new TargetResult("gateway", 5_000, 0, Map.of(), 10.0, summary(0.185, 0.510),
        Latencies.Summary.EMPTY, 360_000_000L); // 0.36 s CPU / 5000 requests = 72 µs
    TargetResult d2 = new TargetResult("direct", 20_000, 0, Map.of(), 10.0, summary(0.250, 0.900),
        summary(0.200, 0.800), -1);
    TargetResult g2 = new TargetResult("gateway", 19_000, gatewayErrors,
        gatewayErrors > 0 ? Map.of("http 502 (gateway)", gatewayErrors) : Map.of(), 10.0, summary(0.400, 1.500),
        summary(0.300, 1.000), 1_000_000_000L);
    return List.of(new PhaseResult("chat c=64", 64, false, d1, g1), new PhaseResult("stream c=8", 8, true, d2, g2));
  }

  private static BenchInfo info() {
    return new BenchInfo(2, "21.0.1", "unpinned", 20, 10, 2, "chunks=20;gap=0", 1234, 0, Map.of());
  }

  @Test
  void tableShowsRowsAddedLatencyAndCpu() {
    String table = Report.table(info(), samplePhases(0));
    assertThat(table).contains("phase", "target", "req/s", "p50 ms", "p99 ms", "errors");
    assertThat(table).containsPattern("chat c=64\\s+direct\\s+1000\\.0\\s+0\\.100\\s");
    assertThat(table).containsPattern("chat c=64\\s+gateway\\s+500\\.0\\s+0\\.185\\s");
    assertThat(table).containsPattern("\\s+added\\s+-50\\.0%\\s+\\+0\\.085\\s+\\S+\\s+\\+0\\.210");
    assertThat(table).contains("stream c=8 TTFB", "stream c=8 total");
    assertThat(table).containsPattern("stream c=8 TTFB\\s+gateway\\s+1900\\.0\\s+0\\.300");
    assertThat(table).contains("gateway CPU per request (chat c=64): 72 µs");
    assertThat(table).doesNotContain("ERRORS", "!!");
    assertThat(table.lines()).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
  }

  @Test
  void errorsAreFlagged() {
    String table = Report.table(info(), samplePhases(3));
    assertThat(table).containsPattern("stream c=8 total\\s+gateway.*3 !!");
    assertThat(table).contains("!! ERRORS in stream c=8 / gateway: 3 of 19003 requests failed", "http 502");
    assertThat(samplePhases(3).get(1).hasErrors()).isTrue();
    assertThat(samplePhases(0).get(1).hasErrors()).isFalse();
  }

  @Test
  void jsonHasTheNumbers() throws Exception {
    JsonNode root = new ObjectMapper().readTree(Report.json(info(), samplePhases(3)));
    assertThat(root.get("cpus").asInt()).isEqualTo(2);
    JsonNode chat = root.get("phases").get(0);
    assertThat(chat.get("name").asText()).isEqualTo("chat c=64");
    assertThat(chat.get("gateway").get("cpu_us_per_request").asDouble()).isEqualTo(72.0);
    assertThat(chat.get("direct").has("cpu_us_per_request")).isFalse();
    assertThat(chat.get("added_ms").get("p50").asDouble()).isEqualTo(0.085);
    assertThat(chat.get("direct").get("latency_ms").get("p99").asDouble()).isEqualTo(0.3);
    JsonNode stream = root.get("phases").get(1);
    assertThat(stream.get("has_errors").asBoolean()).isTrue();
    assertThat(stream.get("gateway").get("error_kinds").get("http 502 (gateway)").asInt()).isEqualTo(3);
    assertThat(stream.get("added_ttfb_ms").get("p50").asDouble()).isEqualTo(0.1);
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
