package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.providers.UpstreamCall;
import com.lijiaoqiao.routing.Candidate;
import com.lijiaoqiao.routing.RouteTarget;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.net.ConnectException;
import java.util.Map;

/**
 * One call to one provider: the body in its dialect, the first-byte timer, an error answer read (its start only),
 * a whole answer read and shaped for the client, or a stream handed to its relay. A continuation (a rescue under
 * way) asks the provider to go on from the client's copy of the answer and feeds the same client stream. Every
 * outcome is reported to the {@link Failover}, which decides what comes next.
 */
final class Attempt implements SseRelay.Listener {
  private final Failover f;
  private final Exchange ex;
  final Candidate candidate;
  final RouteTarget target;
  /** The rescue this attempt continues, or null for an ordinary attempt. */
  private final Failover.Seam seam;
  /** A continuation by assistant prefill (else by instruction). */
  final boolean prefill;
  final long startNanos = System.nanoTime();
  long firstByteNanos;
  private long firstByteTimer = -1;
  /** Headers (non-stream) or first token (stream): how long this attempt may take to start answering. */
  private long firstByteLimitMs;
  private HttpClientRequest request;
  private HttpClientResponse response;
  UpstreamStream relay;
  boolean over;
  boolean committed;

  Attempt(Failover f, Candidate candidate, Failover.Seam seam) {
    this.f = f;
    this.ex = f.ex;
    this.candidate = candidate;
    this.target = candidate == null ? ex.target : candidate.target();
    this.seam = seam;
    // Anthropic-dialect models take prefill until one refuses; others are asked in words.
    this.prefill = seam != null && candidate != null
        && candidate.lane().prefill(target.provider().dialect() == Dialect.ANTHROPIC);
  }

  String providerId() {
    return target.provider().id();
  }

