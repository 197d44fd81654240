package com.lijiaoqiao.routing;

/** The score's weights (seed §3.2 defaults: 0.4 latency, 0.3 availability, 0.2 cost, 0.1 quality). */
public record Weights(double latency, double availability, double cost, double quality) {
  public static final Weights DEFAULT = new Weights(0.4, 0.3, 0.2, 0.1);
}
