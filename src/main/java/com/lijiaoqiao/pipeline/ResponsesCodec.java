package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.AnthropicToOpenAi;
import com.lijiaoqiao.protocol.anthropic.AnthropicToOpenAiStream;
import com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropic;
import com.lijiaoqiao.protocol.anthropic.StreamTranslator;
import com.lijiaoqiao.protocol.anthropic.Usage;
import com.lijiaoqiao.protocol.responses.ResponsesOutput;
import com.lijiaoqiao.protocol.responses.ResponsesStream;
import com.lijiaoqiao.providers.Provider;
import com.lijiaoqiao.responses.ResponsesTurn;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * RelayCodecs' Responses ingress: the request's chat view goes to chat upstreams as is and to Anthropic ones
 * through the existing chat → Messages translation; answers come back the same way, then become a Responses
 * object or event stream. Chat is the hub: no Responses ↔ Anthropic translation of its own.
 */
final class ResponsesCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResponsesCodec() {}

  static byte[] upstreamBody(Exchange ex, Provider p, String upstreamModel) {
    Set<String> dropped = new LinkedHashSet<>(ex.responses.request.dropped());
    ObjectNode chat = ex.parsed.body();
    JsonNode body;
    if (p.dialect() == Dialect.ANTHROPIC) {
      // Every Responses client sends an effort (Codex always does); the chat → Messages translation refuses
      // reasoning_effort, so it is left out for Anthropic and named: the answer comes without extended thinking.
      JsonNode effort = chat.remove("reasoning_effort");
      try {
        body = OpenAiToAnthropic.request(chat, upstreamModel, dropped); // refuses, naming the field, what it cannot take
      } finally {
        if (effort != null) chat.set("reasoning_effort", effort); // the next attempt may go to a chat upstream
      }
      if (effort != null) dropped.add("reasoning.effort");
    } else {
      chat.put("model", upstreamModel);
      body = chat;
    }
    ex.dropped = dropped.isEmpty() ? null : String.join(", ", dropped);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static StreamTranslator stream(Exchange ex, Provider p) {
    ResponsesTurn turn = ex.responses;
    StreamTranslator viaChat = p.dialect() == Dialect.ANTHROPIC ? new AnthropicToOpenAiStream(ex.clientModel(), true) : null;
    return new ResponsesStream(turn.request, turn.id, turn.createdAt, ex.clientModel(), viaChat, turn::completed);
  }

  static RelayCodecs.Whole whole(Exchange ex, Provider p, JsonNode root, String served) {
    JsonNode chat = p.dialect() == Dialect.ANTHROPIC ? AnthropicToOpenAi.response(root, ex.clientModel()) : root;
    if (chat == null) return null;
    ResponsesTurn turn = ex.responses;
    ObjectNode response = ResponsesOutput.fromChat(chat, turn.request, turn.id, turn.createdAt, ex.clientModel());
    if (response == null) return null;
    TokenUsage usage = p.dialect() == Dialect.ANTHROPIC ? Usage.fromAnthropic(root.get("usage"))
        : Usage.fromOpenAi(root.get("usage"));
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(response);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    turn.completed(response);
    return new RelayCodecs.Whole(bytes, root.path("usage").isObject() ? usage : null, served);
  }
}
