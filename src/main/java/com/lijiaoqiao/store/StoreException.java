package com.lijiaoqiao.store;

/** A database operation failed. Its message never includes bound values (which may be secrets). */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
