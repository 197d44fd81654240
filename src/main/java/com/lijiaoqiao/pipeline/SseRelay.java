package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.SseEventSplitter;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenUsage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every relayed SSE stream shares, whatever the dialects: event-by-event relay with back-pressure, the
 * commit (nothing reaches the client before the first generated content, so the router can still fall over),
 * stall detection, and the endings — a failure before the commit is handed back to the router quietly; after
 * it, the stream ends with an in-band error and without its normal end, so no client mistakes a truncated
 * answer for a complete one; a client that leaves stops the upstream at once. Subclasses read the events.
 */
abstract class SseRelay implements SseEventSplitter.Listener, UpstreamStream {
  private static final Logger log = LoggerFactory.getLogger(SseRelay.class);
  /** How old, at most, what a kill -9 mid-stream leaves uncharged may be (see {@link #journalProgress}). */
  static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** How the relay reports to the attempt that opened it. */
  interface Listener {
    /** The first byte went to the client: from now on no retry, no fall-over. */
    void committed();

    /** The stream failed before the commit: nothing was sent, the router may try elsewhere. */
    void failedBeforeCommit(String outcome, Throwable cause);

    /** The relay is over after the commit (or the client left): outcome in the exchange. */
    void ended(boolean providerFault);

    /**
     * The stream broke after the commit (its usage so far is in the exchange): true when a fallback takes over and
     * continues the answer in the same client stream; false to end it with the in-band error now.
     */
    default boolean rescue(SseRelay broken, String outcome) {
      return false;
    }
  }

  protected final Exchange ex;
  protected final HttpClientResponse up;
  protected final HttpServerResponse out;
  protected final SseEventSplitter splitter = new SseEventSplitter(this);
  private final Listener listener;
  private final long idleTimeoutNanos;
  protected boolean committed;
  protected boolean finished;
  private long lastDataNanos;
  private long stallTimer = -1;
  private long lastProgressNanos;
  /** Output gathered while one upstream read is being split; null outside of it. */
  private Buffer batch;

  SseRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, Listener listener, long idleTimeoutMs) {
    this.ex = ex;
    this.up = up;
    this.out = out;
    this.listener = listener;
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
  }

  /**
   * A rescue's continuation: the client's stream is already open (head written, part of the answer sent), so
   * nothing is held back and every failure is an after-the-commit one.
   */
  SseRelay continuing() {
    committed = true;
    lastProgressNanos = System.nanoTime();
    return this;
  }

  /** The answer text (content only) the client has received, for a rescue; null when it may not be continued. */
  protected abstract CharSequence answerSoFar();

  /** A translator continuing the client's stream from hub chunks (see {@link StreamTranslator#resumed}); or null. */
  protected abstract StreamTranslator resumedEncoder();

  /** The upstream's stream ended at the HTTP level: finish it, or fail it when it is incomplete. */
  protected abstract void upstreamEnded();

  /** Puts the request's final token usage into the exchange (reported, or counted from what was relayed). */
  protected abstract void settleUsage();

  /** The token usage of what was relayed so far, as {@link #settleUsage} would put it; changes nothing. */
  protected abstract TokenUsage usageSoFar();

  /** The usage the upstream has reported so far (cheap: nothing is counted), or null / NONE. */
  protected abstract TokenUsage reportedSoFar();

  /** The completion text relayed so far. */
  protected abstract CharSequence relayedText();

  /** The in-band error event that ends a broken stream, in the client's dialect. */
  protected abstract Buffer errorEvent(GatewayException error);

  /** Why the stream broke, for the client's error message. */
  protected String why(String outcome) {
    return switch (outcome) {
      case "upstream_stalled" -> "stopped sending mid-stream";
      case "deadline_exceeded" -> "did not finish within the request deadline";
      case "upstream_malformed" -> "sent an event larger than the gateway accepts";
      default -> "broke off mid-stream";
    };
  }

  @Override
  public void start() {
    lastDataNanos = System.nanoTime();
    armStallTimer(idleTimeoutNanos);
    up.handler(buf -> {
      if (finished) return;
      lastDataNanos = System.nanoTime();
      // Events that arrived together leave together: one write (and flush) per upstream read, not per event.
      batch = Buffer.buffer(buf.length() + 64);
      splitter.feed(buf);
      flushBatch();
      if (committed && !finished) journalProgress();
      if (!finished && out.writeQueueFull()) {
        up.pause();
        out.drainHandler(v -> up.resume());
      }
    });
    up.exceptionHandler(t -> {
      if (!finished) fail(UpstreamErrors.isTimeout(t) ? "upstream_stalled" : "upstream_cut", t);
    });
    up.endHandler(v -> {
      if (!finished) upstreamEnded();
    });
    up.resume();
  }

  /** An upstream that never ends an event is sending garbage: the stream fails like a broken one. */
  @Override
  public void onOversizedEvent(int maxBytes) {
    if (!finished) fail("upstream_malformed", null);
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
    UpstreamStream.abandon(up);
  }

  /** Sends the response head: from here on this attempt owns the response. */
  protected void commit() {
    committed = true;
    ex.statusCode = 200;
    out.setStatusCode(200);
    out.setChunked(true);
    var h = out.headers();
    h.set("content-type", "text/event-stream; charset=utf-8");
    h.set("cache-control", "no-cache");
    h.set("x-accel-buffering", "no");
    h.set("x-ljq-provider", ex.target.provider().id());
    if (ex.dropped != null) h.set("x-ljq-dropped", ex.dropped);
    out.writeHead();
    lastProgressNanos = System.nanoTime();
    listener.committed();
  }

  /** Writes to the client (committing first if needed), batched within one upstream read. */
  protected void send(Buffer b) {
    if (!committed) commit();
    b = EchoGuard.clear(b, EchoGuard.secretOf(ex));
    if (ex.capture != null) ex.capture.chunk(b);
    if (batch != null) {
      batch.appendBuffer(b);
    } else {
      out.write(b);
    }
  }

  /**
   * About once a second while content flows, the journal learns what was relayed so far: a kill -9 mid-stream
   * then charges that much at the next start (the stream's own settlement supersedes it). Checked per upstream
   * read rather than by a timer: a silent upstream relays nothing new to note.
   */
  private void journalProgress() {
    long now = System.nanoTime();
    if (now - lastProgressNanos < PROGRESS_EVERY_NANOS) return;
    lastProgressNanos = now;
    ex.journalProgress(progressUsage());
  }

  /** Completion tokens of the text relayed up to {@link #countedChars}, counted a piece at a time. */
  private long countedTokens;
  private int countedChars;

  /**
   * What a progress entry records, cheaply: the upstream's reported usage when it has one, else the request's
   * prompt estimate and the relayed text counted incrementally — each second counts only the text that arrived
   * in it, never the whole answer (or the prompt) again. The final settlement still counts exactly.
   */
  private TokenUsage progressUsage() {
    TokenUsage reported = reportedSoFar();
    if (reported != null && reported != TokenUsage.NONE && reported.completionTokens() > 0) return reported;
    CharSequence text = relayedText();
    if (text.length() > countedChars) {
      countedTokens += com.lijiaoqiao.protocol.TokenCounter.count(text.subSequence(countedChars, text.length()));
      countedChars = text.length();
    }
    long prompt = reported != null && reported != TokenUsage.NONE && reported.promptTokens() > 0
        ? reported.promptTokens() : ex.promptTokens();
    return new TokenUsage(prompt, countedTokens, 0, true);
  }

  private void flushBatch() {
    Buffer b = batch;
    batch = null;
    if (b != null && b.length() > 0 && !out.closed()) out.write(b);
  }

  /** Ends a complete stream: settles before the last bytes, writes them, and reports. */
  protected void finishComplete(String outcome, Buffer lastBytes) {
    finished = true;
    cancelStallTimer();
    ex.outcome = outcome;
    settleUsage();
    ex.settle(); // booked before the stream's last byte
    send(lastBytes);
    flushBatch();
    out.end().onComplete(v -> finish(false));
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

  /** Ends the stream as failed: before the commit, quietly (the router decides); after it, in-band. */
  @Override
  public void fail(String outcome, Throwable cause) {
    if (finished) return;
    finished = true;
    cancelStallTimer();
    UpstreamStream.abandon(up);
    if (!committed) {
      ex.usage = TokenUsage.NONE;
      ex.servedModel = null;
      ex.firstTokenNanos = 0;
      listener.failedBeforeCommit(outcome, cause);
      return;
    }
    flushBatch(); // what was relayed so far goes out before the error
    settleUsage();
    if (cause != null) {
      log.info("request {}: stream from provider {} ended early: {}", ex.requestId, ex.target.provider().id(),
          cause.toString());
    }
    if (!out.closed() && listener.rescue(this, outcome)) return; // a fallback continues the answer
    endBroken(outcome, () -> finish(!"deadline_exceeded".equals(outcome)));
  }

  /**
   * Ends a committed stream as broken: what was relayed (the usage in the exchange, and any rescued parts before it)
   * is charged, and the in-band error ends the client's stream without its normal end. {@code then} runs once the
   * response has ended.
   */
  void endBroken(String outcome, Runnable then) {
    ex.outcome = outcome;
    ex.errorCode = ErrorCode.PROVIDER_005.code();
    ex.settle(); // what was relayed before the break is charged, and only that
    String providerId = ex.target.provider().id();
    if (out.closed()) {
      then.run();
      return;
    }
    GatewayException err = new GatewayException(ErrorCode.PROVIDER_005,
        "The upstream provider '" + providerId + "' " + why(outcome) + "; the answer is incomplete.",
        "上游服务商在流式响应中途中断，回答不完整。", Map.of("provider", providerId, "reason", outcome), null);
    out.write(errorEvent(err));
    out.end().onComplete(v -> then.run());
  }

  /** The client left (the relay stage watches the connection): the upstream is stopped at once. */
  @Override
  public void clientGone() {
    if (finished) return;
    finished = true;
    cancelStallTimer();
    ex.outcome = "client_closed";
    ex.statusCode = 499;
    UpstreamStream.abandon(up); // stop generation upstream: nothing more will be relayed or charged
    if (committed) {
      settleUsage();
      ex.settle();
    } else {
      ex.usage = TokenUsage.NONE;
    }
    finish(false);
  }

  private void finish(boolean providerFault) {
    ex.endNanos = System.nanoTime();
    listener.ended(providerFault);
  }
}
