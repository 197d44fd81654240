package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.usage.UsageRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The data plane end to end through HTTP, against the built-in simulator: run once on the embedded
 * database and once on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class DataPlaneContract {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";
  static final String STREAM = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";
  static final String STREAM_USAGE = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]}";

  TestGateway gw;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database());
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  String url(String path) {
    return gw.baseUrl() + path;
  }

  UsageRecord awaitRecord(String requestId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      List<UsageRecord> found = gw.gateway.usage().findByRequestId(requestId);
      if (!found.isEmpty()) return found.get(0);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no usage record for " + requestId);
  }

  @Test
  void nonStreamingChatIsRelayedWithUsageAndRecorded() {
    Http.Reply r = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT);
    assertThat(r.status()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.at("/object").asText()).isEqualTo("chat.completion");
    assertThat(body.at("/choices/0/message/content").asText()).isNotBlank();
    long prompt = body.at("/usage/prompt_tokens").asLong();
    long completion = body.at("/usage/completion_tokens").asLong();
    assertThat(prompt).isPositive();
    assertThat(completion).isPositive();
    String requestId = r.header("x-request-id");
    assertThat(requestId).startsWith("req_");
    assertThat(r.header("x-ljq-provider")).isEqualTo("sim");

    UsageRecord rec = awaitRecord(requestId);
    assertThat(rec.tenantId()).isEqualTo(gw.tenantId);
    assertThat(rec.userId()).isEqualTo(gw.userId);
    assertThat(rec.model()).isEqualTo("gpt-4o-mini");
    assertThat(rec.provider()).isEqualTo("sim");
    assertThat(rec.promptTokens()).isEqualTo(prompt);
    assertThat(rec.completionTokens()).isEqualTo(completion);
    assertThat(rec.tokensEstimated()).isFalse();
    assertThat(rec.statusCode()).isEqualTo(200);
    assertThat(rec.outcome()).isEqualTo("ok");
    assertThat(rec.stream()).isFalse();
  }

  @Test
  void streamingChatArrivesAsChunksEndingInDone() {
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM)) {
      assertThat(s.status).isEqualTo(200);
      assertThat(s.headers.firstValue("content-type").orElse("")).startsWith("text/event-stream");
      assertThat(s.headers.firstValue("x-ljq-provider")).contains("sim");
      List<String> events = s.rest();
      assertThat(events.size()).isGreaterThan(3);
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      // The client did not ask for usage: the usage chunk the gateway requested for itself is not relayed.
      assertThat(events).noneMatch(e -> e.contains("\"usage\":{"));
      String requestId = s.headers.firstValue("x-request-id").orElseThrow();
      UsageRecord rec = awaitRecord(requestId);
      assertThat(rec.completionTokens()).isPositive();
      assertThat(rec.tokensEstimated()).isFalse();
      assertThat(rec.stream()).isTrue();
      assertThat(rec.ttftMs()).isNotNull();
    }
  }

  @Test
  void streamingChatWithIncludeUsageGetsTheUsageChunk() throws Exception {
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM_USAGE)) {
      List<String> events = s.rest();
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      JsonNode usage = Http.JSON.readTree(events.get(events.size() - 2));
      assertThat(usage.at("/choices").size()).isZero();
      assertThat(usage.at("/usage/completion_tokens").asLong()).isPositive();
    }
  }

  @Test
  void firstChunkReachesTheClientBeforeTheUpstreamHasFinished() {
    // The upstream sends two chunks, then stalls: a buffering gateway would deliver nothing until the end.
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM, "x-ljq-sim", "fault=stall,after=2")) {
      assertThat(s.status).isEqualTo(200);
      String first = s.nextData();
      assertThat(first).contains("chat.completion.chunk");
      String second = s.nextData();
      assertThat(second).contains("chat.completion.chunk");
      // After the idle timeout the gateway ends the stream with an in-band error and no [DONE].
      List<String> rest = s.rest();
      assertThat(rest).isNotEmpty();
      assertThat(rest.get(rest.size() - 1)).contains("\"error\"").contains("PROVIDER_005");
      assertThat(rest).doesNotContain("[DONE]");
    }
  }

  @Test
  void aStreamCutMidAnswerEndsWithAnErrorAndIsCountedByTheGateway() {
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM, "x-ljq-sim", "fault=cut,after=3")) {
      List<String> events = s.rest();
      assertThat(events).doesNotContain("[DONE]");
      assertThat(events.get(events.size() - 1)).contains("\"error\"").contains("incomplete");
      UsageRecord rec = awaitRecord(s.headers.firstValue("x-request-id").orElseThrow());
      assertThat(rec.tokensEstimated()).isTrue();
      assertThat(rec.completionTokens()).isPositive();
      assertThat(rec.promptTokens()).isPositive();
      assertThat(rec.outcome()).isEqualTo("upstream_cut");
    }
  }

  @Test
  void aStreamWithoutDoneIsFinalisedByTheGateway() {
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM, "x-ljq-sim", "fault=no_done")) {
      List<String> events = s.rest();
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      assertThat(events).noneMatch(e -> e.contains("\"error\""));
    }
  }

  @Test
  void aMalformedChunkIsSkippedNotRelayed() {
    try (Http.Stream s = Http.stream(url("/chat/completions"), gw.apiKey, STREAM, "x-ljq-sim", "fault=malformed,after=2")) {
      List<String> events = s.rest();
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      for (String e : events.subList(0, events.size() - 1)) {
        try {
          Http.JSON.readTree(e);
        } catch (Exception ex) {
          throw new AssertionError("garbage relayed to the client: " + e);
        }
      }
    }
  }

  @Test
  void embeddingsCompletionsAndModels() {
    Http.Reply e = Http.postJson(url("/embeddings"), gw.apiKey,
        "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"]}");
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.json().at("/data").size()).isEqualTo(2);
    assertThat(e.json().at("/data/0/embedding").size()).isEqualTo(1536);

    Http.Reply c = Http.postJson(url("/completions"), gw.apiKey, "{\"model\":\"gpt-4o-mini\",\"prompt\":\"Once upon\"}");
    assertThat(c.status()).isEqualTo(200);
    assertThat(c.json().at("/choices/0/text").asText()).isNotBlank();

    Http.Reply m = Http.get(url("/models"), gw.apiKey);
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.json().at("/object").asText()).isEqualTo("list");
    assertThat(m.json().at("/data").findValuesAsText("id")).contains("gpt-4o-mini", "claude-sonnet-4-5", "renamed-model");
  }

  @Test
  void anAliasIsSentUpstreamUnderTheUpstreamsName() {
    Http.Reply r = Http.postJson(url("/chat/completions"), gw.apiKey,
        "{\"model\":\"renamed-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().at("/model").asText()).isEqualTo("gpt-4o");
    UsageRecord rec = awaitRecord(r.header("x-request-id"));
    assertThat(rec.model()).isEqualTo("renamed-model");
    assertThat(rec.servedModel()).isEqualTo("gpt-4o");
  }

  @Test
  void upstreamFailuresBecomeDocumentedErrorsAndAreRecorded() {
    Http.Reply r500 = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT, "x-ljq-sim", "fault=500");
    assertThat(r500.status()).isEqualTo(502);
    assertThat(r500.json().at("/error/code").asText()).isEqualTo("PROVIDER_005");
    assertThat(r500.json().at("/error/trace_id").asText()).isEqualTo(r500.header("x-request-id"));
    assertThat(r500.header("x-should-retry")).isEqualTo("true");
    assertThat(r500.header("retry-after")).isEqualTo("1");
    UsageRecord rec = awaitRecord(r500.header("x-request-id"));
    assertThat(rec.statusCode()).isEqualTo(502);
    assertThat(rec.errorCode()).isEqualTo("PROVIDER_005");
    assertThat(rec.completionTokens()).isZero();

    Http.Reply ctx = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT, "x-ljq-sim", "fault=context_length");
    assertThat(ctx.status()).isEqualTo(400);
    assertThat(ctx.json().at("/error/details/upstream_code").asText()).isEqualTo("context_length_exceeded");
    assertThat(ctx.header("x-should-retry")).isEqualTo("false");
    assertThat(ctx.header("retry-after")).isNull();

    Http.Reply hang = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT, "x-ljq-sim", "fault=hang");
    assertThat(hang.status()).isEqualTo(504);
    assertThat(hang.json().at("/error/code").asText()).isEqualTo("ROUTER_003");

    Http.Reply reset = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT, "x-ljq-sim", "fault=reset");
    assertThat(reset.status()).isEqualTo(502);

    Http.Reply bad = Http.postJson(url("/chat/completions"), gw.apiKey, CHAT, "x-ljq-sim", "fault=bad_body");
    assertThat(bad.status()).isEqualTo(502);
    assertThat(bad.json().at("/error/message").asText()).contains("malformed");
  }
}
