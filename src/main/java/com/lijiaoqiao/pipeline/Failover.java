package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.routing.Candidate;
import com.lijiaoqiao.routing.CircuitBreaker;
import com.lijiaoqiao.routing.RouteDecision;
import com.lijiaoqiao.routing.Router;
import com.lijiaoqiao.routing.Scored;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through its planned upstreams: which candidate is tried next, waits between attempts, the
 * deadline, a client that leaves, the larger-context switch, and the rescue of a stream that broke after its first
 * byte (a fallback continues the answer in the same client stream). Each call is an {@link Attempt}; what a failure
 * means is {@link FailurePolicy}'s and {@link Rescue}'s to say.
 */
final class Failover {
  final Exchange ex;
  final RelayStage.Settings settings;
  final HttpServerResponse out;
  final Vertx vertx;
  private final Promise<Void> done;
  private final Router router;
  private final Map<String, String> contextFallbacks;
  private final PackageGate packages;
  /** The marketplace package the current candidate holds quota on (released when the request moves on). */
  private com.lijiaoqiao.routing.SupplyOffer heldOffer;
  private final List<Candidate> plan = new ArrayList<>();
  private final long deadlineNanos;
  private int index;
  private int onCurrent;
  /** The current candidate was admitted as its half-open breaker's one probe: one attempt there, no retry. */
  private boolean probe;
  private boolean finished;
  private long deadlineTimer = -1;
  private long waitTimer = -1;
  private Attempt current;
  private GatewayException lastError;
  private boolean switchedModel;
  /** Public models still to try, in order, once the current model's candidates are spent. */
  private final java.util.Deque<String> fallbackModels;
  private boolean clientGone;
  /** Set while a fallback continues a broken stream: the client's stream, and what it holds so far. */
  private Seam seam;
  private int rescues;

  /** The client's stream while a rescue is under way: the relay it broke in, the answer so far, its resumed encoder. */
  record Seam(SseRelay broken, String answer, StreamTranslator encoder, String outcome) {}

  Failover(Exchange ex, RelayStage.Settings settings, Router router, Map<String, String> contextFallbacks,
           List<String> fallbackModels, PackageGate packages, Promise<Void> done) {
    this.ex = ex;
    this.packages = packages;
    this.settings = settings;
    this.router = router;
    this.contextFallbacks = contextFallbacks;
    this.fallbackModels = new java.util.ArrayDeque<>(fallbackModels);
    this.done = done;
    this.out = ex.request.response();
    this.vertx = Vertx.currentContext().owner();
    if (ex.route != null) {
      for (Scored s : ex.route.candidates) plan.add(s.candidate());
    } else {
      plan.add(null); // not routed: the exchange's target alone, no live state
    }
    this.deadlineNanos = ex.startNanos + TimeUnit.MILLISECONDS.toNanos(settings.totalTimeoutMs());
  }

  void start() {
    // One watch for the whole request, streams included (their relay is told from here), so that a client
    // leaving during a wait between attempts is noticed too.
    if (!out.closed()) out.closeHandler(v -> onClientClosed());
    deadlineTimer = vertx.setTimer(Math.max(1, remainingMs()), id -> onDeadline());
    next();
  }

  boolean clientAway() {
    return clientGone || out.closed();
  }

  /**
   * The client hung up (SPEC §3). A stream stops at once and is charged for what was relayed; a non-stream
   * attempt in flight runs to its end (bounded by its timeouts) and is charged, since the upstream bills it;
   * between attempts (a back-off or Retry-After wait) the request ends now, charged nothing.
   */
  private void onClientClosed() {
    if (finished) return;
    clientGone = true;
    Attempt a = current;
    if (a != null && a.relay != null && !a.over) {
      a.relay.clientGone();
    } else if (a != null && a.committed) {
      // the whole answer is being written: served() ends the request
    } else if (a == null || a.over) {
      clientLeft();
    } else if (ex.stream()) {
      a.over = true;
      a.abort();
      log(a.candidate, "client_closed", 499, a.startNanos, null);
      clientLeft();
    }
  }

