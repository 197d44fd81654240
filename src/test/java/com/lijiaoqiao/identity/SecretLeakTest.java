package com.lijiaoqiao.identity;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Plants known secrets (passwords, platform keys, refresh and access tokens, the signing and hashing keys),
 * drives every identity flow including the failing ones, and scans the captured log lines, every response
 * after the one that created each secret, the audit trail and the identity tables for any of them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecretLeakTest {
  static final String SIGNING_KEY = "5e" + "c7".repeat(31) + "01";
  static final String HASH_KEY = "ab" + "9d".repeat(31) + "77";
  static final String PASSWORD = "Planted-Password-4711";
  static final String NEW_PASSWORD = "Planted-NewPassword-0815";
  static final String WRONG_PASSWORD = "Planted-WrongGuess-9999";

  @Test
  void noSecretAppearsInLogsResponsesOrAuditRecords() throws Exception {
    scan(false);
  }

  /** The same with logging.format json: every captured event as the JSON layout writes it, access lines included. */
  @Test
  void noSecretAppearsInJsonLogLines() throws Exception {
    scan(true);
  }

  private void scan(boolean json) throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level oldLevel = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(ctx);
    captured.start();
    root.addAppender(captured);
    com.lijiaoqiao.logging.JsonLayout layout = new com.lijiaoqiao.logging.JsonLayout();
    layout.setContext(ctx);
    layout.start();
    List<String> secrets = new ArrayList<>(List.of(SIGNING_KEY, HASH_KEY, PASSWORD, NEW_PASSWORD, WRONG_PASSWORD));
    List<Http.Reply> creations = new ArrayList<>();
    TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.security.jwtSigningKey = SIGNING_KEY;
      c.security.keyHashSecret = HASH_KEY;
      if (json) c.logging.format = "json";
    });
    try {
      Api api = new Api(gw.gateway.port());
      Users.create(gw.gateway.accounts(), "root@leak.test", PASSWORD, "Root", "admin", null);
      Http.Reply adminLogin = api.post("/v1/auth/token", null,
          "{\"email\":\"root@leak.test\",\"password\":\"" + PASSWORD + "\"}");
      creations.add(adminLogin);
      String admin = adminLogin.json().get("access_token").asText();
      secrets.add(admin);
      secrets.add(adminLogin.json().get("refresh_token").asText());

      Http.Reply created = api.post("/admin/users", admin,
          "{\"email\":\"dev@leak.test\",\"password\":\"" + PASSWORD + "\",\"role\":\"member\"}");
      assertThat(created.status()).isEqualTo(201);
      long dev = created.json().get("id").asLong();
      // wrong passwords, unknown users
      api.post("/v1/auth/token", null, "{\"email\":\"dev@leak.test\",\"password\":\"" + WRONG_PASSWORD + "\"}");
      api.post("/v1/auth/token", null, "{\"email\":\"nobody@leak.test\",\"password\":\"" + WRONG_PASSWORD + "\"}");
      Http.Reply login = api.post("/v1/auth/token", null, "{\"email\":\"dev@leak.test\",\"password\":\"" + PASSWORD + "\"}");
      creations.add(login);
      String access = login.json().get("access_token").asText();
      String refresh = login.json().get("refresh_token").asText();
      secrets.add(access);
      secrets.add(refresh);

      Http.Reply keyReply = api.post("/v1/keys", access, "{\"name\":\"leaky\",\"allowed_ips\":[\"127.0.0.1\"]}");
      creations.add(keyReply);
      String key = keyReply.json().get("key").asText();
      secrets.add(key);
      long keyId = keyReply.json().get("id").asLong();
      assertThat(api.complete(key).status()).isEqualTo(200);
      // the last character changed (a key may end in Z already)
      assertThat(api.complete(key.substring(0, key.length() - 1) + (key.endsWith("Z") ? "Y" : "Z")).status())
          .isEqualTo(401);
      assertThat(api.complete(key + "x").status()).isEqualTo(401);
      api.seen.add(Http.postJson(gw.baseUrl() + "/chat/completions?key=" + key, null, api.chat(key)));
      api.get("/v1/keys", key); // a key on a session-only route
      api.get("/v1/keys", access + "x"); // a forged token

      Http.Reply refreshed = api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}");
      creations.add(refreshed);
      secrets.add(refreshed.json().get("refresh_token").asText());
      secrets.add(refreshed.json().get("access_token").asText());
      api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}"); // reuse
      api.post("/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "x\"}");

      Http.Reply again = api.post("/v1/auth/token", null, "{\"email\":\"dev@leak.test\",\"password\":\"" + PASSWORD + "\"}");
      creations.add(again);
      String access2 = again.json().get("access_token").asText();
      secrets.add(access2);
      secrets.add(again.json().get("refresh_token").asText());
      Http.Reply rotated = api.post("/v1/keys/" + keyId + "/rotate", access2, null);
      creations.add(rotated);
      String key2 = rotated.json().get("key").asText();
      secrets.add(key2);
      api.complete(key);
      api.complete(key2);
      api.call("PUT", "/v1/users/" + dev, access2, "{\"password\":\"" + NEW_PASSWORD + "\",\"old_password\":\""
          + WRONG_PASSWORD + "\"}");
      api.call("PUT", "/v1/users/" + dev, access2, "{\"password\":\"" + NEW_PASSWORD + "\",\"old_password\":\""
          + PASSWORD + "\"}");
      api.post("/admin/users/" + dev + "/disable", admin, null);
      api.complete(key2);
      api.post("/admin/users/" + dev + "/enable", admin, null);
      api.call("DELETE", "/v1/keys/" + keyId, admin, null);
      api.get("/admin/users", admin);
      api.get("/v1/keys?user_id=" + dev, admin);
      api.post("/v1/auth/logout", admin, null);

      List<String> haystacks = new ArrayList<>();
      for (ILoggingEvent e : captured.list) {
        haystacks.add("log: " + e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        if (json) haystacks.add("json log: " + layout.doLayout(e));
      }
      if (json) {
        assertThat(captured.list.stream().filter(e -> e.getLoggerName().equals("ljq.access")).map(layout::doLayout)
            .filter(l -> l.contains("\"trace_id\"") && l.contains("\"tenant_id\"") && l.contains("\"latency_ms\""))
            .count()).as("access lines").isPositive();
      }
      Set<Http.Reply> allowed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      allowed.addAll(creations);
      for (Http.Reply r : api.seen) {
        if (allowed.contains(r)) continue;
        haystacks.add("response " + r.status() + ": " + r.headers().map() + " " + r.body());
      }
      for (var a : gw.gateway.audit().all()) {
        haystacks.add("audit: " + a);
      }
      try (Connection c = gw.gateway.database().dataSource().getConnection(); Statement st = c.createStatement()) {
        for (String table : List.of("users", "api_keys", "session_families", "refresh_tokens", "audit_events",
            "usage_records", "tenants")) {
          try (ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
              StringBuilder sb = new StringBuilder("row of " + table + ":");
              for (int i = 1; i <= n; i++) sb.append(' ').append(rs.getString(i));
              haystacks.add(sb.toString());
            }
          }
        }
      }
      assertThat(captured.list).isNotEmpty();
      assertThat(gw.gateway.audit().all()).hasSizeGreaterThanOrEqualTo(6);
      assertThat(gw.gateway.audit().verifyChain()).isTrue();
      for (String secret : secrets) {
        for (String h : haystacks) {
          assertThat(h).as("a planted secret leaked").doesNotContain(secret);
        }
      }
      // the creation responses themselves hold only what they created (no hashes, no password)
      for (Http.Reply r : creations) {
        assertThat(r.body()).doesNotContain(PASSWORD).doesNotContain(SIGNING_KEY).doesNotContain(HASH_KEY)
            .doesNotContain("key_hash").doesNotContain("argon2");
      }
      JsonNode keys = api.get("/v1/keys?user_id=" + dev, admin).json();
      assertThat(keys.toString()).doesNotContain(key).doesNotContain(key2);
    } finally {
      gw.close();
      root.detachAppender(captured);
      root.setLevel(oldLevel);
    }
  }
}
