package com.lijiaoqiao.supply;

import java.util.Map;

/**
 * A marketplace request the rules refuse, with the reason a supplier can act on: {@code kind} says which documented
 * error it is (the HTTP layer maps it to its code). Messages never carry a credential.
 */
public final class SupplyException extends RuntimeException {
  public enum Kind { INVALID, NOT_FOUND, BAD_CREDENTIAL, PROBE_FAILED, PRICE_BELOW_FLOOR, STATE_CONFLICT, ACCOUNT_CONFLICT,
    PAYOUT_CONFLICT, FORBIDDEN }

  public final Kind kind;
  public final Map<String, Object> details;

  public SupplyException(Kind kind, String message, Map<String, Object> details) {
    super(message, null, false, false);
    this.kind = kind;
    this.details = details == null ? Map.of() : details;
  }

  public SupplyException(Kind kind, String message) {
    this(kind, message, Map.of());
  }

  static SupplyException notFound() {
    return new SupplyException(Kind.NOT_FOUND, "Not found.");
  }

  static SupplyException invalid(String message) {
    return new SupplyException(Kind.INVALID, message);
  }
}
