package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.OpenAiResponseScanner;
import com.lijiaoqiao.protocol.SseEventSplitter;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one OpenAI-format SSE stream event by event, each written (and so flushed) as it arrives, with
 * back-pressure from the client. Reads usage on the way; drops the usage chunk the gateway asked for on the
 * client's behalf. A stream that breaks after its first byte ends with an in-band error event and no
 * {@code [DONE]}, so no client mistakes a truncated answer for a complete one.
 */
final class StreamRelay implements SseEventSplitter.Listener {
  private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private final Exchange ex;
  private final HttpClientResponse up;
  private final HttpServerResponse out;
  private final Promise<Void> done;
  private final SseEventSplitter splitter = new SseEventSplitter(this);
  private final StringBuilder text = new StringBuilder();
  private final boolean clientWantsUsage;
  private boolean sawDone;
  private boolean sawFinish;
  private boolean finished;
  private int malformed;
  private final long idleTimeoutNanos;
  private long lastDataNanos;

  StreamRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, Promise<Void> done, long idleTimeoutMs) {
    this.idleTimeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    this.ex = ex;
    this.up = up;
    this.out = out;
    this.done = done;
    this.clientWantsUsage = ex.parsed.includeUsage();
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

  /** One timer per idle period rather than one per chunk: on firing it checks when data last arrived. */
  private void armStallTimer(long delayNanos) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.currentContext().owner();
    vertx.setTimer(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(delayNanos)), id -> {
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
    String data = e.data();
    if (data == null) {
      out.write(e.raw() + "\n\n"); // comments and keep-alives pass through
      return;
    }
    if (data.equals("[DONE]")) {
      sawDone = true;
      return; // written once, at the end, after any usage chunk
    }
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    OpenAiResponseScanner.Result r = OpenAiResponseScanner.scan(bytes, text);
    if (!r.valid) {
      malformed++;
      log.warn("request {}: skipped a malformed chunk from provider {}", ex.requestId, ex.target.provider().id());
      return;
    }
    if (r.isError) {
      // The upstream reported an error in-band: pass it on and treat the stream as broken.
      out.write(e.raw() + "\n\n");
      fail("upstream_error", null);
      return;
    }
    if (r.model != null) ex.servedModel = r.model;
    if (r.finishReason != null) sawFinish = true;
    if (r.usage != null) {
      ex.usage = r.usage;
      long cost = ex.settle(); // the final usage: book it before the stream's last byte
      if (!r.hasChoices && !clientWantsUsage) return;
      if (ex.billed()) {
        if (ex.firstTokenNanos == 0 && r.hasChoices) ex.firstTokenNanos = System.nanoTime();
        out.write("data: " + UsageCost.withCost(data, cost) + "\n\n");
        return;
      }
    }
    if (ex.firstTokenNanos == 0 && r.hasChoices) ex.firstTokenNanos = System.nanoTime();
    out.write(e.raw() + "\n\n");
  }

  private void upstreamEnded() {
    if (finished) return;
    boolean complete = sawDone || (sawFinish && splitter.remainder().isBlank());
    if (!complete) {
      fail("upstream_cut", null);
      return;
    }
    // A stream that finished but forgot [DONE] is finalised here, promptly, with usage.
    finished = true;
    ex.outcome = malformed > 0 ? "ok_skipped_malformed" : "ok";
    settleUsage();
    ex.settle();
    out.write(DONE);
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
    ex.settle();
    String providerId = ex.target.provider().id();
    String why = outcome.equals("upstream_stalled") ? "stopped sending" : "broke off";
    GatewayException err = new GatewayException(ErrorCode.PROVIDER_005,
        "The upstream provider '" + providerId + "' " + why + " mid-stream; the answer is incomplete.",
        "上游服务商在流式响应中途中断，回答不完整。", Map.of("provider", providerId, "reason", outcome), null);
    if (cause != null) {
      log.info("request {}: stream from provider {} ended early: {}", ex.requestId, providerId, cause.toString());
    }
    up.request().reset();
    if (!out.closed()) {
      out.write("data: " + new String(ErrorRenderer.body(err, ex.requestId, ErrorRenderer.Shape.OPENAI),
          StandardCharsets.UTF_8) + "\n\n");
      out.end().onComplete(v -> finish());
    } else {
      finish();
    }
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    ex.outcome = "client_closed";
    ex.statusCode = 499;
    up.request().reset(); // stop generation upstream: nothing more will be relayed or charged
    settleUsage();
    ex.settle();
    finish();
  }

  private void settleUsage() {
    if (ex.usage == null || ex.usage == com.lijiaoqiao.protocol.TokenUsage.NONE) {
      ex.usage = RelayStage.estimate(ex, text);
    }
  }

  private void finish() {
    ex.endNanos = System.nanoTime();
    done.tryComplete();
  }
}
