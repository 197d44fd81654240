package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.providers.UpstreamCall;
import com.lijiaoqiao.routing.Backoff;
import com.lijiaoqiao.routing.Candidate;
import com.lijiaoqiao.routing.CircuitBreaker;
import com.lijiaoqiao.routing.RouteDecision;
import com.lijiaoqiao.routing.RouteTarget;
import com.lijiaoqiao.routing.Router;
import com.lijiaoqiao.routing.Scored;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Calls the planned upstreams and relays the first good answer: a whole JSON body, or an SSE stream event by
 * event. Before the first byte reaches the client it retries and falls over (connect errors, resets,
 * timeouts, 429, 500, 502, 503, 504, 529), honouring Retry-After within the deadline and backing off
 * exponentially with jitter otherwise, at most {@code maxAttemptsPerProvider} attempts on one provider.
 * Request faults (400 context_length_exceeded, content_policy_violation …) get exactly one attempt and the
 * upstream's reason. After the first byte nothing is retried or spliced.
 *
 * <p>Completes when the client's response has ended (or the client has gone), with the outcome in the
 * exchange describing only the attempt that served.
 */
public final class RelayStage implements Stage {
  static final int MAX_ERROR_BODY = 64 * 1024;

  /** Timeouts in ms. {@code firstByteTimeoutMs}: streams, until the first event; non-streams, until headers. */
  public record Settings(long firstByteTimeoutMs, long idleTimeoutMs, long totalTimeoutMs,
                         int maxAttemptsPerProvider, Backoff backoff, long maxUpstreamBodyBytes) {
    /** The largest whole (non-stream) upstream answer the gateway holds by default. */
    public static final long DEFAULT_MAX_UPSTREAM_BODY = 64L * 1024 * 1024;

    public Settings(long firstByteTimeoutMs, long idleTimeoutMs, long totalTimeoutMs, int maxAttemptsPerProvider,
                    Backoff backoff) {
      this(firstByteTimeoutMs, idleTimeoutMs, totalTimeoutMs, maxAttemptsPerProvider, backoff, DEFAULT_MAX_UPSTREAM_BODY);
    }
  }

  private final Settings settings;
  private final Router router;
  private final Map<String, String> contextFallbacks;

  /**
   * @param router for larger-context fall-overs (may be null: none)
   * @param contextFallbacks public model → the public model to try once when an upstream says the prompt
   *                         exceeds the context window
   */
  public RelayStage(Settings settings, Router router, Map<String, String> contextFallbacks) {
    this.settings = settings;
    this.router = router;
    this.contextFallbacks = Map.copyOf(contextFallbacks);
  }

  public RelayStage(Settings settings) {
    this(settings, null, Map.of());
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    Promise<Void> done = Promise.promise();
    new Failover(ex, done).start();
    return done.future();
  }

  private final class Failover {
    private final Exchange ex;
    private final Promise<Void> done;
    private final HttpServerResponse out;
    private final Vertx vertx;
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
    private boolean clientGone;

    Failover(Exchange ex, Promise<Void> done) {
      this.ex = ex;
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
    void onClientClosed() {
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
        CircuitBreaker.Permit permit = c.lane().breaker.acquire();
        if (permit != CircuitBreaker.Permit.REFUSED) {
          probe = permit == CircuitBreaker.Permit.PROBE;
          break;
        }
        log(c, "skipped_circuit_open", 0, System.nanoTime(), null);
        index++;
      }
      if (index >= plan.size()) {
        failClient(lastError != null ? lastError : new GatewayException(ErrorCode.ROUTER_002,
            "No provider could take the request (every circuit is open).", "所有服务商均不可用。",
            Map.of("model", ex.model()), 5));
        return;
      }
      new Attempt(plan.get(index)).start();
    }

    void advance() {
      index++;
      onCurrent = 0;
      next();
    }

