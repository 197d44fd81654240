package com.lijiaoqiao.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer to a hostile request must be (SPEC §9: "Bad input of any kind … gets a 4xx with a clear message —
 * never a 500, never a hang"): no status ≥ 500, an answer within the bound, every 4xx in the one error shape
 * (Anthropic's wrapper on /v1/messages*), framing the server must reject not accepted, and no protected route
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
    if (!c.anyShape()) {
      if (c.anthropic() && !wrapped) bad.add("no Anthropic {\"type\":\"error\"} wrapper on " + c.pathOnly());
      if (!c.anthropic() && wrapped) bad.add("Anthropic wrapper on a non-Anthropic path");
    }
    JsonNode err = root.get("error");
    if (err == null || !err.isObject()) {
      bad.add("no 'error' object");
      return String.join("; ", bad);
    }
    requireText(err, "code", bad);
    requireText(err, "message", bad);
    requireText(err, "type", bad);
    requireText(err, "trace_id", bad);
    requireText(err, "doc_url", bad);
    JsonNode i18n = err.get("message_i18n");
    if (i18n == null || !i18n.isObject() || !i18n.path("zh_CN").isTextual() || !i18n.path("en_US").isTextual()) {
      bad.add("message_i18n.{zh_CN,en_US} missing");
    }
    if (!err.has("details") || !(err.get("details").isObject() || err.get("details").isNull())) bad.add("details missing");
    if (!err.path("retryable").isBoolean()) bad.add("retryable not a boolean");
    String rid = o.header("x-request-id");
    if (rid == null) {
      bad.add("no x-request-id header");
    } else if (err.path("trace_id").isTextual() && !rid.equals(err.get("trace_id").asText())) {
      bad.add("trace_id ≠ x-request-id");
    }
    return bad.isEmpty() ? null : String.join("; ", bad);
  }

  private static void requireText(JsonNode err, String field, List<String> bad) {
    JsonNode n = err.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) bad.add("error." + field + " missing");
  }
}
