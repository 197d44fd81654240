package com.lijiaoqiao.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer to a hostile request must be (SPEC §9: "Bad input of any kind … gets a 4xx with a clear message —
 * never a 500, never a hang"): no status ≥ 500, an answer within the bound, every 4xx in the one error shape
 * (Anthropic's wrapper on /v1/messages*, Google's shape on Gemini paths), framing the server must reject not accepted, and no protected route
 * answered 2xx to garbage or insufficient credentials.
 */
final class Verdict {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One broken expectation: its kind (for grouping) and the detail. */
  record Problem(String kind, String detail) {}

  private Verdict() {}

  static List<Problem> check(HostileCase c, Wire.Outcome o) {
    List<Problem> out = new ArrayList<>();
    if (o.error() != null && o.error().equals("timeout")) {
      out.add(new Problem("hang", "no complete answer within the bound"
          + (o.status() > 0 ? " (status " + o.status() + " arrived, the body did not end)" : "")));
      return out;
    }
    if (o.status() < 0) {
      if (!c.closeOk()) out.add(new Problem("no-answer", "connection ended without an answer: " + o.error()));
      return out;
    }
    int s = o.status();
    if (s >= 500) {
      String shape = c.head() ? null : shapeProblem(c, o);
      out.add(new Problem("5xx", "status " + s + (shape == null ? "" : " (and not in the error shape: " + shape + ")")));
    }
    if (c.mustRefuse() && s < 400) {
      out.add(new Problem("accepted", "framing that must be refused was answered " + s));
    }
    if (c.mustNotSucceed() && s >= 200 && s < 300) {
      boolean headerCredOk = c.cred().startsWith("key") || c.cred().startsWith("admin") || c.cred().startsWith("member")
          || c.cred().startsWith("variant");
      if (headerCredOk && c.mutation().contains("=<credential>")) {
        out.add(new Problem("query-key-accepted", "a credential in the query string was not refused (docs: 401 "
            + "QUERY_KEY_NOT_ALLOWED); answered " + s));
      } else {
        out.add(new Problem("auth-bypass", "answered " + s + " to credential " + c.cred()));
      }
    }
    if (o.error() != null && s < 400) {
      out.add(new Problem("broken-body", "answer " + s + " whose body broke off: " + o.error()));
    }
    if (s >= 400 && s < 500 && !c.head()) {
      String shape = shapeProblem(c, o);
      if (shape != null) out.add(new Problem("shape", shape));
    }
    return out;
  }

  /**
   * What HTTP decoder refusals say (EdgeGuard.invalid): they are answered before any routing, in OpenAI's shape
   * (Anthropic's on /v1/messages*, read from the first bytes), also on Google's paths — documented there.
   */
  private static final List<String> EDGE_DECODER_MESSAGES = List.of("The request headers are larger than ",
      "The request line is longer than ", "A request must not carry both Transfer-Encoding and Content-Length.",
      "The HTTP request is malformed.");

  /** Null when the body is the documented error; otherwise what is wrong with it. */
  static String shapeProblem(HostileCase c, Wire.Outcome o) {
    if (o.error() != null) return "error body broke off: " + o.error();
    String ct = o.header("content-type");
    JsonNode root;
    try {
      root = JSON.readTree(o.body());
    } catch (Exception e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      return "not JSON (content-type " + ct + ", " + o.body().length + " bytes)";
    }
    List<String> bad = new ArrayList<>();
    if (ct == null || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) bad.add("content-type " + ct);
    boolean wrapped = "error".equals(root.path("type").asText(null));
    JsonNode err = root.get("error");
    if (err == null || !err.isObject()) {
      bad.add("no 'error' object");
      return String.join("; ", bad);
    }
    boolean googleShaped = err.path("code").isInt();
    boolean gemini = c.gemini();
    if (c.anyShape()) {
      // the request line itself was garbage: whichever shape, but complete
      if (googleShaped) googleShape(err, o, bad);
      else ourShape(err, o, bad);
      return bad.isEmpty() ? null : String.join("; ", bad);
    }
    if (gemini && !googleShaped && edgeDecoderRefusal(err, o.status())) {
      gemini = false; // EdgeGuard.invalid: answered before routing, in OpenAI's shape
    }
    if (gemini) {
      if (wrapped) bad.add("Anthropic wrapper on a Gemini path");
      if (!googleShaped) bad.add("not Google's shape on " + CaseGenerator.clip(c.pathOnly()) + " (error.code not the HTTP status)");
      googleShape(err, o, bad);
    } else {
      if (c.anthropic() && !wrapped) bad.add("no Anthropic {\"type\":\"error\"} wrapper on " + c.pathOnly());
      if (!c.anthropic() && wrapped) bad.add("Anthropic wrapper on a non-Anthropic path");
      if (googleShaped) bad.add("Google's shape on a non-Gemini path " + CaseGenerator.clip(c.pathOnly()));
      ourShape(err, o, bad);
    }
    return bad.isEmpty() ? null : String.join("; ", bad);
  }

  private static boolean edgeDecoderRefusal(JsonNode err, int status) {
    String m = err.path("message").asText("");
    return (status == 400 || status == 414 || status == 431) && "COMMON_001".equals(err.path("code").asText(null))
        && EDGE_DECODER_MESSAGES.stream().anyMatch(m::startsWith);
  }

  /** SPEC §9's error object (OpenAI's shape; Anthropic's wrapper is checked by the caller). */
  private static void ourShape(JsonNode err, Wire.Outcome o, List<String> bad) {
    requireText(err, "code", bad);
    requireText(err, "message", bad);
    requireText(err, "type", bad);
    requireText(err, "trace_id", bad);
    requireText(err, "doc_url", bad);
    requireI18n(err, bad);
    if (!err.has("details") || !(err.get("details").isObject() || err.get("details").isNull())) bad.add("details missing");
    if (!err.path("retryable").isBoolean()) bad.add("retryable not a boolean");
    requireTraceId(err, o, bad);
  }

  /**
   * Google's shape (ErrorRenderer.gemini): {@code code} the HTTP status, {@code status} the canonical name, an
   * ErrorInfo naming our code, and our fields beside them.
   */
  private static void googleShape(JsonNode err, Wire.Outcome o, List<String> bad) {
    JsonNode code = err.get("code");
    if (code == null || !code.isInt()) bad.add("error.code not an integer");
    else if (code.asInt() != o.status()) bad.add("error.code " + code.asInt() + " ≠ HTTP status " + o.status());
    requireText(err, "message", bad);
    requireText(err, "status", bad);
    if (err.path("status").isTextual() && !err.get("status").asText().matches("[A-Z_]+")) bad.add("error.status not a canonical name");
    requireText(err, "ljq_code", bad);
    requireText(err, "trace_id", bad);
    requireText(err, "doc_url", bad);
    requireI18n(err, bad);
    if (!err.has("ljq_details") || !(err.get("ljq_details").isObject() || err.get("ljq_details").isNull())) {
      bad.add("ljq_details missing");
    }
    if (!err.path("retryable").isBoolean()) bad.add("retryable not a boolean");
    JsonNode details = err.get("details");
    JsonNode info = details != null && details.isArray() && !details.isEmpty() ? details.get(0) : null;
    if (info == null || !info.isObject()) {
      bad.add("error.details[0] (ErrorInfo) missing");
    } else {
      if (!"type.googleapis.com/google.rpc.ErrorInfo".equals(info.path("@type").asText(null))) bad.add("details[0].@type not ErrorInfo");
      if (!info.path("reason").isTextual() || !info.get("reason").asText().equals(err.path("ljq_code").asText(null))) {
        bad.add("details[0].reason ≠ ljq_code");
      }
      if (!info.path("domain").isTextual()) bad.add("details[0].domain missing");
      if (!info.path("metadata").path("trace_id").asText("").equals(err.path("trace_id").asText(null))) {
        bad.add("details[0].metadata.trace_id ≠ trace_id");
      }
    }
    requireTraceId(err, o, bad);
  }

  private static void requireI18n(JsonNode err, List<String> bad) {
    JsonNode i18n = err.get("message_i18n");
    if (i18n == null || !i18n.isObject() || !i18n.path("zh_CN").isTextual() || !i18n.path("en_US").isTextual()) {
      bad.add("message_i18n.{zh_CN,en_US} missing");
    }
  }

  private static void requireTraceId(JsonNode err, Wire.Outcome o, List<String> bad) {
    String rid = o.header("x-request-id");
    if (rid == null) {
      bad.add("no x-request-id header");
    } else if (err.path("trace_id").isTextual() && !rid.equals(err.get("trace_id").asText())) {
      bad.add("trace_id ≠ x-request-id");
    }
  }

  private static void requireText(JsonNode err, String field, List<String> bad) {
    JsonNode n = err.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) bad.add("error." + field + " missing");
  }
}
