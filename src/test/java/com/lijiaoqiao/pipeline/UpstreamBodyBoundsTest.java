package com.lijiaoqiao.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upstream is untrusted: an answer larger than `upstream.max_body_bytes` is abandoned (the request fails over,
 * here to nothing: 502), and of an error body only the start is read — the gateway never holds what an upstream
 * chooses to send.
 */
class UpstreamBodyBoundsTest {
  static final Vertx vertx = Vertx.vertx();
  static HttpServer upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String model = b.toJsonObject().getString("model");
      var out = req.response().putHeader("content-type", "application/json").setChunked(true);
      // 256 KiB of JSON padding in 1 KiB pieces: a valid answer far over the 64 KiB limit of this test
      out.setStatusCode("huge-500".equals(model) ? 500 : 200);
      out.write("{\"error\":{\"message\":\"");
      String kib = "x".repeat(1024);
      for (int i = 0; i < 256; i++) out.write(Buffer.buffer(kib));
      out.end("\"}}");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.upstream.maxBodyBytes = 64 * 1024;
      GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
      p.id = "bloated";
      p.kind = "openai-compatible";
      p.baseUrl = "http://127.0.0.1:" + upstream.actualPort() + "/v1";
      p.apiKey = "bloated-credential";
      for (String m : List.of("huge-200", "huge-500")) p.models.put(m, m);
      c.providers.add(p);
    });
  }

  @AfterAll
  static void stop() {
    if (gw != null) gw.close();
    vertx.close();
  }

  private static Http.Reply chat(String model) {
    return Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void anAnswerLargerThanTheLimitIsAbandonedNotHeld() {
    Http.Reply r = chat("huge-200");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.json().at("/error/code").asText()).isEqualTo("PROVIDER_005");
    assertThat(r.body()).doesNotContain("xxxxxxxx");
  }

  @Test
  void onlyTheStartOfAHugeErrorBodyIsRead() {
    Http.Reply r = chat("huge-500");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.body().length()).isLessThan(4096);
    assertThat(chat("huge-500").status()).as("and the next request is answered alike").isEqualTo(502);
  }
}
