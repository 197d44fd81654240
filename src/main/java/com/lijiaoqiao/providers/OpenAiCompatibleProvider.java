package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Any upstream that speaks OpenAI's API: OpenAI itself, DeepSeek, Qwen (DashScope compatible mode), Moonshot,
 * Zhipu, vLLM, Ollama … The base URL is the one the vendor documents for OpenAI SDKs (usually ending in /v1).
 */
public class OpenAiCompatibleProvider implements Provider {
  public static final String KIND = "openai-compatible";

  private final String id;
  private final String apiKey;
  private final UpstreamAddress address;
  private final long connectTimeoutMs;
  private final long idleTimeoutMs;

  public OpenAiCompatibleProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs,
                                  long idleTimeoutMs) {
    this(id, baseUrl, apiKey, connectTimeoutMs, idleTimeoutMs, null);
  }

  /** @param guard judges the base URL's host before every connection (null: trusted, none) */
  public OpenAiCompatibleProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs,
                                  long idleTimeoutMs, AddressGuard guard) {
    this.id = id;
    this.apiKey = apiKey;
    this.address = UpstreamAddress.parse(id, baseUrl, guard);
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
  public Future<HttpClientResponse> open(HttpClient client, UpstreamCall call) {
    return open(client, call, r -> {});
  }

  @Override
  public Future<HttpClientResponse> open(HttpClient client, UpstreamCall call,
                                         java.util.function.Consumer<io.vertx.core.http.HttpClientRequest> sent) {
    RequestOptions options = address.request(HttpMethod.POST, call.endpoint().upstreamPath, connectTimeoutMs,
        idleTimeoutMs);
    options.putHeader("content-type", "application/json");
    options.putHeader("accept", call.stream() ? "text/event-stream" : "application/json");
    if (apiKey != null && !apiKey.isEmpty()) {
      options.putHeader("authorization", "Bearer " + apiKey);
    }
    decorate(options, call);
    return address.open(client, options).compose(req -> {
      sent.accept(req);
      return req.send(Buffer.buffer(call.body()));
    });
  }

  /** GET {base}/models with the credential: 2xx within the timeout is healthy. */
  @Override
  public Future<Boolean> probe(HttpClient client, long timeoutMs) {
    RequestOptions options = address.request(HttpMethod.GET, "/models", timeoutMs, timeoutMs);
    if (apiKey != null && !apiKey.isEmpty()) {
      options.putHeader("authorization", "Bearer " + apiKey);
    }
    return address.open(client, options)
        .compose(req -> req.send().timeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS))
        .compose(resp -> resp.body().map(b -> resp.statusCode() / 100 == 2));
  }

  /** POST {base}/chat/completions for the model with {@code max_tokens: 1}. */
  @Override
  public Future<Integer> probeModel(HttpClient client, String upstreamModel, long timeoutMs) {
    return ModelProbe.status(this, client, upstreamModel, ModelProbe.openAi(upstreamModel), timeoutMs);
  }

  /** Hook for thin vendor variants (extra headers). */
  protected void decorate(RequestOptions options, UpstreamCall call) {}
}
