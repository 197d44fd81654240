package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.OpenAiRequest;
import com.lijiaoqiao.protocol.anthropic.AnthropicRequest;
import io.vertx.core.Future;

/**
 * Decodes an Anthropic Messages request ({@code /v1/messages}, {@code /v1/messages/count_tokens}): validates it
 * (bad input is a 400 here) and translates it to OpenAI's format, so routing, limits, estimates and billing see
 * one shape. The original stays in {@link Exchange#anthropic} for Anthropic upstreams. A request that cannot be
 * translated is not refused yet: it may still be routed to an Anthropic upstream, which takes it as it is.
 */
public final class AnthropicDecodeStage implements Stage {
  private final boolean countTokens;

  public AnthropicDecodeStage(boolean countTokens) {
    this.countTokens = countTokens;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    decode(ex, countTokens);
    return chain.proceed(ex);
  }

  static Future<Void> decode(Exchange ex, Chain chain) {
    decode(ex, false);
    return chain.proceed(ex);
  }

  static void decode(Exchange ex, boolean countTokens) {
    AnthropicRequest a = AnthropicRequest.parse(ex.rawBody, countTokens);
    ex.anthropic = a;
    ObjectNode translated;
    try {
      translated = a.toOpenAi();
    } catch (GatewayException e) {
      ex.untranslatable = e;
      translated = shadow(a);
    }
    ex.parsed = OpenAiRequest.parse(Endpoint.CHAT_COMPLETIONS, translated);
  }

  /** An OpenAI-shaped stand-in with the same model, stream flag and text, for routing and estimates. */
  private static ObjectNode shadow(AnthropicRequest a) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode().put("model", a.model());
    if (a.maxTokens() != null) o.put("max_tokens", a.maxTokens());
    if (a.stream()) o.put("stream", true).putObject("stream_options").put("include_usage", true);
    StringBuilder text = new StringBuilder();
    collect(a.body().get("system"), text);
    collect(a.body().get("messages"), text);
    o.putArray("messages").addObject().put("role", "user").put("content", text.toString());
    return o;
  }

  private static void collect(JsonNode n, StringBuilder text) {
    if (n == null) return;
    if (n.isTextual()) {
      text.append(n.asText()).append('\n');
    } else if (n.isArray()) {
      for (JsonNode x : n) collect(x, text);
    } else if (n.isObject()) {
      collect(n.get("text"), text);
      collect(n.get("content"), text);
      if (n.has("input")) text.append(n.get("input").toString()).append('\n');
    }
  }
}
