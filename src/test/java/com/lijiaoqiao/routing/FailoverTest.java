package com.lijiaoqiao.routing;

import static com.lijiaoqiao.routing.RoutingFixture.chats;
import static com.lijiaoqiao.routing.RoutingFixture.fault;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.routing.RoutingFixture.Result;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.usage.UsageRecord;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulator's faults through the gateway, streaming and not, with a primary and a fallback provider
 * (first-byte timeout 1.5 s, stream idle 1.5 s, deadline 6 s, back-off base 100 ms: see RoutingFixture).
 */
class FailoverTest {
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {});
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.reset();
  }

  private static void answeredBy(Result r, String provider, String model) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(200);
    assertThat(r.provider()).isEqualTo(provider);
    assertThat(r.model()).isEqualTo(model);
    if (!r.events().isEmpty()) {
      assertThat(r.endsWithDone()).isTrue();
      assertThat(r.hasErrorEvent()).isFalse();
    }
  }

  private static List<JsonNode> attempts(String requestId) {
    JsonNode d = f.decision(requestId);
    return Http.JSON.convertValue(d.at("/route/attempts"),
        Http.JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void rateLimitedWithRetryAfterFallsOverAtOnce(boolean stream) {
    fault(f.primary, "fault=429,retry_after=2");
    Result r = f.chat("chat", stream);
    answeredBy(r, "fallback", "gpt-4o-mini");
    assertThat(chats(f.primary)).as("attempts on the rate-limited primary").isEqualTo(1);
    // The primary cools down for the Retry-After: the next request goes straight to the fallback.
    Result again = f.chat("chat", stream);
    answeredBy(again, "fallback", "gpt-4o-mini");
    assertThat(chats(f.primary)).isEqualTo(1);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void retryAfterIsWaitedOutWhenNoOtherProviderCan(boolean stream) {
    fault(f.primary, "fault=429,retry_after=2,times=1,key=ra");
    Result r = f.chat("solo", stream);
    answeredBy(r, "primary", "gpt-4o");
    assertThat(chats(f.primary)).isEqualTo(2);
    assertThat(r.elapsedMs()).isGreaterThanOrEqualTo(2_000);
    List<JsonNode> a = attempts(r.requestId());
    assertThat(a).hasSize(2);
    assertThat(a.get(1).get("start_ms").asLong() - a.get(0).get("start_ms").asLong()).isGreaterThanOrEqualTo(2_000);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void persistentRateLimitWithoutHeaderBacksOffThenFallsOver(boolean stream) {
    fault(f.primary, "fault=429");
    Result r = f.chat("chat", stream);
    answeredBy(r, "fallback", "gpt-4o-mini");
    assertThat(chats(f.primary)).isEqualTo(2);
    List<JsonNode> a = attempts(r.requestId());
    assertThat(a).extracting(n -> n.get("provider").asText()).containsExactly("primary", "primary", "fallback");
    assertThat(a.get(0).get("outcome").asText()).startsWith("http_429");
    long gap = a.get(1).get("start_ms").asLong() - a.get(0).get("start_ms").asLong() - a.get(0).get("latency_ms").asLong();
    assertThat(gap).as("back-off before the second attempt").isGreaterThanOrEqualTo(40);
    // Without a fallback: bounded, then a clear error.
    Result solo = f.chat("solo", stream);
    assertThat(solo.status()).isEqualTo(502);
    assertThat(chats(f.primary)).isEqualTo(4);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void serverErrorOnceIsRetriedAndAnswered(boolean stream) {
    fault(f.primary, "fault=500,times=1,key=once");
    Result r = f.chat("chat", stream);
    answeredBy(r, "primary", "gpt-4o");
    assertThat(chats(f.primary)).isEqualTo(2);
    assertThat(chats(f.fallback)).isZero();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void persistentUnavailabilityFallsOverBounded(boolean stream) {
    fault(f.primary, "fault=503");
    Result r = f.chat("chat", stream);
    answeredBy(r, "fallback", "gpt-4o-mini");
    assertThat(chats(f.primary)).isEqualTo(2);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void overloaded529FallsOver(boolean stream) {
    fault(f.primary, "fault=529");
    answeredBy(f.chat("chat", stream), "fallback", "gpt-4o-mini");
    assertThat(chats(f.primary)).isEqualTo(2);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void resetBeforeHeadersIsAnswered(boolean stream) {
    fault(f.primary, "fault=reset,times=1,key=rst");
    Result r = f.chat("chat", stream);
    answeredBy(r, "primary", "gpt-4o");
    assertThat(chats(f.primary)).isEqualTo(2);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void anUpstreamThatNeverAnswersEndsWithinTheDeadline(boolean stream) {
    fault(f.primary, "fault=hang");
    Result r = f.chat("chat", stream);
    answeredBy(r, "fallback", "gpt-4o-mini");
    assertThat(r.elapsedMs()).isGreaterThanOrEqualTo(RoutingFixture.FIRST_BYTE_MS);
    Result solo = f.chat("solo", stream);
    assertThat(solo.status()).isEqualTo(504);
    assertThat(solo.elapsedMs()).isLessThan(RoutingFixture.DEADLINE_MS + 3_000);
    assertThat(chats(f.primary)).isEqualTo(2); // a hung provider is not retried
  }

  @org.junit.jupiter.api.Test
  void aStreamStillRunningAtTheDeadlineEndsWithAnErrorAndNoDone() {
    fault(f.primary, "gap=400,tokens=40");
    Result r = f.chat("solo", true);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.provider()).isEqualTo("primary");
    assertThat(r.events()).doesNotContain("[DONE]");
    assertThat(r.events().get(r.events().size() - 1)).contains("\"error\"").contains("deadline_exceeded");
    assertThat(r.elapsedMs()).isGreaterThanOrEqualTo(RoutingFixture.DEADLINE_MS - 100);
    assertThat(r.elapsedMs()).isLessThan(RoutingFixture.DEADLINE_MS + 5_000);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aSlowFirstTokenFallsOverAfterTheLimit(boolean stream) {
    fault(f.primary, "ttft=3500");
    Result r = f.chat("chat", stream);
    answeredBy(r, "fallback", "gpt-4o-mini");
    assertThat(r.elapsedMs()).isGreaterThanOrEqualTo(RoutingFixture.FIRST_BYTE_MS);
    List<JsonNode> a = attempts(r.requestId());
    assertThat(a.get(0).get("outcome").asText()).isEqualTo("first_byte_timeout");
    assertThat(a.get(0).get("latency_ms").asLong()).isGreaterThanOrEqualTo(RoutingFixture.FIRST_BYTE_MS - 1);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aStreamCutMidAnswerEndsWithAnErrorAndNoDone(boolean stream) {
    fault(f.primary, "fault=cut,after=3,gap=30");
    Result r = stream ? f.chat("chat", true, "x-ljq-rescue", "off") : f.chat("chat", false);
    if (stream) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.provider()).isEqualTo("primary");
      assertThat(r.events()).doesNotContain("[DONE]");
      assertThat(r.events().get(r.events().size() - 1)).contains("\"error\"").contains("PROVIDER_005");
      assertThat(r.events().size()).isGreaterThan(3);
      assertThat(chats(f.fallback)).as("opted out: never spliced onto another provider").isZero();
      // By default the fallback continues the answer in the same stream, and the last event says so.
      Result rescued = f.chat("chat", true);
      assertThat(rescued.provider()).isEqualTo("primary");
      assertThat(rescued.hasErrorEvent()).isFalse();
      assertThat(rescued.endsWithDone()).isTrue();
      assertThat(rescued.events().get(rescued.events().size() - 2)).contains("\"x-ljq-rescued\"").contains("fallback");
      assertThat(chats(f.fallback)).isEqualTo(1);
      List<JsonNode> a = attempts(rescued.requestId()); // both attempts: the broken one, and the one that finished
      assertThat(a.get(0).get("provider").asText()).isEqualTo("primary");
      assertThat(a.get(0).get("outcome").asText()).isEqualTo("upstream_cut");
      assertThat(a.get(a.size() - 1).get("provider").asText()).isEqualTo("fallback");
      assertThat(a.get(a.size() - 1).get("outcome").asText()).startsWith("ok");
    } else {
      answeredBy(r, "fallback", "gpt-4o-mini"); // nothing was sent yet: falls over
    }
    RoutingFixture.clearFault(f.primary);
    answeredBy(f.chat("chat", stream), "primary", "gpt-4o"); // the gateway is healthy afterwards
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aStalledStreamEndsWithAnErrorAndNoDone(boolean stream) {
    fault(f.primary, "fault=stall,after=3,gap=30");
    Result r = stream ? f.chat("chat", true, "x-ljq-rescue", "off") : f.chat("chat", false);
    if (stream) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.events()).doesNotContain("[DONE]");
      assertThat(r.events().get(r.events().size() - 1)).contains("\"error\"").contains("upstream_stalled");
      assertThat(r.elapsedMs()).isGreaterThanOrEqualTo(RoutingFixture.IDLE_MS);
    } else {
      answeredBy(r, "fallback", "gpt-4o-mini");
    }
    RoutingFixture.clearFault(f.primary);
    answeredBy(f.chat("chat", stream), "primary", "gpt-4o");
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aMalformedChunkIsSkippedOrTheBodyFallsOver(boolean stream) {
    fault(f.primary, "fault=malformed,after=2,gap=30");
    Result r = f.chat("chat", stream);
    if (stream) {
      answeredBy(r, "primary", "gpt-4o");
      for (String e : r.events().subList(0, r.events().size() - 1)) {
        try {
          Http.JSON.readTree(e);
        } catch (Exception ex) {
          throw new AssertionError("garbage relayed to the client: " + e);
        }
      }
    } else {
      answeredBy(r, "fallback", "gpt-4o-mini");
      assertThat(r.body().at("/choices/0/message/content").asText()).isNotBlank();
    }
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aStreamWithoutDoneIsFinalisedPromptlyWithUsage(boolean stream) {
    fault(f.primary, "fault=no_done");
    Result r = f.chat("chat", stream);
    answeredBy(r, "primary", "gpt-4o");
    assertThat(r.elapsedMs()).isLessThan(2_000);
    if (stream) {
      assertThat(r.events()).anyMatch(e -> e.contains("\"usage\"") && e.contains("completion_tokens"));
    } else {
      assertThat(r.body().at("/usage/completion_tokens").asLong()).isPositive();
    }
    UsageRecord u = awaitUsage(r.requestId());
    assertThat(u.completionTokens()).isPositive();
    assertThat(u.outcome()).isEqualTo("ok");
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void contextLengthGetsExactlyOneAttemptAndTheReason(boolean stream) {
    fault(f.primary, "fault=context_length");
    Result r = f.chat("chat", stream);
    assertThat(r.status()).as("%s %s", r, r.status() == 200 ? f.decision(r.requestId()) : "").isEqualTo(400);
    assertThat(r.body().at("/error/details/upstream_code").asText()).isEqualTo("context_length_exceeded");
    assertThat(r.body().at("/error/message").asText()).contains("context_length_exceeded");
    assertThat(chats(f.primary)).isEqualTo(1);
    assertThat(chats(f.fallback)).isZero();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void contextLengthMovesOnceToAConfiguredLargerContextModel(boolean stream) {
    fault(f.primary, "fault=context_length");
    Result r = f.chat("solo", stream);
    answeredBy(r, "fallback", "gpt-4.1");
    assertThat(chats(f.primary)).isEqualTo(1);
    JsonNode d = f.decision(r.requestId());
    assertThat(d.at("/route/context_fallback_model").asText()).isEqualTo("big");
    assertThat(d.at("/route/attempts/0/outcome").asText()).isEqualTo("http_400:context_length_exceeded");
    // The larger model also too small: its answer is final (no second switch).
    fault(f.fallback, "fault=context_length");
    Result again = f.chat("solo", stream);
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.body().at("/error/details/upstream_code").asText()).isEqualTo("context_length_exceeded");
    assertThat(chats(f.primary)).isEqualTo(2);
    assertThat(chats(f.fallback)).isEqualTo(2);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void contentPolicyGetsExactlyOneAttemptAndTheReason(boolean stream) {
    fault(f.primary, "fault=content_policy");
    Result r = f.chat("chat", stream);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().at("/error/details/upstream_code").asText()).isEqualTo("content_policy_violation");
    assertThat(chats(f.primary)).isEqualTo(1);
    assertThat(chats(f.fallback)).isZero();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void fallbackAccountingNamesTheFallbackAndBillsOnlyIt(boolean stream) {
    fault(f.primary, "fault=503");
    Result r = f.chat("chat", stream);
    answeredBy(r, "fallback", "gpt-4o-mini");
    UsageRecord u = awaitUsage(r.requestId());
    assertThat(u.provider()).isEqualTo("fallback");
    assertThat(u.servedModel()).isEqualTo("gpt-4o-mini");
    assertThat(u.completionTokens()).isPositive();
    assertThat(u.statusCode()).isEqualTo(200);
    assertThat(f.gw.gateway.usage().findByRequestId(r.requestId())).hasSize(1);
    JsonNode d = f.decision(r.requestId());
    assertThat(d.at("/route/served_by").asText()).isEqualTo("fallback");
    assertThat(d.at("/route/chosen").asText()).isEqualTo("primary");
    assertThat(d.at("/route/candidates")).hasSize(2);
    assertThat(d.at("/route/candidates/0/score").isNumber()).isTrue();
    assertThat(d.at("/route/attempts")).hasSize(3);
    assertThat(d.at("/route/attempts/2/outcome").asText()).isEqualTo("ok");
    assertThat(d.at("/usage/provider").asText()).isEqualTo("fallback");
  }

  private static UsageRecord awaitUsage(String requestId) {
    long end = System.currentTimeMillis() + 5_000;
    while (System.currentTimeMillis() < end) {
      List<UsageRecord> l = f.gw.gateway.usage().findByRequestId(requestId);
      if (!l.isEmpty()) return l.get(0);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no usage record for " + requestId);
  }
}
