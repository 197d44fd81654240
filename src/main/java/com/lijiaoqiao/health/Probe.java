package com.lijiaoqiao.health;

/**
 * One part of readiness: returns when the part is fine, throws when it is not. Runs on the readiness thread, never
 * on an event loop, and may block up to its own timeout. What it throws is reported by class name only (messages
 * may hold addresses or credentials).
 */
@FunctionalInterface
public interface Probe {
  void check() throws Exception;
}
