package com.lijiaoqiao.testing;

import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.CallerResolver;
import io.vertx.core.Future;

/**
 * A test-only caller resolver: the header {@code x-test-caller: <userId>,<tenantId>,<role>} names the caller.
 * It stands in for sessions where a test is about something else (billing, routing).
 */
public final class TestCallers implements CallerResolver {
  public static final String HEADER = "x-test-caller";

  @Override
  public Future<Caller> resolve(io.vertx.core.http.HttpServerRequest request) {
    String v = request.getHeader(HEADER);
    if (v == null) return Future.succeededFuture(null);
    String[] p = v.split(",");
    return Future.succeededFuture(new Caller(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2], null));
  }

  public static String admin() {
    return "1,1,admin";
  }

  public static String member(long userId, long tenantId) {
    return userId + "," + tenantId + ",member";
  }
}
