package com.lijiaoqiao.identity;

import com.lijiaoqiao.access.AccessTokens;
import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.CallerResolver;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.SessionRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.Map;

/**
 * Management-API callers: {@code Authorization: Bearer <access JWT>} (checked against the live user and session,
 * so a disabled user or a signed-out session stops at once) or a platform key (from the in-memory registry).
 */
public final class GatewayCallerResolver implements CallerResolver {
  private final Vertx vertx;
  private final AccessTokens tokens;
  private final SessionRepository sessions;
  private final KeyRegistry keys;
  private final ApiKeySecrets secrets;

  public GatewayCallerResolver(Vertx vertx, AccessTokens tokens, SessionRepository sessions, KeyRegistry keys,
                               ApiKeySecrets secrets) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.sessions = sessions;
    this.keys = keys;
    this.secrets = secrets;
  }

  @Override
  public Future<Caller> resolve(HttpServerRequest req) {
    String auth = req.getHeader("authorization");
    String credential = null;
    if (auth != null) {
      if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) return Future.failedFuture(invalid());
      credential = auth.substring(7).trim();
    } else {
      String k = req.getHeader("x-api-key");
      if (k != null) credential = k.trim();
    }
    if (credential == null || credential.isEmpty()) return Future.succeededFuture(null);
    if (credential.startsWith(ApiKeySecrets.PREFIX)) {
      if (!ApiKeySecrets.wellFormed(credential)) return Future.failedFuture(invalid());
      String ip = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
      return keys.lookup(secrets.hash(credential)).compose(p -> {
        if (p == null || !p.active(Instant.now()) || !p.allowedIps().permits(ip)) {
          return Future.failedFuture(invalid());
        }
        return Future.succeededFuture(new Caller(p.userId(), p.tenantId(), p.role(), p.keyId()));
      });
    }
    AccessTokens.Claims c = tokens.verify(credential);
    if (c == null) return Future.failedFuture(invalid());
    return vertx.executeBlocking(() -> {
      SessionRepository.SessionState s = sessions.state(c.userId(), c.sessionId()).orElse(null);
      if (s == null || !"active".equals(s.userStatus()) || !"active".equals(s.familyStatus())) throw invalid();
      return new Caller(s.userId(), s.tenantId(), s.role(), null);
    }, false);
  }

  private static GatewayException invalid() {
    return new GatewayException(ErrorCode.AUTH_001, "Invalid or expired credentials.", "凭证无效或已过期。",
        Map.of(), null);
  }
}
