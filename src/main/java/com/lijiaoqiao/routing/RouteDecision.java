package com.lijiaoqiao.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request's routing decision: the candidates with their scores, and every attempt with its outcome and
 * latency. Filled on the request's event loop; handed to the recorder at the end and serialised off the path.
 */
public final class RouteDecision {
  /** One upstream attempt. {@code startMs} is relative to the start of routing. */
  public record Attempt(String provider, String upstreamModel, String outcome, int status, long startMs,
                        long latencyMs, String detail) {}

  public final String requestId;
  public final String model;
  public final long startNanos = System.nanoTime();
  public final long createdAtMillis = System.currentTimeMillis();
  public final List<Scored> candidates;
  public final List<Attempt> attempts = new ArrayList<>(2);
  public String servedBy;
  /** Set when a context_length_exceeded moved the request to a larger-context model. */
  public String fallbackModel;
  public List<Scored> fallbackCandidates;
  public String outcome = "pending";

  public RouteDecision(String requestId, String model, List<Scored> candidates) {
    this.requestId = requestId;
    this.model = model;
    this.candidates = candidates;
  }

  public long sinceStartMs(long nanos) {
    return (nanos - startNanos) / 1_000_000L;
  }

  /** A plain map for JSON. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("request_id", requestId);
    m.put("model", model);
    m.put("candidates", candidates(candidates));
    if (fallbackModel != null) {
      m.put("context_fallback_model", fallbackModel);
      m.put("context_fallback_candidates", candidates(fallbackCandidates));
    }
    m.put("chosen", candidates.isEmpty() ? null : candidates.get(0).candidate().id());
    m.put("served_by", servedBy);
    m.put("outcome", outcome);
    List<Map<String, Object>> as = new ArrayList<>();
    for (Attempt a : attempts) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("provider", a.provider());
      x.put("upstream_model", a.upstreamModel());
      x.put("outcome", a.outcome());
      if (a.status() > 0) x.put("status", a.status());
      x.put("start_ms", a.startMs());
      x.put("latency_ms", a.latencyMs());
      if (a.detail() != null) x.put("detail", a.detail());
      as.add(x);
    }
    m.put("attempts", as);
    return m;
  }

  private static List<Map<String, Object>> candidates(List<Scored> list) {
    List<Map<String, Object>> cs = new ArrayList<>();
    int rank = 0;
    for (Scored s : list) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("rank", ++rank);
      c.put("provider", s.candidate().id());
      c.put("upstream_model", s.candidate().target().upstreamModel());
      c.put("tier", s.tier());
      c.put("score", round(s.score()));
      c.put("latency", round(s.latency()));
      c.put("availability", round(s.availability()));
      c.put("cost", round(s.cost()));
      c.put("quality", round(s.quality()));
      if (s.cooling()) c.put("cooling_down", true);
      cs.add(c);
    }
    return cs;
  }

  private static double round(double d) {
    return Math.round(d * 10_000) / 10_000.0;
  }
}
