package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.protocol.OpenAiRequest;
import io.vertx.core.Future;

/** Parses and validates the body: bad input ends here with a 400 that says what is wrong. */
public final class DecodeStage implements Stage {
  private final com.lijiaoqiao.responses.ResponsesStore responses;

  public DecodeStage() {
    this(null);
  }

  /** @param responses stored responses, for previous_response_id (null: none are kept) */
  public DecodeStage(com.lijiaoqiao.responses.ResponsesStore responses) {
    this.responses = responses;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    String fallbacks = ex.request.getHeader(ModelFallbacks.HEADER);
    if (fallbacks != null) ex.requestedFallbacks = ModelFallbacks.parse(fallbacks); // a 400 before any money moves
    if (ex.ingress == com.lijiaoqiao.protocol.Dialect.ANTHROPIC) {
      return AnthropicDecodeStage.decode(ex, chain);
    }
    if (ex.ingress == com.lijiaoqiao.protocol.Dialect.GEMINI) {
      GeminiDecode.decode(ex, false);
      return chain.proceed(ex);
    }
    if (ex.ingress == com.lijiaoqiao.protocol.Dialect.RESPONSES) {
      ResponsesDecode.decode(ex, responses);
      return chain.proceed(ex);
    }
    ex.parsed = OpenAiRequest.parse(ex.endpoint, ex.rawBody);
    return chain.proceed(ex);
  }
}
