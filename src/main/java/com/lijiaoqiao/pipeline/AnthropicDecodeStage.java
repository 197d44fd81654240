package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.OpenAiRequest;
import com.lijiaoqiao.protocol.anthropic.AnthropicRequest;
import io.vertx.core.Future;

/**
 * Decodes an Anthropic Messages request ({@code /v1/messages}, {@code /v1/messages/count_tokens}): validates it
 * (bad input is a 400 here) and gives it an OpenAI-shaped view, so routing, limits, estimates and billing see
 * one shape. The original stays in {@link Exchange#anthropic}: Anthropic upstreams get it as sent, and only when an
 * OpenAI-dialect upstream is chosen is it translated (and refused then, naming the field, if it cannot be).
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
    ex.parsed = OpenAiRequest.parse(Endpoint.CHAT_COMPLETIONS, view(a));
  }

  /**
   * An OpenAI-shaped view of the request for routing, limits and estimates: model, stream flag, max_tokens, and
   * the original system/messages/tools nodes shared, not copied (nothing here is translated or serialised; the
   * real translation happens only when an OpenAI-dialect upstream is chosen).
   */
  static ObjectNode view(AnthropicRequest a) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode().put("model", a.model());
    if (a.maxTokens() != null) o.put("max_tokens", a.maxTokens());
    if (a.stream()) o.put("stream", true).putObject("stream_options").put("include_usage", true);
    var messages = o.putArray("messages");
    JsonNode system = a.body().get("system");
    if (system != null && !system.isNull()) messages.addObject().put("role", "system").set("content", system);
    messages.addAll((com.fasterxml.jackson.databind.node.ArrayNode) a.body().get("messages"));
    JsonNode tools = a.body().get("tools");
    if (tools != null && tools.isArray()) o.set("tools", tools);
    return o;
  }
}
