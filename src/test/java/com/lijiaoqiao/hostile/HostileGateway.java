package com.lijiaoqiao.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.Gateway;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.identity.Users;
import com.lijiaoqiao.simulator.SimCatalog;
import com.lijiaoqiao.simulator.SimModel;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The gateway under attack, with everything the generators need to reach the authenticated code paths: an admin
 * session, a member session and an API key of the paying tenant, plus a "victim" user whose sessions, keys and
 * status the hostile traffic may freely break (the admin, the member and the health key are never targeted by
 * anything that would end them). Restartable on the same data directory and database.
 */
final class HostileGateway implements AutoCloseable {
  static final String PASSWORD = "correct-horse-battery-staple";
  static final String VICTIM_PASSWORD = "victim-password-42";
  /** The model of the paid health check, and its price (per 1M tokens). */
  static final String PAID_MODEL = "gpt-4o-mini";

  final GatewayConfig cfg;
  final Path dataDir;
  final String dbUrl;
  Gateway gateway;

  // identities
  String adminEmail;
  long adminUserId;
  String adminToken;
  long tenantId;
  long memberUserId;
  String memberToken;
  String apiKey;
  long apiKeyId;
  String healthKey;
  long healthKeyId;
  String victimEmail;
  long victimUserId;
  long victimTenantId;
  String victimAccess;
  final List<String> victimRefresh = new ArrayList<>();
  final List<Long> victimKeyIds = new ArrayList<>();
  final List<String> redemptionCodes = new ArrayList<>();
  String knownRequestId;
  static final String HOSTILE_PROVIDER = "hx-prov-0";
  // filled by the checks after the traffic
  String healthRequestId;
  java.math.BigDecimal balanceBeforeRestart;

  private HostileGateway(GatewayConfig cfg, Path dataDir, String dbUrl) {
    this.cfg = cfg;
    this.dataDir = dataDir;
    this.dbUrl = dbUrl;
  }

