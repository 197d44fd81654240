package com.lijiaoqiao.providers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The adapter on its own, against the simulator's Anthropic dialect: native calls, headers, probe, capabilities. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicProviderTest {
  Vertx vertx;
  Simulator sim;
  HttpClient client;
  io.vertx.core.Context context;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, "127.0.0.1", TestGateway.freePort());
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
  }

  @AfterAll
  void stop() {
    sim.close();
    vertx.close();
  }

  /**
   * Runs the call on an event loop, as the gateway does (a call started from the test thread may see its
   * response's body before the body handler is set), and waits for it.
   */
  <T> T await(java.util.function.Supplier<Future<T>> call) throws Exception {
    io.vertx.core.Promise<T> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> call.get().onComplete(done));
    return done.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void nativeMessagesCallWithCacheUsage() throws Exception {
    AnthropicProvider p = new AnthropicProvider("a", sim.baseUrl() + "/v1/", "k", 2000, 5000);
    assertThat(p.dialect()).isEqualTo(Dialect.ANTHROPIC);
    assertThat(p.kind()).isEqualTo("anthropic");
    assertThat(p.supports(Endpoint.CHAT_COMPLETIONS)).isTrue();
    assertThat(p.supports(Endpoint.EMBEDDINGS)).isFalse();
    assertThat(AnthropicProvider.CAPABILITIES).contains("prompt_caching", "thinking", "count_tokens");
    String body = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":20,\"system\":[{\"type\":\"text\",\"text\":\"stable "
        + System.nanoTime() + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    UpstreamCall call = new UpstreamCall(Endpoint.CHAT_COMPLETIONS, "claude-haiku-4-5",
        body.getBytes(StandardCharsets.UTF_8), false, "r1", MultiMap.caseInsensitiveMultiMap()
            .add("anthropic-beta", "prompt-caching-2024-07-31"));
    JsonNode first = json(await(() -> p.open(client, call).compose(r -> r.body())).toString());
    assertThat(first.get("type").asText()).isEqualTo("message");
    assertThat(first.at("/usage/cache_creation_input_tokens").asLong()).isPositive();
    JsonNode second = json(await(() -> p.open(client, call).compose(r -> r.body())).toString());
    assertThat(second.at("/usage/cache_read_input_tokens").asLong()).isPositive();
    JsonNode count = json(await(() -> p.countTokens(client, call).compose(r -> r.body())).toString());
    assertThat(count.get("input_tokens").asLong()).isPositive();
  }

  @Test
  void wrongKeyIsAnUpstream401AndProbeReportsIt() throws Exception {
    AnthropicProvider ok = new AnthropicProvider("a", sim.baseUrl(), "k", 2000, 5000);
    assertThat(await(() -> ok.probe(client))).isEqualTo(200);
    AnthropicProvider none = new AnthropicProvider("b", sim.baseUrl(), "", 2000, 5000);
    UpstreamCall call = new UpstreamCall(Endpoint.CHAT_COMPLETIONS, "claude-haiku-4-5",
        "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
            .getBytes(StandardCharsets.UTF_8), false, "r2", MultiMap.caseInsensitiveMultiMap());
    assertThat(await(() -> none.open(client, call)).statusCode()).isEqualTo(401);
  }

  static JsonNode json(String s) throws Exception {
    return new ObjectMapper().readTree(s);
  }
}
