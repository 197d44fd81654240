package com.lijiaoqiao.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.conformance.IngressClient.Answer;
import com.lijiaoqiao.conformance.IngressClient.Req;
import com.lijiaoqiao.conformance.IngressClient.Turn;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mid-stream rescue through HTTP, for every ingress × upstream kind: a primary whose stream is cut (or stalls) after
 * a few chunks, and a fallback of the same kind in the next tier that continues the answer. The simulator continues
 * a prefill or a continuation instruction exactly, so the client's joined text must equal the uninterrupted answer:
 * nothing repeated at the seam, nothing missing, one proper end.
 */
class RescueTest {
  static final Vertx VERTX = Vertx.vertx();
  static Simulator sim;
  static TestGateway gw;
  static String root;

  /** Public model suffix → primary's directives, fallback's directives. */
  static final Map<String, String[]> SCENARIOS = Map.of(
      "rescue", new String[] {"fault=cut,after=3", null},
      "refuse", new String[] {"fault=cut,after=3", "prefill=refuse"},
      "tail", new String[] {"fault=cut,after=3", "continue=repeat_tail"},
      "restart", new String[] {"fault=cut,after=3", "continue=restart"},
      "stall", new String[] {"fault=stall,after=3", null},
      "tool", new String[] {"fault=cut,after=2", null},
      "clean", new String[] {null, null});

  @BeforeAll
  static void start() {
    sim = Simulator.start(VERTX, "127.0.0.1", TestGateway.freePort());
    String base = "http://127.0.0.1:" + sim.port();
    gw = TestGateway.start(Databases.Kind.H2, cfg -> {
      cfg.upstream.idleTimeoutMs = 2_000; // a stall is noticed quickly
      for (UpstreamKind k : UpstreamKind.values()) {
        cfg.providers.add(provider(k, base, "primary", 0, 0));
        cfg.providers.add(provider(k, base, "fallback", 1, 1));
      }
    });
    root = gw.baseUrl().substring(0, gw.baseUrl().length() - 3);
    // The simulator's first answers load its tokenizers (seconds on a cold JVM): warm every dialect first, so the
    // short idle limit below measures stalls, not class loading.
    for (UpstreamKind k : UpstreamKind.values()) {
      for (IngressClient in : IngressClient.values()) in.stream(root, gw.apiKey, Req.of(k.model("clean"), "warm up"));
    }
  }

  static GatewayConfig.ProviderSpec provider(UpstreamKind k, String base, String role, int tier, int which) {
    GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
    p.id = role + "-" + k.kind;
    p.kind = k.kind;
    p.baseUrl = base + k.pathSuffix;
    p.apiKey = "upstream-secret";
    p.tier = tier;
    SCENARIOS.forEach((name, d) -> {
      if (name.equals("clean") && which == 0) return; // the reference answer comes from the fallback alone
      p.models.put(k.model(name), k.upstreamModel + (d[which] == null ? "" : "::" + d[which]));
    });
    return p;
  }

  @AfterAll
  static void stop() {
    gw.close();
    sim.close();
    VERTX.close();
  }

  static Stream<Arguments> combos() {
    List<Arguments> out = new ArrayList<>();
    for (IngressClient in : IngressClient.values()) {
      for (UpstreamKind up : UpstreamKind.values()) out.add(Arguments.of(in, up));
    }
    return out.stream();
  }

  private static final String PROMPT = "Tell me a long story about bridges";

  static Answer stream(IngressClient in, UpstreamKind up, String scenario) {
    return in.stream(root, gw.apiKey, Req.of(up.model(scenario), PROMPT));
  }

