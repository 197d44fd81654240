package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.SseEventSplitter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.StreamTranslator;
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
 * from the client. Same rules as StreamRelay: nothing reaches the client before the first generated content
 * (so the router can still fall over), and a stream that breaks after that ends with an in-band error in the
 * client's dialect and without the normal end ({@code [DONE]} / {@code message_stop}).
 */
final class TranslatingStreamRelay implements SseEventSplitter.Listener, UpstreamStream {
  private static final Logger log = LoggerFactory.getLogger(TranslatingStreamRelay.class);

  private final Exchange ex;
  private final HttpClientResponse up;
  private final HttpServerResponse out;
  private final StreamRelay.Listener listener;
  private final StreamTranslator translator;
  private final SseEventSplitter splitter = new SseEventSplitter(this);
  private final StringBuilder frames = new StringBuilder(512);
  private final long idleTimeoutNanos;
  private long lastDataNanos;
  private long stallTimer = -1;
  private boolean committed;
  private boolean finished;

  TranslatingStreamRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, StreamRelay.Listener listener,
                         long idleTimeoutMs, StreamTranslator translator) {
    this.ex = ex;
    this.up = up;
    this.out = out;
    this.listener = listener;
    this.translator = translator;
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
  }

  @Override
  public void start() {
    out.closeHandler(v -> clientGone());
    lastDataNanos = System.nanoTime();
    armStallTimer(idleTimeoutNanos);
    up.handler(buf -> {
      if (finished) return;
      lastDataNanos = System.nanoTime();
      splitter.feed(buf);
      if (!finished && out.writeQueueFull()) {
        up.pause();
        out.drainHandler(v -> up.resume());
      }
    });
    up.exceptionHandler(this::upstreamBroke);
    up.endHandler(v -> upstreamEnded());
    up.resume();
  }

  @Override
  public boolean committed() {
    return committed;
  }

  @Override
  public void abortBeforeCommit() {
    if (finished || committed) return;
    finished = true;
    cancelStallTimer();
    up.request().reset();
  }

  private void commit() {
    committed = true;
    ex.statusCode = 200;
    out.setStatusCode(200);
    out.setChunked(true);
    var h = out.headers();
    h.set("content-type", "text/event-stream; charset=utf-8");
    h.set("cache-control", "no-cache");
    h.set("x-accel-buffering", "no");
    h.set("x-ljq-provider", ex.target.provider().id());
    out.writeHead();
    listener.committed();
  }

  private void armStallTimer(long delayNanos) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.currentContext().owner();
    stallTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), id -> {
      if (finished) return;
      long quiet = System.nanoTime() - lastDataNanos;
      if (quiet >= idleTimeoutNanos && !out.writeQueueFull()) {
        fail("upstream_stalled", null);
      } else {
        armStallTimer(Math.max(idleTimeoutNanos - quiet, idleTimeoutNanos / 10));
      }
    });
  }

  private void cancelStallTimer() {
    if (stallTimer >= 0 && io.vertx.core.Vertx.currentContext() != null) {
      io.vertx.core.Vertx.currentContext().owner().cancelTimer(stallTimer);
    }
  }

  @Override
  public void onEvent(SseEventSplitter.Event e) {
    if (finished) return;
    translator.onEvent(e.name(), e.data(), frames);
    if (translator.upstreamError() != null) {
      fail("upstream_error", null);
      return;
    }
    if (!committed && !translator.contentStarted()) {
      return; // frames wait (e.g. message_start) until there is content, so a slow start can still fall over
    }
    if (ex.firstTokenNanos == 0 && translator.contentStarted()) ex.firstTokenNanos = System.nanoTime();
    flush();
  }

  private void flush() {
    if (!committed) commit();
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
    cancelStallTimer();
    ex.outcome = translator.malformed() > 0 ? "ok_skipped_malformed" : "ok";
    settleUsage();
    long cost = ex.settle(); // booked before the stream's last byte
    int before = frames.length();
    translator.finish(frames);
    if (ex.billed()) insertCost(frames, before, cost);
    flush();
    out.end().onComplete(v -> finish(false));
  }

  /** Puts the charge into the last usage object the translator wrote at the end of the stream. */
  private static void insertCost(StringBuilder frames, int from, long cost) {
    int at = frames.lastIndexOf("\"usage\":{");
    if (at < from) return;
    int brace = at + "\"usage\":{".length();
    boolean empty = brace < frames.length() && frames.charAt(brace) == '}';
    frames.insert(brace, "\"cost\":" + Money.toDecimal(cost).toPlainString() + (empty ? "" : ","));
  }

  private void upstreamBroke(Throwable t) {
    if (finished) return;
    fail(UpstreamErrors.isTimeout(t) ? "upstream_stalled" : "upstream_cut", t);
  }

  @Override
  public void fail(String outcome, Throwable cause) {
    if (finished) return;
    finished = true;
    cancelStallTimer();
    up.request().reset();
    String providerId = ex.target.provider().id();
    if (!committed) {
      ex.usage = TokenUsage.NONE;
      ex.servedModel = null;
      ex.firstTokenNanos = 0;
      listener.failedBeforeCommit(outcome, cause);
      return;
    }
    ex.outcome = outcome;
    ex.errorCode = ErrorCode.PROVIDER_005.code();
    settleUsage();
    ex.settle(); // what was relayed before the break is charged, and only that
    if (cause != null) {
      log.info("request {}: stream from provider {} ended early: {}", ex.requestId, providerId, cause.toString());
    }
    if (out.closed()) {
      finish(true);
      return;
    }
    String why = switch (outcome) {
      case "upstream_stalled" -> "stopped sending mid-stream";
      case "deadline_exceeded" -> "did not finish within the request deadline";
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
    frames.setLength(0);
    if (anthropic) StreamTranslator.anthropicFrame(frames, "error", json);
    else StreamTranslator.openAiFrame(frames, json);
    flush();
    out.end().onComplete(v -> finish(!"deadline_exceeded".equals(outcome)));
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    cancelStallTimer();
    ex.outcome = "client_closed";
    ex.statusCode = 499;
    up.request().reset();
    if (committed) {
      settleUsage();
      ex.settle();
    } else {
      ex.usage = TokenUsage.NONE;
    }
    finish(false);
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

  private void finish(boolean providerFault) {
    ex.endNanos = System.nanoTime();
    listener.ended(providerFault);
  }
}
