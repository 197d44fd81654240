package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Set;

/**
 * Anthropic's Messages API (api.anthropic.com, or anything speaking it): {@code x-api-key}, an
 * {@code anthropic-version} header (the client's, else {@value #DEFAULT_VERSION}) and the client's
 * {@code anthropic-beta} flags. Bodies arrive already in Anthropic's format; the relay translates for OpenAI clients.
 * The base URL is the host root ({@code https://api.anthropic.com}); a trailing {@code /v1} is accepted too.
 */
public class AnthropicProvider implements Provider {
  public static final String KIND = "anthropic";
  public static final String DEFAULT_VERSION = "2023-06-01";
  private static final String MESSAGES = "/v1/messages";
  /** What this adapter can do (for routing and docs). */
  public static final Set<String> CAPABILITIES =
      Set.of("chat", "stream", "tools", "vision", "thinking", "prompt_caching", "count_tokens");

  private final String id;
  private final String apiKey;
  private final UpstreamAddress address;
  private final long connectTimeoutMs;
  private final long idleTimeoutMs;

  public AnthropicProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs) {
    this(id, baseUrl, apiKey, connectTimeoutMs, idleTimeoutMs, null);
  }

  /** @param guard judges the base URL's host before every connection (null: trusted, none) */
  public AnthropicProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs,
                           AddressGuard guard) {
    this.id = id;
    this.apiKey = apiKey;
    this.address = UpstreamAddress.parse(id, baseUrl, guard).withoutSuffix("/v1");
    this.connectTimeoutMs = connectTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Dialect dialect() {
    return Dialect.ANTHROPIC;
  }

  @Override
  public boolean supports(Endpoint endpoint) {
    return endpoint == Endpoint.CHAT_COMPLETIONS;
  }

  /** Path of the messages call; count_tokens adds {@code /count_tokens}. */
  public String messagesPath() {
    return address.basePath() + MESSAGES;
  }

  @Override
  public Future<HttpClientResponse> open(HttpClient client, UpstreamCall call) {
    return send(client, MESSAGES, call, r -> {});
  }

  @Override
  public Future<HttpClientResponse> open(HttpClient client, UpstreamCall call,
                                         java.util.function.Consumer<io.vertx.core.http.HttpClientRequest> sent) {
    return send(client, MESSAGES, call, sent);
  }

  /** POST /v1/messages/count_tokens with an Anthropic body. */
  public Future<HttpClientResponse> countTokens(HttpClient client, UpstreamCall call) {
    return send(client, MESSAGES + "/count_tokens", call, r -> {});
  }

  /** The router's background health check: reachable and the key accepted, within the timeout. */
  @Override
  public Future<Boolean> probe(HttpClient client, long timeoutMs) {
    return probe(client).timeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS).map(status -> status / 100 == 2);
  }

  /**
   * Health probe: {@code GET /v1/models} with the account's key (cheap, generates nothing). Succeeds with the
   * upstream's status; 2xx means reachable and the key is accepted.
   */
  public Future<Integer> probe(HttpClient client) {
    RequestOptions options = address.request(HttpMethod.GET, "/v1/models?limit=1", connectTimeoutMs, idleTimeoutMs);
    if (apiKey != null && !apiKey.isEmpty()) options.putHeader("x-api-key", apiKey);
    options.putHeader("anthropic-version", DEFAULT_VERSION);
    return address.open(client, options).compose(req -> req.send()).compose(r -> r.body().map(b -> r.statusCode()));
  }

  /** POST /v1/messages for the model with {@code max_tokens: 1}. */
  @Override
  public Future<Integer> probeModel(HttpClient client, String upstreamModel, long timeoutMs) {
    return ModelProbe.status(this, client, upstreamModel, ModelProbe.anthropic(upstreamModel), timeoutMs);
  }

  /** Hook for thin variants (extra headers), as in OpenAiCompatibleProvider. */
  protected void decorate(RequestOptions options, UpstreamCall call) {}

  private Future<HttpClientResponse> send(HttpClient client, String path, UpstreamCall call,
                                          java.util.function.Consumer<io.vertx.core.http.HttpClientRequest> sent) {
    RequestOptions options = address.request(HttpMethod.POST, path, connectTimeoutMs, idleTimeoutMs);
    options.putHeader("content-type", "application/json");
    options.putHeader("accept", call.stream() ? "text/event-stream" : "application/json");
    if (apiKey != null && !apiKey.isEmpty()) options.putHeader("x-api-key", apiKey);
    String version = call.clientHeaders() == null ? null : call.clientHeaders().get("anthropic-version");
    options.putHeader("anthropic-version", version == null || version.isBlank() ? DEFAULT_VERSION : version);
    String beta = call.clientHeaders() == null ? null : call.clientHeaders().get("anthropic-beta");
    if (beta != null && !beta.isBlank()) options.putHeader("anthropic-beta", beta);
    decorate(options, call);
    return address.open(client, options).compose(req -> {
      sent.accept(req); // lets the router abort it (first-byte timeout, deadline)
      return req.send(Buffer.buffer(call.body()));
    });
  }
}