  static void joinedExactly(Answer rescued, Answer clean) {
    assertThat(rescued.status()).isEqualTo(200);
    assertThat(rescued.error()).as("no in-band error").isNull();
    assertThat(rescued.terminated()).as("a proper end").isTrue();
    assertThat(rescued.stop()).isEqualTo("stop");
    assertThat(rescued.text()).isEqualTo(clean.text());
    // both upstreams' prompts were used, and the client is shown one usage covering both parts
    assertThat(rescued.promptTokens()).isGreaterThan(clean.promptTokens());
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void aCutStreamIsFinishedByTheFallbackWithNothingRepeatedOrMissing(IngressClient in, UpstreamKind up) {
    Answer clean = stream(in, up, "clean");
    joinedExactly(stream(in, up, "rescue"), clean);
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void aFallbackThatRefusesPrefillIsAskedInWordsAndTheRefusalNeverReachesTheClient(IngressClient in, UpstreamKind up) {
    joinedExactly(stream(in, up, "refuse"), stream(in, up, "clean"));
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void wordsTheFallbackRepeatsAtTheSeamAreTrimmed(IngressClient in, UpstreamKind up) {
    joinedExactly(stream(in, up, "tail"), stream(in, up, "clean"));
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void aFallbackThatStartsTheAnswerOverWordForWordIsJoinedWithoutTheRepeat(IngressClient in, UpstreamKind up) {
    // (one that starts over and goes another way is refused: protocol/ContinuationJoinTest)
    joinedExactly(stream(in, up, "restart"), stream(in, up, "clean"));
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void aStalledStreamIsFinishedByTheFallback(IngressClient in, UpstreamKind up) {
    joinedExactly(stream(in, up, "stall"), stream(in, up, "clean"));
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void aToolCallCutMidArgumentsIsNeverSplicedAndEndsWithTheError(IngressClient in, UpstreamKind up) {
    Answer s = in.stream(root, gw.apiKey, new Req(up.model("tool"), null, List.of(Turn.user(PROMPT)), true, true));
    assertThat(s.status()).isEqualTo(200);
    if (in == IngressClient.GEMINI || up == UpstreamKind.GEMINI) {
      // Google's streams carry a call whole: a Gemini client had been sent nothing when the primary broke (so the
      // request simply fell over), and a Gemini upstream's call is never cut in the middle.
      assertThat(s.terminated()).isTrue();
      assertThat(s.calls()).hasSize(1);
      return;
    }
    assertThat(s.terminated()).isFalse();
    assertThat(s.error()).isNotNull();
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void theLastEventOfARescuedStreamSaysWhoFinishedIt(IngressClient in, UpstreamKind up) throws Exception {
    Req r = Req.of(up.model("rescue"), PROMPT);
    Http.Reply reply = Http.postJson(root + in.path(r, true), null, in.body(r, true), in.auth(gw.apiKey));
    String[] frames = reply.body().split("\n\n");
    String last = null;
    for (String f : frames) {
      int at = f.indexOf("data: {");
      if (at >= 0) last = f.substring(at + "data: ".length());
    }
    JsonNode note = Http.JSON.readTree(last).get("x-ljq-rescued");
    assertThat(note).as(last).isNotNull();
    assertThat(note.get("provider").asText()).isEqualTo("fallback-" + up.kind);
    assertThat(note.get("reason").asText()).isEqualTo("upstream_cut");
    assertThat(reply.body().split("x-ljq-rescued", -1)).hasSize(2); // once, in the last event
  }

  @Test
  void aCallerThatOptsOutKeepsTheInBandErrorAndTheRescuedStreamSaysWhoFinishedIt() throws Exception {
    // (the stored decision listing both attempts is checked in routing/FailoverTest)
    String body = "{\"model\":\"" + UpstreamKind.OPENAI_COMPATIBLE.model("rescue") + "\",\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
    Http.Reply off = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, body, "x-ljq-rescue", "off");
    assertThat(off.body()).contains("PROVIDER_005").doesNotContain("[DONE]").doesNotContain("x-ljq-rescued");
    Http.Reply on = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, body);
    assertThat(on.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
    assertThat(on.header("x-ljq-provider")).isEqualTo("primary-openai-compatible");
    String[] frames = on.body().split("\n\n");
    JsonNode last = Http.JSON.readTree(frames[frames.length - 2].substring("data: ".length()));
    assertThat(last.get("x-ljq-rescued").get("provider").asText()).isEqualTo("fallback-openai-compatible");
    assertThat(last.get("x-ljq-rescued").get("reason").asText()).isEqualTo("upstream_cut");
    assertThat(last.get("usage").get("completion_tokens").asLong()).isPositive();
  }
}
