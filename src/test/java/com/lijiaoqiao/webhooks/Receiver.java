package com.lijiaoqiao.webhooks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A webhook receiver on loopback: answers each path with the
 * status set for it (200 by default; a 3xx points at /followed; a negative one never answers), records every call. */
final class Receiver implements AutoCloseable {
  record Call(String path, Map<String, String> headers, String body, long atMs) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;

  Receiver() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Map<String, String> h = new ConcurrentHashMap<>();
      req.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
      calls.add(new Call(req.path(), h, body.toString(), System.currentTimeMillis()));
      int status = statusByPath.getOrDefault(req.path(), 200);
      if (status < 0) return; // never answers
      if (status / 100 == 3) req.response().putHeader("location", "/followed");
      req.response().setStatusCode(status).end(status == 200 ? "ok" : "no\u0007 thanks\n\n  " + "x".repeat(1000));
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  List<Call> at(String path) {
    List<Call> out = new ArrayList<>();
    for (Call c : calls) if (c.path().equals(path)) out.add(c);
    return out;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
