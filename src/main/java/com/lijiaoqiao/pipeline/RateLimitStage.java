package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.limits.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.Map;

/**
 * Per-key RPM and TPM limits. Sits after Decode (it needs the prompt and max_tokens) and after Record (so a
 * 429 is recorded). Charges the estimated prompt plus max_tokens up front and corrects with the real usage
 * when the request has ended. Sets OpenAI's x-ratelimit-* headers before anything is written, so every
 * response, streams included, carries them.
 */
public final class RateLimitStage implements Stage {
  /** Charged as the completion when a request names no max_tokens. */
  static final int DEFAULT_COMPLETION_ESTIMATE = 256;

  private final RateLimiter limiter;

  public RateLimitStage(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    ApiKeyPrincipal p = ex.principal;
    long estimate = estimate(ex);
    return limiter.acquire(p.keyId(), p.rpmLimit(), p.tpmLimit(), estimate).compose(d -> {
      headers(ex.request.response().headers(), d);
      if (!d.allowed()) {
        int retryAfter = (int) Math.max(1, (d.retryAfterMs() + 999) / 1000);
        boolean requests = d.refusal() == RateLimiter.Refusal.REQUESTS;
        return Future.failedFuture(new GatewayException(requests ? ErrorCode.RATE_LIMIT_001 : ErrorCode.RATE_LIMIT_002,
            requests ? "Rate limit reached: this key allows " + d.limitRequests() + " requests per minute."
                : "Token rate limit reached: this key allows " + d.limitTokens() + " tokens per minute.",
            requests ? "已达到该密钥每分钟 " + d.limitRequests() + " 次请求的限制。"
                : "已达到该密钥每分钟 " + d.limitTokens() + " 个 Token 的限制。",
            Map.of("limit", requests ? d.limitRequests() : d.limitTokens(), "retry_after_seconds", retryAfter),
            retryAfter));
      }
      long charged = d.chargedTokens();
      return chain.proceed(ex).andThen(ar -> {
        long actual = ex.usage.promptTokens() + ex.usage.completionTokens();
        limiter.adjust(p.keyId(), p.tpmLimit(), actual - charged);
      });
    });
  }

  static long estimate(Exchange ex) {
    if (ex.parsed == null) return 0;
    long prompt = ex.promptTokens(); // counted once per request, shared with Reserve
    Integer max = ex.parsed.maxTokens();
    long completion = switch (ex.endpoint) {
      case EMBEDDINGS -> 0;
      default -> max != null ? Math.max(0, max) : DEFAULT_COMPLETION_ESTIMATE;
    };
    return prompt + completion;
  }

  static void headers(MultiMap h, RateLimiter.Decision d) {
    h.set("x-ratelimit-limit-requests", Long.toString(d.limitRequests()));
    h.set("x-ratelimit-remaining-requests", Long.toString(d.remainingRequests()));
    h.set("x-ratelimit-reset-requests", duration(d.resetRequestsMs()));
    h.set("x-ratelimit-limit-tokens", Long.toString(d.limitTokens()));
    h.set("x-ratelimit-remaining-tokens", Long.toString(d.remainingTokens()));
    h.set("x-ratelimit-reset-tokens", duration(d.resetTokensMs()));
  }

  /** OpenAI's format: "20ms", "1s", "6m0s". */
  static String duration(long ms) {
    if (ms < 1000) return ms + "ms";
    long s = (ms + 999) / 1000;
    if (s < 60) return s + "s";
    return (s / 60) + "m" + (s % 60) + "s";
  }
}
