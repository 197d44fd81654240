package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.ViaHubStream;
import com.lijiaoqiao.protocol.ChatStreamReader;
import com.lijiaoqiao.protocol.ContinuationJoin;
import com.lijiaoqiao.protocol.anthropic.AnthropicPassthroughStream;
import com.lijiaoqiao.protocol.anthropic.AnthropicToOpenAi;
import com.lijiaoqiao.protocol.anthropic.AnthropicToOpenAiStream;
import com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropic;
import com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropicStream;
import com.lijiaoqiao.protocol.anthropic.Usage;
import com.lijiaoqiao.protocol.gemini.ChatToGemini;
import com.lijiaoqiao.protocol.gemini.ChatToGeminiStream;
import com.lijiaoqiao.protocol.gemini.GeminiPassthroughStream;
import com.lijiaoqiao.protocol.gemini.GeminiToChat;
import com.lijiaoqiao.protocol.gemini.GeminiToChatStream;
import com.lijiaoqiao.protocol.gemini.GeminiUsage;
import com.lijiaoqiao.providers.Provider;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The relay's one seam for dialects, built as a hub: the client's request is decoded to the chat-completions
 * shape and encoded for the upstream's dialect; the upstream's answer (whole, or event by event) is decoded to
 * the hub and encoded for the client's dialect. Each dialect has exactly those two directions here, so any
 * ingress reaches any upstream in at most two steps. Same-dialect pairs skip the hub: OpenAI → OpenAI is the
 * relay's own byte passthrough ({@link #passthrough}), Anthropic → Anthropic and Gemini → Gemini relay the client's
 * body and the upstream's events as they are, reading usage on the way.
 */
