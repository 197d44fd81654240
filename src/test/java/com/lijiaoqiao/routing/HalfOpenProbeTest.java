package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.routing.RoutingFixture.Result;
import com.lijiaoqiao.testing.Databases;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A half-open (provider, model) admits exactly one request as its probe, and that request gets one attempt there:
 * requests meanwhile go to the fallback, a failing probe falls over at once (no retry on the primary), a passing
 * one closes the breaker. Recovery probes are off here and the open period is one second, so the request is the
 * probe; the first-byte and idle timeouts are long enough for a deliberately slow probe.
 */
class HalfOpenProbeTest {
  static final int OPEN_MS = 1_000;
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {
      c.routing.breakerOpenMs = OPEN_MS;
      c.routing.recoveryProbeIntervalMs = 0;
      c.routing.firstByteTimeoutMs = 15_000;
      c.upstream.idleTimeoutMs = 15_000;
      c.routing.totalTimeoutMs = 30_000;
    });
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.reset();
  }

  private static String breaker() {
    return f.stats("primary").at("/models/chat/breaker").asText();
  }

  /** The primary's gpt-4o answers 503 until its "chat" breaker opens; every request meanwhile is served. */
  private static void openTheLane() {
    RoutingFixture.modelFault(f.primary, "gpt-4o", "fault=503");
    long end = System.currentTimeMillis() + 15_000;
    while (!"open".equals(breaker())) {
      assertThat(System.currentTimeMillis()).as("the breaker opens").isLessThan(end);
      Result r = f.chat("chat", false);
      assertThat(r.status()).isEqualTo(200);
    }
  }

  /** Sleeps past the open period: the next request to reach the lane is its probe. */
  private static void openPeriodPasses() throws InterruptedException {
    Thread.sleep(OPEN_MS + 200);
  }

  private static List<String> providersTried(Result r) {
    return f.attempts(r.requestId()).stream().map(a -> a.get("provider").asText() + ":" + a.get("outcome").asText())
        .toList();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aFailingProbeGetsOneAttemptAndFallsOverAtOnce(boolean stream) throws Exception {
    openTheLane();
    openPeriodPasses();
    Result r = f.chat("chat", stream);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.provider()).isEqualTo("fallback");
    assertThat(providersTried(r)).as("one attempt on the half-open primary, no retry there")
        .containsExactly("primary:http_503", "fallback:ok");
    assertThat(breaker()).as("the failed probe opens it again").isEqualTo("open");
    Result next = f.chat("chat", stream);
    assertThat(providersTried(next)).as("open again: not a candidate").containsExactly("fallback:ok");
  }

  @Test
  void whileTheProbeIsOutOtherRequestsGoToTheFallbackThenItsSuccessCloses() throws Exception {
    openTheLane();
    // The model recovers, but slowly: the probe request stays out for seconds.
    RoutingFixture.modelFault(f.primary, "gpt-4o", "latency=6000");
    openPeriodPasses();
    // A thread per request: the common pool may have fewer threads than requests out at once.
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    CompletableFuture<Result> probe = CompletableFuture.supplyAsync(() -> f.chat("chat", false), threads);
    long end = System.currentTimeMillis() + 5_000;
    while (!"half_open".equals(breaker())) {
      assertThat(System.currentTimeMillis()).as("the probe takes the lane half-open").isLessThan(end);
      Thread.sleep(20);
    }
    List<CompletableFuture<Result>> others = List.of(
        CompletableFuture.supplyAsync(() -> f.chat("chat", false), threads),
        CompletableFuture.supplyAsync(() -> f.chat("chat", true), threads),
        CompletableFuture.supplyAsync(() -> f.chat("chat", false), threads),
        CompletableFuture.supplyAsync(() -> f.chat("chat", true), threads));
    List<Result> served = others.stream().map(CompletableFuture::join).toList();
    assertThat(probe).as("the others were served while the probe was still out").isNotDone();
    assertThat(breaker()).isEqualTo("half_open");
    for (Result r : served) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.provider()).isEqualTo("fallback");
      assertThat(providersTried(r)).as("the primary, half-open with its probe out, is no candidate")
          .containsExactly("fallback:ok");
    }

    Result p = probe.join();
    threads.close();
    assertThat(p.status()).isEqualTo(200);
    assertThat(p.provider()).isEqualTo("primary");
    assertThat(providersTried(p)).containsExactly("primary:ok");
    assertThat(breaker()).as("the probe's success closes it").isEqualTo("closed");
    RoutingFixture.clearModelFault(f.primary, "gpt-4o");
    assertThat(f.chat("chat", true).provider()).isEqualTo("primary");
  }
}