    void retrySameAfter(long delayMs) {
      waitTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
        waitTimer = -1;
        next();
      });
    }

    /** An attempt failed before anything was sent. */
    void failed(Attempt a, String outcome, int status, Integer retryAfter, FailurePolicy.Verdict verdict,
                GatewayException err) {
      Candidate c = a.candidate;
      long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startNanos);
      if (c != null) c.state().record(ex.model(), outcome, false, verdict.providerFault(), latency);
      log(c, outcome, status, a.startNanos, err == null ? null : err.getMessage());
      lastError = err;
      if (finished) return;
      if (clientAway()) {
        clientLeft(); // failed after the client left: no fall-over, nothing charged
        return;
      }
      switch (verdict.kind()) {
        case FATAL -> {
          if (!switchLargerContext(err)) failClient(err);
        }
        case NEXT -> advance();
        case RETRY -> {
          if (retryAfter != null && c != null) c.lane().coolFor(retryAfter * 1000L);
          FailurePolicy.Step step = FailurePolicy.afterRetryable(retryAfter,
              onCurrent < (probe ? 1 : settings.maxAttemptsPerProvider()), index + 1 < plan.size(), remainingMs(),
              settings.backoff().delayMs(onCurrent));
          switch (step) {
            case FailurePolicy.WaitSame w -> retrySameAfter(w.delayMs());
            case FailurePolicy.TryNext t -> advance();
            case FailurePolicy.GiveUp g -> failClient(err);
          }
        }
      }
    }

    /**
     * After a context_length_exceeded, once per request: continue with the configured larger-context model's
     * candidates (if the key may use it). False when there is none.
     */
    boolean switchLargerContext(GatewayException err) {
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
        if (ex.route != null) {
          ex.route.fallbackModel = alt;
          ex.route.fallbackCandidates = altPlan;
        }
        plan.clear();
        for (Scored s : altPlan) plan.add(s.candidate());
        index = 0;
        onCurrent = 0;
        next();
      });
      return true;
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

    void onDeadline() {
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
        Candidate c = a.candidate;
        log(c, "deadline_exceeded", 0, a.startNanos, null);
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
      complete();
    }

    void failClient(GatewayException e) {
      if (finished) return;
      if (clientAway()) {
        clientLeft(); // nobody to tell; nothing was served, so nothing is charged
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

    void cancelTimers() {
      if (deadlineTimer >= 0) vertx.cancelTimer(deadlineTimer);
      if (waitTimer >= 0) vertx.cancelTimer(waitTimer);
      deadlineTimer = waitTimer = -1;
    }

    void log(Candidate c, String outcome, int status, long startNanos, String detail) {
      if (ex.route == null) return;
      RouteDecision d = ex.route;
      d.attempts.add(new RouteDecision.Attempt(c == null ? ex.target.provider().id() : c.id(),
          c == null ? ex.target.upstreamModel() : c.target().upstreamModel(), outcome, status,
          d.sinceStartMs(startNanos), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), detail));
    }

    /** One call to one provider. */
    private final class Attempt implements SseRelay.Listener {
      final Candidate candidate;
      final RouteTarget target;
      final long startNanos = System.nanoTime();
      long firstByteNanos;
      long firstByteTimer = -1;
      HttpClientRequest request;
      HttpClientResponse response;
      UpstreamStream relay;
      boolean over;
      boolean committed;

      Attempt(Candidate candidate) {
        this.candidate = candidate;
        this.target = candidate == null ? ex.target : candidate.target();
      }

      String providerId() {
        return target.provider().id();
      }

      void start() {
        onCurrent++;
        current = this;
        ex.target = target;
        ex.usage = TokenUsage.NONE;
        ex.servedModel = null;
        long limit = Math.min(settings.firstByteTimeoutMs(), Math.max(1, remainingMs()));
        firstByteTimer = vertx.setTimer(Math.max(1, limit), id -> {
          firstByteTimer = -1;
          firstByteTimeout();
        });
        byte[] body;
        try {
          // Translated when the upstream speaks another dialect; a feature it cannot take is refused here.
          body = RelayCodecs.upstreamBody(ex, target.provider(), target.upstreamModel());
        } catch (GatewayException refused) {
          over = true;
          cancelFirstByteTimer();
          failed(this, "refused", 400, null, FailurePolicy.REFUSED, refused); // the request's fault, not the provider's
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
            failed(this, outcome, 0, null, timeout ? FailurePolicy.BROKEN : FailurePolicy.TRANSIENT,
                UpstreamErrors.ofFailure(providerId(), t));
            return;
          }
          HttpClientResponse up = ar.result();
          response = up;
          if (over) {
            UpstreamStream.abandon(up);
            return;
          }
          if (ex.stream() && out.closed()) { // a non-stream is read to its end: the upstream bills it
            over = true;
            cancelFirstByteTimer();
            UpstreamStream.abandon(up);
            clientLeft();
            return;
          }
          if (up.statusCode() >= 400) {
            upstreamError(up);
            return;
          }
          String ct = up.getHeader("content-type");
          boolean sse = ex.stream() && ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17);
          if (!RelayCodecs.passthrough(ex, target.provider())) {
            if (sse) {
              relay = new TranslatingStreamRelay(ex, up, out, this, settings.idleTimeoutMs(),
                  RelayCodecs.stream(ex, target.provider()));
              relay.start();
            } else {
              cancelFirstByteTimer();
              firstByteNanos = System.nanoTime();
              relayBody(up, true);
            }
          } else if (sse) {
            relay = new StreamRelay(ex, up, out, this, settings.idleTimeoutMs());
            relay.start();
          } else {
            cancelFirstByteTimer(); // a whole body: the rest is bounded by the idle timeout and the deadline
            firstByteNanos = System.nanoTime();
            relayBody(up, false);
          }
        });
      }

      void cancelFirstByteTimer() {
        if (firstByteTimer >= 0) vertx.cancelTimer(firstByteTimer);
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

      void firstByteTimeout() {
        if (over || committed) return;
        over = true;
        abort();
        failed(this, "first_byte_timeout", 0, null, FailurePolicy.BROKEN, new GatewayException(ErrorCode.ROUTER_003,
            "The upstream provider '" + providerId() + "' sent nothing within " + settings.firstByteTimeoutMs()
                + " ms.", "上游服务商首字节超时。", Map.of("provider", providerId()), null));
      }

      void upstreamError(HttpClientResponse up) {
        int status = up.statusCode();
        String retryAfterHeader = up.getHeader("retry-after");
        // Only the start of an error body is read: it is all an error needs, and an upstream is untrusted.
        UpstreamBody.read(vertx, up, settings.idleTimeoutMs(), MAX_ERROR_BODY, true, b -> {
          if (over) return;
          over = true;
          cancelFirstByteTimer();
          byte[] bytes = b.succeeded() ? b.result().getBytes() : new byte[0];
          GatewayException err = UpstreamErrors.ofStatus(providerId(), status, bytes, retryAfterHeader);
          // Allow-listed by UpstreamErrors: outcome labels (stats, stored decisions) never carry upstream text.
          String code = err.details() == null ? null : (String) err.details().get("upstream_code");
          failed(this, "http_" + status + (code != null ? ":" + code : ""), status,
              UpstreamErrors.parseRetryAfter(retryAfterHeader), FailurePolicy.ofStatus(status, code), err);
        });
      }

      /** Reads a whole body, then answers the client with it: the only attempt that is billed. */
      void relayBody(HttpClientResponse up, boolean translate) {
        UpstreamBody.read(vertx, up, settings.idleTimeoutMs(), settings.maxUpstreamBodyBytes(), false, b -> {
          if (over) return;
          over = true;
          if (b.failed() && b.cause() instanceof UpstreamBody.TooLarge) {
            failed(this, "upstream_too_large", up.statusCode(), null, FailurePolicy.BROKEN,
                new GatewayException(ErrorCode.PROVIDER_005, "The upstream provider '" + providerId()
                    + "' sent an answer larger than the gateway accepts.", "上游服务商的响应过大。",
                    Map.of("provider", providerId()), null));
            return;
          }
          if (b.failed()) {
            boolean timeout = UpstreamErrors.isTimeout(b.cause());
            failed(this, timeout ? "body_stalled" : "body_cut", up.statusCode(), null,
                timeout ? FailurePolicy.BROKEN : FailurePolicy.TRANSIENT, UpstreamErrors.ofFailure(providerId(), b.cause()));
            return;
          }
          byte[] bytes = b.result().getBytes();
          WholeReply w = translate ? WholeReply.translated(ex, target, bytes) : WholeReply.asIs(ex, target, bytes);
          if (w == null) {
            failed(this, "upstream_malformed", up.statusCode(), null, FailurePolicy.BROKEN,
                new GatewayException(ErrorCode.PROVIDER_005,
                    "The upstream provider '" + providerId() + "' returned a malformed response.",
                    "上游服务商返回了无法解析的响应。", Map.of("provider", providerId()), null));
            return;
          }
          committed = true;
          ex.usage = w.usage();
          ex.reportServedModel(w.model());
          boolean away = clientAway();
          // Nobody to answer, but the upstream billed it: charged, and recorded (with the charge, from the same
          // journaled settlement) as the client's leaving.
          ex.statusCode = away ? 499 : up.statusCode();
          ex.outcome = away ? "client_closed" : "ok";
          ex.firstTokenNanos = System.nanoTime();
          long cost = ex.settle(); // only the serving attempt is billed, and booked before the last byte
          if (away) {
            ex.endNanos = System.nanoTime();
            served(this, false, "ok", up.statusCode());
            return;
          }
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
          out.end(Buffer.buffer(reply)).onComplete(v -> {
            ex.endNanos = System.nanoTime();
            served(this, false);
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
        failed(this, outcome, 200, null,
            "upstream_stalled".equals(outcome) ? FailurePolicy.BROKEN : FailurePolicy.TRANSIENT, new GatewayException(ErrorCode.PROVIDER_005,
            "The upstream provider '" + providerId() + "' failed before sending an answer (" + outcome + ").",
            "上游服务商在返回内容前失败。", Map.of("provider", providerId(), "reason", outcome), null));
      }

      @Override
      public void ended(boolean providerFault) {
        over = true;
        cancelFirstByteTimer();
        if ("client_closed".equals(ex.outcome)) {
          log(candidate, "client_closed", 499, startNanos, null);
          complete();
          return;
        }
        served(this, providerFault);
      }
    }
  }

  /** Used when the upstream reported no usage: counts what the request sent and what was relayed. */
  static TokenUsage estimate(Exchange ex, CharSequence relayedText) {
    long prompt = TokenCounter.countPrompt(ex.endpoint, ex.parsed.body());
    return new TokenUsage(prompt, TokenCounter.count(relayedText), 0, true);
  }
}
