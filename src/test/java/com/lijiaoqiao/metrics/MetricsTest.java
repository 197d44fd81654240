package com.lijiaoqiao.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /metrics under a mixed load: every family documented in docs/metrics.md, counters moving, its guard. */
class MetricsTest {
  /** Sample names every scrape must hold after the load below (ljq_kafka_consumer_lag needs Kafka: not here). */
  static final List<String> FAMILIES = List.of(
      "ljq_requests_total", "ljq_request_duration_seconds_bucket", "ljq_request_ttft_seconds_bucket",
      "ljq_gateway_overhead_seconds_bucket", "ljq_request_errors_total", "ljq_limit_rejections_total",
      "ljq_tokens_total", "ljq_cost_micros_total", "ljq_upstream_attempts_total",
      "ljq_upstream_attempt_duration_seconds_bucket", "ljq_upstream_retries_total", "ljq_upstream_fallovers_total",
      "ljq_upstream_rescues_total", "ljq_upstream_model_fallbacks_total", "ljq_circuit_breaker_state",
      "ljq_risk_flags_total", "ljq_usage_recorder_pending", "ljq_ledger_shipments_pending", "ljq_outbox_backlog",
      "ljq_event_loop_delay_seconds_bucket", "jvm_memory_used_bytes", "jvm_threads_live_threads",
      "process_uptime_seconds", "system_cpu_count");

  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Databases.Kind.H2);
  }

  @AfterAll
  static void stop() {
    if (gw != null) gw.close();
  }

  static String root(TestGateway g) {
    String base = g.baseUrl();
    return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
  }

  static String scrape() {
    Http.Reply r = Http.get(root(gw) + "/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("text/plain");
    return r.body();
  }

  /** The sum of every sample of {@code name} (any labels). */
  static double sum(String scrape, String name) {
    double total = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  static Set<String> sampleNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int end = line.indexOf('{');
      if (end < 0) end = line.indexOf(' ');
      names.add(line.substring(0, end));
    }
    return names;
  }

  void load() {
    String chat = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, chat).status()).isEqualTo(200);
    try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey,
        chat.replace("{\"model\"", "{\"stream\":true,\"model\""))) {
      assertThat(s.status).isEqualTo(200);
      s.rest();
    }
    assertThat(Http.postJson(gw.baseUrl() + "/messages", gw.apiKey, chat, "anthropic-version", "2023-06-01").status())
        .isEqualTo(200);
    assertThat(Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        chat.replace("gpt-4o-mini", "no-such-model")).status()).isGreaterThanOrEqualTo(400);
    String limited = gw.gateway.keyIssuer().issue(gw.userId, gw.tenantId, "limited", Set.of(), 1, 10_000_000, null)
        .secret();
    int last = 0;
    for (int i = 0; i < 3; i++) last = Http.postJson(gw.baseUrl() + "/chat/completions", limited, chat).status();
    assertThat(last).isEqualTo(429);
  }

  @Test
  void everyFamilyIsScrapedAndCountersMove() {
    load();
    String first = scrape();
    Set<String> names = sampleNames(first);
    assertThat(names).containsAll(FAMILIES);
    assertThat(sum(first, "ljq_limit_rejections_total")).isGreaterThan(0);
    assertThat(first).contains("ljq_requests_total{ingress=\"anthropic\"");
    assertThat(first).contains("model=\"other\"");
    double requests = sum(first, "ljq_requests_total");
    double attempts = sum(first, "ljq_upstream_attempts_total");
    double tokens = sum(first, "ljq_tokens_total");
    load();
    String second = scrape();
    assertThat(sum(second, "ljq_requests_total")).isGreaterThanOrEqualTo(requests + 6);
    assertThat(sum(second, "ljq_upstream_attempts_total")).isGreaterThan(attempts);
    assertThat(sum(second, "ljq_tokens_total")).isGreaterThan(tokens);
    assertThat(sum(second, "ljq_request_duration_seconds_count")).isEqualTo(sum(second, "ljq_requests_total"));
  }

  @Test
  void aRetriedAttemptIsCountedByOutcomeAndAsARetry() {
    String before = scrape();
    String chat = "{\"model\":\"gpt-4o\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, chat,
        "x-ljq-sim", "fault=500,times=1,key=metrics-retry-" + System.nanoTime());
    assertThat(r.status()).isEqualTo(200);
    String after = scrape();
    assertThat(sum(after, "ljq_upstream_retries_total") + sum(after, "ljq_upstream_fallovers_total"))
        .isGreaterThan(sum(before, "ljq_upstream_retries_total") + sum(before, "ljq_upstream_fallovers_total"));
    assertThat(sum(after, "ljq_upstream_attempts_total")).isGreaterThanOrEqualTo(
        sum(before, "ljq_upstream_attempts_total") + 2);
    assertThat(after).containsPattern("ljq_upstream_attempts_total\\{outcome=\"(?!ok\")[a-z_0-9]+\",provider=\"sim\"}");
  }

  @Test
  void theDashboardNamesOnlyScrapedMetrics() throws Exception {
    load();
    Set<String> names = sampleNames(scrape());
    JsonNode dash = Http.JSON.readTree(Files.readString(Path.of("deploy/grafana/dashboards/ljq-gateway.json")));
    assertThat(dash.path("panels").size()).isGreaterThan(5);
    List<String> referenced = new ArrayList<>();
    Matcher m = Pattern.compile("ljq_[a-z0-9_]+").matcher(dash.toString());
    while (m.find()) referenced.add(m.group());
    assertThat(referenced).isNotEmpty();
    assertThat(names).containsAll(referenced);
  }

  @Test
  void aTokenGuardsTheScrape() {
    try (TestGateway guarded = TestGateway.start(Databases.Kind.H2, c -> c.metrics.token = "scrape-secret")) {
      String url = root(guarded) + "/metrics";
      Http.Reply none = Http.get(url, null);
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.body()).doesNotContain("ljq_");
      assertThat(Http.get(url, "wrong").status()).isEqualTo(401);
      Http.Reply ok = Http.get(url, "scrape-secret");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).contains("ljq_event_loop_delay_seconds");
    }
  }

  @Test
  void addressesOutsideTheAllowedRangesAreRefusedAndDisabledMeansAbsent() {
    try (TestGateway fenced = TestGateway.start(Databases.Kind.H2, c -> c.metrics.allowedCidrs = List.of("10.0.0.0/8"))) {
      assertThat(Http.get(root(fenced) + "/metrics", null).status()).isEqualTo(403);
    }
    try (TestGateway off = TestGateway.start(Databases.Kind.H2, c -> c.metrics.enabled = false)) {
      Http.Reply r = Http.get(root(off) + "/metrics", null);
      assertThat(r.status()).isNotEqualTo(200);
      assertThat(r.body()).doesNotContain("ljq_");
    }
  }
}
