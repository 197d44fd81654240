package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.responses.ResponsesStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.Map;

/**
 * {@code GET /v1/responses/{id}}, {@code GET /v1/responses/{id}/input_items} and {@code DELETE /v1/responses/{id}}
 * for the caller's tenant, after Authenticate. Another tenant's id is answered exactly like an unknown one.
 */
public final class StoredResponsesStage implements Stage {
  public static final String PREFIX = "/v1/responses/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ResponsesStore store;

  public StoredResponsesStage(ResponsesStore store) {
    this.store = store;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    String rest = ex.request.path().substring(PREFIX.length());
    boolean items = rest.endsWith("/input_items");
    String id = items ? rest.substring(0, rest.length() - "/input_items".length()) : rest;
    HttpMethod m = ex.request.method();
    if (id.isEmpty() || id.indexOf('/') >= 0 || (items && m != HttpMethod.GET)) return notFound(ex);
    long tenant = ex.principal.tenantId();
    ResponsesStore.Stored s = store == null ? null : store.get(tenant, id);
    if (s == null) return notFound(ex);
    ObjectNode body;
    if (m == HttpMethod.DELETE) {
      store.delete(tenant, id);
      body = JSON.createObjectNode().put("id", id).put("object", "response.deleted").put("deleted", true);
    } else if (items) {
      body = JSON.createObjectNode().put("object", "list");
      ArrayNode data = body.putArray("data");
      s.input().forEach(data::add);
      body.set("first_id", data.isEmpty() ? null : data.get(0).get("id"));
      body.set("last_id", data.isEmpty() ? null : data.get(data.size() - 1).get("id"));
      body.put("has_more", false);
    } else {
      body = s.response();
    }
    ex.statusCode = 200;
    ex.outcome = "ok";
    try {
      return ex.request.response().putHeader("content-type", "application/json")
          .end(Buffer.buffer(JSON.writeValueAsBytes(body))).mapEmpty();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private static Future<Void> notFound(Exchange ex) {
    return Future.failedFuture(new GatewayException(ErrorCode.COMMON_002, "No stored response with that id"
        + " (unknown, expired, deleted, or stored with store: false).", "未找到该响应。", Map.of(), null));
  }

  /** After Authenticate on a data-plane-looking path nothing serves: the key was fine, the path is not. */
  public static final Stage NOT_FOUND = (ex, chain) -> Future.failedFuture(new GatewayException(ErrorCode.COMMON_002,
      "No such endpoint: " + ex.request.method().name() + " " + clip(ex.request.path()) + ".", "接口不存在。",
      Map.of(), null));

  private static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
