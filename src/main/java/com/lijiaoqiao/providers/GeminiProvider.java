package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Google's Gemini API (generativelanguage.googleapis.com, or anything speaking it): the key in
 * {@code x-goog-api-key}, the model in the URL ({@code /v1beta/models/{model}:generateContent}, or
 * {@code :streamGenerateContent?alt=sse} for streams). Bodies arrive already in Gemini's format; the relay
 * translates through the hub for other clients. The base URL is the host root; a trailing {@code /v1beta} is
 * accepted too.
 */
public class GeminiProvider implements Provider {
  public static final String KIND = "gemini";
  /** What this adapter can do (for routing and docs). */
  public static final Set<String> CAPABILITIES = Set.of("chat", "stream", "tools", "vision", "json_schema");

  private final String id;
  private final String apiKey;
  private final UpstreamAddress address;
  private final long connectTimeoutMs;
  private final long idleTimeoutMs;

  public GeminiProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs) {
    this(id, baseUrl, apiKey, connectTimeoutMs, idleTimeoutMs, null);
  }

  /** @param guard judges the base URL's host before every connection (null: trusted, none) */
  public GeminiProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs,
                        AddressGuard guard) {
    this.id = id;
    this.apiKey = apiKey;
    this.address = UpstreamAddress.parse(id, baseUrl, guard).withoutSuffix("/v1beta");
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
    return Dialect.GEMINI;
  }

  @Override
  public boolean supports(Endpoint endpoint) {
    return endpoint == Endpoint.CHAT_COMPLETIONS;
  }

  /** The path of one call: the model is a path segment, percent-encoded where it holds anything but a name's characters. */
  static String path(String model, boolean stream) {
    return "/v1beta/models/" + segment(model) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  }

  private static String segment(String model) {
    StringBuilder sb = new StringBuilder(model.length() + 8);
    for (byte b : model.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~:=,@".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  @Override
  public Future<HttpClientResponse> open(HttpClient client, UpstreamCall call) {
    return open(client, call, r -> {});
  }

  @Override
  public Future<HttpClientResponse> open(HttpClient client, UpstreamCall call, Consumer<HttpClientRequest> sent) {
    RequestOptions options = address.request(HttpMethod.POST, path(call.upstreamModel(), call.stream()),
        connectTimeoutMs, idleTimeoutMs);
    options.putHeader("content-type", "application/json");
    options.putHeader("accept", call.stream() ? "text/event-stream" : "application/json");
    if (apiKey != null && !apiKey.isEmpty()) options.putHeader("x-goog-api-key", apiKey);
    decorate(options, call);
    return address.open(client, options).compose(req -> {
      sent.accept(req); // lets the router abort it (first-byte timeout, deadline)
      return req.send(Buffer.buffer(call.body()));
    });
  }

  /** Hook for thin variants (extra headers), as in OpenAiCompatibleProvider. */
  protected void decorate(RequestOptions options, UpstreamCall call) {}

  /** POST /v1beta/models/{model}:generateContent with {@code maxOutputTokens: 1}. */
  @Override
  public Future<Integer> probeModel(HttpClient client, String upstreamModel, long timeoutMs) {
    return ModelProbe.status(this, client, upstreamModel, ModelProbe.gemini(), timeoutMs);
  }

  /** The router's background health check: {@code GET /v1beta/models} answers 2xx with the key accepted. */
  @Override
  public Future<Boolean> probe(HttpClient client, long timeoutMs) {
    RequestOptions options = address.request(HttpMethod.GET, "/v1beta/models?pageSize=1", connectTimeoutMs, idleTimeoutMs);
    if (apiKey != null && !apiKey.isEmpty()) options.putHeader("x-goog-api-key", apiKey);
    return address.open(client, options).compose(req -> req.send())
        .compose(r -> r.body().map(b -> r.statusCode()))
        .timeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS).map(status -> status / 100 == 2);
  }
}
