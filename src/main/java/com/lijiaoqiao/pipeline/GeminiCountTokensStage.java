package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.TokenCounter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * {@code POST /v1beta/models/{model}:countTokens}: decoded like a generateContent call (so a model the key may not
 * use is a 404, as there), then counted with the gateway's tokenizer ({@code o200k}: an estimate, the same one the
 * reservation uses). Nothing is generated, so nothing is billed or recorded.
 */
public final class GeminiCountTokensStage implements Stage {
  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    GeminiDecode.decode(ex, true);
    return chain.proceed(ex);
  }

  /** The last stage: answers with the count. */
  public static final Stage COUNT = (ex, chain) -> {
    long n = TokenCounter.countPrompt(Endpoint.CHAT_COMPLETIONS, ex.parsed.body(), ex.countScope());
    JsonNode tools = ex.parsed.body().get("tools");
    if (tools != null) n += TokenCounter.count(tools.toString());
    ex.statusCode = 200;
    ex.outcome = "ok";
    return ex.request.response().setStatusCode(200).putHeader("content-type", "application/json")
        .end(Buffer.buffer("{\"totalTokens\":" + n + "}"));
  };
}
