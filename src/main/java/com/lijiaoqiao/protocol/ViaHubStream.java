package com.lijiaoqiao.protocol;

/**
 * One upstream dialect to another client dialect through the hub: the upstream's events become chat chunks
 * ({@code decoder}), which become the client's frames ({@code encoder}). What the gateway reads (usage, served
 * model, completeness, text, in-band errors) comes from the decoder, which saw the upstream's own words; what the
 * client saw start comes from the encoder. Two directions per dialect, never a translator per pair.
 */
public final class ViaHubStream implements StreamTranslator {
  private final StreamTranslator decoder;
  private final StreamTranslator encoder;
  private final StringBuilder hub = new StringBuilder(256);

  public ViaHubStream(StreamTranslator decoder, StreamTranslator encoder) {
    this.decoder = decoder;
    this.encoder = encoder;
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    decoder.onEvent(name, data, hub);
    drain(out);
  }

  /** Feeds the hub frames the decoder wrote ({@code data: …\n\n}) to the encoder. */
  private void drain(StringBuilder out) {
    int at = 0;
    while (at < hub.length()) {
      int end = hub.indexOf("\n\n", at);
      if (end < 0) break;
      if (hub.indexOf("data: ", at) == at) encoder.onEvent(null, hub.substring(at + 6, end), out);
      at = end + 2;
    }
    hub.setLength(0);
  }

  @Override
  public void finish(StringBuilder out) {
    decoder.finish(hub);
    drain(out);
    encoder.finish(out);
  }

  @Override public boolean complete() { return decoder.complete(); }
  @Override public TokenUsage usage() { return decoder.usage(); }
  @Override public String model() { return decoder.model(); }
  @Override public boolean contentStarted() { return encoder.contentStarted() || decoder.contentStarted(); }
  @Override public int malformed() { return decoder.malformed() + encoder.malformed(); }
  @Override public String upstreamError() {
    return decoder.upstreamError() != null ? decoder.upstreamError() : encoder.upstreamError();
  }
  @Override public CharSequence text() { return decoder.text(); }
  @Override public CharSequence answerSoFar() { return encoder.answerSoFar(); }
  @Override public StreamTranslator resumed() { return encoder.resumed(); }
}