final class RelayCodecs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RelayCodecs() {}

  static boolean passthrough(Exchange ex, Provider p) {
    return ex.ingress == Dialect.OPENAI && p.dialect() == Dialect.OPENAI;
  }

  /** The body for this upstream; a 400 when the request cannot be expressed in its dialect. */
  static byte[] upstreamBody(Exchange ex, Provider p, String upstreamModel) {
    if (!p.supports(ex.endpoint)) {
      throw new GatewayException(ErrorCode.COMMON_001, "The model '" + ex.model() + "' is served by an upstream that does not"
          + " support " + ex.endpoint.path + ".", "该模型的上游不支持此接口。", Map.of("param", "model"), null);
    }
    ex.dropped = null; // per attempt: the next upstream may speak another dialect
    if (ex.ingress == Dialect.ANTHROPIC && p.dialect() == Dialect.ANTHROPIC) {
      return ex.anthropic.upstreamBody(ex.rawBody, upstreamModel);
    }
    if (ex.ingress == Dialect.GEMINI && p.dialect() == Dialect.GEMINI) {
      return ex.rawBody; // the model travels in the upstream's URL
    }
    if (ex.ingress == Dialect.OPENAI && p.dialect() == Dialect.OPENAI) {
      return ex.parsed.upstreamBody(ex.rawBody, upstreamModel);
    }
    Set<String> dropped = new LinkedHashSet<>();
    ObjectNode hub = hubRequest(ex, dropped);
    JsonNode body = switch (p.dialect()) {
      case OPENAI -> hub.put("model", upstreamModel);
      case ANTHROPIC -> toAnthropic(ex, hub, upstreamModel, dropped);
      case GEMINI -> ChatToGemini.request(hub, dropped);
      case RESPONSES -> throw new IllegalStateException("no upstream speaks the Responses dialect");
    };
    ex.dropped = dropped.isEmpty() ? null : String.join(", ", dropped);
    return bytes(body);
  }

  /** The client's request in the hub's shape, with what its decoding left out added to {@code dropped}. */
  private static ObjectNode hubRequest(Exchange ex, Set<String> dropped) {
    switch (ex.ingress) {
      case ANTHROPIC -> {
        ObjectNode body = ex.anthropic.toOpenAi(); // refuses, naming the field, what the hub cannot express
        dropped.addAll(ex.anthropic.droppedForOpenAi());
        // Beta flags switch features of Anthropic's server; no other upstream gets them.
        String beta = ex.request.getHeader("anthropic-beta");
        if (beta != null && !beta.isBlank()) dropped.add("anthropic-beta");
        return body;
      }
      case RESPONSES -> {
        dropped.addAll(ex.responses.request.dropped());
        return ex.parsed.body();
      }
      case GEMINI -> {
        dropped.addAll(ex.gemini.dropped());
        return ex.parsed.body();
      }
      default -> {
        return ex.parsed.body();
      }
    }
  }

  /** The hub request → Anthropic Messages (refusing, naming the field, what Anthropic cannot take). */
  private static JsonNode toAnthropic(Exchange ex, ObjectNode hub, String upstreamModel, Set<String> dropped) {
    if (ex.ingress == Dialect.RESPONSES && hub.has("reasoning_effort")) {
      // Every Responses client sends an effort (Codex always does) and Anthropic has no such knob: left out and
      // named, the answer comes without extended thinking. From chat clients it is refused as before.
      hub = hub.deepCopy();
      hub.remove("reasoning_effort");
      dropped.add("reasoning.effort");
    }
    return OpenAiToAnthropic.request(hub, upstreamModel, dropped);
  }

  /**
   * A rescue's request: the client's request through the hub, followed by the answer so far — as the assistant's
   * message to go on from (prefill), or with an instruction to continue it — for the fallback's dialect, streamed,
   * its output limit lowered by what was already produced.
   */
  static byte[] continuationBody(Exchange ex, Provider p, String upstreamModel, String answer, boolean prefill) {
    Set<String> dropped = new LinkedHashSet<>();
    ObjectNode hub = hubRequest(ex, dropped).deepCopy();
    hub.remove("reasoning_effort"); // a continuation of text needs no thinking, and prefill does not mix with it
    hub.put("stream", true);
    hub.putObject("stream_options").put("include_usage", true);
    long produced = TokenCounter.count(answer);
    for (String f : new String[] {"max_tokens", "max_completion_tokens"}) {
      JsonNode v = hub.get(f);
      if (v != null && v.isNumber()) hub.put(f, Math.max(1, v.asLong() - produced));
    }
    if (!answer.isEmpty()) {
      var messages = hub.withArray("messages");
      // Anthropic refuses a prefill ending in whitespace; the join puts the continuation's own back in place.
      messages.addObject().put("role", "assistant").put("content", prefill ? answer.stripTrailing() : answer);
      if (!prefill) messages.addObject().put("role", "user").put("content", Rescue.INSTRUCTION);
    }
    JsonNode body = switch (p.dialect()) {
      case OPENAI -> hub.put("model", upstreamModel);
      case ANTHROPIC -> OpenAiToAnthropic.request(hub, upstreamModel, dropped);
      case GEMINI -> ChatToGemini.request(hub, dropped);
      case RESPONSES -> throw new IllegalStateException("no upstream speaks the Responses dialect");
    };
    return bytes(body);
  }

  /** A continuation's events: the fallback's decoded to the hub, through the join check, into the client's stream. */
  static StreamTranslator continuation(Exchange ex, Provider p, String answer, TokenUsage prior,
                                       StreamTranslator clientStream) {
    StreamTranslator decoder = upstreamDecoder(ex, p, true);
    return new ViaHubStream(decoder != null ? decoder : new ChatStreamReader(),
        new ContinuationJoin(answer, prior, clientStream));
  }

  /** The upstream's stream events → the hub's chat chunks; null for an upstream that already speaks the hub. */
  static StreamTranslator upstreamDecoder(Exchange ex, Provider p, boolean includeUsage) {
    return switch (p.dialect()) {
      case ANTHROPIC -> new AnthropicToOpenAiStream(ex.clientModel(), includeUsage);
      case GEMINI -> new GeminiToChatStream(ex.clientModel(), includeUsage);
      default -> null;
    };
  }

  static StreamTranslator stream(Exchange ex, Provider p) {
    if (ex.ingress == Dialect.ANTHROPIC && p.dialect() == Dialect.ANTHROPIC) return new AnthropicPassthroughStream(ex.clientModel());
    if (ex.ingress == Dialect.GEMINI && p.dialect() == Dialect.GEMINI) return new GeminiPassthroughStream(ex.clientModel());
    if (ex.ingress == Dialect.OPENAI) return upstreamDecoder(ex, p, ex.parsed.includeUsage());
    if (ex.ingress == Dialect.RESPONSES) return ResponsesCodec.stream(ex, upstreamDecoder(ex, p, true));
    StreamTranslator encoder = ex.ingress == Dialect.GEMINI ? new ChatToGeminiStream(ex.clientModel())
        : new OpenAiToAnthropicStream(ex.clientModel(), TokenCounter.countPrompt(ex.endpoint, ex.parsed.body(), ex.countScope()));
    StreamTranslator decoder = upstreamDecoder(ex, p, true);
    return decoder == null ? encoder : new ViaHubStream(decoder, encoder);
  }

  /** A whole (non-stream) answer in the client's dialect, with what it reports; null when it is malformed. */
  record Whole(byte[] body, TokenUsage usage, String model) {}

  static Whole whole(Exchange ex, Provider p, byte[] upstream) {
    JsonNode root;
    try {
      root = JSON.readTree(upstream);
    } catch (Exception e) {
      return null;
    }
    if (root == null || !root.isObject()) return null;
    TokenUsage usage = switch (p.dialect()) {
      case ANTHROPIC -> root.path("usage").isObject() ? Usage.fromAnthropic(root.get("usage")) : null;
      case GEMINI -> GeminiUsage.from(root.get("usageMetadata"));
      default -> root.path("usage").isObject() ? Usage.fromOpenAi(root.get("usage")) : null;
    };
    String served = root.path(p.dialect() == Dialect.GEMINI ? "modelVersion" : "model").isTextual()
        ? root.get(p.dialect() == Dialect.GEMINI ? "modelVersion" : "model").asText() : null;
    if (ex.ingress == Dialect.ANTHROPIC && p.dialect() == Dialect.ANTHROPIC) {
      if (!root.path("content").isArray()) return null;
      return new Whole(upstream, usage, served);
    }
    if (ex.ingress == Dialect.GEMINI && p.dialect() == Dialect.GEMINI) {
      if (GeminiToChat.response(root, ex.clientModel()) == null) return null;
      return new Whole(upstream, usage, served);
    }
    ObjectNode chat = switch (p.dialect()) {
      case ANTHROPIC -> AnthropicToOpenAi.response(root, ex.clientModel());
      case GEMINI -> GeminiToChat.response(root, ex.clientModel());
      default -> (ObjectNode) root;
    };
    if (chat == null) return null;
    if (ex.ingress == Dialect.RESPONSES) return ResponsesCodec.whole(ex, chat, usage, served);
    JsonNode out = switch (ex.ingress) {
      case ANTHROPIC -> OpenAiToAnthropic.response(chat, ex.clientModel());
      case GEMINI -> ChatToGemini.response(chat, ex.clientModel());
      default -> chat;
    };
    if (out == null) return null;
    return new Whole(bytes(out), usage, served);
  }

  static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
