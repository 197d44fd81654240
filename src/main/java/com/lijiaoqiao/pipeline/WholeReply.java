package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.protocol.OpenAiResponseScanner;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.routing.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

/** A whole answer as the client will get it: body, usage, served model, and how to add the charge to it. */
record WholeReply(byte[] body, TokenUsage usage, String model, LongFunction<byte[]> withCost) {

  /** An OpenAI body for an OpenAI client: relayed as it is (the charge goes into its usage object); null if malformed. */
  static WholeReply asIs(Exchange ex, RouteTarget target, byte[] original) {
    byte[] bytes = original;
    OpenAiResponseScanner.Result r = OpenAiResponseScanner.scan(bytes, null);
    if (!r.valid) return null;
    if (r.model != null && !ReportedModel.acceptable(r.model)) {
      // The upstream's model name is not fit to repeat: the client gets the name the gateway asked for.
      bytes = ReportedModel.rewrite(bytes, target.upstreamModel());
      r = OpenAiResponseScanner.scan(bytes, null);
      if (!r.valid) return null;
    }
    TokenUsage usage = r.usage;
    if (usage == null) {
      StringBuilder text = new StringBuilder();
      OpenAiResponseScanner.scan(bytes, text);
      usage = RelayStage.estimate(ex, text);
    }
    byte[] body = bytes;
    long usageOffset = r.usageOffset;
    return new WholeReply(body, usage, r.model, cost -> usageOffset < 0 ? body
        : OpenAiResponseScanner.insertIntoUsage(body, usageOffset, "cost", Money.toDecimal(cost).toPlainString()));
  }

  /** An answer from an upstream of another dialect (or Anthropic → Anthropic), in the client's; null if malformed. */
  static WholeReply translated(Exchange ex, RouteTarget target, byte[] bytes) {
    RelayCodecs.Whole w = RelayCodecs.whole(ex, target.provider(), bytes);
    if (w == null) return null;
    TokenUsage usage = w.usage() != null ? w.usage() : RelayStage.estimate(ex, new String(bytes, StandardCharsets.UTF_8));
    boolean gemini = ex.ingress == com.lijiaoqiao.protocol.Dialect.GEMINI;
    return new WholeReply(w.body(), usage, w.model(), cost -> gemini ? UsageCost.intoLastUsageMetadata(w.body(), cost)
        : UsageCost.intoLastUsage(w.body(), cost));
  }
}
