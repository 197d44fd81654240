package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.SseEventSplitter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.StreamTranslator;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StreamRelay}'s twin for every dialect pair other than OpenAI → OpenAI: each upstream event goes
 * through a {@link StreamTranslator} and what it yields is written (and flushed) at once, with back-pressure
 * from the client. Same rules as StreamRelay: a stream that breaks after its first byte ends with an in-band
 * error in the client's dialect and without the normal end ({@code [DONE]} / {@code message_stop}).
 */
final class TranslatingStreamRelay implements SseEventSplitter.Listener {
  private static final Logger log = LoggerFactory.getLogger(TranslatingStreamRelay.class);

  private final Exchange ex;
  private final HttpClientResponse up;
  private final HttpServerResponse out;
  private final Promise<Void> done;
  private final StreamTranslator translator;
  private final SseEventSplitter splitter = new SseEventSplitter(this);
  private final StringBuilder frames = new StringBuilder(512);
  private final long idleTimeoutNanos;
  private long lastDataNanos;
  private boolean finished;

  TranslatingStreamRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, Promise<Void> done,
                         long idleTimeoutMs, StreamTranslator translator) {
    this.ex = ex;
    this.up = up;
    this.out = out;
    this.done = done;
    this.translator = translator;
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
  }

  void start() {
    ex.statusCode = 200;
    out.setStatusCode(200);
    out.setChunked(true);
    var h = out.headers();
    h.set("content-type", "text/event-stream; charset=utf-8");
    h.set("cache-control", "no-cache");
    h.set("x-accel-buffering", "no");
    h.set("x-ljq-provider", ex.target.provider().id());
    out.writeHead();
    out.closeHandler(v -> clientGone());
    lastDataNanos = System.nanoTime();
    armStallTimer(idleTimeoutNanos);
    up.handler(buf -> {
      if (finished) return;
      lastDataNanos = System.nanoTime();
      splitter.feed(buf);
      if (out.writeQueueFull()) {
        up.pause();
        out.drainHandler(v -> up.resume());
      }
    });
    up.exceptionHandler(this::upstreamBroke);
    up.endHandler(v -> upstreamEnded());
  }

  private void armStallTimer(long delayNanos) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.currentContext().owner();
    vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), id -> {
      if (finished) return;
      long quiet = System.nanoTime() - lastDataNanos;
      if (quiet >= idleTimeoutNanos && !out.writeQueueFull()) {
        fail("upstream_stalled", null);
      } else {
        armStallTimer(Math.max(idleTimeoutNanos - quiet, idleTimeoutNanos / 10));
      }
    });
  }

  @Override
  public void onEvent(SseEventSplitter.Event e) {
    if (finished) return;
    translator.onEvent(e.name(), e.data(), frames);
    if (ex.firstTokenNanos == 0 && translator.contentStarted()) ex.firstTokenNanos = System.nanoTime();
    flush();
    if (translator.upstreamError() != null) fail("upstream_error", null);
  }

  private void flush() {
    if (!frames.isEmpty()) {
      out.write(frames.toString());
      frames.setLength(0);
    }
  }

  private void upstreamEnded() {
    if (finished) return;
    if (!translator.complete()) {
      fail("upstream_cut", null);
      return;
    }
    finished = true;
    ex.outcome = translator.malformed() > 0 ? "ok_skipped_malformed" : "ok";
    translator.finish(frames);
    flush();
    settleUsage();
    out.end().onComplete(v -> finish());
  }

  private void upstreamBroke(Throwable t) {
    if (finished) return;
    fail(UpstreamErrors.isTimeout(t) ? "upstream_stalled" : "upstream_cut", t);
  }

  private void fail(String outcome, Throwable cause) {
    if (finished) return;
    finished = true;
    ex.outcome = outcome;
    ex.errorCode = ErrorCode.PROVIDER_005.code();
    settleUsage();
    String providerId = ex.target.provider().id();
    if (cause != null) {
      log.info("request {}: stream from provider {} ended early: {}", ex.requestId, providerId, cause.toString());
    }
    up.request().reset();
    if (out.closed()) {
      finish();
      return;
    }
    {
      String why = switch (outcome) {
        case "upstream_stalled" -> "stopped sending mid-stream";
        case "upstream_error" -> "reported an error mid-stream ("
            + com.lijiaoqiao.protocol.SecretScrubber.scrub(translator.upstreamError()) + ")";
        default -> "broke off mid-stream";
      };
      GatewayException err = new GatewayException(ErrorCode.PROVIDER_005,
          "The upstream provider '" + providerId + "' " + why + "; the answer is incomplete.",
          "上游服务商在流式响应中途中断，回答不完整。", Map.of("provider", providerId, "reason", outcome), null);
      boolean anthropic = ex.ingress == Dialect.ANTHROPIC;
      String json = new String(ErrorRenderer.body(err, ex.requestId,
          anthropic ? ErrorRenderer.Shape.ANTHROPIC : ErrorRenderer.Shape.OPENAI), StandardCharsets.UTF_8);
      if (anthropic) StreamTranslator.anthropicFrame(frames, "error", json);
      else StreamTranslator.openAiFrame(frames, json);
      flush();
    }
    out.end().onComplete(v -> finish());
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    ex.outcome = "client_closed";
    ex.statusCode = 499;
    up.request().reset();
    settleUsage();
    finish();
  }

  private void settleUsage() {
    TokenUsage u = translator.usage();
    if (translator.model() != null) ex.servedModel = translator.model();
    // A cut stream may have reported only its input side: count what was generated then.
    if (u == null || (u.completionTokens() == 0 && !translator.text().isEmpty())) {
      TokenUsage est = RelayStage.estimate(ex, translator.text());
      ex.usage = u == null ? est : new TokenUsage(u.promptTokens(), est.completionTokens(), u.cachedPromptTokens(), true,
          u.cacheCreationTokens());
    } else {
      ex.usage = u;
    }
  }

  private void finish() {
    ex.endNanos = System.nanoTime();
    done.tryComplete();
  }
}
