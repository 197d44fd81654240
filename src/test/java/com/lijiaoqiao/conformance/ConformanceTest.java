package com.lijiaoqiao.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.conformance.IngressClient.Answer;
import com.lijiaoqiao.conformance.IngressClient.Call;
import com.lijiaoqiao.conformance.IngressClient.Req;
import com.lijiaoqiao.conformance.IngressClient.Turn;
import com.lijiaoqiao.testing.Http;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One list of scenarios, run for every ingress dialect × upstream kind, against the simulator speaking the
 * upstream's dialect. A new vendor is one adapter class plus one line in {@link UpstreamKind}.
 */
class ConformanceTest {
  static TwoDialectGateway gw;
  static String root;
  static String key;

  @BeforeAll
  static void start() {
    gw = new TwoDialectGateway();
    root = gw.root();
    key = gw.gateway.apiKey;
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Stream<Arguments> combos() {
    List<Arguments> out = new ArrayList<>();
    for (IngressClient in : IngressClient.values()) {
      for (UpstreamKind up : UpstreamKind.values()) out.add(Arguments.of(in, up));
    }
    return out.stream();
  }

  private static final String PROMPT = "What is the weather in Paris today?";

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void plainChat(IngressClient in, UpstreamKind up) {
    Answer a = in.send(root, key, Req.of(up.model("chat"), "Say hello"));
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.text()).isNotBlank();
    assertThat(a.stop()).isEqualTo("stop");
    assertThat(a.promptTokens()).isPositive();
    assertThat(a.completionTokens()).isEqualTo(40); // the simulator's default answer length
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void streamingMatchesNonStreaming(IngressClient in, UpstreamKind up) {
    Req r = Req.of(up.model("chat"), "Tell me a story");
    Answer whole = in.send(root, key, r);
    Answer streamed = in.stream(root, key, r);
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(streamed.error()).isNull();
    assertThat(streamed.terminated()).isTrue();
    assertThat(streamed.text()).isEqualTo(whole.text());
    assertThat(streamed.stop()).isEqualTo("stop");
    assertThat(streamed.completionTokens()).isEqualTo(whole.completionTokens());
    assertThat(streamed.promptTokens()).isEqualTo(whole.promptTokens());
    List<String> t = streamed.eventTypes();
    switch (in) {
      case ANTHROPIC -> {
        assertThat(t.get(0)).isEqualTo("message_start");
        assertThat(t).contains("content_block_start", "content_block_delta", "content_block_stop", "message_delta");
        assertThat(t.get(t.size() - 1)).isEqualTo("message_stop");
      }
      case RESPONSES -> {
        assertThat(t.subList(0, 2)).containsExactly("response.created", "response.in_progress");
        assertThat(t).contains("response.output_item.added", "response.output_text.delta", "response.output_item.done");
        assertThat(t.get(t.size() - 1)).isEqualTo("response.completed");
      }
      case GEMINI -> assertThat(t).hasSizeGreaterThan(2).allMatch("chunk"::equals); // no terminator in Google's streams
      default -> assertThat(t.get(t.size() - 1)).isEqualTo("[DONE]");
    }
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void systemPromptReachesTheUpstream(IngressClient in, UpstreamKind up) {
    Answer without = in.send(root, key, Req.of(up.model("chat"), "Hi there"));
    Answer with = in.send(root, key, new Req(up.model("chat"), "You are a terse assistant who answers in French.",
        List.of(Turn.user("Hi there")), false, false));
    assertThat(with.status()).isEqualTo(200);
    assertThat(with.promptTokens()).isGreaterThan(without.promptTokens() + 5);
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void multiTurn(IngressClient in, UpstreamKind up) {
    Answer one = in.send(root, key, Req.of(up.model("chat"), "And tomorrow?"));
    Answer three = in.send(root, key, new Req(up.model("chat"), null, List.of(Turn.user("Weather today?"),
        Turn.assistant("Sunny and warm."), Turn.user("And tomorrow?")), false, false));
    assertThat(three.status()).isEqualTo(200);
    assertThat(three.text()).isNotBlank();
    assertThat(three.promptTokens()).isGreaterThan(one.promptTokens());
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void singleToolCallAndResult(IngressClient in, UpstreamKind up) {
    Answer a = in.send(root, key, new Req(up.model("chat"), null, List.of(Turn.user(PROMPT)), true, true));
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.stop()).isEqualTo("tool");
    assertThat(a.calls()).hasSize(1);
    Call c = a.calls().get(0);
    assertThat(c.name()).isEqualTo("get_weather");
    assertThat(IngressClient.parse(c.arguments()).get("city").asText()).isEqualTo("Paris");
    // the result goes back with the call's id, and the upstream answers from it
    Answer b = in.send(root, key, new Req(up.model("chat"), null, List.of(Turn.user(PROMPT), Turn.calls(List.of(c)),
        Turn.result(c.id(), "18 degrees and cloudy")), true, false));
    assertThat(b.status()).isEqualTo(200);
    assertThat(b.text()).startsWith("Based on the tool result \"18 degrees and cloudy");
    assertThat(b.stop()).isEqualTo("stop");
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void parallelToolCalls(IngressClient in, UpstreamKind up) {
    Req r = new Req(up.model("parallel"), null, List.of(Turn.user(PROMPT)), true, false);
    Answer a = in.send(root, key, r);
    assertThat(a.calls()).hasSize(2);
    assertThat(a.calls().get(0).id()).isNotEqualTo(a.calls().get(1).id());
    Answer s = in.stream(root, key, r);
    assertThat(s.calls()).hasSize(2);
    assertThat(s.stop()).isEqualTo("tool");
    for (int i = 0; i < 2; i++) {
      assertThat(s.calls().get(i).id()).isEqualTo(a.calls().get(i).id());
      assertThat(IngressClient.parse(s.calls().get(i).arguments()))
          .isEqualTo(IngressClient.parse(a.calls().get(i).arguments()));
    }
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void streamedToolArguments(IngressClient in, UpstreamKind up) {
    Req r = new Req(up.model("chat"), null, List.of(Turn.user(PROMPT)), true, true);
    Answer s = in.stream(root, key, r);
    assertThat(s.terminated()).isTrue();
    assertThat(s.stop()).isEqualTo("tool");
    assertThat(s.calls()).hasSize(1);
    assertThat(s.calls().get(0).name()).isEqualTo("get_weather");
    assertThat(IngressClient.parse(s.calls().get(0).arguments()).get("city").asText()).isEqualTo("Paris");
    // Google's streams carry a function call whole, never in fragments
    if (in == IngressClient.GEMINI || up == UpstreamKind.GEMINI) return;
    long deltas = s.eventTypes().stream().filter(t -> t.equals("content_block_delta") || t.equals("chunk")
        || t.equals("response.function_call_arguments.delta")).count();
    assertThat(deltas).isGreaterThanOrEqualTo(2); // arguments arrived in fragments, relayed as fragments
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void images(IngressClient in, UpstreamKind up) {
    String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    Answer text = in.send(root, key, Req.of(up.model("chat"), "What is in this picture?"));
    Answer img = in.send(root, key, new Req(up.model("chat"), null,
        List.of(Turn.image("What is in this picture?", png)), false, false));
    assertThat(img.status()).isEqualTo(200);
    assertThat(img.promptTokens()).isGreaterThan(text.promptTokens() + 50); // the image was counted upstream
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void embeddingsWhereSupported(IngressClient in, UpstreamKind up) {
    assumeTrue(in == IngressClient.OPENAI, "Anthropic's API has no embeddings");
    Http.Reply r = Http.postJson(root + "/v1/embeddings", key,
        "{\"model\":\"" + up.model("embed") + "\",\"input\":\"hello\"}");
    if (up.embeddings) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("data").get(0).get("embedding").size()).isEqualTo(1536);
    } else {
      assertThat(r.status()).isEqualTo(400); // Anthropic and Gemini upstreams: no OpenAI-shaped embeddings
      assertThat(r.json().get("error").get("message").asText()).contains("/v1/embeddings");
    }
  }

  static Stream<Arguments> faults() {
    List<Arguments> out = new ArrayList<>();
    String[][] f = {{"401", "502"}, {"429", "502"}, {"500", "502"}, {"timeout", "504"}, {"reset", "502"},
        {"malformed", "502"}};
    for (IngressClient in : IngressClient.values()) {
      for (UpstreamKind up : UpstreamKind.values()) {
        for (String[] x : f) out.add(Arguments.of(in, up, x[0], Integer.parseInt(x[1])));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream: {2}")
  @MethodSource("faults")
  void upstreamErrors(IngressClient in, UpstreamKind up, String fault, int status) {
    Req req = Req.of(up.model(fault), "hi");
    Http.Reply r = Http.postJson(root + in.path(req, false), null, in.body(req, false), in.auth(key));
    assertThat(r.status()).isEqualTo(status);
    JsonNode j = r.json();
    if (in == IngressClient.ANTHROPIC) {
      assertThat(j.get("type").asText()).isEqualTo("error");
      assertThat(j.get("error").get("type").asText()).isNotBlank();
    }
    JsonNode err = j.get("error");
    assertThat(in.errorCode(j)).isEqualTo(status == 504 ? "ROUTER_003" : "PROVIDER_005");
    if (in == IngressClient.GEMINI) {
      assertThat(err.get("code").asInt()).isEqualTo(status);
      assertThat(err.get("status").asText()).isEqualTo(status == 504 ? "DEADLINE_EXCEEDED" : "INTERNAL");
    }
    assertThat(err.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
    assertThat(err.get("message_i18n").get("zh_CN").asText()).isNotBlank();
    assertThat(r.body()).doesNotContain("upstream-secret");
    assertThat(r.header("x-should-retry")).isEqualTo("true");
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void cutStreamEndsWithAnErrorAndNoNormalEnd(IngressClient in, UpstreamKind up) {
    Answer s = in.stream(root, key, Req.of(up.model("cut"), "Tell me a long story"));
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.terminated()).isFalse();
    assertThat(s.error()).isNotNull();
    if (in == IngressClient.RESPONSES) {
      assertThat(s.error().get("error").get("message").asText()).contains("PROVIDER_005"); // inside response.failed
    } else {
      assertThat(in.errorCode(s.error())).isEqualTo("PROVIDER_005");
    }
    if (in == IngressClient.ANTHROPIC) assertThat(s.error().get("type").asText()).isEqualTo("error");
  }

  @ParameterizedTest(name = "{0} ingress → {1} upstream")
  @MethodSource("combos")
  void malformedEventInAStreamIsSkippedAndTheStreamCompletes(IngressClient in, UpstreamKind up) {
    Answer s = in.stream(root, key, Req.of(up.model("malformed-event"), "Tell me a story"));
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.error()).isNull();
    assertThat(s.terminated()).isTrue();
    assertThat(s.text()).isNotBlank();
  }
}
