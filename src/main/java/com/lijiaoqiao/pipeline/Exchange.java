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
  /** For the Responses ingress: the request, its response id and conversation ({@link #parsed} is its chat view). */
  public com.lijiaoqiao.responses.ResponsesTurn responses;
  /** For the Gemini ingress: the request as sent ({@link #parsed} is its chat view); the model came from the path. */
  public com.lijiaoqiao.protocol.gemini.GeminiRequest gemini;

  public ApiKeyPrincipal principal;
  public OpenAiRequest parsed;
  /** The model name as the client sent it, when an alias pattern resolved it to {@code parsed.model()}; else null. */
  public String requestedModel;
  /** The caller's fallback models (x-ljq-fallbacks), parsed at decode; null when it named none. */
  public java.util.List<String> requestedFallbacks;
  /** Fields the serving attempt's translation left out (the x-ljq-dropped header); null when none. */
  public String dropped;
  public RouteTarget target;
  /** The routing decision (candidates, scores, attempts); null when the request was never routed. */
  public com.lijiaoqiao.routing.RouteDecision route;

  // Outcome, filled by Relay (or by the stage that ended the request). They describe only the attempt that
  // served (or the last one, on failure): failed attempts before it leave no usage here, so are never billed.
  public int statusCode;
  public String errorCode;
  public String outcome = "pending";
  public TokenUsage usage = TokenUsage.NONE;
  public String servedModel;
  public long firstTokenNanos;
  public long endNanos;
  /** Time spent in upstream attempts, summed (the gateway's own share is the rest). */
  public long upstreamNanos;
  /** The response body for the tenant's request log; null (nothing captured) unless the tenant keeps them. */
  public BodyCapture capture;
  /** Who watches this request (metrics); set by Record. */
  public RequestObserver observer = RequestObserver.NONE;

  // Billing: set by Reserve; Settle (and Relay, before the response's last byte) settle exactly once.
  public Settler settler;
  /** Journals what a stream has relayed so far (set by Reserve); it never charges by itself. */
  public java.util.function.BiConsumer<Exchange, TokenUsage> progress;
  /** The settlement carries this request's usage record (journaled, written with it): Record skips it. */
  public boolean usageSettled;
  public long reservedMicros;
  public long costMicros;
  private boolean settled;
  private long promptTokens = -1;

  /**
   * Holds the request again for another model at its own price before Relay switches to it (the larger-context
   * fall-over); fails with the 402 when the balance cannot cover it. Null when the request is not billed.
   */
  public java.util.function.Function<String, io.vertx.core.Future<Void>> reserveFor;

  /**
   * Holds the request again at {@code model}'s price, with {@code extraPromptTokens} more input than its own prompt
   * (a rescue's continuation sends the prompt again with the answer so far); fails with the 402 when the balance
   * cannot cover it. Null when the request is not billed.
   */
  public Holder holdAgain;

  /** Prices a usage exactly (10⁻⁶ µ) at the request's current model price; null when the request is not billed. */
  public java.util.function.ToLongFunction<TokenUsage> exactCost;

  /** The parts of a rescued answer served before the last attempt's: charged together with it, once. */
  public java.util.List<ServedPart> parts = java.util.List.of();

  /** One upstream's part of a rescued answer: what it used and what that costs. */
  public record ServedPart(String providerId, String upstreamModel, TokenUsage usage, long exactCost,
                           com.lijiaoqiao.routing.SupplyOffer offer) {}

  @FunctionalInterface
  public interface Holder {
    io.vertx.core.Future<Void> hold(String model, long extraPromptTokens);
  }

  /** Keeps the usage of an attempt whose stream broke and that a fallback continues; the next part starts at zero. */
  public void keepPart() {
    if (parts.isEmpty()) parts = new java.util.ArrayList<>(2);
    TokenUsage u = usage == null ? TokenUsage.NONE : usage;
    parts.add(new ServedPart(target == null ? null : target.provider().id(), target == null ? null
        : target.upstreamModel(), u, exactCost == null ? 0 : exactCost.applyAsLong(u), target == null ? null
        : target.offer()));
    usage = TokenUsage.NONE;
  }

  /** Computes and books the request's charge; called once, whatever the outcome. */
  @FunctionalInterface
  public interface Settler {
    long settle(Exchange exchange);
  }

  /** Settles now if not yet settled, and returns the charge (0 when billing is off for this request). */
  public long settle() {
    if (!settled && settler != null) {
      settled = true;
      costMicros = settler.settle(this);
    }
    return costMicros;
  }

  /** A stream in flight notes what it relayed so far: a kill -9 before it settles still charges that much. */
  public void journalProgress(TokenUsage soFar) {
    if (!settled && progress != null) progress.accept(this, soFar);
  }

  public boolean billed() {
    return settler != null;
  }

  /** The request's prompt tokens as the gateway estimates them (computed once, shared by the stages). */
  public long promptTokens() {
    if (promptTokens < 0) {
      promptTokens = parsed == null ? 0
          : com.lijiaoqiao.protocol.TokenCounter.estimatePrompt(endpoint, parsed.body(), countScope());
    }
    return promptTokens;
  }

  /** Whose texts this request's are, for the token-count cache: its tenant (0 before authentication). */
  public long countScope() {
    return principal == null ? 0 : principal.tenantId();
  }

  public Exchange(String requestId, HttpServerRequest request, Endpoint endpoint, byte[] rawBody,
                  HttpClient upstreamClient) {
    this.requestId = requestId;
    this.request = request;
    this.endpoint = endpoint;
    this.rawBody = rawBody;
    this.upstreamClient = upstreamClient;
    this.startNanos = System.nanoTime();
  }

  /**
   * Notes the model an upstream says served the answer. Upstream text is data: a name that is too long, oddly
   * shaped or holds a credential is replaced by the upstream model the gateway asked for.
   */
  public void reportServedModel(String reported) {
    if (reported == null || reported.equals(servedModel)) return;
    servedModel = ReportedModel.acceptable(reported) ? reported : target != null ? target.upstreamModel() : null;
  }

  public boolean stream() {
    return parsed != null && parsed.stream();
  }

  public String model() {
    return parsed != null ? parsed.model() : "";
  }

  /**
   * The name translated answers carry: the client's own, even when an alias resolved it — or, once another public
   * model took over (a fallback model, a larger context), that model's: an answer names the model that served it.
   */
  public String clientModel() {
    if (route != null && route.fallbackModel != null) return route.fallbackModel;
    return requestedModel != null ? requestedModel : model();
  }
}
