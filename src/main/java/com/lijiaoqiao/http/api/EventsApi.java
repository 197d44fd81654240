package com.lijiaoqiao.http.api;

import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.ApiRouter.Access;
import com.lijiaoqiao.http.ApiRouter.ApiResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code GET /admin/events/stats}: the outbox's backlog (events not yet published), what this node's relay published,
 * each Kafka consumer group's lag (seed §7.6) and the billing cross-check's mismatches. See docs/events.md.
 */
public final class EventsApi {
  private EventsApi() {}

  public static void register(ApiRouter api, Callable<Map<String, Object>> stats) {
    api.add(HttpMethod.GET, "/admin/events/stats", Access.ADMIN, r -> ApiResponse.ok(stats.call()));
  }
}
