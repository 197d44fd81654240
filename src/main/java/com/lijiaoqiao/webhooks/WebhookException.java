package com.lijiaoqiao.webhooks;

/** A webhook request the rules refuse; the API maps each kind to its documented error. */
public final class WebhookException extends RuntimeException {
  public enum Kind { NOT_FOUND, INVALID, DISABLED }

  private final Kind kind;
  private final String field;

  public WebhookException(Kind kind, String field, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.field = field;
  }

  static WebhookException notFound() {
    return new WebhookException(Kind.NOT_FOUND, null, "Not found.");
  }

  static WebhookException invalid(String field, String message) {
    return new WebhookException(Kind.INVALID, field, message);
  }

  public Kind kind() {
    return kind;
  }

  /** The request field at fault (INVALID), else null. */
  public String field() {
    return field;
  }
}
