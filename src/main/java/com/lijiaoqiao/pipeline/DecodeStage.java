package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.protocol.OpenAiRequest;
import io.vertx.core.Future;

/** Parses and validates the body: bad input ends here with a 400 that says what is wrong. */
public final class DecodeStage implements Stage {
  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    if (ex.ingress == com.lijiaoqiao.protocol.Dialect.ANTHROPIC) {
      return AnthropicDecodeStage.decode(ex, chain);
    }
    ex.parsed = OpenAiRequest.parse(ex.endpoint, ex.rawBody);
    return chain.proceed(ex);
  }
}
