package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorRenderer;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.OpenAiResponseScanner;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.SseEventSplitter;
import com.lijiaoqiao.protocol.TokenUsage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays an OpenAI-format SSE stream to an OpenAI-format client as it is, event by event, reading usage on
 * the way; drops the usage chunk the gateway asked for on the client's behalf, and adds {@code usage.cost}
 * to the one the client asked for. A malformed chunk is skipped and logged; a stream that completed without
 * {@code [DONE]} is finalised promptly.
 */
final class StreamRelay extends SseRelay {
  private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
  private static final byte[] DONE_DATA = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final StringBuilder text = new StringBuilder();
  /** The answer text relayed (for a rescue), and whether a tool call was (no rescue then). */
  private final StringBuilder answer = new StringBuilder();
  private boolean toolCall;
  private final boolean clientWantsUsage;
  private boolean sawDone;
  private boolean sawFinish;
  private int malformed;
  /** Events held back before the commit (role-only deltas): sent with the first real content. */
  private List<Buffer> held;

  StreamRelay(Exchange ex, HttpClientResponse up, HttpServerResponse out, Listener listener, long idleTimeoutMs) {
    super(ex, up, out, listener, idleTimeoutMs);
    this.clientWantsUsage = ex.parsed.includeUsage();
  }

  private void write(Buffer b) {
    if (held != null) {
      List<Buffer> h = held;
      held = null;
      for (Buffer x : h) send(x);
    }
    send(b);
  }

  @Override
  public void onEvent(SseEventSplitter.Event e) {
    if (finished) return;
    if (e.dataIs(DONE_DATA)) {
      sawDone = true;
      return; // written once, at the end, after any usage chunk
    }
    String data = null;
    OpenAiResponseScanner.Result r;
    int textBefore = text.length();
    if (e.singleDataLine()) {
      // The usual case: scan the event's bytes where they lie, without decoding them to text.
      r = OpenAiResponseScanner.scan(e.bytes(), e.dataOffset(), e.dataLength(), text);
    } else {
      data = e.data();
      if (data == null) {
        if (committed) send(e.relayable()); // comments and keep-alives pass through once committed
        return;
      }
      r = OpenAiResponseScanner.scan(data.getBytes(StandardCharsets.UTF_8), text);
    }
    if (!r.valid) {
      malformed++;
      log.warn("request {}: skipped a malformed chunk from provider {}", ex.requestId, ex.target.provider().id());
      return;
    }
    if (r.isError) {
      // The upstream reported an error in-band: the stream is broken. Its event is never relayed (upstream text
      // may carry anything); after the commit the gateway's own error event ends the stream instead.
      fail("upstream_error", null);
      return;
    }
    Buffer bytes = e.relayable();
    if (r.model != null) {
      ex.reportServedModel(r.model);
      if (!r.model.equals(ex.servedModel) && ex.servedModel != null) {
        // The upstream's model name is not fit to repeat: this event goes out with the name the gateway asked for.
        data = new String(ReportedModel.rewrite((data != null ? data : e.data()).getBytes(StandardCharsets.UTF_8),
            ex.servedModel), StandardCharsets.UTF_8);
        bytes = Buffer.buffer("data: " + data + "\n\n");
      }
    }
    if (r.finishReason != null) sawFinish = true;
    if (r.toolCalls) toolCall = true;
    if (r.usage != null) {
      ex.usage = r.usage;
      if (!r.hasChoices && !clientWantsUsage) return;
      if (!r.hasChoices && committed && ex.billed()) {
        // The final usage: book the charge before the stream's last byte and show it as usage.cost. The stream
        // is complete as far as the charge goes (the journaled usage record says so).
        ex.outcome = malformed > 0 ? "ok_skipped_malformed" : "ok";
        write(Buffer.buffer("data: " + UsageCost.withCost(data != null ? data : e.data(), ex.settle()) + "\n\n"));
        return;
      }
    }
    boolean substantive = text.length() > textBefore || r.finishReason != null;
    if (!committed && !substantive) {
      // Nothing generated yet (e.g. the role-only first delta): hold it, so a slow first token can still fall over.
      if (held == null) held = new ArrayList<>(2);
      held.add(bytes);
      return;
    }
    if (ex.firstTokenNanos == 0 && r.hasChoices) ex.firstTokenNanos = System.nanoTime();
    if (r.content != null) answer.append(r.content);
    write(bytes);
  }

  @Override
  protected void upstreamEnded() {
    boolean complete = sawDone || (sawFinish && splitter.remainder().isBlank());
    if (!complete) {
      fail("upstream_cut", null);
      return;
    }
    // A stream that finished but forgot [DONE] is finalised here, promptly, with usage.
    finishComplete(malformed > 0 ? "ok_skipped_malformed" : "ok", DONE.copy());
  }

  @Override
  protected void settleUsage() {
    ex.usage = usageSoFar();
  }

  @Override
  protected TokenUsage reportedSoFar() {
    return ex.usage;
  }

  @Override
  protected CharSequence relayedText() {
    return text;
  }

  @Override
  protected TokenUsage usageSoFar() {
    return ex.usage == null || ex.usage == TokenUsage.NONE ? RelayStage.estimate(ex, text) : ex.usage;
  }

  @Override
  protected CharSequence answerSoFar() {
    return toolCall ? null : answer;
  }

  @Override
  protected StreamTranslator resumedEncoder() {
    return new com.lijiaoqiao.protocol.ChatContinuationStream(ex.servedModel != null ? ex.servedModel : ex.model(),
        clientWantsUsage, answer);
  }

  @Override
  protected Buffer errorEvent(GatewayException error) {
    return Buffer.buffer("data: ").appendBytes(ErrorRenderer.body(error, ex.requestId, ErrorRenderer.Shape.OPENAI))
        .appendString("\n\n");
  }
}
