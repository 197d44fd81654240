package com.lijiaoqiao.pipeline;

/**
 * What a failed attempt (before anything reached the client) says about its provider, and what the request
 * does next. Pure: no Vert.x, no timers, so every rule is tested on its own.
 *
 * <p>Only the provider's own faults count against its breaker and availability: it could not be reached,
 * timed out, broke off, refused the gateway's credential, was rate limiting or failing (429, 5xx), or sent
 * garbage. A request the gateway itself refused (a translation refusal) and the request's own 4xx (400, 404,
 * 413, 422: context too long, content policy, a model that provider lacks) say nothing about its health.
 */
final class FailurePolicy {
  private FailurePolicy() {}

  /** What the request does after a failed attempt. */
  enum Kind {
    /** The request is at fault: answer now, no other attempt. */
    FATAL,
    /** Try the next provider (timeouts, the provider's credential or catalogue, garbage, a refusal). */
    NEXT,
    /** Transient: may retry the same provider after a back-off, else fall over. */
    RETRY
  }

  record Verdict(Kind kind, boolean providerFault) {}

  /** The gateway refused to send the request to this provider (a feature its dialect cannot take). */
  static final Verdict REFUSED = new Verdict(Kind.NEXT, false);
  /** Could not connect, or the connection was reset / the body cut: worth another try. */
  static final Verdict TRANSIENT = new Verdict(Kind.RETRY, true);
  /** Timed out, stalled, or sent something unreadable: move on. */
  static final Verdict BROKEN = new Verdict(Kind.NEXT, true);

  /** An upstream error status, with its (allow-listed) code when it gave one. */
  static Verdict ofStatus(int status, String upstreamCode) {
    return switch (status) {
      // Out of quota does not heal by waiting; rate limits and overload do.
      case 429 -> new Verdict("insufficient_quota".equals(upstreamCode) ? Kind.NEXT : Kind.RETRY, true);
      case 500, 502, 503, 504, 529 -> TRANSIENT;
      case 401, 403, 408 -> BROKEN; // the gateway's credential for it, or its own time-out
      case 404 -> new Verdict(Kind.NEXT, false); // that provider lacks the model: another may have it
      default -> status >= 500 ? BROKEN : new Verdict(Kind.FATAL, false);
    };
  }

  /** After a retryable failure: wait and retry the same provider, try the next one, or give up. */
  sealed interface Step permits WaitSame, TryNext, GiveUp {}

  record WaitSame(long delayMs) implements Step {}

  record TryNext() implements Step {}

  record GiveUp() implements Step {}

  /**
   * @param retryAfterSeconds the upstream's Retry-After, or null
   * @param maxWaitMs a Retry-After up to this long is waited out on the same provider even when another could
   *                  answer now (the primary's answer is often better or cheaper); a longer one falls over
   * @param mayRetrySame attempts left on this provider
   * @param another a later candidate exists
   * @param remainingMs until the request's deadline
   * @param backoffMs the back-off before the next attempt on this provider
   */
  static Step afterRetryable(Integer retryAfterSeconds, long maxWaitMs, boolean mayRetrySame, boolean another,
                             long remainingMs, long backoffMs) {
    if (retryAfterSeconds != null) {
      long waitMs = Math.max(0, retryAfterSeconds) * 1000L;
      if (mayRetrySame && waitMs <= maxWaitMs && waitMs < remainingMs) return new WaitSame(Math.max(1, waitMs));
      if (another) return new TryNext(); // another provider can answer now: no need to wait long
      if (mayRetrySame && waitMs < remainingMs) return new WaitSame(waitMs);
      return new GiveUp();
    }
    if (mayRetrySame && backoffMs < remainingMs) return new WaitSame(backoffMs);
    return another ? new TryNext() : new GiveUp();
  }
}
