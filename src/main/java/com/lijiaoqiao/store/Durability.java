package com.lijiaoqiao.store;

/**
 * Makes what has been committed survive a crash of the process. On PostgreSQL a commit already does; the embedded
 * store defers writing commits to its file by a short delay (so per-request records cost a fraction of what a
 * file write per commit costs) and is made durable explicitly where a caller must not be told "done" before it is:
 * after every management mutation, and before the settlement journal's checkpoint moves past what was shipped.
 */
public interface Durability {
  Durability NONE = () -> {};

  /** Returns once every transaction committed before the call is in the file. Blocking. */
  void flush();
}
