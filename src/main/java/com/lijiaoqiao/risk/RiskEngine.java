package com.lijiaoqiao.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Scores one request against a policy: pure, no I/O; a few comparisons per rule. */
public final class RiskEngine {
  public enum Action { ALLOW, REVIEW, BLOCK }

  /** The score, the rules that fired (in policy order) and what follows from them. */
  public record Verdict(int score, List<String> triggered, Action action) {
    public static final Verdict CLEAR = new Verdict(0, List.of(), Action.ALLOW);
  }

  private RiskEngine() {}

  /** @param suppressed rules an operator allowed for this key (for now): they do not fire */
  public static Verdict score(RiskPolicy p, RiskSignals s, Observed o, Set<String> suppressed) {
    if (!p.enabled()) return Verdict.CLEAR;
    int score = 0;
    List<String> fired = null;
    for (var e : p.rules().entrySet()) {
      RiskPolicy.Rule r = e.getValue();
      if (!r.on() || suppressed.contains(e.getKey()) || !fires(e.getKey(), r, s, o)) continue;
      score += r.weight();
      if (fired == null) fired = new ArrayList<>(2);
      fired.add(e.getKey());
    }
    if (fired == null) return Verdict.CLEAR;
    fired.sort(null); // stable names for the review's pattern and the client's message
    Action a = score >= p.blockAt() ? Action.BLOCK : score >= p.reviewAt() ? Action.REVIEW : Action.ALLOW;
    return new Verdict(score, List.copyOf(fired), a);
  }

  static boolean fires(String rule, RiskPolicy.Rule r, RiskSignals s, Observed o) {
    return switch (rule) {
      case RiskPolicy.HIGH_VELOCITY -> o.tokensLastMinute() > r.threshold();
      case RiskPolicy.NEW_ACCOUNT_HIGH_VALUE -> s.accountAgeDays() < r.window() && s.estimatedCostMicros() > r.threshold();
      case RiskPolicy.UNUSUAL_MODEL -> o.modelNew() && o.priorRequests() >= r.threshold();
      case RiskPolicy.ACCOUNT_SHARING -> o.distinctIpsLastHour() > r.threshold();
      case RiskPolicy.SPEND_SPIKE -> o.spendLast5MinMicros() >= r.window() && o.baseline5MinMicros() > 0
          && o.spendLast5MinMicros() > r.threshold() * o.baseline5MinMicros();
      default -> false;
    };
  }
}
