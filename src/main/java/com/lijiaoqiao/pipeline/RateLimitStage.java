package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.limits.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import com.lijiaoqiao.budgets.TenantLimit;
import com.lijiaoqiao.budgets.TenantLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RPM and TPM limits of the key, then of its tenant, then of the whole gateway (each when configured). Sits after
 * Decode (it needs the prompt and max_tokens) and after Record (so a 429 is recorded). Charges the estimated
 * prompt plus max_tokens up front and corrects with the real usage when the request has ended; a limit that
 * refuses gives back what the limits before it took. Sets OpenAI's x-ratelimit-* headers (the key's) before
 * anything is written, so every response, streams included, carries them.
 */
public final class RateLimitStage implements Stage {
  /** Charged as the completion when a request names no max_tokens. */
  static final int DEFAULT_COMPLETION_ESTIMATE = 256;

  /** The tenant and gateway limits; a limiter per scope, so their buckets never mix with the keys'. */
  public record Wider(RateLimiter tenantBuckets, TenantLimits tenants, RateLimiter globalBuckets, int globalRpm,
                      int globalTpm) {}

  /** What one admitted scope took, to correct or give back. */
  private record Taken(RateLimiter limiter, long id, int rpm, int tpm, long charged) {}

  private final RateLimiter limiter;
  private final Wider wider;

  public RateLimitStage(RateLimiter limiter) {
    this(limiter, null);
  }

  public RateLimitStage(RateLimiter limiter, Wider wider) {
    this.limiter = limiter;
    this.wider = wider;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    ApiKeyPrincipal p = ex.principal;
    long estimate = estimate(ex);
    return limiter.acquire(p.keyId(), p.rpmLimit(), p.tpmLimit(), estimate).compose(d -> {
      headers(ex.request.response().headers(), d);
      if (!d.allowed()) return Future.failedFuture(refusal(d, "key"));
      List<Taken> taken = new ArrayList<>(3);
      taken.add(new Taken(limiter, p.keyId(), p.rpmLimit(), p.tpmLimit(), d.chargedTokens()));
      return wider(ex, estimate, taken).compose(v -> chain.proceed(ex).andThen(ar -> {
        long actual = ex.usage.promptTokens() + ex.usage.completionTokens();
        for (Taken t : taken) t.limiter().adjust(t.id(), t.tpm(), actual - t.charged());
      }));
    });
  }

  /** The tenant's limits, then the gateway's; on a refusal, gives back what was taken before it. */
  private Future<Void> wider(Exchange ex, long estimate, List<Taken> taken) {
    if (wider == null) return Future.succeededFuture();
    TenantLimit tl = wider.tenants().of(ex.principal.tenantId());
    Future<Void> tenant = !tl.rateLimited() ? Future.succeededFuture()
        : take(wider.tenantBuckets(), ex.principal.tenantId(), tl.rpmLimit(), tl.tpmLimit(), estimate, "tenant", taken);
    return tenant.compose(v -> wider.globalRpm() <= 0 && wider.globalTpm() <= 0 ? Future.<Void>succeededFuture()
        : take(wider.globalBuckets(), 0, wider.globalRpm(), wider.globalTpm(), estimate, "global", taken));
  }

  private static Future<Void> take(RateLimiter buckets, long id, int rpm, int tpm, long estimate, String scope,
                                   List<Taken> taken) {
    int r = rpm > 0 ? rpm : Integer.MAX_VALUE; // 0 = no limit on that dimension
    int t = tpm > 0 ? tpm : Integer.MAX_VALUE;
    return buckets.acquire(id, r, t, estimate).compose(d -> {
      if (d.allowed()) {
        taken.add(new Taken(buckets, id, r, t, d.chargedTokens()));
        return Future.succeededFuture();
      }
      for (Taken k : taken) k.limiter().giveBack(k.id(), k.rpm(), k.tpm(), k.charged());
      return Future.failedFuture(refusal(d, scope));
    });
  }

  private static GatewayException refusal(RateLimiter.Decision d, String scope) {
    int retryAfter = (int) Math.max(1, (d.retryAfterMs() + 999) / 1000);
    boolean requests = d.refusal() == RateLimiter.Refusal.REQUESTS;
    long limit = requests ? d.limitRequests() : d.limitTokens();
    String who = switch (scope) {
      case "tenant" -> "this tenant allows";
      case "global" -> "the gateway allows";
      default -> "this key allows";
    };
    String zh = switch (scope) {
      case "tenant" -> "租户";
      case "global" -> "网关";
      default -> "该密钥";
    };
    return new GatewayException(requests ? ErrorCode.RATE_LIMIT_001 : ErrorCode.RATE_LIMIT_002,
        requests ? "Rate limit reached: " + who + " " + limit + " requests per minute."
            : "Token rate limit reached: " + who + " " + limit + " tokens per minute.",
        requests ? "已达到" + zh + "每分钟 " + limit + " 次请求的限制。" : "已达到" + zh + "每分钟 " + limit + " 个 Token 的限制。",
        Map.of("limit", limit, "scope", scope, "retry_after_seconds", retryAfter), retryAfter);
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
