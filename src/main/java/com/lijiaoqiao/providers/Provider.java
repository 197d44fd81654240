package com.lijiaoqiao.providers;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.util.function.Consumer;

/**
 * An upstream account the gateway can call. Adapters differ only in how they address and authenticate the
 * upstream (and, for other dialects, translate); relaying and accounting are shared.
 */
public interface Provider {
  String id();

  String kind();

  /**
   * Sends the call; completes when the upstream's status line and headers have arrived, with the response
   * paused so the caller decides how to consume it. Fails on connect errors, resets and timeouts.
   */
  Future<HttpClientResponse> open(HttpClient client, UpstreamCall call);

  /**
   * Like {@link #open(HttpClient, UpstreamCall)}, also handing over the request as soon as it exists, so the
   * router can abort it (time-to-first-token, deadline). Adapters that cannot simply ignore the hook.
   */
  default Future<HttpClientResponse> open(HttpClient client, UpstreamCall call, Consumer<HttpClientRequest> sent) {
    return open(client, call);
  }

  /**
   * Background health probe of the provider as a whole (its model list, which says nothing about any one model):
   * true when the upstream answers a cheap request within the timeout.
   */
  default Future<Boolean> probe(HttpClient client, long timeoutMs) {
    return Future.succeededFuture(true);
  }

  /**
   * Recovery probe of one model: a one-token request for {@code upstreamModel} in this upstream's own dialect
   * (OpenAI {@code /chat/completions}, Anthropic {@code /v1/messages}, Gemini {@code :generateContent}), addressed
   * and authenticated as traffic is. Succeeds with the upstream's HTTP status; fails on connect errors, resets and
   * the timeout. The router judges the status (routing/HealthChecker); nothing of it is billed or recorded.
   */
  Future<Integer> probeModel(HttpClient client, String upstreamModel, long timeoutMs);

  /** The wire format this upstream speaks; the relay translates when it differs from the client's. */
  default com.lijiaoqiao.protocol.Dialect dialect() {
    return com.lijiaoqiao.protocol.Dialect.OPENAI;
  }

  /** Whether this upstream serves the operation at all (an Anthropic upstream has no embeddings). */
  default boolean supports(com.lijiaoqiao.protocol.Endpoint endpoint) {
    return true;
  }
}
