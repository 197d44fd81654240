package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.anthropic.AnthropicPassthroughStream;
import com.lijiaoqiao.protocol.anthropic.AnthropicToOpenAi;
import com.lijiaoqiao.protocol.anthropic.AnthropicToOpenAiStream;
import com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropic;
import com.lijiaoqiao.protocol.anthropic.OpenAiToAnthropicStream;
import com.lijiaoqiao.protocol.anthropic.StreamTranslator;
import com.lijiaoqiao.protocol.anthropic.Usage;
import com.lijiaoqiao.providers.Provider;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The relay's one seam for dialects: given the client's dialect (ingress) and the upstream's, what body to send
 * and how to bring the answer back. OpenAI → OpenAI is the untouched passthrough the relay always had
 * ({@link #passthrough} true: RelayStage/StreamRelay work as before); every other pair is handled here.
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
    if (ex.ingress == Dialect.RESPONSES) return ResponsesCodec.upstreamBody(ex, p, upstreamModel);
    if (ex.ingress == Dialect.ANTHROPIC) {
      if (p.dialect() == Dialect.ANTHROPIC) return ex.anthropic.upstreamBody(ex.rawBody, upstreamModel);
      ObjectNode body = ex.anthropic.toOpenAi(); // refuses, naming the field, what OpenAI cannot express
      body.put("model", upstreamModel);
      Set<String> dropped = new LinkedHashSet<>(ex.anthropic.droppedForOpenAi());
      // Beta flags switch features of Anthropic's server; the OpenAI-compatible adapter never sends them.
      String beta = ex.request.getHeader("anthropic-beta");
      if (beta != null && !beta.isBlank()) dropped.add("anthropic-beta");
      ex.dropped = named(dropped);
      return bytes(body);
    }
    if (p.dialect() == Dialect.ANTHROPIC) {
      Set<String> dropped = new LinkedHashSet<>();
      byte[] body = bytes(OpenAiToAnthropic.request(ex.parsed.body(), upstreamModel, dropped));
      ex.dropped = named(dropped);
      return body;
    }
    return ex.parsed.upstreamBody(ex.rawBody, upstreamModel);
  }

  /** The x-ljq-dropped header's value: the dropped fields, comma-separated; null when none. */
  private static String named(Set<String> dropped) {
    return dropped.isEmpty() ? null : String.join(", ", dropped);
  }

  static StreamTranslator stream(Exchange ex, Provider p) {
    if (ex.ingress == Dialect.RESPONSES) return ResponsesCodec.stream(ex, p);
    if (ex.ingress == Dialect.ANTHROPIC) {
      if (p.dialect() == Dialect.ANTHROPIC) return new AnthropicPassthroughStream();
      return new OpenAiToAnthropicStream(ex.clientModel(), TokenCounter.countPrompt(ex.endpoint, ex.parsed.body()));
    }
    return new AnthropicToOpenAiStream(ex.clientModel(), ex.parsed.includeUsage());
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
    String served = root.path("model").isTextual() ? root.get("model").asText() : null;
    if (ex.ingress == Dialect.RESPONSES) return ResponsesCodec.whole(ex, p, root, served);
    if (ex.ingress == Dialect.ANTHROPIC && p.dialect() == Dialect.ANTHROPIC) {
      if (!root.path("content").isArray()) return null;
      return new Whole(upstream, Usage.fromAnthropic(root.get("usage")), served);
    }
    ObjectNode out = ex.ingress == Dialect.ANTHROPIC ? OpenAiToAnthropic.response(root, ex.clientModel())
        : AnthropicToOpenAi.response(root, ex.clientModel());
    if (out == null) return null;
    TokenUsage usage = p.dialect() == Dialect.ANTHROPIC ? Usage.fromAnthropic(root.get("usage"))
        : Usage.fromOpenAi(root.get("usage"));
    boolean reported = root.path("usage").isObject();
    return new Whole(bytes(out), reported ? usage : null, served);
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
