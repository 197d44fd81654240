package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.SseEventSplitter;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.StreamTranslator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Relays every dialect pair other than OpenAI → OpenAI: each upstream event goes through a
 * {@link StreamTranslator} and what it yields is sent at once. The endings are {@link SseRelay}'s, with the
 * in-band error in the client's dialect (no {@code [DONE]} / {@code message_stop} after it).
 */
final class TranslatingStreamRelay extends SseRelay {
  private final StreamTranslator translator;
  private final StringBuilder frames = new StringBuilder(512);
  /** For a rescue's continuation: the {@code x-ljq-rescued} object the last event carries; else null. */
  String rescuedNote;

  TranslatingStreamRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, Listener listener,
                         long idleTimeoutMs, StreamTranslator translator) {
    super(ex, up, out, listener, idleTimeoutMs);
    this.translator = translator;
  }

  @Override
  public void onEvent(SseEventSplitter.Event e) {
    if (finished) return;
    translator.onEvent(e.name(), e.data(), frames);
    if (translator.upstreamError() != null) {
      frames.setLength(0);
      fail("upstream_error", null);
      return;
    }
    if (!committed && !translator.contentStarted()) {
      return; // frames wait (e.g. message_start) until there is content, so a slow start can still fall over
    }
    if (ex.firstTokenNanos == 0) ex.firstTokenNanos = System.nanoTime();
    sendFrames();
  }

  private void sendFrames() {
    if (!frames.isEmpty()) {
      send(Buffer.buffer(frames.toString()));
      frames.setLength(0);
    }
  }

  @Override
  protected void upstreamEnded() {
    if (!translator.complete()) {
      fail("upstream_cut", null);
      return;
    }
    sendFrames();
    settleUsage();
    ex.outcome = translator.malformed() > 0 ? "ok_skipped_malformed" : "ok"; // the journaled usage record says so
    long cost = ex.settle(); // booked before the stream's last byte (finishComplete finds it settled)
    translator.finish(frames);
    if (ex.billed()) insertCost(frames, cost);
    if (rescuedNote != null) insertRescued(frames, rescuedNote);
    Buffer last = Buffer.buffer(frames.toString());
    frames.setLength(0);
    finishComplete(translator.malformed() > 0 ? "ok_skipped_malformed" : "ok", last);
  }

  /** Puts the charge into the last usage object the translator wrote at the end of the stream. */
  private static void insertCost(StringBuilder frames, long cost) {
    // A Gemini client's stream reports usage as usageMetadata.
    String key = frames.lastIndexOf("\"usage\":{") >= 0 ? "\"usage\":{" : "\"usageMetadata\":{";
    insertFirst(frames, key, "\"cost\":" + Money.toDecimal(cost).toPlainString());
  }


  /** The last event of a rescued stream says so: {@code "x-ljq-rescued":{…}} first in its JSON object. */
  private static void insertRescued(StringBuilder frames, String note) {
    insertFirst(frames, "data: {", "\"x-ljq-rescued\":" + note);
  }

  /** Puts {@code field} first into the last JSON object opened by {@code key} in the frames (nothing if none). */
  private static void insertFirst(StringBuilder frames, String key, String field) {
    int at = frames.lastIndexOf(key);
    if (at < 0) return;
    int brace = at + key.length();
    boolean empty = brace < frames.length() && frames.charAt(brace) == '}';
    frames.insert(brace, field + (empty ? "" : ","));
  }

  @Override
  protected CharSequence answerSoFar() {
    return translator.answerSoFar();
  }

  @Override
  protected StreamTranslator resumedEncoder() {
    return translator.resumed();
  }

  @Override
  protected String why(String outcome) {
    // The upstream's own words are not repeated: they may carry anything, a credential included.
    return "upstream_error".equals(outcome) ? "reported an error mid-stream" : super.why(outcome);
  }

  @Override
  protected void settleUsage() {
    if (translator.model() != null) ex.reportServedModel(translator.model());
    ex.usage = usageSoFar();
  }

  @Override
  protected TokenUsage reportedSoFar() {
    return translator.usage();
  }

  @Override
  protected CharSequence relayedText() {
    return translator.text();
  }

  @Override
  protected TokenUsage usageSoFar() {
    TokenUsage u = translator.usage();
    // A cut stream may have reported only its input side: count what was generated then.
    if (u == null || (u.completionTokens() == 0 && !translator.text().isEmpty())) {
      TokenUsage est = RelayStage.estimate(ex, translator.text());
      return u == null ? est : new TokenUsage(u.promptTokens(), est.completionTokens(), u.cachedPromptTokens(), true,
          u.cacheCreationTokens());
    }
    return u;
  }

  @Override
  protected Buffer errorEvent(GatewayException error) {
    if (ex.responses != null && ex.responses.stream != null) {
      return Buffer.buffer(ex.responses.stream.failed(error.code().name(), error.getMessage(), ex.requestId));
    }
    if (ex.ingress == Dialect.GEMINI) {
      // Google's streams end a failure with an event holding only the error object.
      StringBuilder sb = new StringBuilder();
      StreamTranslator.openAiFrame(sb, new String(ErrorRenderer.body(error, ex.requestId, ErrorRenderer.Shape.GEMINI),
          StandardCharsets.UTF_8));
      return Buffer.buffer(sb.toString());
    }
    boolean anthropic = ex.ingress == Dialect.ANTHROPIC;
    String json = new String(ErrorRenderer.body(error, ex.requestId,
        anthropic ? ErrorRenderer.Shape.ANTHROPIC : ErrorRenderer.Shape.OPENAI), StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(json.length() + 32);
    if (anthropic) StreamTranslator.anthropicFrame(sb, "error", json);
    else StreamTranslator.openAiFrame(sb, json);
    return Buffer.buffer(sb.toString());
  }
}
