package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.anthropic.Usage;

/**
 * The seam of a rescued stream, on hub chunks between the fallback's decoder and the client's resumed encoder. The
 * first characters of the continuation are held until the join is checked: a few words the fallback repeats from
 * the end of the client's copy are trimmed, and a continuation that starts the answer over (or calls a tool) is
 * refused before anything of it reaches the client. Reasoning and the continuation's own opening are dropped; the
 * usage the client is shown covers both parts.
 */
public final class ContinuationJoin implements StreamTranslator {
  /** Characters held at least before the join is checked (fewer when the continuation ends first). */
  static final int VERIFY_CHARS = 48;
  /** A repeated tail shorter than this is taken as the text's own (a word may repeat legitimately). */
  static final int MIN_OVERLAP = 8;
  static final int MAX_OVERLAP = 200;
  /** A client copy at least this long whose opening the continuation repeats: the answer was started over. */
  static final int RESTART_MIN = 20;

  private final String prior;
  private final TokenUsage priorUsage;
  private final StreamTranslator encoder;
  private final StringBuilder pending = new StringBuilder();
  private ObjectNode held;
  private boolean verified;
  private boolean done;
  private String error;
  /** How much of the continuation is held for the check: enough to see a repeated tail, or the whole copy again. */
  private final int verifyChars;

  /**
   * @param prior      the answer text the client already has
   * @param priorUsage what the cut part used (added to the usage the client is shown)
   * @param encoder    the client's stream, resumed
   */
  public ContinuationJoin(CharSequence prior, TokenUsage priorUsage, StreamTranslator encoder) {
    this.prior = prior.toString();
    this.priorUsage = priorUsage == null ? TokenUsage.NONE : priorUsage;
    this.encoder = encoder;
    this.verified = this.prior.isEmpty();
    this.verifyChars = Math.max(VERIFY_CHARS, Math.min(this.prior.length(), MAX_OVERLAP) + 1);
  }

  @Override
  public void onEvent(String name, String data, StringBuilder out) {
    if (error != null || data == null) return;
    if (data.equals("[DONE]")) {
      release(out);
      done = true; // passed on in finish: the client stream's end then lands in the last frames (charge, note)
      return;
    }
    JsonNode n = Json.tryParse(data);
    if (!(n instanceof ObjectNode c) || Json.present(c.get("error"))) {
      encoder.onEvent(name, data, out); // the encoder counts it, or notes the error
      return;
    }
    if (c.path("usage").isObject()) c.set("usage", Usage.toOpenAi(Usage.fromOpenAi(c.get("usage")).plus(priorUsage)));
    JsonNode choice = c.path("choices").path(0);
    if (choice instanceof ObjectNode ch && ch.get("delta") instanceof ObjectNode d) {
      if (d.has("tool_calls")) {
        error = "the fallback called a tool while continuing a text answer";
        return;
      }
      d.remove("reasoning_content");
      d.remove("role");
      String content = Json.text(d, "content");
      if (!verified) {
        if (content != null) pending.append(content);
        d.remove("content");
        held = c;
        if (pending.length() < verifyChars && Json.text(ch, "finish_reason") == null) return;
        release(out);
        return;
      }
    }
    encoder.onEvent(name, Json.string(c), out);
  }

  /** Checks the join on what is held and passes on what remains of it (with the chunk that brought it). */
  private void release(StringBuilder out) {
    if (verified) return;
    verified = true;
    String cont = pending.toString();
    pending.setLength(0);
    ObjectNode c = held;
    held = null;
    if (prior.length() >= RESTART_MIN && cont.startsWith(prior.substring(0, Math.min(40, prior.length())))) {
      if (!cont.startsWith(prior)) {
        // Started over and went another way: neither copy can be joined to the other.
        error = "the fallback started the answer over instead of continuing it";
        return;
      }
      cont = cont.substring(prior.length()); // started over word for word: what the client has is skipped
    }
    // A prefill leaves the copy's trailing whitespace out; the continuation brings its own, which is not doubled.
    int ws = 0;
    while (ws < prior.length() && Character.isWhitespace(prior.charAt(prior.length() - 1 - ws))) ws++;
    int lead = 0;
    while (lead < ws && lead < cont.length() && Character.isWhitespace(cont.charAt(lead))) lead++;
    cont = cont.substring(lead);
    int k = Math.min(MAX_OVERLAP, Math.min(prior.length(), cont.length()));
    for (; k >= MIN_OVERLAP; k--) {
      if (prior.endsWith(cont.substring(0, k))) break;
    }
    String rest = k >= MIN_OVERLAP ? cont.substring(k) : cont;
    if (c == null) {
      if (rest.isEmpty()) return;
      c = Json.obj();
      c.putArray("choices").addObject().put("index", 0).putObject("delta");
    }
    if (!rest.isEmpty()) ((ObjectNode) c.get("choices").get(0).get("delta")).put("content", rest);
    encoder.onEvent(null, Json.string(c), out);
  }

  @Override
  public void finish(StringBuilder out) {
    release(out);
    if (done && error == null) encoder.onEvent(null, "[DONE]", out);
    encoder.finish(out);
  }

  @Override public boolean complete() { return encoder.complete(); }
  @Override public TokenUsage usage() { return encoder.usage(); }
  @Override public String model() { return encoder.model(); }
  @Override public boolean contentStarted() { return true; }
  @Override public int malformed() { return encoder.malformed(); }
  @Override public String upstreamError() { return error != null ? error : encoder.upstreamError(); }
  @Override public CharSequence text() { return encoder.text(); }
  @Override public CharSequence answerSoFar() { return encoder.answerSoFar(); }
  @Override public StreamTranslator resumed() { return encoder.resumed(); }
}
