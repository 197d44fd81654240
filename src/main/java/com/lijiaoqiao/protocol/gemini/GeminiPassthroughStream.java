package com.lijiaoqiao.protocol.gemini;

/** Gemini upstream → Gemini client: every event relayed as it came; usage and the end read on the way. */
public final class GeminiPassthroughStream extends GeminiStreamReader {
  private final String clientModel;

  /** @param clientModel the model the client asked for (a rescue's continuation names it) */
  public GeminiPassthroughStream(String clientModel) {
    this.clientModel = clientModel;
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (read(data) == null) return; // comments, broken events and the upstream's own error are not relayed
    out.append("data: ").append(data).append("\n\n");
  }

  @Override
  public void finish(StringBuilder out) { }

  @Override
  public CharSequence answerSoFar() {
    return functionCall ? null : answer;
  }

  @Override
  public com.lijiaoqiao.protocol.StreamTranslator resumed() {
    return new ChatToGeminiStream(clientModel, answer);
  }
}
