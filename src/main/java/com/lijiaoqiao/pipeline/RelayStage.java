package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.routing.Backoff;
import com.lijiaoqiao.routing.Router;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;

/**
 * Calls the planned upstreams and relays the first good answer: a whole JSON body, or an SSE stream event by
 * event. Before the first byte reaches the client it retries and falls over (connect errors, resets,
 * timeouts, 429, 500, 502, 503, 504, 529), honouring Retry-After within the deadline and backing off
 * exponentially with jitter otherwise, at most {@code maxAttemptsPerProvider} attempts on one provider.
 * Request faults (400 context_length_exceeded, content_policy_violation …) get exactly one attempt and the
 * upstream's reason. After the first byte nothing is retried; a stream that breaks then may be rescued: a fallback
 * continues the answer in the same client stream ({@link Failover#rescue}, {@link Rescue}).
 *
 * <p>Completes when the client's response has ended (or the client has gone), with the outcome in the
 * exchange describing only the attempt that served.
 */
public final class RelayStage implements Stage {
  static final int MAX_ERROR_BODY = 64 * 1024;

  /**
   * The relay's knobs; times in ms. A non-stream waits {@code headersTimeoutMs} for the response headers; a stream
   * waits for its first generated token {@code firstTokenTimeoutMs}, or only {@code fallbackFirstTokenTimeoutMs}
   * when a later candidate could answer instead; then no gap between events may exceed {@code idleTimeoutMs}; and the
   * whole request, attempts and waits included, ends by {@code totalTimeoutMs}. A Retry-After up to
   * {@code retryAfterMaxWaitMs} is waited out on the same provider.
   */
  public record Settings(long headersTimeoutMs, long firstTokenTimeoutMs, long fallbackFirstTokenTimeoutMs,
                         long idleTimeoutMs, long totalTimeoutMs, int maxAttemptsPerProvider, Backoff backoff,
                         long maxUpstreamBodyBytes, long retryAfterMaxWaitMs, Rescue.Policy rescue) {
    /** The largest whole (non-stream) upstream answer the gateway holds by default. */
    public static final long DEFAULT_MAX_UPSTREAM_BODY = 64L * 1024 * 1024;
    public static final long DEFAULT_RETRY_AFTER_MAX_WAIT = 2_000;

    /** One first-byte limit for headers and first tokens alike (tests, tools). */
    public Settings(long firstByteTimeoutMs, long idleTimeoutMs, long totalTimeoutMs, int maxAttemptsPerProvider,
                    Backoff backoff) {
      this(firstByteTimeoutMs, firstByteTimeoutMs, firstByteTimeoutMs, idleTimeoutMs, totalTimeoutMs,
          maxAttemptsPerProvider, backoff, DEFAULT_MAX_UPSTREAM_BODY, DEFAULT_RETRY_AFTER_MAX_WAIT, Rescue.Policy.ON);
    }

    /** Rescue switched on, or off, for every model but the listed ones (routing.rescue). */
    public static Rescue.Policy rescue(boolean enabled, java.util.Collection<String> offForModels) {
      return new Rescue.Policy(enabled, java.util.Set.copyOf(offForModels));
    }
  }

  private final Settings settings;
  private final Router router;
  private final Map<String, String> contextFallbacks;
  private final ModelFallbacks fallbacks;
  private volatile PackageGate packages = PackageGate.NONE;

  /**
   * @param router for larger-context fall-overs (may be null: none)
   * @param contextFallbacks public model → the public model to try once when an upstream says the prompt
   *                         exceeds the context window
   */
  public RelayStage(Settings settings, Router router, Map<String, String> contextFallbacks, ModelFallbacks fallbacks) {
    this.settings = settings;
    this.router = router;
    this.contextFallbacks = Map.copyOf(contextFallbacks);
    this.fallbacks = fallbacks;
  }

  public RelayStage(Settings settings, Router router, Map<String, String> contextFallbacks) {
    this(settings, router, contextFallbacks, ModelFallbacks.NONE);
  }

  public RelayStage(Settings settings) {
    this(settings, null, Map.of());
  }

  /** Lets marketplace packages serve: each attempt on one holds its quota first (the supply room's gate). */
  public RelayStage packages(PackageGate gate) {
    this.packages = gate;
    return this;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    Promise<Void> done = Promise.promise();
    new Failover(ex, settings, router, contextFallbacks, fallbacks.forRequest(ex), packages, done).start();
    return done.future();
  }

  /** Used when the upstream reported no usage: counts what the request sent and what was relayed. */
  static TokenUsage estimate(Exchange ex, CharSequence relayedText) {
    long prompt = TokenCounter.countPrompt(ex.endpoint, ex.parsed.body(), ex.countScope());
    return new TokenUsage(prompt, TokenCounter.count(relayedText), 0, true);
  }
}
