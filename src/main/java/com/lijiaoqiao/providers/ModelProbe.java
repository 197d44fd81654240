package com.lijiaoqiao.providers;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.lijiaoqiao.protocol.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A recovery probe of one model: the smallest real request in the upstream's own dialect (one short user message,
 * at most one output token, not streamed), sent through the adapter's own {@link Provider#open} so that it is
 * addressed and authenticated exactly as traffic is. Nothing of it reaches a tenant: it is not billed or recorded.
 */
final class ModelProbe {
  private ModelProbe() {}

  static final String PROMPT = "ping";

  /** OpenAI Chat Completions: {@code max_tokens: 1}. */
  static String openAi(String model) {
    return "{\"model\":\"" + quote(model) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT
        + "\"}],\"max_tokens\":1}";
  }

  /** Anthropic Messages: {@code max_tokens: 1}. */
  static String anthropic(String model) {
    return "{\"model\":\"" + quote(model) + "\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\""
        + PROMPT + "\"}]}";
  }

  /** Gemini generateContent (the model is in the path): {@code maxOutputTokens: 1}. */
  static String gemini() {
    return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + PROMPT
        + "\"}]}],\"generationConfig\":{\"maxOutputTokens\":1}}";
  }

  /**
   * Sends the probe; succeeds with the upstream's HTTP status once its (small) body is read, fails on connect
   * errors, resets and the timeout (the request is then reset, not left to the idle timeout).
   */
  static Future<Integer> status(Provider p, HttpClient client, String model, String json, long timeoutMs) {
    UpstreamCall call = new UpstreamCall(Endpoint.CHAT_COMPLETIONS, model, json.getBytes(StandardCharsets.UTF_8),
        false, null, null);
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    return p.open(client, call, sent::set)
        .compose(r -> r.body().map(b -> r.statusCode()))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onFailure(t -> {
          HttpClientRequest r = sent.get();
          if (r != null) r.reset();
        });
  }

  private static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }
}
