package com.lijiaoqiao.http.api;

import com.lijiaoqiao.http.GatewayException;
import io.vertx.core.MultiMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** page / page_size query parameters (page_size ≤ 200, default 20) and the list envelope. */
public record Paging(int page, int pageSize) {
  public static Paging from(MultiMap query) {
    return new Paging(intParam(query, "page", 1, 1, 1_000_000), intParam(query, "page_size", 20, 1, 200));
  }

  static int intParam(MultiMap query, String name, int dflt, int min, int max) {
    String v = query.get(name);
    if (v == null || v.isEmpty()) return dflt;
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw GatewayException.badRequest("'" + name + "' must be a whole number from " + min + " to " + max + ".");
    }
  }

  public int offset() {
    return (page - 1) * pageSize;
  }

  /** One page of a list held in full (small lists: providers, prices, months). */
  public Map<String, Object> pageOf(List<?> all) {
    int from = Math.min(offset(), all.size());
    return envelope(all.subList(from, Math.min(all.size(), from + pageSize)), all.size());
  }

  public Map<String, Object> envelope(List<?> data, long total) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", data);
    out.put("pagination", Map.of("page", page, "page_size", pageSize, "total", total));
    return out;
  }
}
