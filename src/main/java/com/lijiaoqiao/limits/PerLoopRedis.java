package com.lijiaoqiao.limits;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis client per calling thread (each event loop gets its own connections), so a request's commands go out
 * and come back on the loop that serves it: one shared pool would funnel every node's commands through the
 * connections' own loops, hopping threads twice per command and serialising them under load.
 */
public final class PerLoopRedis implements Redis {
  private final Vertx vertx;
  private final RedisOptions options;
  private final Map<Thread, Redis> clients = new ConcurrentHashMap<>();

  public PerLoopRedis(Vertx vertx, RedisOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  private Redis client() {
    Thread t = Thread.currentThread();
    Redis c = clients.get(t);
    return c != null ? c : clients.computeIfAbsent(t, k -> Redis.createClient(vertx, new RedisOptions(options)));
  }

  @Override
  public Future<RedisConnection> connect() {
    return client().connect();
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> all = clients.values().stream().map(Redis::close).toList();
    clients.clear();
    return Future.join(all).mapEmpty();
  }

  @Override
  public Future<Response> send(Request command) {
    return client().send(command);
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return client().batch(commands);
  }
}
