package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.OpenAiRequest;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.routing.RouteTarget;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;

/**
 * One data-plane request as it moves through the stages. Confined to the event loop that accepted it, so
 * it needs no synchronisation. Stages fill in what they learn; {@code Record} reads the outcome at the end.
 */
public final class Exchange {
  public final String requestId;
  public final HttpServerRequest request;
  public final Endpoint endpoint;
  public final byte[] rawBody;
  /** The upstream client of the event loop this request lives on. */
  public final HttpClient upstreamClient;
  public final long startNanos;

  /** The dialect the client speaks (set by the HTTP layer from the path). */
  public com.lijiaoqiao.protocol.Dialect ingress = com.lijiaoqiao.protocol.Dialect.OPENAI;
  /** For the Anthropic ingress: the request as sent ({@link #parsed} holds an OpenAI-shaped view of it). */
  public com.lijiaoqiao.protocol.anthropic.AnthropicRequest anthropic;

  public ApiKeyPrincipal principal;
  public OpenAiRequest parsed;
  public RouteTarget target;

  // Outcome, filled by Relay (or by the stage that ended the request).
  public int statusCode;
  public String errorCode;
  public String outcome = "pending";
  public TokenUsage usage = TokenUsage.NONE;
  public String servedModel;
  public long firstTokenNanos;
  public long endNanos;

  public Exchange(String requestId, HttpServerRequest request, Endpoint endpoint, byte[] rawBody,
                  HttpClient upstreamClient) {
    this.requestId = requestId;
    this.request = request;
    this.endpoint = endpoint;
    this.rawBody = rawBody;
    this.upstreamClient = upstreamClient;
    this.startNanos = System.nanoTime();
  }

  public boolean stream() {
    return parsed != null && parsed.stream();
  }

  public String model() {
    return parsed != null ? parsed.model() : "";
  }
}
