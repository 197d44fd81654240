package com.lijiaoqiao.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;

/** One kind of request the load generator sends: a POST to {@code baseUrl + path} with a fixed body and headers. */
public record RequestSpec(String target, boolean stream, RequestOptions options, Buffer body) {

  /** A realistic small chat request: gpt-4o-mini, one user message of ~30 words, max_tokens 64. */
  public static final String CHAT_PROMPT = "Our team is planning a three day trip to Hangzhou in early spring. "
      + "Could you suggest a relaxed itinerary with West Lake walks, tea villages, and a few good local restaurants?";

  public static String chatBody(boolean stream) {
    return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + CHAT_PROMPT + "\"}],"
        + "\"max_tokens\":64" + (stream ? ",\"stream\":true" : "") + "}";
  }

  /** A chat-completions request against an OpenAI base URL such as {@code http://127.0.0.1:8080/v1}. */
  public static RequestSpec chat(String target, String baseUrl, String apiKey, boolean stream,
                                 Map<String, String> extraHeaders) {
    URI base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    URI uri = base.resolve("chat/completions");
    RequestOptions o = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(uri.getHost())
        .setPort(uri.getPort())
        .setURI(uri.getRawPath())
        .setConnectTimeout(5_000)
        .setIdleTimeout(30_000);
    o.putHeader("content-type", "application/json");
    o.putHeader("accept", stream ? "text/event-stream" : "application/json");
    o.putHeader("authorization", "Bearer " + apiKey);
    extraHeaders.forEach(o::putHeader);
    return new RequestSpec(target, stream, o, Buffer.buffer(chatBody(stream)));
  }
}