  static HostileGateway start(Databases.Kind db) {
    try {
      Path dir = Files.createTempDirectory("ljq-hostile");
      GatewayConfig cfg = new GatewayConfig();
      cfg.dataDir = dir.toString();
      cfg.server.host = "127.0.0.1";
      cfg.server.port = TestGateway.freePort();
      cfg.server.eventLoops = 2;
      cfg.server.shutdownGraceSeconds = 5;
      cfg.database.url = Databases.freshUrl(db);
      if (db == Databases.Kind.POSTGRES) cfg.database.username = Databases.PG_USER;
      cfg.simulator.enabled = true;
      cfg.usage.flushIntervalMs = 20;
      // Generous: a few deliberately heavy cases (10 000 embedding inputs, 1 MB prompts) load the simulator, and an
      // unrelated request queued behind them must not turn into a 504.
      cfg.upstream.idleTimeoutMs = 10_000;
      // Stalled bodies (a Content-Length longer than what is sent, a chunked body without its last chunk) are cut
      // by the edge's read deadline; 5 s here keeps them inside the suite's 15 s bound (the default is 30 s).
      cfg.server.requestReadTimeoutMs = 5_000;
      cfg.security.openRegistration = true; // so registration's handler is reached, not only its refusal
      // A breaker opened by unrelated traffic would turn later requests into 503s (the test forbids those).
      cfg.routing.breakerConsecutiveFailures = 1_000_000;
      cfg.routing.breakerMinCalls = 1_000_000;
      GatewayConfig.ProviderSpec sim = new GatewayConfig.ProviderSpec();
      sim.id = "sim";
      sim.kind = "simulator";
      // Gemini models through the simulator's Gemini dialect (as from Google): Gemini clients get the byte
      // passthrough, every other client the translation through the hub.
      GatewayConfig.ProviderSpec gemini = new GatewayConfig.ProviderSpec();
      gemini.id = "sim-gemini";
      gemini.kind = "simulator-gemini";
      gemini.ownedBy = "google";
      for (SimModel m : SimCatalog.models()) (m.owner().equals("google") ? gemini : sim).models.put(m.name(), m.name());
      cfg.providers.add(sim);
      cfg.providers.add(gemini);
      cfg.billing.models.put(PAID_MODEL, price("0.15", "0.60"));
      cfg.billing.models.put("gpt-4o", price("2.50", "10.00"));
      cfg.billing.models.put("claude-haiku-4-5", price("1.00", "5.00"));
      cfg.billing.models.put("claude-sonnet-4-5", price("3.00", "15.00"));
      cfg.billing.models.put("text-embedding-3-small", price("0.02", "0"));
      cfg.billing.models.put("gemini-2.5-flash", price("0.30", "2.50"));
      cfg.billing.models.put("gemini-2.5-pro", price("1.25", "10.00"));
      HostileGateway h = new HostileGateway(cfg, dir, cfg.database.url);
      h.gateway = Gateway.start(cfg);
      h.provision();
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static GatewayConfig.PriceSpec price(String in, String out) {
    GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
    p.input = in;
    p.output = out;
    return p;
  }

  int port() {
    return gateway.port();
  }

  Api api() {
    return new Api(gateway.port());
  }

  private void provision() {
    var accounts = gateway.accounts();
    String tag = Long.toString(System.nanoTime(), 36);
    adminEmail = "hx-admin-" + tag + "@hostile.test";
    adminUserId = Users.create(accounts, adminEmail, PASSWORD, "Hostile Admin", "admin", null);
    String memberEmail = "hx-member-" + tag + "@hostile.test";
    memberUserId = Users.create(accounts, memberEmail, PASSWORD, "Hostile Member", "member", null);
    tenantId = accounts.findUserByEmail(memberEmail).orElseThrow().tenantId();
    victimEmail = "hx-victim-" + tag + "@hostile.test";
    victimUserId = Users.create(accounts, victimEmail, VICTIM_PASSWORD, "Victim", "member", null);
    victimTenantId = accounts.findUserByEmail(victimEmail).orElseThrow().tenantId();

    KeyIssuer issuer = gateway.keyIssuer();
    // Limits high enough that the hostile traffic reaches the deeper stages instead of the rate limiter.
    KeyIssuer.Issued k = issuer.issue(memberUserId, tenantId, "hostile", Set.of(), 1_000_000, 1_000_000_000, null);
    apiKey = k.secret();
    apiKeyId = k.keyId();
    KeyIssuer.Issued hk = issuer.issue(memberUserId, tenantId, "health", Set.of(), 1_000, 10_000_000, null);
    healthKey = hk.secret();
    healthKeyId = hk.keyId();
    for (int i = 0; i < 3; i++) {
      victimKeyIds.add(issuer.issue(victimUserId, victimTenantId, "victim-" + i, Set.of(), 60, 100_000, null).keyId());
    }
    gateway.billing().credit(tenantId, 1_000L * 1_000_000, "hostile-start-" + tenantId, "hostile start", null);

    Api api = api();
    adminToken = api.login(adminEmail, PASSWORD);
    memberToken = api.login(memberEmail, PASSWORD);
    for (int i = 0; i < 3; i++) {
      Http.Reply r = api.post("/v1/auth/token", null,
          "{\"email\":\"" + victimEmail + "\",\"password\":\"" + VICTIM_PASSWORD + "\"}");
      if (r.status() != 200) throw new AssertionError("victim login: " + r.status() + " " + r.body());
      victimRefresh.add(r.json().get("refresh_token").asText());
      victimAccess = r.json().get("access_token").asText();
    }
    Http.Reply codes = api.post("/admin/redemption-codes", adminToken, "{\"amount\":\"0.50\",\"count\":3}");
    if (codes.status() != 201) throw new AssertionError("codes: " + codes.status() + " " + codes.body());
    for (JsonNode c : codes.json().get("codes")) redemptionCodes.add(c.asText());
    Http.Reply prov = api.post("/admin/providers", adminToken, "{\"id\":\"" + HOSTILE_PROVIDER
        + "\",\"kind\":\"openai-compatible\",\"base_url\":\"http://127.0.0.1:9/v1\",\"credential\":\"sk-hostile\","
        + "\"models\":{\"hx-model-0\":\"hx-up-0\"},\"tier\":5,\"enabled\":false}");
    if (prov.status() != 201) throw new AssertionError("provider: " + prov.status() + " " + prov.body());
    Http.Reply chat = api.complete(apiKey);
    if (chat.status() != 200) throw new AssertionError("first chat: " + chat.status() + " " + chat.body());
    knownRequestId = chat.header("x-request-id");
  }

  /** Closes the gateway and starts it again on the same data directory and database (a new port). */
  void restart() {
    gateway.close();
    cfg.server.port = TestGateway.freePort();
    gateway = Gateway.start(cfg);
  }

  @Override
  public void close() {
    if (gateway != null) gateway.close();
    Databases.dropIfPostgres(dbUrl);
    try (var files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp dir
    }
  }
}
