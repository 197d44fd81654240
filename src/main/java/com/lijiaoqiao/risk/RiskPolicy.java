package com.lijiaoqiao.risk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The risk rules' settings (SPEC §8): per rule on/off, its weight and its threshold; the total at which a request is
 * queued for review and at which it is blocked. Global, with per-tenant overrides set at runtime.
 */
public record RiskPolicy(boolean enabled, int reviewAt, int blockAt, Map<String, Rule> rules) {
  public static final String HIGH_VELOCITY = "high_velocity";
  public static final String NEW_ACCOUNT_HIGH_VALUE = "new_account_high_value";
  public static final String UNUSUAL_MODEL = "unusual_model";
  public static final String ACCOUNT_SHARING = "account_sharing";
  public static final String SPEND_SPIKE = "spend_spike";

  /**
   * One rule: {@code threshold} is the rule's own figure — tokens per minute (high_velocity), estimated cost in
   * micro-units (new_account_high_value), requests of history before a model counts as unusual (unusual_model),
   * distinct client IPs per hour (account_sharing), the multiple of the key's 5-minute baseline (spend_spike);
   * {@code window} is the rule's second figure: account age in days (new_account_high_value), the least 5-minute spend
   * in micro-units before a spike counts (spend_spike); unused otherwise.
   */
  public record Rule(boolean on, int weight, long threshold, long window) {}

  public RiskPolicy {
    rules = Map.copyOf(rules);
  }

  /**
   * The seed's weights (velocity 30, new account 35, unusual model 15, sharing 50; review ≥ 40, block ≥ 70) and SPEC's
   * thresholds; a new account's "high value" is an estimate above 5.00, and a model is unusual once the key has 100
   * requests of history: a coding agent switching models on its first day is reviewed at most, never blocked.
   */
  public static RiskPolicy defaults() {
    Map<String, Rule> r = new LinkedHashMap<>();
    r.put(HIGH_VELOCITY, new Rule(true, 30, 1_000, 0));
    r.put(NEW_ACCOUNT_HIGH_VALUE, new Rule(true, 35, 5_000_000, 7));
    r.put(UNUSUAL_MODEL, new Rule(true, 15, 100, 0));
    r.put(ACCOUNT_SHARING, new Rule(true, 50, 10, 0));
    r.put(SPEND_SPIKE, new Rule(true, 25, 10, 1_000_000));
    return new RiskPolicy(true, 40, 70, r);
  }

  public RiskPolicy withEnabled(boolean on) {
    return new RiskPolicy(on, reviewAt, blockAt, rules);
  }

  public Rule rule(String name) {
    return rules.get(name);
  }
}
