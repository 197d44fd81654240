package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.OpenAiResponseScanner;
import com.lijiaoqiao.protocol.SseEventSplitter;
import com.lijiaoqiao.protocol.TokenUsage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one OpenAI-format SSE stream event by event, each written (and so flushed) as it arrives, with
 * back-pressure from the client. Reads usage on the way; drops the usage chunk the gateway asked for on the
 * client's behalf.
 *
 * <p>Nothing reaches the client before the first event worth relaying (the <em>commit</em>): a stream that
 * fails before it (error event, cut, stall) is reported to the {@link Listener} so the router can fall over.
 * After the commit a broken stream ends with an in-band error event and no {@code [DONE]}, so no client
 * mistakes a truncated answer for a complete one. A malformed chunk is skipped and logged.
 */
final class StreamRelay implements SseEventSplitter.Listener, UpstreamStream {
  private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
  private static final byte[] DONE_DATA = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  interface Listener {
    /** The first byte went to the client: from now on no retry, no fall-over. */
    void committed();

    /** The stream failed before the commit: nothing was sent, the router may try elsewhere. */
    void failedBeforeCommit(String outcome, Throwable cause);

    /** The relay is over after the commit (or the client left): outcome in the exchange. */
    void ended(boolean providerFault);
  }

  private final Exchange ex;
  private final HttpClientResponse up;
  private final HttpServerResponse out;
  private final Listener listener;
  private final SseEventSplitter splitter = new SseEventSplitter(this);
  private final StringBuilder text = new StringBuilder();
  private final boolean clientWantsUsage;
  private final long idleTimeoutNanos;
  private boolean committed;
  private boolean sawDone;
  private boolean sawFinish;
  private boolean finished;
  private int malformed;
  private long lastDataNanos;
  private long stallTimer = -1;
  /** Events held back before the commit (role-only deltas): sent with the first real content. */
  private java.util.List<Buffer> held;
  /** Output gathered while one upstream read is being split; null outside of it. */
  private Buffer batch;

  StreamRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, Listener listener, long idleTimeoutMs) {
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    this.ex = ex;
    this.up = up;
    this.out = out;
    this.listener = listener;
    this.clientWantsUsage = ex.parsed.includeUsage();
  }

  @Override
  public void start() {
    out.closeHandler(v -> clientGone());
    lastDataNanos = System.nanoTime();
    armStallTimer(idleTimeoutNanos);
    up.handler(buf -> {
      if (finished) return;
      lastDataNanos = System.nanoTime();
      // Events that arrived together leave together: one write (and flush) per upstream read, not per event.
      batch = Buffer.buffer(buf.length() + 64);
      splitter.feed(buf);
      flushBatch();
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

  /** Stops the relay silently (time-to-first-token exceeded: the router has already moved on). */
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

  private void write(Buffer b) {
    if (!committed) {
      commit();
      if (held != null) {
        for (Buffer h : held) send(h);
        held = null;
      }
    }
    send(b);
  }

  private void send(Buffer b) {
    if (batch != null) {
      batch.appendBuffer(b);
    } else {
      out.write(b);
    }
  }

  private void flushBatch() {
    Buffer b = batch;
    batch = null;
    if (b != null && b.length() > 0 && !out.closed()) out.write(b);
  }

  /** One timer per idle period rather than one per chunk: on firing it checks when data last arrived. */
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
    if (e.dataIs(DONE_DATA)) {
      sawDone = true;
      return; // written once, at the end, after any usage chunk
    }
    String data = null;
    OpenAiResponseScanner.Result r;
    int textBefore = text.length();
    if (e.singleDataLine()) {
      // The usual case: scan the event's bytes where they lie, without decoding them to text.
      r = OpenAiResponseScanner.scan(e.bytes(), e.dataOffset(), e.dataLength(), text);
    } else {
      data = e.data();
      if (data == null) {
        if (committed) send(e.relayable()); // comments and keep-alives pass through once committed
        return;
      }
      r = OpenAiResponseScanner.scan(data.getBytes(StandardCharsets.UTF_8), text);
    }
    if (!r.valid) {
      malformed++;
      log.warn("request {}: skipped a malformed chunk from provider {}", ex.requestId, ex.target.provider().id());
      return;
    }
    if (r.isError) {
      if (!committed) {
        fail("upstream_error", null);
        return;
      }
      // The upstream reported an error in-band: pass it on and treat the stream as broken.
      send(e.relayable());
      fail("upstream_error", null);
      return;
    }
    if (r.model != null) ex.servedModel = r.model;
    if (r.finishReason != null) sawFinish = true;
    if (r.usage != null) {
      ex.usage = r.usage;
      if (!r.hasChoices && !clientWantsUsage) return;
      if (!r.hasChoices && committed && ex.billed()) {
        // The final usage: book the charge before the stream's last byte and show it as usage.cost.
        write(Buffer.buffer("data: " + UsageCost.withCost(data != null ? data : e.data(), ex.settle()) + "\n\n"));
        return;
      }
    }
    boolean substantive = text.length() > textBefore || r.finishReason != null;
    if (!committed && !substantive) {
      // Nothing generated yet (e.g. the role-only first delta): hold it, so a slow first token can still fall over.
      if (held == null) held = new java.util.ArrayList<>(2);
      held.add(e.relayable());
      return;
    }
    if (ex.firstTokenNanos == 0 && r.hasChoices) ex.firstTokenNanos = System.nanoTime();
    write(e.relayable());
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
    cancelStallTimer();
    ex.outcome = malformed > 0 ? "ok_skipped_malformed" : "ok";
    settleUsage();
    ex.settle();
    write(DONE.copy());
    out.end().onComplete(v -> finish(false));
  }

  private void upstreamBroke(Throwable t) {
    if (finished) return;
    fail(UpstreamErrors.isTimeout(t) ? "upstream_stalled" : "upstream_cut", t);
  }

  /** Ends the stream as failed: before the commit, quietly (the router decides); after it, in-band. */
  @Override
  public void fail(String outcome, Throwable cause) {
    if (finished) return;
    finished = true;
    cancelStallTimer();
    String providerId = ex.target.provider().id();
    up.request().reset();
    if (!committed) {
      ex.usage = TokenUsage.NONE;
      ex.servedModel = null;
      ex.firstTokenNanos = 0;
      listener.failedBeforeCommit(outcome, cause);
      return;
    }
    flushBatch(); // what was relayed so far goes out before the error
    ex.outcome = outcome;
    ex.errorCode = ErrorCode.PROVIDER_005.code();
    settleUsage();
    ex.settle(); // what was relayed before the break is charged, and only that
    String why = switch (outcome) {
      case "upstream_stalled" -> "stopped sending";
      case "deadline_exceeded" -> "did not finish within the request deadline";
      default -> "broke off";
    };
    GatewayException err = new GatewayException(ErrorCode.PROVIDER_005,
        "The upstream provider '" + providerId + "' " + why + " mid-stream; the answer is incomplete.",
        "上游服务商在流式响应中途中断，回答不完整。", Map.of("provider", providerId, "reason", outcome), null);
    if (cause != null) {
      log.info("request {}: stream from provider {} ended early: {}", ex.requestId, providerId, cause.toString());
    }
    if (!out.closed()) {
      out.write("data: " + new String(ErrorRenderer.body(err, ex.requestId, ErrorRenderer.Shape.OPENAI),
          StandardCharsets.UTF_8) + "\n\n");
      out.end().onComplete(v -> finish(!"deadline_exceeded".equals(outcome)));
    } else {
      finish(true);
    }
  }

  private void clientGone() {
    if (finished) return;
    finished = true;
    cancelStallTimer();
    ex.outcome = "client_closed";
    ex.statusCode = 499;
    up.request().reset(); // stop generation upstream: nothing more will be relayed or charged
    if (committed) {
      settleUsage();
      ex.settle();
    } else {
      ex.usage = TokenUsage.NONE;
    }
    finish(false);
  }

  private void settleUsage() {
    if (ex.usage == null || ex.usage == TokenUsage.NONE) {
      ex.usage = RelayStage.estimate(ex, text);
    }
  }

  private void finish(boolean providerFault) {
    ex.endNanos = System.nanoTime();
    listener.ended(providerFault);
  }
}
