package com.lijiaoqiao.limits;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs Lua scripts by their SHA-1 (EVALSHA), so a request sends a few bytes instead of the script and Redis does
 * not hash it again; a Redis that does not know the script yet (NOSCRIPT: first use, or after a restart) gets it
 * once with EVAL, which also caches it there.
 */
public final class RedisScripts {
  private static final Map<String, String> SHAS = new ConcurrentHashMap<>();

  private RedisScripts() {}

  /** @param scriptAndArgs the script, then the number of keys, the keys and the arguments (as for EVAL) */
  public static Future<Response> eval(RedisAPI redis, List<String> scriptAndArgs) {
    String script = scriptAndArgs.get(0);
    List<String> bySha = new ArrayList<>(scriptAndArgs);
    bySha.set(0, SHAS.computeIfAbsent(script, RedisScripts::sha1));
    return redis.evalsha(bySha).recover(t -> {
      String m = String.valueOf(t.getMessage());
      return m.contains("NOSCRIPT") ? redis.eval(scriptAndArgs) : Future.failedFuture(t);
    });
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