  void start() {
    ex.target = target;
    ex.usage = TokenUsage.NONE;
    ex.servedModel = null;
    firstByteLimitMs = !ex.stream() ? f.settings.headersTimeoutMs()
        : f.fallbackLeft() ? f.settings.fallbackFirstTokenTimeoutMs() : f.settings.firstTokenTimeoutMs();
    long limit = Math.min(firstByteLimitMs, Math.max(1, f.remainingMs()));
    firstByteTimer = f.vertx.setTimer(Math.max(1, limit), id -> {
      firstByteTimer = -1;
      firstByteTimeout();
    });
    byte[] body;
    try {
      // Translated when the upstream speaks another dialect; a feature it cannot take is refused here.
      body = seam == null ? RelayCodecs.upstreamBody(ex, target.provider(), target.upstreamModel())
          : RelayCodecs.continuationBody(ex, target.provider(), target.upstreamModel(), seam.answer(), prefill);
    } catch (GatewayException refused) {
      over = true;
      cancelFirstByteTimer();
      f.failed(this, "refused", 400, null, FailurePolicy.REFUSED, refused); // the request's fault, not the provider's
      return;
    }
    UpstreamCall call = new UpstreamCall(ex.endpoint, target.upstreamModel(), body, ex.stream(), ex.requestId,
        ex.request.headers());
    target.provider().open(ex.upstreamClient, call, req -> request = req).onComplete(ar -> {
      if (ar.failed()) {
        if (over) return;
        over = true;
        cancelFirstByteTimer();
        Throwable t = ar.cause();
        boolean timeout = UpstreamErrors.isTimeout(t);
        String outcome = timeout ? "timeout" : t instanceof ConnectException ? "connect_error" : "reset";
        f.failed(this, outcome, 0, null, timeout ? FailurePolicy.BROKEN : FailurePolicy.TRANSIENT,
            UpstreamErrors.ofFailure(providerId(), t));
        return;
      }
      HttpClientResponse up = ar.result();
      response = up;
      if (over) {
        UpstreamStream.abandon(up);
        return;
      }
      if (ex.stream() && f.out.closed()) { // a non-stream is read to its end: the upstream bills it
        over = true;
        cancelFirstByteTimer();
        UpstreamStream.abandon(up);
        f.clientLeft();
        return;
      }
      if (up.statusCode() >= 400) {
        upstreamError(up);
        return;
      }
      String ct = up.getHeader("content-type");
      boolean sse = ex.stream() && ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17);
      if (seam != null) {
        continueStream(up, sse);
      } else if (!RelayCodecs.passthrough(ex, target.provider())) {
        if (sse) {
          relay = new TranslatingStreamRelay(ex, up, f.out, this, f.settings.idleTimeoutMs(),
              RelayCodecs.stream(ex, target.provider()));
          relay.start();
        } else {
          cancelFirstByteTimer();
          firstByteNanos = System.nanoTime();
          relayBody(up, true);
        }
      } else if (sse) {
        relay = new StreamRelay(ex, up, f.out, this, f.settings.idleTimeoutMs());
        relay.start();
      } else {
        cancelFirstByteTimer(); // a whole body: the rest is bounded by the idle timeout and the deadline
        firstByteNanos = System.nanoTime();
        relayBody(up, false);
      }
    });
  }

  /** A continuation's stream goes on in the client's open stream, through the join check. */
  private void continueStream(HttpClientResponse up, boolean sse) {
    if (!sse) {
      over = true;
      cancelFirstByteTimer();
      UpstreamStream.abandon(up);
      f.failed(this, "upstream_malformed", up.statusCode(), null, FailurePolicy.BROKEN, new GatewayException(
          ErrorCode.PROVIDER_005, "The upstream provider '" + providerId() + "' did not stream its continuation.",
          "上游服务商未以流式返回续写。", Map.of("provider", providerId()), null));
      return;
    }
    cancelFirstByteTimer(); // the relay's idle limit watches the continuation from here
    committed = true;
    firstByteNanos = System.nanoTime();
    TokenUsage prior = TokenUsage.NONE;
    for (Exchange.ServedPart p : ex.parts) prior = prior.plus(p.usage());
    TranslatingStreamRelay r = new TranslatingStreamRelay(ex, up, f.out, this, f.settings.idleTimeoutMs(),
        RelayCodecs.continuation(ex, target.provider(), seam.answer(), prior, seam.encoder()));
    r.rescuedNote = f.rescuedNote(this);
    r.continuing();
    relay = r;
    r.start();
  }

  private void cancelFirstByteTimer() {
    if (firstByteTimer >= 0) f.vertx.cancelTimer(firstByteTimer);
    firstByteTimer = -1;
  }

  void abort() {
    cancelFirstByteTimer();
    if (relay != null) {
      relay.abortBeforeCommit();
    } else if (response != null) {
      UpstreamStream.abandon(response);
    } else if (request != null) {
      request.reset();
    }
  }

  private void firstByteTimeout() {
    if (over || committed) return;
    over = true;
    abort();
    f.failed(this, "first_byte_timeout", 0, null, FailurePolicy.BROKEN, new GatewayException(ErrorCode.ROUTER_003,
        "The upstream provider '" + providerId() + "' sent nothing within " + firstByteLimitMs
            + " ms.", "上游服务商首字节超时。", Map.of("provider", providerId()), null));
  }

  private void upstreamError(HttpClientResponse up) {
    int status = up.statusCode();
    String retryAfterHeader = up.getHeader("retry-after");
    // Only the start of an error body is read: it is all an error needs, and an upstream is untrusted.
    UpstreamBody.read(f.vertx, up, f.settings.idleTimeoutMs(), RelayStage.MAX_ERROR_BODY, true, b -> {
      if (over) return;
      over = true;
      cancelFirstByteTimer();
      byte[] bytes = b.succeeded() ? b.result().getBytes() : new byte[0];
      GatewayException err = UpstreamErrors.ofStatus(providerId(), status, bytes, retryAfterHeader);
      // Allow-listed by UpstreamErrors: outcome labels (stats, stored decisions) never carry upstream text.
      String code = err.details() == null ? null : (String) err.details().get("upstream_code");
      FailurePolicy.Verdict verdict = seam != null && prefill && Rescue.refusesPrefill(err) ? FailurePolicy.REFUSED
          : FailurePolicy.ofStatus(status, code); // a refused prefill is the gateway's question, not a fault
      f.failed(this, "http_" + status + (code != null ? ":" + code : ""), status,
          UpstreamErrors.parseRetryAfter(retryAfterHeader), verdict, err);
    });
  }

  /** Reads a whole body, then answers the client with it: the only attempt that is billed. */
  private void relayBody(HttpClientResponse up, boolean translate) {
    UpstreamBody.read(f.vertx, up, f.settings.idleTimeoutMs(), f.settings.maxUpstreamBodyBytes(), false, b -> {
      if (over) return;
      over = true;
      if (b.failed() && b.cause() instanceof UpstreamBody.TooLarge) {
        f.failed(this, "upstream_too_large", up.statusCode(), null, FailurePolicy.BROKEN,
            new GatewayException(ErrorCode.PROVIDER_005, "The upstream provider '" + providerId()
                + "' sent an answer larger than the gateway accepts.", "上游服务商的响应过大。",
                Map.of("provider", providerId()), null));
        return;
      }
      if (b.failed()) {
        boolean timeout = UpstreamErrors.isTimeout(b.cause());
        f.failed(this, timeout ? "body_stalled" : "body_cut", up.statusCode(), null,
            timeout ? FailurePolicy.BROKEN : FailurePolicy.TRANSIENT, UpstreamErrors.ofFailure(providerId(), b.cause()));
        return;
      }
      byte[] bytes = b.result().getBytes();
      WholeReply w = translate ? WholeReply.translated(ex, target, bytes) : WholeReply.asIs(ex, target, bytes);
      if (w == null) {
        f.failed(this, "upstream_malformed", up.statusCode(), null, FailurePolicy.BROKEN,
            new GatewayException(ErrorCode.PROVIDER_005,
                "The upstream provider '" + providerId() + "' returned a malformed response.",
                "上游服务商返回了无法解析的响应。", Map.of("provider", providerId()), null));
        return;
      }
      committed = true;
      ex.usage = w.usage();
      ex.reportServedModel(w.model());
      boolean away = f.clientAway();
      // Nobody to answer, but the upstream billed it: charged, and recorded (with the charge, from the same
      // journaled settlement) as the client's leaving.
      ex.statusCode = away ? 499 : up.statusCode();
      ex.outcome = away ? "client_closed" : "ok";
      ex.firstTokenNanos = System.nanoTime();
      long cost = ex.settle(); // only the serving attempt is billed, and booked before the last byte
      if (away) {
        ex.endNanos = System.nanoTime();
        f.served(this, false, "ok", up.statusCode());
        return;
      }
      var out = f.out;
      out.setStatusCode(up.statusCode());
      var h = out.headers();
      h.set("content-type", "application/json");
      h.set("x-ljq-provider", providerId());
      if (ex.dropped != null) h.set("x-ljq-dropped", ex.dropped);
      byte[] reply = w.body();
      if (ex.billed()) {
        h.set("x-ljq-cost", Money.format(cost));
        reply = w.withCost().apply(cost);
      }
      reply = EchoGuard.clear(reply, EchoGuard.secretOf(ex));
      if (ex.capture != null) ex.capture.whole(reply);
      out.end(Buffer.buffer(reply)).onComplete(v -> {
        ex.endNanos = System.nanoTime();
        f.served(this, false);
      });
    });
  }

  // SseRelay.Listener

  @Override
  public void committed() {
    committed = true;
    firstByteNanos = System.nanoTime();
    cancelFirstByteTimer();
  }

  @Override
  public void failedBeforeCommit(String outcome, Throwable cause) {
    if (over) return;
    over = true;
    cancelFirstByteTimer();
    f.failed(this, outcome, 200, null,
        "upstream_stalled".equals(outcome) ? FailurePolicy.BROKEN : FailurePolicy.TRANSIENT, new GatewayException(ErrorCode.PROVIDER_005,
        "The upstream provider '" + providerId() + "' failed before sending an answer (" + outcome + ").",
        "上游服务商在返回内容前失败。", Map.of("provider", providerId(), "reason", outcome), null));
  }

  @Override
  public boolean rescue(SseRelay broken, String outcome) {
    boolean taken = f.rescue(this, broken, outcome);
    if (taken) {
      over = true;
      cancelFirstByteTimer();
    }
    return taken;
  }

  @Override
  public void ended(boolean providerFault) {
    over = true;
    cancelFirstByteTimer();
    if ("client_closed".equals(ex.outcome)) {
      f.log(candidate, "client_closed", 499, startNanos, null);
      f.complete();
      return;
    }
    f.served(this, providerFault);
  }
}