  long remainingMs() {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  void next() {
    if (finished) return;
    if (clientAway()) {
      clientLeft(); // nobody would read another attempt's answer
      return;
    }
    while (index < plan.size()) {
      Candidate c = plan.get(index);
      if (onCurrent > 0 || c == null) break;
      com.lijiaoqiao.routing.SupplyOffer offer = c.target().offer();
      if (offer != null && heldOffer == null) {
        if (!c.lane().breaker.available() || !ex.billed()) {
          log(c, "skipped_circuit_open", 0, System.nanoTime(), null);
          index++;
          continue;
        }
        admit(c, offer); // a package: its quota first, then this loop again
        return;
      }
      CircuitBreaker.Permit permit = c.lane().breaker.acquire();
      if (permit != CircuitBreaker.Permit.REFUSED) {
        probe = permit == CircuitBreaker.Permit.PROBE;
        break;
      }
      log(c, "skipped_circuit_open", 0, System.nanoTime(), null);
      releaseHeld();
      index++;
    }
    if (index >= plan.size()) {
      exhausted(lastError != null ? lastError : new GatewayException(ErrorCode.ROUTER_002,
          "No provider could take the request (every circuit is open).", "所有服务商均不可用。",
          Map.of("model", ex.model()), 5));
      return;
    }
    current = new Attempt(this, plan.get(index), seam);
    onCurrent++;
    current.start();
  }

  /** Holds a package's quota for the current candidate; a package used up (or at its concurrency) is skipped. */
  private void admit(Candidate c, com.lijiaoqiao.routing.SupplyOffer offer) {
    long start = System.nanoTime();
    packages.admit(ex, offer).onComplete(ar -> {
      boolean held = ar.succeeded() && ar.result();
      if (finished) {
        if (held) packages.release(ex, offer);
        return;
      }
      if (held) {
        heldOffer = offer;
      } else {
        log(c, "skipped_package_used_up", 0, start, null);
        index++;
      }
      next();
    });
  }

  /** The current candidate's package hold goes back: its attempts served nothing. */
  private void releaseHeld() {
    if (heldOffer != null) {
      packages.release(ex, heldOffer);
      heldOffer = null;
    }
  }

  private void advance() {
    ex.observer.step(ex, RequestObserver.Step.FALLOVER);
    releaseHeld();
    index++;
    onCurrent = 0;
    next();
  }

  private void retrySameAfter(long delayMs) {
    ex.observer.step(ex, RequestObserver.Step.RETRY);
    waitTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      waitTimer = -1;
      next();
    });
  }

  /** An attempt failed before anything of it was sent. */
  void failed(Attempt a, String outcome, int status, Integer retryAfter, FailurePolicy.Verdict verdict,
              GatewayException err) {
    Candidate c = a.candidate;
    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startNanos);
    if (c != null) c.state().record(ex.model(), outcome, false, verdict.providerFault(), latency);
    if (c != null && c.target().offer() != null && (status == 401 || status == 403)) {
      packages.credentialRefused(c.target().offer()); // the supplier's account is checked; the client falls over
    }
    log(c, outcome, status, a.startNanos, err == null ? null : err.getMessage());
    lastError = err;
    if (finished) return;
    if (clientAway()) {
      clientLeft(); // failed after the client left: no fall-over, nothing charged
      return;
    }
    if (seam != null) {
      continuationFailed(a, err);
      return;
    }
    switch (verdict.kind()) {
      case FATAL -> {
        if (!switchLargerContext(err)) failClient(err);
      }
      case NEXT -> advance();
      case RETRY -> {
        if (retryAfter != null && c != null) c.lane().coolFor(retryAfter * 1000L);
        FailurePolicy.Step step = FailurePolicy.afterRetryable(retryAfter, settings.retryAfterMaxWaitMs(),
            onCurrent < (probe ? 1 : settings.maxAttemptsPerProvider()), index + 1 < plan.size(), remainingMs(),
            settings.backoff().delayMs(onCurrent));
        switch (step) {
          case FailurePolicy.WaitSame w -> retrySameAfter(w.delayMs());
          case FailurePolicy.TryNext t -> advance();
          case FailurePolicy.GiveUp g -> exhausted(err);
        }
      }
    }
  }

  /**
   * A continuation could not start on this fallback: a refused prefill is asked again in words on the same one;
   * anything else moves on to the next fallback, and with none left the client's stream ends with the in-band error.
   */
  private void continuationFailed(Attempt a, GatewayException err) {
    if (a.prefill && Rescue.refusesPrefill(err) && a.candidate != null) {
      a.candidate.lane().refusesPrefill(); // learnt: this model is continued by instruction from now on
      next();
      return;
    }
    advance();
  }

  /**
   * A stream broke after its first byte (its usage so far is in the exchange). When the break can be mended and a
   * fallback is left, that part is kept for billing, the request is held again for the continuation, and the next
   * candidate is asked to continue the answer; the client's stream stays open meanwhile. False: end it now.
   */
  boolean rescue(Attempt a, SseRelay broken, String outcome) {
    if (finished || clientAway() || !Rescue.eligible(ex, settings.rescue(), outcome, rescues)) return false;
    if (remainingMs() < Rescue.MIN_REMAINING_MS || !fallbackLeft()) return false;
    CharSequence answer = broken.answerSoFar(); // null when a tool call was under way: never spliced
    StreamTranslator encoder = answer == null ? null : broken.resumedEncoder();
    if (encoder == null) return false;
    Candidate c = a.candidate;
    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startNanos);
    if (c != null) c.state().record(ex.model(), outcome, false, true, latency);
    log(c, outcome, 200, a.startNanos, "rescued by a fallback");
    ex.observer.step(ex, RequestObserver.Step.RESCUE);
    ex.keepPart();
    heldOffer = null; // the part it served is charged to its package at settlement: the hold stays until then
    rescues++;
    seam = new Seam(broken, answer.toString(), encoder, outcome);
    current = null;
    long answerTokens = TokenCounter.count(seam.answer());
    String model = ex.route != null && ex.route.fallbackModel != null ? ex.route.fallbackModel : ex.model();
    // The continuation sends the prompt again with the answer so far: the hold must cover both parts.
    Future<Void> held = ex.holdAgain == null ? Future.succeededFuture()
        : ex.holdAgain.hold(model, ex.promptTokens() + answerTokens);
    held.onComplete(ar -> {
      if (finished) return;
      if (ar.failed()) {
        endSeam(); // the balance cannot cover a continuation: the honest in-band error
        return;
      }
      advance();
    });
    return true;
  }

  /**
   * Every candidate of the current model is spent: the next configured (or requested) fallback model takes over,
   * held again at its own price first; with none left, the client gets {@code err}.
   */
  private void exhausted(GatewayException err) {
    if (finished) return;
    while (router != null && !fallbackModels.isEmpty()) {
      String fb = fallbackModels.poll();
      if (!ex.principal.mayUse(fb)) continue; // a model this key may not use is never tried, nor named
      List<Scored> fbPlan = router.plan(fb, RouteStage.needs(ex), null);
      if (fbPlan.isEmpty()) continue;
      long extra = seam == null ? 0 : ex.promptTokens() + TokenCounter.count(seam.answer());
      Future<Void> held = ex.holdAgain == null ? Future.succeededFuture() : ex.holdAgain.hold(fb, extra);
      held.onComplete(ar -> {
        if (finished) return;
        if (ar.failed()) {
          exhausted(ar.cause() instanceof GatewayException g ? g : err); // too dear: the next one, if any
          return;
        }
        servedBy(fb, fbPlan);
      });
      return;
    }
    failClient(err);
  }

  /** Whether a candidate after the current one may still be tried (read-only: the breaker is taken at start). */
  boolean fallbackLeft() {
    if (!fallbackModels.isEmpty()) return true;
    for (int i = index + 1; i < plan.size(); i++) {
      Candidate c = plan.get(i);
      if (c != null && c.lane().breaker.available()) return true;
    }
    return false;
  }

  /** The rescue found no fallback to finish the answer: the client's stream ends with the in-band error. */
  private void endSeam() {
    Seam s = seam;
    seam = null;
    cancelTimers();
    s.broken().endBroken(s.outcome(), () -> {
      ex.endNanos = System.nanoTime();
      complete();
    });
  }

  /** The continuation's note: which fallback finished the answer, and why it had to. */
  String rescuedNote(Attempt a) {
    return Rescue.note(a.providerId(), a.target.upstreamModel(), seam.outcome(), rescues);
  }

  /** The client's stream as a rescue left it (for a continuation attempt), or null. */
  Seam seam() {
    return seam;
  }

  /**
   * After a context_length_exceeded, once per request: continue with the configured larger-context model's
   * candidates (if the key may use it). False when there is none.
   */
  private boolean switchLargerContext(GatewayException err) {
    if (switchedModel || router == null || err.details() == null
        || !"context_length_exceeded".equals(err.details().get("upstream_code"))) {
      return false;
    }
    String alt = contextFallbacks.get(ex.model());
    if (alt == null || !ex.principal.mayUse(alt)) return false;
    List<Scored> altPlan = router.plan(alt, RouteStage.needs(ex), null);
    if (altPlan.isEmpty()) return false;
    switchedModel = true;
    // Held again at the larger model's own price before anything is sent to it (402 when the balance is short).
    Future<Void> held = ex.reserveFor == null ? Future.succeededFuture() : ex.reserveFor.apply(alt);
    held.onComplete(ar -> {
      if (finished) return;
      if (ar.failed()) {
        failClient(ar.cause() instanceof GatewayException g ? g : err);
        return;
      }
      servedBy(alt, altPlan);
    });
    return true;
  }

  /** Another public model serves from here on (a fallback model, a larger context): its candidates, its name. */
  private void servedBy(String model, List<Scored> candidates) {
    ex.observer.step(ex, RequestObserver.Step.MODEL_FALLBACK);
    if (ex.route != null) {
      ex.route.fallbackModel = model;
      ex.route.fallbackCandidates = candidates;
    }
    if (!out.headWritten()) out.headers().set("x-ljq-model", model);
    releaseHeld();
    plan.clear();
    for (Scored s : candidates) plan.add(s.candidate());
    index = 0;
    onCurrent = 0;
    next();
  }

  /** The serving attempt is over (after the commit, or the client left). */
  void served(Attempt a, boolean providerFault) {
    served(a, providerFault, ex.outcome, ex.statusCode);
  }

  /** @param outcome how the upstream's attempt went (a whole answer nobody read was still a good answer) */
  void served(Attempt a, boolean providerFault, String outcome, int status) {
    Candidate c = a.candidate;
    boolean ok = outcome.startsWith("ok");
    long latency = a.firstByteNanos > 0 ? TimeUnit.NANOSECONDS.toMillis(a.firstByteNanos - a.startNanos)
        : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startNanos);
    if (c != null && !"client_closed".equals(outcome)) {
      c.state().record(ex.model(), outcome, ok, providerFault, latency);
    }
    log(c, outcome, status, a.startNanos, null);
    if (ex.route != null && c != null) ex.route.servedBy = c.id();
    complete();
  }

  private void onDeadline() {
    deadlineTimer = -1;
    if (finished) return;
    Attempt a = current;
    if (a != null && a.relay != null && a.relay.committed()) {
      a.relay.fail("deadline_exceeded", null);
      return;
    }
    if (a != null && a.committed) {
      return; // a whole body is being written: let it finish
    }
    if (a != null && !a.over) {
      a.over = true;
      a.abort();
      log(a.candidate, "deadline_exceeded", 0, a.startNanos, null);
    }
    if (seam != null) {
      endSeam(); // the client's stream is open: it ends in-band
      return;
    }
    failClient(new GatewayException(ErrorCode.ROUTER_003,
        "The request did not complete within the gateway's deadline (" + settings.totalTimeoutMs() + " ms).",
        "请求未能在截止时间内完成。", Map.of("model", ex.model()), null));
  }

  void clientLeft() {
    if (finished) return;
    ex.outcome = "client_closed";
    ex.statusCode = 499;
    ex.usage = TokenUsage.NONE;
    if (seam != null) ex.settle(); // the parts the client received before it left are charged
    complete();
  }

  void failClient(GatewayException e) {
    if (finished) return;
    if (clientAway()) {
      clientLeft(); // nobody to tell; nothing was served, so nothing is charged
      return;
    }
    if (seam != null) {
      endSeam(); // the client's stream is open: it ends in-band, never with a second response
      return;
    }
    ex.usage = TokenUsage.NONE;
    ex.servedModel = null;
    ex.outcome = "upstream_failed";
    cancelTimers();
    finished = true;
    ex.endNanos = System.nanoTime();
    done.fail(e);
  }

  void complete() {
    if (finished) return;
    cancelTimers();
    finished = true;
    if (ex.endNanos == 0) ex.endNanos = System.nanoTime();
    done.tryComplete();
  }

  private void cancelTimers() {
    if (deadlineTimer >= 0) vertx.cancelTimer(deadlineTimer);
    if (waitTimer >= 0) vertx.cancelTimer(waitTimer);
    deadlineTimer = waitTimer = -1;
  }

  void log(Candidate c, String outcome, int status, long startNanos, String detail) {
    long took = System.nanoTime() - startNanos;
    String provider = c != null ? c.id() : ex.target != null ? ex.target.provider().id() : "none";
    ex.upstreamNanos += took;
    ex.observer.attempt(ex, provider, outcome, status, took);
    if (ex.route == null) return;
    RouteDecision d = ex.route;
    d.attempts.add(new RouteDecision.Attempt(provider,
        c == null ? ex.target.upstreamModel() : c.target().upstreamModel(), outcome, status,
        d.sinceStartMs(startNanos), TimeUnit.NANOSECONDS.toMillis(took), detail));
  }
}
