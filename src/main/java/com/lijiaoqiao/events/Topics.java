package com.lijiaoqiao.events;

import java.util.List;

/**
 * The seed's four topics (§7.3) and which events go where: each request's completion to {@code llm.requests}, each
 * settled charge to {@code llm.billing}, periodic figures to {@code llm.metrics}, every notification (what webhooks
 * deliver) to {@code llm.events}. Partitions and retention as the seed sets them.
 */
public final class Topics {
  public static final String REQUESTS = "llm.requests";
  public static final String BILLING = "llm.billing";
  public static final String EVENTS = "llm.events";
  public static final String METRICS = "llm.metrics";

  /** A topic's partitions and retention in the seed's design. */
  public record Spec(String name, int partitions, long retentionMs) {}

  public static final List<Spec> ALL = List.of(
      new Spec(REQUESTS, 6, 7L * 24 * 3600_000),
      new Spec(BILLING, 3, 30L * 24 * 3600_000),
      new Spec(EVENTS, 3, 3L * 24 * 3600_000),
      new Spec(METRICS, 1, 24L * 3600_000));

  private Topics() {}

  public static String of(String type) {
    return switch (type) {
      case EventTypes.REQUEST_COMPLETED -> REQUESTS;
      case EventTypes.BILLING_SETTLED -> BILLING;
      case EventTypes.NODE_METRICS -> METRICS;
      default -> EVENTS;
    };
  }
}
