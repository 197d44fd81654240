package com.lijiaoqiao.storage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One request-log line: what the request was and how it ended, with both bodies redacted and cut at the cap. */
final class RequestLogRecord {
  /** In each line, so that a file read on its own says how to read it. */
  static final int SCHEMA_VERSION = 1;

  private RequestLogRecord() {}

  static Map<String, Object> of(RequestLogs.Entry e, Redactor redactor) {
    String secret = e.supplierSecret() == null ? null : new String(e.supplierSecret(), StandardCharsets.UTF_8);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema_version", SCHEMA_VERSION);
    m.put("request_id", e.requestId());
    m.put("ended_at", Instant.ofEpochMilli(e.endedAtMs()).toString());
    m.put("tenant_id", e.tenantId());
    m.put("user_id", e.userId());
    m.put("api_key_id", e.keyId());
    m.put("endpoint", e.endpoint());
    m.put("model", e.model());
    m.put("served_model", e.servedModel());
    m.put("provider", e.provider());
    m.put("stream", e.stream());
    m.put("status", e.status());
    m.put("outcome", e.outcome());
    m.put("error_code", e.errorCode());
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("prompt_tokens", e.promptTokens());
    usage.put("completion_tokens", e.completionTokens());
    usage.put("cost_micros", e.costMicros());
    m.put("usage", usage);
    byte[] req = e.request() == null ? new byte[0] : e.request();
    m.put("request_body", redactor.clean(text(req, Math.min(req.length, maxOf(e))), secret));
    m.put("request_truncated", req.length > maxOf(e));
    m.put("response_body", redactor.clean(text(e.response(), Integer.MAX_VALUE), secret));
    m.put("response_truncated", e.responseTruncated());
    return m;
  }

  /** The request body is cut at the response's cap (the same setting); the capture cut the response already. */
  private static int maxOf(RequestLogs.Entry e) {
    return e.maxBodyBytes();
  }

  /** UTF-8 text of the first {@code n} bytes, never splitting a character (a cut one is dropped). */
  private static String text(byte[] b, int n) {
    if (b == null) return "";
    int end = Math.min(n, b.length);
    while (end > 0 && end < b.length && (b[end] & 0xC0) == 0x80) end--;
    return new String(b, 0, end, StandardCharsets.UTF_8);
  }
}
