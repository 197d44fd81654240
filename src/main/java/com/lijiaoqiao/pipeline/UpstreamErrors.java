package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.SecretScrubber;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Turns what went wrong upstream into the gateway's documented errors, without leaking upstream secrets. */
final class UpstreamErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UpstreamErrors() {}

  /** The upstream could not be reached or stopped answering before its headers. */
  static GatewayException ofFailure(String providerId, Throwable t) {
    if (isTimeout(t)) {
      return new GatewayException(ErrorCode.ROUTER_003,
          "The upstream provider '" + providerId + "' did not answer in time.", "上游服务商响应超时。",
          Map.of("provider", providerId), null);
    }
    String what = t instanceof ConnectException ? "could not be reached"
        : (t instanceof HttpClosedException || t instanceof StreamResetException) ? "closed the connection"
        : "failed";
    return new GatewayException(ErrorCode.PROVIDER_005,
        "The upstream provider '" + providerId + "' " + what + ".", "上游服务商连接失败。",
        Map.of("provider", providerId), null);
  }

  static boolean isTimeout(Throwable t) {
    return t instanceof TimeoutException
        || (t.getMessage() != null && t.getMessage().toLowerCase().contains("timeout"))
        || t.getClass().getSimpleName().contains("Timeout");
  }

  /**
   * Upstream codes and types the gateway repeats (in {@code details} and outcome labels): a fixed vocabulary.
   * Anything else an upstream puts there is data that may carry anything, a credential included, and is dropped.
   */
  static final java.util.Set<String> KNOWN_CODES = java.util.Set.of(
      "rate_limit_exceeded", "context_length_exceeded", "content_policy_violation", "content_filter",
      "insufficient_quota", "model_not_found", "invalid_api_key", "invalid_request_error", "invalid_value",
      "invalid_type", "missing_required_parameter", "unsupported_parameter", "unsupported_value",
      "string_above_max_length", "array_above_max_length", "server_error", "server_overloaded", "overloaded_error",
      "rate_limit_error", "authentication_error", "permission_error", "not_found_error", "request_too_large",
      "api_error", "tokens", "requests", "billing_hard_limit_reached", "quota_exceeded", "timeout",
      "engine_overloaded", "service_unavailable", "invalid_prompt", "context_window_exceeded",
      "model_context_window_exceeded", "unsupported_country_region_territory");

  /** A parameter name an upstream pointed at: kept only when it looks like one (messages[0].content). */
  private static final java.util.regex.Pattern PARAM = java.util.regex.Pattern.compile("[A-Za-z0-9_.\\[\\]]{1,64}");

  /** The upstream's code or type when it is one of {@link #KNOWN_CODES}, else null. */
  static String knownCode(String s) {
    if (s == null) return null;
    String c = s.trim().toLowerCase(java.util.Locale.ROOT);
    return KNOWN_CODES.contains(c) ? c : null;
  }

  /** The upstream answered with an error status. */
  static GatewayException ofStatus(String providerId, int status, byte[] body, String retryAfter) {
    String upstreamMessage = null;
    String upstreamCode = null;
    String upstreamType = null;
    String param = null;
    try {
      JsonNode root = JSON.readTree(body);
      JsonNode err = root == null ? null : root.get("error");
      if (err != null && err.isObject()) {
        upstreamMessage = text(err, "message");
        upstreamCode = knownCode(text(err, "code"));
        upstreamType = knownCode(text(err, "type"));
        param = text(err, "param");
      } else if (err != null && err.isTextual()) {
        upstreamMessage = err.asText();
      }
    } catch (Exception ignored) {
      // not JSON: the status alone says enough
    }
    if (param != null && (!PARAM.matcher(param).matches() || !SecretScrubber.clean(param))) param = null;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("provider", providerId);
    details.put("upstream_status", status);
    if (upstreamCode != null) details.put("upstream_code", upstreamCode);
    if (upstreamType != null) details.put("upstream_type", upstreamType);
    if (param != null) details.put("param", param);
    Integer retry = parseRetryAfter(retryAfter);

    if (status == 400 || status == 413 || status == 422) {
      // The request itself is at fault (context too long, content policy, bad parameter): say why, in words
      // scrubbed of every credential the gateway holds and of anything shaped like a key.
      String msg = SecretScrubber.scrub(upstreamMessage);
      return new GatewayException(ErrorCode.COMMON_001,
          "The upstream rejected the request" + (upstreamCode != null ? " (" + upstreamCode + ")" : "")
              + (msg != null && !msg.isBlank() ? ": " + msg : "."), "上游拒绝了该请求。", details, null);
    }
    if (status == 404) {
      return new GatewayException(ErrorCode.PROVIDER_004,
          "The upstream provider '" + providerId + "' does not serve this model.", "上游服务商不提供该模型。",
          details, null);
    }
    if (status == 401 || status == 403) {
      // The platform's credential for that upstream is wrong: not the caller's fault, and never echoed.
      return new GatewayException(ErrorCode.PROVIDER_005,
          "The upstream provider '" + providerId + "' refused the gateway's credentials.", "上游服务商拒绝了网关的凭证。",
          details, null);
    }
    String msg = status == 429 ? "The upstream provider '" + providerId + "' is rate limiting requests."
        : "The upstream provider '" + providerId + "' answered with an error (HTTP " + status + ").";
    return new GatewayException(ErrorCode.PROVIDER_005, msg, "上游服务商返回错误。", details, retry);
  }

  private static String text(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() ? null : v.asText();
  }

  static Integer parseRetryAfter(String v) {
    if (v == null) return null;
    try {
      long s = Long.parseLong(v.trim());
      return s < 0 ? null : (int) Math.min(s, 3600);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
