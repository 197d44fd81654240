package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Endpoint;
import java.util.Locale;
import java.util.Set;

/**
 * When a stream that broke after its first byte may be continued on a fallback (SPEC §3: splice only when it is
 * safe, and say so), and how a continuation is asked for. Pure decisions over the exchange; the fail-over carries
 * them out.
 */
public final class Rescue {
  /** The continuation instruction for a fallback that does not take assistant prefill. */
  static final String INSTRUCTION = "Your previous answer was cut off. Continue it exactly where it stopped: do not"
      + " repeat anything already written and add nothing before the continuation; output only the rest of the answer.";
  /** Continuations one request may need (a fallback that breaks too is continued once more). */
  static final int MAX_RESCUES = 2;
  /** Below this much time left before the deadline, a continuation is not started. */
  static final long MIN_REMAINING_MS = 1_000;
  /** The breaks a continuation can mend: the answer stopped, stalled, turned to garbage, or the upstream said so. */
  private static final Set<String> MENDABLE = Set.of("upstream_cut", "upstream_stalled", "upstream_malformed",
      "upstream_error");
  /** The request header by which a caller opts out. */
  static final String OPT_OUT_HEADER = "x-ljq-rescue";

  /** The gateway's switches: on or off, and the public models never continued. */
  public record Policy(boolean enabled, Set<String> offForModels) {
    static final Policy ON = new Policy(true, Set.of());
  }

  private Rescue() {}

  /**
   * Whether this break may be mended at all (what was sent, tool calls, is checked by the relay): a text stream of
   * chat completions, no structured output, not opted out, within the number of rescues.
   */
  static boolean eligible(Exchange ex, Policy policy, String outcome, int rescuesSoFar) {
    if (!policy.enabled() || policy.offForModels().contains(ex.model())) return false;
    if (!ex.stream() || ex.endpoint != Endpoint.CHAT_COMPLETIONS || rescuesSoFar >= MAX_RESCUES) return false;
    if (!MENDABLE.contains(outcome)) return false;
    String opt = ex.request.getHeader(OPT_OUT_HEADER);
    if (opt != null && (opt.equalsIgnoreCase("off") || opt.equalsIgnoreCase("false") || opt.equals("0"))) return false;
    // A structured-output answer cut mid-way cannot be joined safely: another model's JSON would not fit the first's.
    JsonNode rf = ex.parsed.body().get("response_format");
    return rf == null || rf.isNull() || "text".equals(rf.path("type").asText("text"));
  }

  /** An upstream's refusal of assistant prefill (Claude 4.6+ and others): the continuation asks in words instead. */
  static boolean refusesPrefill(GatewayException err) {
    if (err == null || err.code().status != 400 && err.code().status != 502) return false;
    String m = String.valueOf(err.getMessage()).toLowerCase(Locale.ROOT);
    return m.contains("prefill") || m.contains("must end with a user message")
        || m.contains("final assistant content") || m.contains("last message must be");
  }

  /** The {@code x-ljq-rescued} note the last event of a rescued stream carries. */
  static String note(String providerId, String model, String reason, int rescues) {
    return "{\"provider\":\"" + jsonSafe(providerId) + "\",\"model\":\"" + jsonSafe(model) + "\",\"reason\":\""
        + jsonSafe(reason) + "\",\"rescues\":" + rescues + "}";
  }

  private static String jsonSafe(String s) {
    if (s == null) return "";
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c >= 0x20) sb.append(c);
    }
    return sb.toString();
  }
}
