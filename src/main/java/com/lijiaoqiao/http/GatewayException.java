package com.lijiaoqiao.http;

import java.util.Map;

/**
 * A failure with a documented code. The message is shown to the client, so it must never carry a secret.
 * Thrown or used to fail a future anywhere on the request path; the HTTP layer renders it.
 */
public class GatewayException extends RuntimeException {
  private final ErrorCode code;
  private final Map<String, Object> details;
  private final String messageZh;
  private final Integer retryAfterSeconds;

  public GatewayException(ErrorCode code, String message) {
    this(code, message, null, Map.of(), null);
  }

  public GatewayException(ErrorCode code, String message, String messageZh, Map<String, Object> details,
                          Integer retryAfterSeconds) {
    super(message == null ? code.en : message, null, false, false);
    this.code = code;
    this.messageZh = messageZh;
    this.details = details == null ? Map.of() : details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static GatewayException badRequest(String message) {
    return new GatewayException(ErrorCode.COMMON_001, message);
  }

  /** A 400 COMMON_001 about one field of the request, named in {@code details.field}. */
  public static GatewayException badField(String field, String message) {
    return new GatewayException(ErrorCode.COMMON_001, message, null, Map.of("field", field), null);
  }

  public ErrorCode code() {
    return code;
  }

  public Map<String, Object> details() {
    return details;
  }

  /** Chinese text when a specific one was given, else the code's generic Chinese text. */
  public String messageZh() {
    return messageZh != null ? messageZh : code.zh;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
