package com.lijiaoqiao.limits;

import io.vertx.core.Future;

/**
 * Request (RPM) and token (TPM) limits per bucket id: a key's, a tenant's, or the gateway's (one instance each). The local implementation keeps token buckets in memory; a
 * cluster-wide (Redis) implementation can replace it behind this interface.
 */
public interface RateLimiter {
  /** Which limit refused a request, if any. */
  enum Refusal { NONE, REQUESTS, TOKENS }

  /**
   * The state after an attempt: what to put in the {@code x-ratelimit-*} headers and, when refused, how long to
   * wait. Reset times are milliseconds until the bucket is full again.
   */
  record Decision(Refusal refusal, long limitRequests, long remainingRequests, long resetRequestsMs,
                  long limitTokens, long remainingTokens, long resetTokensMs, long retryAfterMs, long chargedTokens) {
    public boolean allowed() {
      return refusal == Refusal.NONE;
    }
  }

  /** Takes one request and {@code tokens} estimated tokens from the key's buckets, or refuses without taking. */
  Future<Decision> acquire(long keyId, int rpm, int tpm, long tokens);

  /** Corrects the token bucket once the real usage is known: positive charges more, negative gives back. */
  void adjust(long keyId, int tpm, long deltaTokens);

  /**
   * Gives back what an admitted {@link #acquire} took (one request and {@code tokens}), when a later limit refused
   * the request: a refused request must not use up the limits it passed.
   */
  void giveBack(long keyId, int rpm, int tpm, long tokens);
}
