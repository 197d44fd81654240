package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.OpenAiResponseScanner;
import com.lijiaoqiao.protocol.TokenCounter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.providers.UpstreamCall;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * Calls the chosen upstream and relays its answer: a whole JSON body, or an SSE stream event by event.
 * Completes when the client's response has ended (or the client has gone), with the outcome in the exchange.
 */
public final class RelayStage implements Stage {
  static final int MAX_ERROR_BODY = 64 * 1024;

  private final long streamIdleTimeoutMs;

  /** @param streamIdleTimeoutMs a stream with no bytes from the upstream for this long is ended as stalled */
  public RelayStage(long streamIdleTimeoutMs) {
    this.streamIdleTimeoutMs = streamIdleTimeoutMs;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    var target = ex.target;
    byte[] body;
    try {
      body = RelayCodecs.upstreamBody(ex, target.provider(), target.upstreamModel());
    } catch (GatewayException e) {
      return Future.failedFuture(e);
    }
    UpstreamCall call = new UpstreamCall(ex.endpoint, target.upstreamModel(), body, ex.stream(), ex.requestId,
        ex.request.headers());
    HttpServerResponse out = ex.request.response();
    Promise<Void> done = Promise.promise();
    String providerId = target.provider().id();
    target.provider().open(ex.upstreamClient, call).onComplete(ar -> {
      if (ar.failed()) {
        ex.outcome = "upstream_failed";
        done.fail(UpstreamErrors.ofFailure(providerId, ar.cause()));
        return;
      }
      HttpClientResponse up = ar.result();
      if (out.closed()) {
        up.request().reset();
        ex.outcome = "client_closed";
        ex.statusCode = 499;
        done.complete();
        return;
      }
      if (up.statusCode() >= 400) {
        relayError(ex, up, providerId, done);
        return;
      }
      String ct = up.getHeader("content-type");
      if (!RelayCodecs.passthrough(ex, target.provider())) {
        if (ex.stream() && ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17)) {
          new TranslatingStreamRelay(ex, up, out, done, streamIdleTimeoutMs,
              RelayCodecs.stream(ex, target.provider())).start();
        } else {
          relayTranslated(ex, up, out, providerId, done);
        }
        return;
      }
      if (ex.stream() && ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17)) {
        new StreamRelay(ex, up, out, done, streamIdleTimeoutMs).start();
      } else {
        relayWhole(ex, up, out, providerId, done);
      }
    });
    return done.future();
  }

  private static void relayError(Exchange ex, HttpClientResponse up, String providerId, Promise<Void> done) {
    ex.outcome = "upstream_error";
    up.body().onComplete(b -> {
      byte[] bytes = b.succeeded() ? b.result().getBytes(0, Math.min(b.result().length(), MAX_ERROR_BODY)) : new byte[0];
      done.fail(UpstreamErrors.ofStatus(providerId, up.statusCode(), bytes, up.getHeader("retry-after")));
    });
  }

  private static void relayWhole(Exchange ex, HttpClientResponse up, HttpServerResponse out, String providerId,
                                 Promise<Void> done) {
    up.body().onComplete(b -> {
      if (b.failed()) {
        ex.outcome = "upstream_failed";
        done.fail(UpstreamErrors.ofFailure(providerId, b.cause()));
        return;
      }
      Buffer buffer = b.result();
      byte[] bytes = buffer.getBytes();
      OpenAiResponseScanner.Result r = OpenAiResponseScanner.scan(bytes, null);
      if (!r.valid) {
        ex.outcome = "upstream_malformed";
        done.fail(new GatewayException(ErrorCode.PROVIDER_005,
            "The upstream provider '" + providerId + "' returned a malformed response.", "上游服务商返回了无法解析的响应。",
            Map.of("provider", providerId), null));
        return;
      }
      if (r.usage != null) {
        ex.usage = r.usage;
      } else {
        StringBuilder text = new StringBuilder();
        OpenAiResponseScanner.scan(bytes, text);
        ex.usage = estimate(ex, text);
      }
      ex.servedModel = r.model;
      ex.statusCode = up.statusCode();
      ex.outcome = "ok";
      ex.firstTokenNanos = System.nanoTime();
      out.setStatusCode(up.statusCode());
      var h = out.headers();
      h.set("content-type", "application/json");
      h.set("x-ljq-provider", providerId);
      out.end(buffer).onComplete(v -> {
        ex.endNanos = System.nanoTime();
        done.complete();
      });
    });
  }

  /** A whole answer from an upstream of another dialect (or Anthropic passthrough): translated, then sent. */
  private static void relayTranslated(Exchange ex, HttpClientResponse up, HttpServerResponse out, String providerId,
                                      Promise<Void> done) {
    up.body().onComplete(b -> {
      if (b.failed()) {
        ex.outcome = "upstream_failed";
        done.fail(UpstreamErrors.ofFailure(providerId, b.cause()));
        return;
      }
      byte[] bytes = b.result().getBytes();
      RelayCodecs.Whole w = RelayCodecs.whole(ex, ex.target.provider(), bytes);
      if (w == null) {
        ex.outcome = "upstream_malformed";
        done.fail(new GatewayException(ErrorCode.PROVIDER_005,
            "The upstream provider '" + providerId + "' returned a malformed response.", "上游服务商返回了无法解析的响应。",
            Map.of("provider", providerId), null));
        return;
      }
      ex.usage = w.usage() != null ? w.usage() : estimate(ex, new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      ex.servedModel = w.model();
      ex.statusCode = up.statusCode();
      ex.outcome = "ok";
      ex.firstTokenNanos = System.nanoTime();
      out.setStatusCode(up.statusCode());
      out.headers().set("content-type", "application/json").set("x-ljq-provider", providerId);
      out.end(Buffer.buffer(w.body())).onComplete(v -> {
        ex.endNanos = System.nanoTime();
        done.complete();
      });
    });
  }

  /** Used when the upstream reported no usage: counts what the request sent and what was relayed. */
  static TokenUsage estimate(Exchange ex, CharSequence relayedText) {
    long prompt = TokenCounter.countPrompt(ex.endpoint, ex.parsed.body());
    return new TokenUsage(prompt, TokenCounter.count(relayedText), 0, true);
  }
}
