package com.lijiaoqiao.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Recovery probes of one model, per dialect: a one-token request for that model, addressed and authenticated like
 * traffic, answered with the upstream's status. Against the simulator (statuses, per-model outages) and a recording
 * server (the exact requests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelProbeTest {
  static final ObjectMapper JSON = new ObjectMapper();
  Vertx vertx;
  Simulator sim;
  HttpClient client;
  io.vertx.core.Context context;
  HttpServer recorder;
  final List<String[]> recorded = new CopyOnWriteArrayList<>(); // method, uri, auth header, body

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, "127.0.0.1", TestGateway.freePort());
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
    recorder = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String auth = req.getHeader("authorization") != null ? req.getHeader("authorization")
          : req.getHeader("x-api-key") != null ? "x-api-key " + req.getHeader("x-api-key")
          : "x-goog-api-key " + req.getHeader("x-goog-api-key");
      recorded.add(new String[] {req.method().name(), req.uri(), auth, b.toString()});
      req.response().putHeader("content-type", "application/json").end("{}");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
  }

  @AfterAll
  void stop() {
    sim.close();
    vertx.close();
  }

  @BeforeEach
  void reset() throws Exception {
    simCall("POST", "/_sim/reset", null);
    recorded.clear();
  }

  <T> T await(java.util.function.Supplier<Future<T>> call) throws Exception {
    io.vertx.core.Promise<T> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> call.get().onComplete(done));
    return done.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  String simCall(String method, String path, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return java.net.http.HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
  }

  JsonNode simStats() throws Exception {
    return JSON.readTree(simCall("GET", "/_sim/stats", null)).path("by_path");
  }

  void modelDown(String model, String directives) throws Exception {
    simCall("PUT", "/_sim/control", "{\"directives\":\"" + directives + "\",\"model\":\"" + model + "\"}");
  }

  @Test
  void openAiCompatibleProbesChatCompletionsForThatModel() throws Exception {
    Provider p = new OpenAiCompatibleProvider("o", sim.baseUrl() + "/v1", "k", 2000, 5000);
    assertThat(await(() -> p.probeModel(client, "gpt-4o", 10_000))).isEqualTo(200);
    assertThat(simStats().path("/v1/chat/completions").asInt()).isEqualTo(1);
    modelDown("gpt-4o", "fault=503");
    assertThat(await(() -> p.probeModel(client, "gpt-4o", 10_000))).isEqualTo(503);
    assertThat(await(() -> p.probe(client, 10_000))).as("while GET /models still answers").isTrue();
    assertThat(await(() -> p.probeModel(client, "gpt-4o-mini", 10_000))).as("another model").isEqualTo(200);
    assertThat(await(() -> p.probeModel(client, "gpt-4o-mini::fault=429", 10_000))).as("directives in the name")
        .isEqualTo(429);
  }

  @Test
  void anthropicProbesMessagesForThatModel() throws Exception {
    Provider p = new AnthropicProvider("a", sim.baseUrl(), "k", 2000, 5000);
    assertThat(await(() -> p.probeModel(client, "claude-haiku-4-5", 10_000))).isEqualTo(200);
    assertThat(simStats().path("/v1/messages").asInt()).isEqualTo(1);
    modelDown("claude-haiku-4-5", "fault=529");
    assertThat(await(() -> p.probeModel(client, "claude-haiku-4-5", 10_000))).isEqualTo(529);
    assertThat(await(() -> p.probe(client, 10_000))).isTrue();
  }

  @Test
  void geminiProbesGenerateContentForThatModel() throws Exception {
    Provider p = new GeminiProvider("g", sim.baseUrl(), "k", 2000, 5000);
    assertThat(await(() -> p.probeModel(client, "gemini-2.5-flash", 10_000))).isEqualTo(200);
    assertThat(simStats().path("/v1beta/models/gemini-2.5-flash:generateContent").asInt()).isEqualTo(1);
    assertThat(await(() -> p.probeModel(client, "gemini-2.5-flash::fault=500", 10_000))).isEqualTo(500);
    modelDown("gemini-2.5-flash", "fault=503");
    assertThat(await(() -> p.probeModel(client, "gemini-2.5-flash", 10_000))).isEqualTo(503);
    assertThat(await(() -> p.probe(client, 10_000))).isTrue();
  }

  @Test
  void aHungModelFailsTheProbeAtItsTimeout() throws Exception {
    Provider p = new OpenAiCompatibleProvider("o", sim.baseUrl() + "/v1", "k", 2000, 30_000);
    modelDown("gpt-4o", "fault=hang");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> await(() -> p.probeModel(client, "gpt-4o", 300))).isInstanceOf(ExecutionException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("not the 30 s idle timeout").isLessThan(10_000);
  }

  @Test
  void eachDialectSendsOneTokenRequestsAuthenticatedLikeTraffic() throws Exception {
    String base = "http://127.0.0.1:" + recorder.actualPort();
    await(() -> new OpenAiCompatibleProvider("o", base + "/v1", "ok", 2000, 5000).probeModel(client, "m\"x", 10_000));
    await(() -> new AnthropicProvider("a", base, "ak", 2000, 5000).probeModel(client, "claude-x", 10_000));
    await(() -> new GeminiProvider("g", base, "gk", 2000, 5000).probeModel(client, "gemini-x", 10_000));
    assertThat(recorded).hasSize(3);

    String[] o = recorded.get(0);
    assertThat(o[0] + " " + o[1]).isEqualTo("POST /v1/chat/completions");
    assertThat(o[2]).isEqualTo("Bearer ok");
    JsonNode ob = JSON.readTree(o[3]);
    assertThat(ob.get("model").asText()).isEqualTo("m\"x");
    assertThat(ob.get("max_tokens").asInt()).isEqualTo(1);
    assertThat(ob.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(ob.has("stream")).isFalse();

    String[] a = recorded.get(1);
    assertThat(a[0] + " " + a[1]).isEqualTo("POST /v1/messages");
    assertThat(a[2]).isEqualTo("x-api-key ak");
    JsonNode ab = JSON.readTree(a[3]);
    assertThat(ab.get("model").asText()).isEqualTo("claude-x");
    assertThat(ab.get("max_tokens").asInt()).isEqualTo(1);

    String[] g = recorded.get(2);
    assertThat(g[0] + " " + g[1]).isEqualTo("POST /v1beta/models/gemini-x:generateContent");
    assertThat(g[2]).isEqualTo("x-goog-api-key gk");
    JsonNode gb = JSON.readTree(g[3]);
    assertThat(gb.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(1);
    assertThat(gb.at("/contents/0/parts/0/text").asText()).isNotEmpty();
  }
}
