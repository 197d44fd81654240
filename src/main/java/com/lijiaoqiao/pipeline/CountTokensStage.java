package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.providers.AnthropicProvider;
import com.lijiaoqiao.providers.UpstreamCall;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

/**
 * {@code POST /v1/messages/count_tokens}: an Anthropic upstream counts exactly (the request is forwarded as
 * sent, model renamed); for other upstreams the gateway counts with its tokenizer ({@code o200k}, an estimate).
 * Nothing is generated, so nothing is billed or recorded.
 */
public final class CountTokensStage implements Stage {
  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    var target = ex.target;
    if (target.provider() instanceof AnthropicProvider ap) {
      byte[] body = ex.anthropic.upstreamBody(ex.rawBody, target.upstreamModel());
      UpstreamCall call = new UpstreamCall(Endpoint.CHAT_COMPLETIONS, target.upstreamModel(), body, false,
          ex.requestId, ex.request.headers());
      Promise<Void> done = Promise.promise();
      String providerId = ap.id();
      ap.countTokens(ex.upstreamClient, call).onComplete(ar -> {
        if (ar.failed()) {
          done.fail(UpstreamErrors.ofFailure(providerId, ar.cause()));
          return;
        }
        var up = ar.result();
        // Bounded like every upstream body: an upstream never makes the gateway hold more than this for one answer.
        UpstreamBody.read(io.vertx.core.Vertx.currentContext().owner(), up, 60_000, RelayStage.MAX_ERROR_BODY,
            up.statusCode() >= 400, b -> {
          if (b.failed()) {
            done.fail(UpstreamErrors.ofFailure(providerId, b.cause()));
          } else if (up.statusCode() >= 400) {
            Buffer buf = b.result();
            done.fail(UpstreamErrors.ofStatus(providerId, up.statusCode(), buf.getBytes(), up.getHeader("retry-after")));
          } else {
            reply(ex, b.result(), providerId).onComplete(v -> done.complete());
          }
        });
      });
      return done.future();
    }
    long n = TokenCounter.countPrompt(Endpoint.CHAT_COMPLETIONS, ex.parsed.body(), ex.countScope());
    JsonNode tools = ex.parsed.body().get("tools");
    if (tools != null) n += TokenCounter.count(tools.toString());
    return reply(ex, Buffer.buffer("{\"input_tokens\":" + n + "}"), target.provider().id());
  }

  private static Future<Void> reply(Exchange ex, Buffer body, String providerId) {
    var out = ex.request.response();
    out.setStatusCode(200);
    out.headers().set("content-type", "application/json").set("x-ljq-provider", providerId);
    return out.end(body);
  }
}
