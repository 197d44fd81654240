package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.Map;

/** Finds the platform key (Authorization: Bearer, x-api-key for Anthropic clients, x-goog-api-key for Gemini clients) and its principal. */
public final class AuthenticateStage implements Stage {
  private static final String[] QUERY_KEY_PARAMS = {"key", "api_key", "api-key", "apikey", "x-api-key", "x_api_key",
      "access_token", "token", "authorization"};

  private final KeyRegistry keys;
  private final ApiKeySecrets secrets;

  public AuthenticateStage(KeyRegistry keys, ApiKeySecrets secrets) {
    this.keys = keys;
    this.secrets = secrets;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    if (ex.request.query() != null) {
      MultiMap params = ex.request.params();
      for (String p : QUERY_KEY_PARAMS) {
        if (params.contains(p)) {
          return Future.failedFuture(new GatewayException(ErrorCode.QUERY_KEY_NOT_ALLOWED,
              "API keys in the query string are refused (parameter '" + p + "'): URLs end up in logs; send "
                  + (ex.ingress == com.lijiaoqiao.protocol.Dialect.GEMINI ? "'x-goog-api-key: <key>'."
                  : "'Authorization: Bearer <key>'."),
              "不接受查询参数中的 API 密钥（参数 '" + p + "'），请使用 Authorization: Bearer <key> 请求头。",
              Map.of(), null));
        }
      }
    }
    String key = presentedKey(ex.request.headers());
    if (key == null) {
      return Future.failedFuture(new GatewayException(ErrorCode.AUTH_001,
          "Missing API key: send 'Authorization: Bearer <key>'.", "缺少 API 密钥：请使用 Authorization: Bearer <key>。",
          Map.of(), null));
    }
    if (!ApiKeySecrets.wellFormed(key)) {
      return Future.failedFuture(invalid());
    }
    return keys.lookup(secrets.hash(key)).compose(p -> {
      if (p == null) {
        return Future.failedFuture(invalid());
      }
      if (!p.active(Instant.now())) {
        return Future.failedFuture(new GatewayException(ErrorCode.AUTH_001,
            "This API key is " + describe(p) + ".", "该 API 密钥已停用或过期。", Map.of(), null));
      }
      if (!p.allowedIps().any()) {
        var addr = ex.request.remoteAddress();
        if (!p.allowedIps().permits(addr == null ? null : addr.hostAddress())) {
          return Future.failedFuture(new GatewayException(ErrorCode.AUTH_002,
              "This API key may not be used from this address.", "该 API 密钥不允许从此地址使用。", Map.of(), null));
        }
      }
      p.activity().touch(System.currentTimeMillis());
      ex.principal = p;
      return chain.proceed(ex);
    });
  }

  private static String describe(ApiKeyPrincipal p) {
    if (p.expiresAt() != null && !Instant.now().isBefore(p.expiresAt())) return "expired";
    return p.status().startsWith("user_") ? "unusable: its user is " + p.status().substring(5) : p.status();
  }

  private static GatewayException invalid() {
    return new GatewayException(ErrorCode.AUTH_001, "Invalid API key.", "API 密钥无效。", Map.of(), null);
  }

  static String presentedKey(MultiMap headers) {
    String auth = headers.get("authorization");
    if (auth != null) {
      if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        String k = auth.substring(7).trim();
        return k.isEmpty() ? null : k;
      }
      return null;
    }
    String k = headers.get("x-api-key");
    if (k == null || k.isBlank()) k = headers.get("x-goog-api-key"); // Google's SDKs and Gemini CLI
    return k == null || k.isBlank() ? null : k.trim();
  }
}
