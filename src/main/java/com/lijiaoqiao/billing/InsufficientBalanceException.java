package com.lijiaoqiao.billing;

/** A reservation that the wallet cannot cover. */
public final class InsufficientBalanceException extends RuntimeException {
  public final long requiredMicros;
  public final long availableMicros;

  public InsufficientBalanceException(long requiredMicros, long availableMicros) {
    super("insufficient balance", null, false, false);
    this.requiredMicros = requiredMicros;
    this.availableMicros = availableMicros;
  }
}
