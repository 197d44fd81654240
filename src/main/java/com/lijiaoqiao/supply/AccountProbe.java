package com.lijiaoqiao.supply;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real call to a supplier's upstream with its credential: each offered model once, the smallest request its
 * dialect allows. Blocking (management API threads and background checks only).
 */
@FunctionalInterface
public interface AccountProbe {
  /** Per public model: the upstream's HTTP status, or 0 when it could not be reached. */
  record Report(Map<String, Integer> statuses) {
    /** Every model answered 2xx. */
    public boolean ok() {
      return !statuses.isEmpty() && statuses.values().stream().allMatch(s -> s >= 200 && s < 300);
    }

    /** The upstream refused the credential (401/403) for some model. */
    public boolean credentialRefused() {
      return statuses.values().stream().anyMatch(s -> s == 401 || s == 403);
    }

    /** A short, credential-free summary for the supplier (stored with the account). */
    public String summary() {
      Map<String, Object> m = new LinkedHashMap<>();
      statuses.forEach((k, v) -> m.put(k, v == 0 ? "unreachable" : v));
      return m.toString();
    }
  }

  Report probe(String kind, String baseUrl, String credential, Map<String, String> models);
}
