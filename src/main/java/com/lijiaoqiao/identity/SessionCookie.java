package com.lijiaoqiao.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.http.api.Fields;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * The refresh token in a cookie, for browsers (the web console): opt-in with {@code "session_cookie": true} on
 * sign-in, refresh and sign-out. The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it) and scoped to {@code /v1/auth} (it travels to nothing else); in this mode the refresh token is not in the
 * JSON answer, so a script injected into the page can at most use the short-lived access token it finds in memory.
 * API clients that do not opt in keep the refresh token in the body, as before.
 */
final class SessionCookie {
  static final String NAME = "ljq_refresh";
  static final String PATH = "/v1/auth";
  static final String FIELD = "session_cookie";

  private SessionCookie() {}

  /** Whether the request opts in ({@code "session_cookie": true}); a non-boolean is a 400. */
  static boolean requested(JsonNode body) {
    return body != null && body.isObject() && Fields.bool(body, FIELD, false);
  }

  /** The refresh token from the request's Cookie header, or null. */
  static String read(MultiMap headers) {
    for (String header : headers.getAll("cookie")) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(NAME + "=")) {
          String v = p.substring(NAME.length() + 1).trim();
          return v.isEmpty() ? null : v;
        }
      }
    }
    return null;
  }

  /**
   * Refuses a cookie-mode request sent by another origin (defence in depth: SameSite=Strict already keeps the
   * cookie from cross-site requests). Requests without an Origin header (same-origin GETs, non-browser clients) pass.
   * Behind a proxy that rewrites Host, the host the browser used is its X-Forwarded-Host.
   */
  static void checkOrigin(MultiMap headers) {
    String origin = headers.get("origin");
    String forwarded = headers.get("x-forwarded-host");
    String host = forwarded != null && !forwarded.isBlank() ? forwarded.split(",")[0] : headers.get("host");
    if (origin == null || host == null) return;
    String originHost;
    try {
      URI u = URI.create(origin.trim());
      originHost = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    } catch (IllegalArgumentException e) {
      originHost = null;
    }
    if (originHost == null || !originHost.toLowerCase(Locale.ROOT).equals(host.trim().toLowerCase(Locale.ROOT))) {
      throw new GatewayException(ErrorCode.AUTH_002, "A session cookie is only used by the gateway's own pages.",
          "会话 Cookie 仅限网关自身页面使用。", Map.of(), null);
    }
  }

  /** The Set-Cookie value that stores this refresh token for {@code maxAgeSeconds}. */
  static String store(String refreshToken, long maxAgeSeconds, MultiMap headers) {
    return NAME + "=" + refreshToken + "; Path=" + PATH + "; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
        + (https(headers) ? "; Secure" : "");
  }

  /** The Set-Cookie value that removes the cookie. */
  static String clear(MultiMap headers) {
    return NAME + "=; Path=" + PATH + "; Max-Age=0; HttpOnly; SameSite=Strict" + (https(headers) ? "; Secure" : "");
  }

  /** Behind a TLS-terminating proxy (X-Forwarded-Proto: https) the cookie is also Secure. */
  private static boolean https(MultiMap headers) {
    String proto = headers.get("x-forwarded-proto");
    return proto != null && proto.trim().equalsIgnoreCase("https");
  }
}
