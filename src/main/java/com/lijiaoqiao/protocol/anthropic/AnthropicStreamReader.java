package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenUsage;

/**
 * What every translator of an Anthropic upstream stream tracks the same way: usage, model and content start
 * ({@link AnthropicEvents.State}), the generated text, skipped events, an in-band error and the end.
 */
abstract class AnthropicStreamReader implements StreamTranslator {
  protected final AnthropicEvents.State state = new AnthropicEvents.State();
  protected final StringBuilder text = new StringBuilder();
  protected boolean stopped;
  protected String error;
  protected int malformed;

  @Override public boolean complete() { return stopped; }
  @Override public void finish(StringBuilder out) { }
  @Override public TokenUsage usage() { return state.usage(); }
  @Override public String model() { return state.model; }
  @Override public boolean contentStarted() { return state.contentStarted; }
  @Override public int malformed() { return malformed; }
  @Override public String upstreamError() { return error; }
  @Override public CharSequence text() { return text; }
}
