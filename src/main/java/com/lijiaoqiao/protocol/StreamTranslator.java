package com.lijiaoqiao.protocol;

import com.lijiaoqiao.protocol.TokenUsage;

/**
 * Turns one upstream SSE stream into the client's dialect, event by event as each arrives (nothing is held
 * back beyond the event being translated). One instance per stream; not thread-safe (an event loop owns it).
 * Implementations also read what the gateway needs on the way: usage, the served model, whether the
 * upstream finished, and the generated text for estimates when usage never comes.
 */
public interface StreamTranslator {
  /** Feeds one upstream event ({@code name} may be null); appends the client's SSE frames to {@code out}. */
  void onEvent(String name, String data, StringBuilder out);

  /** True once the upstream said the answer is complete. */
  boolean complete();

  /** After a complete upstream stream: appends whatever ends the client's stream. */
  void finish(StringBuilder out);

  /** The usage reported so far, or null. */
  TokenUsage usage();

  String model();

  /** Content (text, tool call, thinking) has been produced. */
  boolean contentStarted();

  /** Upstream events that could not be read (skipped). */
  int malformed();

  /**
   * The upstream reported an error in-band: its message (never relayed as is; the relay ends the stream with the
   * gateway's own error in the client's dialect), or null.
   */
  String upstreamError();

  /** Generated text so far (for token estimates). */
  CharSequence text();

  /**
   * The answer text (content only: no reasoning, no tool call) the client has received through this translator, for
   * a mid-stream rescue to continue from; null when the stream may not be continued (it holds a tool call).
   */
  default CharSequence answerSoFar() {
    return null;
  }

  /**
   * A translator that continues this client's stream from hub (chat) chunks, without opening it again (no second
   * message_start or response.created; an open text block stays open); null when it cannot.
   */
  default StreamTranslator resumed() {
    return null;
  }

  static void anthropicFrame(StringBuilder out, String type, String json) {
    out.append("event: ").append(type).append("\ndata: ").append(json).append("\n\n");
  }

  static void openAiFrame(StringBuilder out, String json) {
    out.append("data: ").append(json).append("\n\n");
  }
}
