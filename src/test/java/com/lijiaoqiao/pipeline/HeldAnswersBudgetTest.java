package com.lijiaoqiao.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whole upstream answers held at once share one budget: over it an answer fails as too large, and every read gives its bytes back. */
class HeldAnswersBudgetTest {
  static final Vertx vertx = Vertx.vertx();
  static HttpServer upstream;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    upstream = vertx.createHttpServer().requestHandler(req -> {
      var out = req.response().setChunked(true);
      String kib = "x".repeat(1024);
      for (int i = 0; i < 256; i++) out.write(Buffer.buffer(kib));
      out.end();
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static AsyncResult<Buffer> read(AtomicLong held, long budget) throws Exception {
    CompletableFuture<AsyncResult<Buffer>> done = new CompletableFuture<>();
    client.request(HttpMethod.GET, upstream.actualPort(), "127.0.0.1", "/").compose(r -> r.send()).onSuccess(up -> {
      up.pause();
      UpstreamBody.read(vertx, up, 10_000, 1 << 20, false, held, budget, done::complete);
    }).onFailure(done::completeExceptionally);
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void anAnswerThatWouldPassTheSharedBudgetFailsAsTooLarge() throws Exception {
    AtomicLong held = new AtomicLong(200 * 1024); // other answers in flight hold 200 KiB of a 300 KiB budget
    AsyncResult<Buffer> r = read(held, 300 * 1024);
    assertThat(r.failed()).isTrue();
    assertThat(r.cause()).isInstanceOf(UpstreamBody.TooLarge.class);
    assertThat(held.get()).as("the failed read gave back what it counted").isEqualTo(200 * 1024);
  }

  @Test
  void anAnswerWithinTheBudgetIsHeldAndGivenBackWhenRead() throws Exception {
    AtomicLong held = new AtomicLong();
    AsyncResult<Buffer> r = read(held, 300 * 1024);
    assertThat(r.succeeded()).isTrue();
    assertThat(r.result().length()).isEqualTo(256 * 1024);
    assertThat(held.get()).isZero();
  }
}
