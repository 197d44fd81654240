package com.lijiaoqiao.billing;

/**
 * Told of each settlement once, with its final cost, right after it is charged (on the settling thread: keep it
 * quick and never throw). Other rooms (budgets) count spend through this door.
 */
@FunctionalInterface
public interface SettlementListener {
  void settled(Settlement s);
}
