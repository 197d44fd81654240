package com.lijiaoqiao.hostile;

import static com.lijiaoqiao.hostile.HostileValues.concat;
import static com.lijiaoqiao.hostile.HostileValues.jsonString;
import static com.lijiaoqiao.hostile.HostileValues.pick;
import static com.lijiaoqiao.hostile.HostileValues.utf8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.lijiaoqiao.hostile.Routes.Access;
import com.lijiaoqiao.hostile.Routes.Route;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Turns a case number into a hostile request, deterministically: case {@code i} of seed {@code s} is always the
 * same request (the identities it uses are the fixture's, made before any case runs).
 */
final class CaseGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARK = "__HX_SLOT_7f3a__";
  private static final Set<String> JDK_RESTRICTED = Set.of("content-length", "connection", "expect", "host", "upgrade");
  private static final Set<String> MONEY_FIELDS = Set.of("amount", "input", "output", "cached_input", "cache_write_input");
  private static final Set<String> DATE_FIELDS = Set.of("expires_at", "from", "to");

  private final HostileGateway g;
  private final long seed;

  CaseGenerator(HostileGateway g, long seed) {
    this.g = g;
    this.seed = seed;
    this.sweep = buildSweep();
  }

  private final List<Sweep> sweep;

  // ------------------------------------------------------------------ the systematic sweep

  /**
   * Every field of every endpoint with a value of every other JSON type, extreme numbers on numeric fields, every
   * extreme date on date fields, every odd amount on money fields, boundary lengths on string fields; every query
   * parameter with odd values; every path parameter with every odd id; the Idempotency-Key at its boundaries.
   */
  private record Sweep(Route route, String kind, int slot, String param, String value, String label) {}

  private static final List<String> TYPE_REPS = List.of("\"hx\"", "-1", "true", "null", "[]", "{}");
  private static final List<String> TEXT_SWEEP = List.of("\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"",
      jsonString("a".repeat(129)), jsonString("a".repeat(256)), jsonString("a".repeat(1_001)), jsonString("a".repeat(10_001)),
      jsonString("模".repeat(129)), jsonString("hx\\u0000hx"));
  private static final List<String> NUMBER_SWEEP = List.of("-0", "-1", "0", "1.5", "1e309", "-1e309", "2147483648",
      "9223372036854775808", "-9223372036854775809", "99999999999999999999999", "4.9e-324", "1e-400", "NaN");
  private static final List<String> QUERY_SWEEP = List.of("%zz", "%", "-1", "0", "99999999999999999999", "1e3", "",
      "a".repeat(1_000), "%00", "%2B999999999-12-31T23%3A59%3A59Z", "-999999999-01-01", "%E6%A8%A1");

  private ObjectNode baseSeed(Route r, int index) {
    return seed(r, new Random(7), index, true);
  }

  private List<Sweep> buildSweep() {
    List<Sweep> out = new ArrayList<>();
    for (Route r : Routes.ALL) {
      if (r.body() && !r.name().startsWith("gemini.v1.")) {
        List<Slot> slots = slots(baseSeed(r, 0));
        for (int i = 0; i < slots.size(); i++) {
          Slot sl = slots.get(i);
          String t = typeOf(sl.value());
          List<String> types = List.of("string", "number", "boolean", "null", "array", "object");
          for (int k = 0; k < types.size(); k++) {
            if (!types.get(k).equals(t)) out.add(new Sweep(r, "type", i, null, TYPE_REPS.get(k), "wrong type at " + sl.path()));
          }
          if (sl.value().isTextual()) for (String v : TEXT_SWEEP) out.add(new Sweep(r, "text", i, null, v, "string at " + sl.path()));
          if ("base_url".equals(sl.key())) {
            // long but well-formed URLs (a long malformed one is refused before it reaches the database)
            for (int n : List.of(200, 256, 1_000, 2_100, 10_000)) {
              out.add(new Sweep(r, "text", i, null, jsonString("http://127.0.0.1:9/" + "a".repeat(n)), "long URL at " + sl.path()));
            }
          }
          if (sl.value().isNumber()) for (String v : NUMBER_SWEEP) out.add(new Sweep(r, "number", i, null, v, "number at " + sl.path()));
          if (sl.key() != null && DATE_FIELDS.contains(sl.key())) {
            for (String d : HostileValues.EXTREME_DATES) out.add(new Sweep(r, "date", i, null, jsonString(d), "date at " + sl.path()));
          }
          if (sl.key() != null && MONEY_FIELDS.contains(sl.key())) {
            for (String m : HostileValues.MONEY) out.add(new Sweep(r, "money", i, null, jsonString(m), "amount at " + sl.path()));
          }
        }
      }
      for (String p : r.query()) {
        for (String v : QUERY_SWEEP) out.add(new Sweep(r, "query", -1, p, v, "query " + p));
        if (p.equals("from") || p.equals("to")) {
          for (String d : HostileValues.EXTREME_DATES) out.add(new Sweep(r, "query", -1, p, enc(d), "query date " + p));
        }
      }
      if (r.templated()) {
        // the /v1/models/{model}:<method> twins: the model segments only (where the path decides the dialect)
        boolean twin = r.name().startsWith("gemini.v1.");
        if (!twin) {
          for (String v : HostileValues.PATH_IDS) out.add(new Sweep(r, "path", -1, null, v, "path parameter"));
        }
        if (r.gemini() || r.name().equals("model")) {
          for (String v : HostileValues.MODEL_SEGMENTS) out.add(new Sweep(r, "path", -1, null, v, "model segment"));
        }
        if (!twin) {
          for (int n : List.of(129, 256, 1_001, 3_000)) out.add(new Sweep(r, "path", -1, null, "a".repeat(n), "path parameter"));
        }
      }
      if (r.name().equals("admin.credit")) {
        for (int n : List.of(0, 1, 128, 194, 195, 199, 200, 201, 255, 256, 1_000, 10_000)) {
          out.add(new Sweep(r, "idempotency", -1, null, "k".repeat(n), "Idempotency-Key"));
        }
      }
    }
    return out;
  }

  private HostileCase sweepCase(int index, Sweep w) {
    Route r = w.route();
    Random rnd = new Random(7);
    Req q = new Req();
    q.route = r;
    q.method = r.method();
    q.path = validPath(r, rnd);
    q.family = "sweep";
    Cred cred = switch (r.access()) {
      case DATA -> r.gemini() ? header("key:x-goog-api-key", "x-goog-api-key", g.apiKey, false) : bearer("key", g.apiKey, false);
      case AUTHENTICATED -> bearer("key", g.apiKey, false);
      case SESSION, ADMIN -> bearer("admin", g.adminToken, false);
      case PUBLIC -> new Cred("none", List.of(), false);
    };
    q.cred = cred.label();
    q.headers.addAll(cred.headers());
    ObjectNode base = r.body() ? baseSeed(r, 1_000_000 + index) : null;
    if (base != null) {
      q.body = write(base);
      q.headers.add(new String[] {"Content-Type", "application/json"});
    }
    if (r.name().equals("admin.credit") && !w.kind().equals("idempotency")) {
      q.headers.add(new String[] {"Idempotency-Key", "hx-sweep-" + index});
    }
    q.query = r.requiredQuery();
    switch (w.kind()) {
      case "query" -> {
        q.query = w.param() + "=" + w.value();
        q.mutation = w.label() + " = " + clip(w.value());
      }
      case "path" -> {
        q.path = r.template().replaceFirst("\\{[a-z_]+}", java.util.regex.Matcher.quoteReplacement(w.value()));
        q.mutation = w.label() + " = " + clip(w.value());
      }
      case "idempotency" -> {
        if (!w.value().isEmpty()) q.headers.add(new String[] {"Idempotency-Key", w.value()});
        q.mutation = "Idempotency-Key of " + w.value().length() + " chars";
      }
      default -> {
        List<Slot> slots = slots(base);
        q.body = splice(base, slots.get(w.slot()), utf8(w.value()));
        q.mutation = w.label() + " = " + clip(w.value()) + (w.value().length() > 60 ? " (" + w.value().length() + " chars)" : "");
      }
    }
    String target = q.path + (q.query.isEmpty() ? "" : "?" + q.query);
    boolean raw = !w.kind().equals("type") && !w.kind().equals("number") || index % 2 == 0 || !jdkCanSend(q, target);
    return new HostileCase(index, r.name(), q.family, "sweep " + w.kind() + ": " + q.mutation, q.cred, q.method, target,
        List.copyOf(q.headers), q.body, raw ? request(q.method, target, q.headers, q.body, true) : null,
        q.path.startsWith("/v1/messages"), false, false, false, false, false);
  }

  /**
   * A generateContent body as the Google SDKs and Gemini CLI send it: turns with text, an inline image, a function
   * call and its response; a system instruction; function declarations beside a Google-hosted tool; tool and
   * generation config (JSON output with a schema, thinking) and safety settings.
   */
  private static String geminiSeed(Random rnd, boolean full) {
    StringBuilder sb = new StringBuilder("{\"contents\":[");
    if (full || rnd.nextInt(3) == 0) {
      sb.append("{\"role\":\"user\",\"parts\":[{\"text\":\"look this up\"},{\"inlineData\":{\"mimeType\":\"image/png\","
          + "\"data\":\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\"}}"
          + (full || rnd.nextBoolean() ? ",{\"fileData\":{\"mimeType\":\"image/png\",\"fileUri\":\"https://example.com/hx.png\"}}" : "")
          + "]},"
          + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"lookup\",\"args\":{\"q\":\"hx\"}}}]},"
          + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"lookup\",\"response\":{\"result\":\"ok\"}}},"
          + "{\"text\":\"and now?\"}]}");
    } else {
      sb.append(rnd.nextBoolean() ? "{\"role\":\"user\",\"parts\":[{\"text\":\"hello there\"}]}"
          : "{\"parts\":[{\"text\":\"hello there\"}]}");
    }
    sb.append(']');
    if (full || rnd.nextBoolean()) sb.append(",\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]}");
    if (full || rnd.nextInt(3) == 0) {
      sb.append(",\"tools\":[{\"functionDeclarations\":[{\"name\":\"lookup\",\"description\":\"d\",\"parameters\":"
          + "{\"type\":\"OBJECT\",\"properties\":{\"q\":{\"type\":\"STRING\"}},\"required\":[\"q\"]}}]},"
          + "{\"googleSearch\":{}}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\""
          + (full ? "ANY\",\"allowedFunctionNames\":[\"lookup\"]" : pick(rnd, List.of("AUTO\"", "NONE\"",
              "ANY\",\"allowedFunctionNames\":[\"lookup\"]"))) + "}}");
    }
    sb.append(",\"generationConfig\":{\"maxOutputTokens\":8");
    if (full || rnd.nextBoolean()) sb.append(",\"temperature\":0.2,\"topP\":1,\"topK\":40,\"seed\":42,\"stopSequences\":[\"zz\"]");
    if (full || rnd.nextInt(5) == 0) {
      sb.append(",\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"OBJECT\",\"properties\":"
          + "{\"a\":{\"type\":\"STRING\"}}}");
    }
    if (full || rnd.nextInt(4) == 0) sb.append(",\"thinkingConfig\":{\"thinkingBudget\":0,\"includeThoughts\":false}");
    sb.append('}');
    if (full || rnd.nextInt(4) == 0) {
      sb.append(",\"safetySettings\":[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_NONE\"}]");
    }
    return sb.append('}').toString();
  }

  static long mix(long seed, int index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  // ------------------------------------------------------------------ the mutable request under construction

  private static final class Req {
    Route route;
    String family;
    String mutation = "";
    String cred;
    String method;
    String path;
    String query = "";
    final List<String[]> headers = new ArrayList<>();
    byte[] body;
    boolean mustRefuse;
    boolean mustNotSucceed;
    boolean closeOk;
    boolean slow;
    boolean forceRaw;
    byte[] raw;
    boolean anyShape;
  }

  private record Cred(String label, List<String[]> headers, boolean mustNotSucceed) {}

  /**
   * One case in this many is from the systematic sweep, the others are random (every second case: the sweep, Gemini
   * routes included, fits the default 10 000 cases but for the last few management fields).
   */
  static final int SWEEP_EVERY = 2;

  int sweepSize() {
    return sweep.size();
  }

  HostileCase generate(int index) {
    if (index % SWEEP_EVERY == 0 && index / SWEEP_EVERY < sweep.size()) return sweepCase(index, sweep.get(index / SWEEP_EVERY));
    Random rnd = new Random(mix(seed, index));
    Route route = Routes.pick(rnd);
    Req q = new Req();
    q.route = route;
    q.method = route.method();
    q.path = validPath(route, rnd);
    int f = rnd.nextInt(100);
    q.family = f < 6 ? "valid" : f < 52 ? "body" : f < 60 ? "query" : f < 67 ? "path" : f < 71 ? "method"
        : f < 80 ? "headers" : f < 86 ? "framing" : "credentials";
    if (q.family.equals("headers") && rnd.nextInt(4) == 0) {
      // long, short and odd Idempotency-Keys on the one route that reads them
      q.route = route = Routes.named("admin.credit");
      q.method = route.method();
      q.path = validPath(route, rnd);
    }
    Cred cred = chooseCred(route, rnd, q.family.equals("credentials"));
    q.cred = cred.label();
    q.mustNotSucceed = cred.mustNotSucceed();
    q.headers.addAll(cred.headers());
    if (!route.requiredQuery().isEmpty() || rnd.nextInt(3) == 0) q.query = validQuery(route, rnd);
    ObjectNode seedBody = route.body() ? seed(route, rnd, index, false) : null;
    if (seedBody != null) {
      q.body = write(seedBody);
      q.headers.add(new String[] {"Content-Type", "application/json"});
    }
    if (route.name().equals("admin.credit")) q.headers.add(new String[] {"Idempotency-Key", "hx-" + index});
    switch (q.family) {
      case "valid" -> q.mutation = "unchanged seed";
      case "credentials" -> q.mutation = "seed with credential " + q.cred;
      case "body" -> mutateBody(q, seedBody, rnd);
      case "query" -> mutateQuery(q, rnd);
      case "path" -> mutatePath(q, rnd);
      case "method" -> mutateMethod(q, rnd);
      case "headers" -> mutateHeaders(q, rnd);
      case "framing" -> mutateFraming(q, rnd);
      default -> throw new IllegalStateException(q.family);
    }
    if (route.access() != Access.PUBLIC && !q.cred.startsWith("key") && !q.cred.startsWith("admin")
        && !q.cred.startsWith("member") && !q.cred.startsWith("variant")) {
      q.mustNotSucceed = true;
    }
    if (route.access() == Access.PUBLIC) q.mustNotSucceed = false;
    for (String[] h : q.headers) {
      // control characters or raw 8-bit bytes in a header: the HTTP parser may drop the connection instead
      if ((h[0] + h[1]).chars().anyMatch(c -> (c < 32 && c != '\t') || c > 126)) q.closeOk = true;
    }
    String target = q.path + (q.query.isEmpty() ? "" : "?" + q.query);
    boolean anthropic = q.path.replaceFirst("^http://[^/]+", "").startsWith("/v1/messages");
    byte[] raw = q.raw;
    if (raw == null && (q.forceRaw || rnd.nextBoolean() || !jdkCanSend(q, target))) {
      raw = request(q.method, target, q.headers, q.body, true);
    }
    return new HostileCase(index, route.name(), q.family, q.mutation, q.cred, q.method, target,
        List.copyOf(q.headers), q.body, raw, anthropic, q.anyShape, q.mustRefuse, q.mustNotSucceed, q.closeOk, q.slow);
  }

  // ------------------------------------------------------------------ credentials

  private Cred chooseCred(Route route, Random rnd, boolean hostileOnly) {
    int roll = rnd.nextInt(100);
    if (hostileOnly) roll = 60 + rnd.nextInt(40);
    Access a = route.access();
    if (route.name().equals("auth.logout")) {
      // never the admin's or member's session: logging those out would end the authenticated traffic
      if (roll < 40) return new Cred("none", List.of(), false);
      if (roll < 60) return bearer("victim", g.victimAccess, false);
      return garbage(rnd);
    }
    if (roll < 60) {
      if (route.gemini()) {
        // Google's SDKs and Gemini CLI send x-goog-api-key; some setups a Bearer token
        int k = rnd.nextInt(10);
        return k < 7 ? header("key:x-goog-api-key", "x-goog-api-key", g.apiKey, false)
            : k < 9 ? bearer("key", g.apiKey, false) : header("key:x-api-key", "x-api-key", g.apiKey, false);
      }
      return switch (a) {
        case DATA -> rnd.nextInt(10) == 0 ? header("key:x-api-key", "x-api-key", g.apiKey, false)
            : bearer("key", g.apiKey, false);
        case AUTHENTICATED -> switch (rnd.nextInt(3)) {
          case 0 -> bearer("key", g.apiKey, false);
          case 1 -> bearer("admin", g.adminToken, false);
          default -> bearer("member", g.memberToken, false);
        };
        case SESSION -> rnd.nextInt(3) == 0 ? bearer("member", g.memberToken, false) : bearer("admin", g.adminToken, false);
        case ADMIN -> bearer("admin", g.adminToken, false);
        case PUBLIC -> new Cred("none", List.of(), false);
      };
    }
    if (roll < 70) {
      return switch (a) {
        case SESSION -> bearer("wrong:key-on-session-route", g.apiKey, true);
        case ADMIN -> rnd.nextBoolean() ? bearer("wrong:member-on-admin-route", g.memberToken, true)
            : bearer("wrong:key-on-admin-route", g.apiKey, true);
        case DATA -> bearer("variant:session-on-data-plane", g.adminToken, false);
        default -> variant(rnd);
      };
    }
    if (roll < 75) return route.gemini() && rnd.nextBoolean() ? geminiVariant(rnd) : variant(rnd);
    if (roll < 85) return new Cred("none", List.of(), a != Access.PUBLIC);
    return route.gemini() && rnd.nextBoolean() ? geminiGarbage(rnd) : garbage(rnd);
  }

  /** x-goog-api-key spelled oddly, or beside other credentials: may legitimately work, no assertion. */
  private Cred geminiVariant(Random rnd) {
    List<String[]> h = new ArrayList<>();
    String label;
    switch (rnd.nextInt(4)) {
      case 0 -> {
        label = "variant:X-Goog-Api-Key";
        h.add(new String[] {"X-Goog-Api-Key", g.apiKey});
      }
      case 1 -> {
        label = "variant:x-goog-api-key-padded";
        h.add(new String[] {"x-goog-api-key", " " + g.apiKey + "\t"});
      }
      case 2 -> {
        label = "variant:garbage-bearer+valid-x-goog-api-key";
        h.add(new String[] {"Authorization", "Bearer lgw-garbage"});
        h.add(new String[] {"x-goog-api-key", g.apiKey});
      }
      default -> {
        label = "variant:x-goog-api-key-twice";
        h.add(new String[] {"x-goog-api-key", g.apiKey});
        h.add(new String[] {"x-goog-api-key", "lgw-" + "Q".repeat(43)});
      }
    }
    return new Cred(label, h, false);
  }

  /** x-goog-api-key values that must never authenticate anyone. */
  private Cred geminiGarbage(Random rnd) {
    String v;
    String label;
    switch (rnd.nextInt(8)) {
      case 0 -> { label = "empty"; v = ""; }
      case 1 -> { label = "key+x"; v = g.apiKey + "x"; }
      case 2 -> { label = "key-truncated"; v = g.apiKey.substring(0, g.apiKey.length() - 1); }
      case 3 -> { label = "google-style"; v = "AIzaSy" + "A".repeat(33); }
      case 4 -> { label = "session-jwt"; v = g.adminToken; }
      case 5 -> { label = "bearer-inside"; v = "Bearer " + g.apiKey; }
      case 6 -> { label = "huge"; v = "lgw-" + "a".repeat(8_000); }
      default -> { label = "random"; v = randomToken(rnd); }
    }
    return header("garbage:x-goog-api-key-" + label, "x-goog-api-key", v, true);
  }

  private static Cred bearer(String label, String token, boolean mustNotSucceed) {
    return header(label, "Authorization", "Bearer " + token, mustNotSucceed);
  }

  private static Cred header(String label, String name, String value, boolean mustNotSucceed) {
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {name, value});
    return new Cred(label, h, mustNotSucceed);
  }

  /** Credentials that are spelled oddly but may legitimately work: no assertion about success. */
  private Cred variant(Random rnd) {
    return switch (rnd.nextInt(6)) {
      case 0 -> header("variant:lowercase-bearer", "Authorization", "bearer " + g.apiKey, false);
      case 1 -> header("variant:upper-bearer", "Authorization", "BEARER " + g.adminToken, false);
      case 2 -> header("variant:double-space", "Authorization", "Bearer  " + g.adminToken, false);
      case 3 -> header("variant:trailing-tab", "Authorization", "Bearer " + g.apiKey + "\t", false);
      case 4 -> {
        List<String[]> h = new ArrayList<>();
        h.add(new String[] {"Authorization", "Bearer lgw-garbage"});
        h.add(new String[] {"x-api-key", g.apiKey});
        yield new Cred("variant:garbage-bearer+valid-x-api-key", h, false);
      }
      default -> header("variant:token-scheme", "Authorization", "Token " + g.apiKey, false);
    };
  }

  /** Credentials that must never authenticate anyone. */
  private Cred garbage(Random rnd) {
    String admin = g.adminToken;
    String[] parts = admin.split("\\.");
    String member = g.memberToken;
    String[] mparts = member.split("\\.");
    String v;
    String label;
    switch (rnd.nextInt(22)) {
      case 0 -> { label = "empty-bearer"; v = "Bearer "; }
      case 1 -> { label = "scheme-only"; v = "Bearer"; }
      case 2 -> { label = "lgw-prefix-only"; v = "Bearer lgw-"; }
      case 3 -> { label = "lgw-AAAA"; v = "Bearer lgw-" + "A".repeat(43); }
      case 4 -> { label = "key+x"; v = "Bearer " + g.apiKey + "x"; }
      case 5 -> { label = "key-truncated"; v = "Bearer " + g.apiKey.substring(0, g.apiKey.length() - 1); }
      case 6 -> { label = "jwt-alg-none"; v = "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIiwidGlkIjoxfQ."; }
      case 7 -> {
        label = "jwt-bad-signature";
        char last = admin.charAt(admin.length() - 2);
        v = "Bearer " + admin.substring(0, admin.length() - 2) + (last == 'A' ? 'B' : 'A') + admin.charAt(admin.length() - 1);
      }
      case 8 -> {
        label = "jwt-admin-payload-member-signature";
        v = "Bearer " + (parts.length == 3 && mparts.length == 3 ? parts[0] + "." + parts[1] + "." + mparts[2] : "x.y.z");
      }
      case 9 -> { label = "basic"; v = "Basic YWRtaW46Y29ycmVjdC1ob3JzZQ=="; }
      case 10 -> { label = "refresh-token-as-bearer"; v = "Bearer " + g.victimRefresh.get(0); }
      case 11 -> { label = "huge-bearer"; v = "Bearer " + "a".repeat(8_000); }
      case 12 -> { label = "high-bytes"; v = "Bearer lgw-\u00ff\u00fe\u0080"; }
      case 13 -> { label = "key-twice"; v = "Bearer " + g.apiKey + " " + g.apiKey; }
      case 14 -> { label = "jwt-empty-parts"; v = "Bearer .."; }
      case 15 -> { label = "jwt-garbage-b64"; v = "Bearer eyJ!!!.eyJ???.sig"; }
      case 16 -> { label = "x-api-key-garbage"; return header("garbage:x-api-key", "x-api-key", "lgw-" + "Z".repeat(43), true); }
      case 17 -> { label = "x-api-key-empty"; return header("garbage:x-api-key-empty", "x-api-key", "", true); }
      case 18 -> { label = "sk-openai-style"; v = "Bearer sk-proj-" + "a".repeat(48); }
      case 19 -> { label = "nul"; v = "Bearer lgw-\u0000abc"; }
      case 20 -> { label = "jwt-swapped-header"; v = "Bearer " + (parts.length == 3 ? parts[1] + "." + parts[0] + "." + parts[2] : "a.b.c"); }
      default -> { label = "random"; v = "Bearer " + randomToken(rnd); }
    }
    return header("garbage:" + label, "Authorization", v, true);
  }

  private static String randomToken(Random rnd) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    int n = 1 + rnd.nextInt(200);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    return sb.toString();
  }

  // ------------------------------------------------------------------ valid paths, queries and bodies

  private String validPath(Route r, Random rnd) {
    String t = r.template();
    if (!r.templated()) return t;
    String value = switch (r.name()) {
      // a colon in an OpenAI model id (fine-tunes, tags) or a Gemini method the gateway does not serve: still
      // OpenAI's model path, in OpenAI's error shape
      case "model" -> pick(rnd, List.of("gpt-4o-mini", "claude-haiku-4-5", "text-embedding-3-small", "hx-model-0", "nope",
          "ft:gpt-4o-mini:hx:1", "gpt-4o-mini:latest", "gemini-2.5-flash:embedContent", "gemini-2.5-flash:batchGenerateContent"));
      case "gemini.generate", "gemini.stream", "gemini.count", "gemini.v1.generate", "gemini.v1.stream", "gemini.v1.count" ->
          rnd.nextInt(10) == 0 ? "models/gemini-2.5-flash"
              : pick(rnd, List.of("gemini-2.5-flash", "gemini-2.5-flash", "gemini-2.5-pro", "gpt-4o-mini", "claude-haiku-4-5"));
      case "gemini.model", "gemini.v1.model" -> pick(rnd, List.of("gemini-2.5-flash", "gemini-2.5-pro", "gpt-4o-mini", "claude-haiku-4-5",
          "models/gemini-2.5-flash", "nope"));
      case "users.get" -> Long.toString(rnd.nextBoolean() ? g.victimUserId : g.memberUserId);
      case "users.put", "admin.users.disable", "admin.users.enable" -> Long.toString(g.victimUserId);
      case "keys.delete", "keys.rotate" -> Long.toString(g.victimKeyIds.get(rnd.nextInt(g.victimKeyIds.size())));
      case "billing.invoice" -> pick(rnd, List.of(YearMonth.now(ZoneOffset.UTC).toString(), "2026-01", "2025-12", "1999-01"));
      case "admin.credit" -> Long.toString(rnd.nextInt(4) == 0 ? g.victimTenantId : g.tenantId);
      case "admin.model" -> pick(rnd, List.of("gpt-4o-mini", "claude-haiku-4-5", "hx-price-1", "nope"));
      case "admin.model.put" -> "hx-price-" + rnd.nextInt(20);
      case "admin.provider", "admin.provider.stats" -> pick(rnd, List.of("sim", HostileGateway.HOSTILE_PROVIDER, "nope"));
      case "admin.provider.put" -> rnd.nextInt(4) == 0 ? "sim" : HostileGateway.HOSTILE_PROVIDER;
      case "admin.provider.delete" -> rnd.nextInt(4) == 0 ? "sim" : "hx-prov-" + (1 + rnd.nextInt(10_000));
      case "admin.request" -> rnd.nextBoolean() ? g.knownRequestId : "req_nope";
      case "responses.get", "responses.delete" -> pick(rnd, List.of("resp_nope", "resp_" + randomToken(rnd), "x"));
      case "keys.budget", "keys.budget.put" -> Long.toString(g.victimKeyIds.get(rnd.nextInt(g.victimKeyIds.size())));
      case "tenants.budget", "tenants.budget.put", "tenants.limits", "tenants.limits.put" -> Long.toString(g.victimTenantId);
      case "admin.supplier.put" -> Long.toString(g.victimTenantId);
      case "admin.payout.put" -> pick(rnd, List.of("1", "999999", "x"));
      case "admin.risk.resolve" -> pick(rnd, List.of("1", "999999", "x"));
      default -> throw new IllegalStateException(r.name());
    };
    return t.replaceFirst("\\{[a-z_]+}", value);
  }

  private String validValue(Route r, String param, Random rnd) {
    return switch (param) {
      case "page" -> pick(rnd, List.of("1", "2"));
      case "page_size" -> pick(rnd, List.of("1", "20", "200"));
      case "tenant_id" -> Long.toString(g.tenantId);
      case "status" -> r.name().startsWith("keys") ? pick(rnd, List.of("active", "revoked")) : "active";
      case "role" -> "member";
      case "q", "search" -> "hx";
      case "user_id" -> Long.toString(g.victimUserId);
      case "from" -> pick(rnd, List.of("2026-01-01", "2026-01-01T00:00:00Z"));
      case "to" -> pick(rnd, List.of("2030-01-01", "2030-01-01T00:00:00Z"));
      case "key_id" -> Long.toString(g.apiKeyId);
      case "before_id", "limit", "actor_user_id", "supplier_id", "account_id", "package_id" -> pick(rnd, List.of("1", "50"));
      case "action" -> pick(rnd, List.of("user.", "risk.", "supply."));
      case "target_type" -> "user";
      case "target_id" -> "1";
      case "model" -> "gpt-4o-mini";
      case "group_by" -> pick(rnd, List.of("day", "model", "key"));
      case "format" -> pick(rnd, List.of("json", "csv"));
      case "beta" -> "true";
      case "alt" -> rnd.nextInt(8) == 0 ? "json" : "sse";
      case "pageSize" -> pick(rnd, List.of("1", "50", "1000"));
      case "pageToken" -> pick(rnd, List.of("", "hx"));
      default -> "x";
    };
  }

  private String validQuery(Route r, Random rnd) {
    List<String> parts = new ArrayList<>();
    for (String p : r.query()) {
      if (p.equals("alt") ? rnd.nextInt(12) != 0 : rnd.nextInt(3) == 0) parts.add(p + "=" + enc(validValue(r, p, rnd)));
    }
    return String.join("&", parts);
  }

  /** @param full every optional part (the sweep's seed: every field gets swept) */
  private ObjectNode seed(Route r, Random rnd, int index, boolean full) {
    String model;
    String json = switch (r.name()) {
      // the sweep goes through every field once, on generateContent; the other methods decode the same body
      case "gemini.generate", "gemini.v1.generate" -> geminiSeed(rnd, full);
      case "gemini.stream", "gemini.v1.stream" -> geminiSeed(rnd, false);
      case "gemini.count", "gemini.v1.count" -> {
        String inner = geminiSeed(rnd, false);
        // countTokens takes {contents} or the whole generateContent request wrapped (with its model)
        yield full || rnd.nextBoolean()
            ? "{\"generateContentRequest\":{\"model\":\"models/gemini-2.5-flash\"," + inner.substring(1) + "}"
            : "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"one two three\"}]}]}";
      }
      case "chat" -> {
        model = pick(rnd, List.of("gpt-4o-mini", "gpt-4o-mini", "gpt-4o", "deepseek-chat", "claude-haiku-4-5"));
        StringBuilder sb = new StringBuilder("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},");
        sb.append(rnd.nextBoolean() ? "{\"role\":\"user\",\"content\":\"hello there\"}"
            : "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\"}]}");
        sb.append("],\"max_tokens\":8");
        if (rnd.nextInt(4) == 0) sb.append(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        if (rnd.nextBoolean()) sb.append(",\"temperature\":0.2,\"top_p\":1,\"n\":1,\"user\":\"u-1\",\"seed\":42");
        if (rnd.nextInt(4) == 0) {
          sb.append(",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"description\":\"d\","
              + "\"parameters\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}}],"
              + "\"tool_choice\":\"auto\"");
        }
        if (rnd.nextInt(6) == 0) sb.append(",\"response_format\":{\"type\":\"json_object\"},\"max_completion_tokens\":8");
        yield sb.append('}').toString();
      }
      case "completions" -> "{\"model\":\"gpt-4o-mini\",\"prompt\":"
          + pick(rnd, List.of("\"hello\"", "[\"a\",\"b\"]", "[1,2,3]", "[[1,2],[3]]")) + ",\"max_tokens\":8"
          + (rnd.nextInt(4) == 0 ? ",\"stream\":true" : "") + "}";
      case "embeddings" -> "{\"model\":\"" + pick(rnd, List.of("text-embedding-3-small", "text-embedding-3-large"))
          + "\",\"input\":" + pick(rnd, List.of("\"hello\"", "[\"a\",\"b\"]", "[1,2,3]", "[[1,2],[3]]"))
          + (rnd.nextBoolean() ? ",\"dimensions\":8,\"encoding_format\":\"" + pick(rnd, List.of("float", "base64")) + "\"" : "")
          + "}";
      case "messages" -> {
        model = pick(rnd, List.of("claude-haiku-4-5", "claude-haiku-4-5", "claude-sonnet-4-5", "gpt-4o-mini"));
        StringBuilder sb = new StringBuilder("{\"model\":\"" + model + "\",\"max_tokens\":8,\"system\":\"Be brief.\",\"messages\":[");
        sb.append(rnd.nextBoolean() ? "{\"role\":\"user\",\"content\":\"hello there\"}"
            : "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\",\"cache_control\":{\"type\":\"ephemeral\"}}]}");
        sb.append(']');
        if (rnd.nextInt(4) == 0) sb.append(",\"stream\":true");
        if (rnd.nextInt(4) == 0) {
          sb.append(",\"tools\":[{\"name\":\"lookup\",\"description\":\"d\",\"input_schema\":{\"type\":\"object\","
              + "\"properties\":{\"q\":{\"type\":\"string\"}}}}]");
        }
        if (rnd.nextInt(3) == 0) sb.append(",\"metadata\":{\"user_id\":\"u-1\"},\"temperature\":0.5,\"stop_sequences\":[\"zz\"]");
        if (rnd.nextInt(8) == 0) sb.append(",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}");
        yield sb.append('}').toString();
      }
      case "responses" -> {
        model = pick(rnd, List.of("gpt-4o-mini", "gpt-4o-mini", "deepseek-chat", "claude-haiku-4-5"));
        StringBuilder sb = new StringBuilder("{\"model\":\"" + model + "\",\"instructions\":\"Be brief.\",\"input\":");
        sb.append(rnd.nextBoolean() ? "\"hello there\""
            : "[{\"role\":\"developer\",\"content\":\"Be kind.\"},{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"hello there\"}]},{\"type\":\"function_call\","
                + "\"call_id\":\"call_1\",\"name\":\"lookup\",\"arguments\":\"{}\"},{\"type\":\"function_call_output\","
                + "\"call_id\":\"call_1\",\"output\":\"ok\"}]");
        sb.append(",\"max_output_tokens\":8,\"store\":").append(rnd.nextBoolean());
        if (rnd.nextInt(4) == 0) sb.append(",\"stream\":true");
        if (rnd.nextBoolean()) sb.append(",\"temperature\":0.2,\"top_p\":1,\"user\":\"u-1\",\"metadata\":{\"k\":\"v\"}");
        if (rnd.nextInt(3) == 0) {
          sb.append(",\"tools\":[{\"type\":\"function\",\"name\":\"lookup\",\"description\":\"d\",\"parameters\":"
              + "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}},\"strict\":false},"
              + "{\"type\":\"web_search\"}],\"tool_choice\":\"auto\",\"parallel_tool_calls\":true");
        }
        if (rnd.nextInt(6) == 0) {
          sb.append(",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"out\",\"schema\":{\"type\":\"object\"}}},"
              + "\"reasoning\":{\"effort\":\"low\"},\"prompt_cache_key\":\"hx\",\"include\":[\"reasoning.encrypted_content\"]");
        }
        yield sb.append('}').toString();
      }
      case "count_tokens" -> "{\"model\":\"claude-haiku-4-5\",\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]"
          + (rnd.nextBoolean() ? ",\"tools\":[{\"name\":\"lookup\",\"input_schema\":{\"type\":\"object\"}}]" : "") + "}";
      case "auth.token" -> "{\"email\":\"" + (rnd.nextBoolean() ? g.victimEmail : "nobody-" + index + "@hostile.test")
          + "\",\"password\":\"" + (rnd.nextInt(4) == 0 ? HostileGateway.VICTIM_PASSWORD : "wrong-password-1") + "\"}";
      case "auth.refresh", "auth.logout" -> "{\"refresh_token\":\""
          + (rnd.nextBoolean() ? g.victimRefresh.get(rnd.nextInt(g.victimRefresh.size())) : "lrt-" + randomToken(rnd)) + "\"}";
      case "auth.register" -> "{\"email\":\"hx-reg-" + index + "@hostile.test\",\"password\":\"correct-horse-1\",\"name\":\"Hx\"}";
      case "users.put" -> pick(rnd, List.of("{\"name\":\"Renamed\"}", "{\"role\":\"member\"}", "{\"role\":\"tenant_admin\",\"name\":\"R\"}",
          "{\"password\":\"new-password-1\",\"old_password\":\"wrong-old-password\"}"));
      case "keys.create" -> "{\"name\":\"k" + index + "\",\"description\":\"hostile\",\"allowed_models\":[\"gpt-4o-mini\"],"
          + "\"allowed_ips\":[\"127.0.0.1\",\"10.0.0.0/8\"],\"rpm_limit\":60,\"tpm_limit\":100000,"
          + "\"expires_at\":\"2030-01-01T00:00:00Z\"" + (rnd.nextBoolean() ? ",\"user_id\":" + g.victimUserId : "") + "}";
      case "keys.rotate", "admin.users.disable", "admin.users.enable" -> "{}";
      case "billing.redeem" -> "{\"code\":\"" + (rnd.nextInt(4) == 0 ? g.redemptionCodes.get(rnd.nextInt(g.redemptionCodes.size()))
          : "LJQ-" + randomToken(rnd)) + "\"}";
      case "admin.users.create" -> "{\"email\":\"hx-user-" + index + "@hostile.test\",\"password\":\"correct-horse-2\","
          + "\"name\":\"Hx\",\"role\":\"" + pick(rnd, List.of("member", "tenant_admin", "supplier")) + "\",\"tenant_id\":"
          + g.victimTenantId + "}";
      case "admin.credit" -> "{\"amount\":\"1.00\",\"note\":\"hostile\"}";
      case "keys.budget.put", "tenants.budget.put" -> "{\"day\":\"5.00\",\"week\":\"20.00\",\"month\":\"" + pick(rnd,
          List.of("50.00", "0.00", "1000000000.00")) + "\"}";
      case "tenants.limits.put" -> "{\"rpm_limit\":" + pick(rnd, List.of("0", "60", "1000")) + ",\"tpm_limit\":100000}";
      case "admin.codes" -> "{\"amount\":\"0.50\",\"count\":2,\"expires_at\":\"2030-01-01T00:00:00Z\"}";
      case "admin.model.put" -> "{\"input\":\"0.10\",\"output\":\"0.20\",\"cached_input\":\"0.05\",\"cache_write_input\":\"0.12\","
          + "\"max_output_tokens\":4096}";
      case "admin.providers.create", "admin.provider.put" -> "{" + (r.name().endsWith("create") ? "\"id\":\"hx-prov-" + index + "\"," : "")
          + "\"kind\":\"" + pick(rnd, List.of("openai-compatible", "anthropic", "simulator")) + "\",\"base_url\":\"http://127.0.0.1:9/v1\","
          + "\"credential\":\"sk-hostile\",\"models\":" + (rnd.nextBoolean() ? "{\"hx-model-" + index + "\":\"hx-up\"}" : "[\"hx-model-" + index + "\"]")
          + ",\"capabilities\":{\"streaming\":true,\"tools\":false,\"vision\":false,\"max_context\":8192},\"tier\":2,\"quality\":0.5,"
          + "\"input_price\":0.1,\"output_price\":0.2,\"owned_by\":\"hostile\",\"enabled\":" + rnd.nextBoolean() + "}";
      case "supply.accounts.create" -> "{\"name\":\"hx\",\"vendor\":\"openai-compatible\",\"base_url\":"
          + "\"http://127.0.0.1:9/v1\",\"credential\":\"sk-hostile\",\"models\":[\"hx-model\"],\"rpm\":10}";
      case "supply.payouts.create" -> "{\"amount\":\"1.00\",\"note\":\"hx\"}";
      case "admin.supplier.put" -> "{\"note\":\"hx\",\"hold_days\":7,\"min_margin_bps\":1000}";
      case "admin.payout.put" -> "{\"status\":\"processing\",\"reference\":\"hx\"}";
      case "admin.risk.resolve" -> "{\"action\":\"allow\",\"note\":\"hx\",\"allow_for_hours\":1}";
      case "admin.webhooks.create" -> "{\"url\":\"http://10.0.0.1/hook\",\"event_types\":[\"billing.low_balance\"],"
          + "\"description\":\"hx\"}";
      default -> "{}";
    };
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException("bad seed for " + r.name() + ": " + json, e);
    }
  }

  // ------------------------------------------------------------------ body mutations

  private record Slot(JsonNode container, String key, int idx, JsonNode value, String path) {
    void set(JsonNode v) {
      if (container instanceof ObjectNode o) {
        o.set(key, v);
      } else {
        ((ArrayNode) container).set(idx, v);
      }
    }
  }

  private static List<Slot> slots(JsonNode root) {
    List<Slot> out = new ArrayList<>();
    collect(root, "", out);
    return out;
  }

  private static void collect(JsonNode node, String path, List<Slot> out) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        out.add(new Slot(o, e.getKey(), -1, e.getValue(), p));
        collect(e.getValue(), p, out);
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        String p = path + "[" + i + "]";
        out.add(new Slot(a, null, i, a.get(i), p));
        collect(a.get(i), p, out);
      }
    }
  }

  private static String typeOf(JsonNode n) {
    if (n.isTextual()) return "string";
    if (n.isNumber()) return "number";
    if (n.isBoolean()) return "boolean";
    if (n.isNull()) return "null";
    if (n.isArray()) return "array";
    return "object";
  }

  /** The body with one slot's value replaced by raw bytes. */
  private static byte[] splice(ObjectNode root, Slot s, byte[] raw) {
    JsonNode before = s.value();
    s.set(TextNode.valueOf(MARK));
    byte[] text = write(root);
    s.set(before);
    byte[] mark = utf8("\"" + MARK + "\"");
    int at = indexOf(text, mark);
    return concat(java.util.Arrays.copyOfRange(text, 0, at), raw, java.util.Arrays.copyOfRange(text, at + mark.length, text.length));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    throw new IllegalStateException("marker not found");
  }

  private static Slot pickSlot(List<Slot> slots, Random rnd, java.util.function.Predicate<Slot> prefer) {
    List<Slot> preferred = slots.stream().filter(prefer).toList();
    if (!preferred.isEmpty() && rnd.nextInt(10) < 7) return preferred.get(rnd.nextInt(preferred.size()));
    return slots.get(rnd.nextInt(slots.size()));
  }

  private void mutateBody(Req q, ObjectNode seedBody, Random rnd) {
    boolean mgmt = q.route.access() != Access.DATA;
    if (seedBody == null) {
      // a GET or DELETE with a body it should ignore or refuse
      q.body = rnd.nextBoolean() ? HostileValues.notAnObject(rnd) : utf8(HostileValues.deep(rnd, HostileValues.deepDepth(rnd)));
      q.headers.add(new String[] {"Content-Type", "application/json"});
      q.mutation = "body on a " + q.method + " route (" + q.body.length + " bytes)";
      q.forceRaw = true;
      return;
    }
    ObjectNode root = seedBody.deepCopy();
    List<Slot> slots = slots(root);
    int kind = rnd.nextInt(100);
    if (slots.isEmpty() && kind >= 15) kind = rnd.nextInt(15);
    if (kind < 9) { // byte flips
      byte[] b = q.body.clone();
      int n = 1 + rnd.nextInt(8);
      StringBuilder d = new StringBuilder();
      byte[] interesting = utf8("\"{}[],:\\ 0-.eE+");
      for (int i = 0; i < n && b.length > 0; i++) {
        int pos = rnd.nextInt(b.length);
        byte v = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : interesting[rnd.nextInt(interesting.length)];
        d.append(pos).append("→0x").append(String.format("%02x", v & 0xff)).append(' ');
        b[pos] = v;
      }
      q.body = b;
      q.mutation = n + " byte flip(s) " + d.toString().trim();
    } else if (kind < 12) {
      int cut = rnd.nextInt(Math.max(1, q.body.length));
      q.body = java.util.Arrays.copyOf(q.body, cut);
      q.mutation = "truncated at byte " + cut;
    } else if (kind < 14) {
      q.body = HostileValues.notAnObject(rnd);
      q.mutation = "not an object: " + new String(q.body, 0, Math.min(40, q.body.length), StandardCharsets.ISO_8859_1);
    } else if (kind < 15) {
      q.body = new byte[0];
      q.mutation = "empty body";
    } else if (kind < 33) {
      Slot s = slots.get(rnd.nextInt(slots.size()));
      String v = HostileValues.otherType(rnd, typeOf(s.value()));
      q.body = splice(root, s, utf8(v));
      q.mutation = "wrong type at " + s.path() + " = " + clip(v);
    } else if (kind < 45) {
      Slot s = pickSlot(slots, rnd, x -> x.value().isNumber());
      String v = rnd.nextInt(5) == 0 ? pick(rnd, HostileValues.INVALID_NUMBERS)
          : rnd.nextInt(4) == 0 ? jsonString(pick(rnd, HostileValues.NUMBERS)) : pick(rnd, HostileValues.NUMBERS);
      q.body = splice(root, s, utf8(v));
      q.mutation = "extreme number at " + s.path() + " = " + clip(v);
    } else if (kind < 52) {
      Slot s = pickSlot(slots, rnd, x -> x.key() != null && DATE_FIELDS.contains(x.key()));
      String v = jsonString(pick(rnd, HostileValues.EXTREME_DATES));
      q.body = splice(root, s, utf8(v));
      q.mutation = "extreme date at " + s.path() + " = " + v;
    } else if (kind < 57) {
      Slot s = pickSlot(slots, rnd, x -> x.key() != null && MONEY_FIELDS.contains(x.key()));
      String v = rnd.nextInt(6) == 0 ? pick(rnd, HostileValues.NUMBERS) : jsonString(pick(rnd, HostileValues.MONEY));
      q.body = splice(root, s, utf8(v));
      q.mutation = "money at " + s.path() + " = " + v;
    } else if (kind < 63) {
      // long strings around column widths and validation limits (128/129, 200/201, 255/256 …)
      Slot s = pickSlot(slots, rnd, x -> x.value().isTextual());
      int n = pick(rnd, HostileValues.LONG_STRING_LENGTHS);
      String v = jsonString((rnd.nextInt(3) == 0 ? "模" : "a").repeat(n));
      q.body = splice(root, s, utf8(v));
      q.mutation = "string of " + n + " chars at " + s.path();
    } else if (kind < 68) {
      Slot s = pickSlot(slots, rnd, x -> x.value().isTextual());
      int roll = rnd.nextInt(20);
      int n = roll < 12 ? 1_000 + rnd.nextInt(16_000) : roll < 18 ? 64_000 + rnd.nextInt(200_000)
          : roll < 19 ? 1_000_000 : mgmt ? 1_100_000 : 1_000_000;
      String content = HostileValues.longContent(rnd, n);
      q.body = splice(root, s, utf8(jsonString(content)));
      q.mutation = "huge string (" + q.body.length + " bytes) at " + s.path();
    } else if (kind < 73) {
      int depth = HostileValues.deepDepth(rnd);
      String deep = HostileValues.deep(rnd, depth);
      if (rnd.nextInt(5) < 2) {
        q.body = utf8(deep);
        q.mutation = "whole body nested " + depth + " deep";
      } else {
        Slot s = slots.get(rnd.nextInt(slots.size()));
        q.body = splice(root, s, utf8(deep));
        q.mutation = "nested " + depth + " deep at " + s.path();
      }
    } else if (kind < 79) {
      List<String> keys = new ArrayList<>();
      root.fieldNames().forEachRemaining(keys::add);
      String k = keys.isEmpty() ? "model" : keys.get(rnd.nextInt(keys.size()));
      String v = HostileValues.anyValue(rnd);
      String text = new String(write(root), StandardCharsets.UTF_8);
      String body;
      switch (rnd.nextInt(3)) {
        case 0 -> { body = "{\"" + k + "\":" + v + (text.length() > 2 ? "," : "") + text.substring(1); q.mutation = "duplicate key '" + k + "' first = " + clip(v); }
        case 1 -> { body = text.substring(0, text.length() - 1) + (text.length() > 2 ? "," : "") + "\"" + k + "\":" + v + "}"; q.mutation = "duplicate key '" + k + "' last = " + clip(v); }
        default -> {
          StringBuilder sb = new StringBuilder(text.substring(0, text.length() - 1));
          for (int i = 0; i < 1000; i++) sb.append(sb.length() > 1 ? "," : "").append("\"").append(k).append("\":").append(i % 2 == 0 ? v : "null");
          body = sb.append('}').toString();
          q.mutation = "key '" + k + "' repeated 1000 times";
        }
      }
      q.body = utf8(body);
    } else if (kind < 86) {
      byte[] bad = HostileValues.BAD_UTF8.get(rnd.nextInt(HostileValues.BAD_UTF8.size()));
      if (rnd.nextInt(4) == 0) {
        // outside any string
        int pos = 1 + rnd.nextInt(Math.max(1, q.body.length - 1));
        q.body = concat(java.util.Arrays.copyOf(q.body, pos), bad, java.util.Arrays.copyOfRange(q.body, pos, q.body.length));
        q.mutation = "invalid UTF-8 " + hex(bad) + " at byte " + pos;
      } else {
        Slot s = pickSlot(slots, rnd, x -> x.value().isTextual());
        q.body = splice(root, s, concat(utf8("\"ab"), bad, utf8("cd\"")));
        q.mutation = "invalid UTF-8 " + hex(bad) + " in string at " + s.path();
      }
    } else if (kind < 91) {
      ObjectNode target = root;
      List<Slot> objects = slots.stream().filter(x -> x.value().isObject()).toList();
      if (!objects.isEmpty() && rnd.nextBoolean()) target = (ObjectNode) objects.get(rnd.nextInt(objects.size())).value();
      String name = pick(rnd, List.of("", " ", "__proto__", "constructor", "a".repeat(10_000), "模型", "\u0000", "$where",
          "model ", "MODEL", "Model", "stream\u0000", "x-ljq-cost", "usage", "cost", "tenant_id", "id", "is_admin"));
      String v = HostileValues.anyValue(rnd);
      Slot s = new Slot(target, name, -1, TextNode.valueOf(""), name);
      target.set(name, TextNode.valueOf(""));
      q.body = splice(root, s, utf8(v));
      q.mutation = "unknown field '" + clip(name) + "' = " + clip(v);
      if (rnd.nextInt(6) == 0) {
        String many = HostileValues.manyKeys(1000);
        String text = new String(q.body, StandardCharsets.UTF_8);
        q.body = utf8(text.substring(0, text.length() - 1) + "," + many.substring(1));
        q.mutation += " + 1000 unknown keys";
      }
    } else if (kind < 95) {
      List<String> keys = new ArrayList<>();
      root.fieldNames().forEachRemaining(keys::add);
      if (rnd.nextInt(4) == 0 || keys.isEmpty()) {
        root.removeAll();
        q.mutation = "every field removed";
      } else {
        String k = keys.get(rnd.nextInt(keys.size()));
        root.remove(k);
        q.mutation = "field '" + k + "' removed";
      }
      q.body = write(root);
    } else {
      Slot s = pickSlot(slots, rnd, x -> x.value().isArray());
      int n = List.of(1_000, 5_000, 10_000).get(rnd.nextInt(3));
      String element = s.value().isArray() && !s.value().isEmpty() ? s.value().get(0).toString() : "\"x\"";
      q.body = splice(root, s, utf8(HostileValues.repeatArray(element, n)));
      q.mutation = "array of " + n + " at " + s.path();
    }
  }

  // ------------------------------------------------------------------ query, path, method, headers

  private static final List<String> QUERY_KEY_NAMES = List.of("api_key", "key", "access_token", "token", "api-key", "x-api-key");

  private void mutateQuery(Req q, Random rnd) {
    q.forceRaw = true;
    List<String> params = new ArrayList<>(q.route.query());
    List<String> parts = new ArrayList<>();
    if (!q.query.isEmpty()) parts.addAll(List.of(q.query.split("&")));
    StringBuilder d = new StringBuilder();
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      String p = params.isEmpty() || rnd.nextInt(5) == 0 ? pick(rnd, List.of("page", "x", "", "a[b]", "__proto__", "page_size"))
          : params.get(rnd.nextInt(params.size()));
      String v = hostileQueryValue(p, rnd);
      String part = switch (rnd.nextInt(10)) {
        case 0 -> p; // no '='
        case 1 -> p + "=";
        case 2 -> p + "=" + v + "&" + p + "=" + enc(validValue(q.route, p, rnd)); // repeated
        default -> p + "=" + v;
      };
      parts.add(part);
      d.append(clip(part)).append(' ');
    }
    if (rnd.nextInt(4) == 0) {
      String k = pick(rnd, QUERY_KEY_NAMES);
      String secret = switch (rnd.nextInt(3)) {
        case 0 -> g.apiKey;
        case 1 -> g.adminToken;
        default -> "lgw-" + randomToken(rnd);
      };
      parts.add(k + "=" + enc(secret));
      d.append(k).append("=<credential> ");
      if (q.route.access() == Access.DATA) q.mustNotSucceed = true; // documented: 401 QUERY_KEY_NOT_ALLOWED
      if (rnd.nextBoolean() && q.route.access() != Access.PUBLIC) {
        // the query string as the only credential: must never authenticate
        q.headers.removeIf(h -> h[0].equalsIgnoreCase("authorization") || h[0].equalsIgnoreCase("x-api-key")
            || h[0].equalsIgnoreCase("x-goog-api-key"));
        q.cred = "query-string-only";
        q.mustNotSucceed = true;
      }
    }
    if (rnd.nextInt(20) == 0) {
      int len = rnd.nextBoolean() ? 3_000 : 70_000;
      parts.add("pad=" + "a".repeat(len));
      d.append("pad=<").append(len).append(" chars> ");
    }
    q.query = String.join("&", parts);
    q.mutation = "query " + d.toString().trim();
  }

  private String hostileQueryValue(String param, Random rnd) {
    return switch (rnd.nextInt(9)) {
      case 0, 1 -> {
        String date = pick(rnd, HostileValues.EXTREME_DATES);
        yield rnd.nextInt(3) == 0 ? date : enc(date); // raw '+' (a space once decoded) or %2B
      }
      case 2 -> enc(pick(rnd, HostileValues.NUMBERS));
      case 3 -> pick(rnd, HostileValues.PATH_IDS);
      case 4 -> "a".repeat(pick(rnd, HostileValues.LONG_STRING_LENGTHS));
      case 5 -> enc(pick(rnd, HostileValues.INVALID_NUMBERS));
      case 6 -> pick(rnd, List.of("%zz", "%", "%0", "%00", "%ff%fe", "%C0%AF", "%E6%A8", "模型", "\u00ff", "a%26b%3Dc"));
      case 7 -> enc(pick(rnd, List.of("DAY", "xml", "json ", "csv\u0000", "day,model", "key;drop", "ACTIVE", "admin")));
      default -> "";
    };
  }

  private void mutatePath(Req q, Random rnd) {
    q.forceRaw = true;
    Route r = q.route;
    String p = q.path;
    if ((r.gemini() || r.name().equals("model")) && r.templated() && rnd.nextInt(5) < 3) {
      mutateModelPath(q, rnd);
      return;
    }
    if (r.templated() && rnd.nextInt(3) != 0) {
      String v = switch (rnd.nextInt(8)) {
        case 0 -> "a".repeat(List.of(200, 1_000, 3_000, 5_000, 10_000, 70_000).get(rnd.nextInt(6)));
        case 1 -> "9".repeat(List.of(20, 100, 1_000).get(rnd.nextInt(3)));
        case 2 -> new String(utf8("模型🙂"), StandardCharsets.ISO_8859_1); // raw UTF-8 bytes in the request line
        case 3 -> "\u00ff\u00fe";
        default -> pick(rnd, HostileValues.PATH_IDS);
      };
      p = r.template().replaceFirst("\\{[a-z_]+}", java.util.regex.Matcher.quoteReplacement(v));
      q.mutation = "path parameter = " + clip(v) + (v.length() > 40 ? " (" + v.length() + " chars)" : "");
    } else {
      int k = rnd.nextInt(22);
      p = switch (k) {
        case 0 -> p + "/";
        case 1 -> "/" + p;
        case 2 -> p.replaceFirst("/", "//").replaceFirst("^//v1/", "/v1//");
        case 3 -> p + "/.";
        case 4 -> p + "/..";
        case 5 -> p + "/../../admin/stats";
        case 6 -> p.replace("/v1/", "/v1/./");
        case 7 -> p.replace("/v1/", "/v1/%2e%2e/v1/");
        case 8 -> p + "%00";
        case 9 -> p + "%00.json";
        case 10 -> p + ";jsessionid=1";
        case 11 -> p + "%20";
        case 12 -> p + "/extra";
        case 13 -> p.toUpperCase(Locale.ROOT);
        case 14 -> p.startsWith("/v1beta/") ? p.replaceFirst("/v1beta/", "/v1beta/v1beta/") : p.replaceFirst("/v1/", "/v1/v1/");
        case 15 -> p.startsWith("/v1beta/") ? p.replaceFirst("/v1beta/", "/%76%31beta/") : p.replaceFirst("/v1/", "/%76%31/");
        case 16 -> p + "#fragment";
        case 17 -> "*";
        case 18 -> "http://127.0.0.1:" + g.port() + p;
        case 19 -> p + "/" + "x".repeat(List.of(3_000, 5_000, 70_000).get(rnd.nextInt(3)));
        case 20 -> p.replace("/", "\\");
        default -> p.startsWith("/v1beta/") ? p.replaceFirst("/v1beta/", pick(rnd, List.of("/v1alpha/", "/v1beta1/", "/v1beta")))
            : p.replaceFirst("/v1/", "/v2/");
      };
      q.mutation = "path " + clip(p) + (p.length() > 60 ? " (" + p.length() + " chars)" : "");
      q.closeOk = k == 17 || k == 18 || k == 20;
    }
    q.path = p;
  }

  /**
   * The model segment of a model path and, on Google's paths, the method after it: colons, slashes, escapes,
   * raw CR/LF and 8-bit bytes, overlong names; methods misspelt, unserved, doubled or escaped.
   */
  private void mutateModelPath(Req q, Random rnd) {
    Route r = q.route;
    String t = r.template();
    String model = q.path.substring(t.indexOf('{'), q.path.length() - (t.length() - t.indexOf('}') - 1));
    String p;
    switch (rnd.nextInt(r.template().contains("}:") ? 8 : 5)) {
      case 0, 1, 2 -> {
        String v = pick(rnd, HostileValues.MODEL_SEGMENTS);
        p = t.replace("{model}", v).replace("{model_id}", v);
        q.mutation = "model segment = " + clip(v) + (v.length() > 60 ? " (" + v.length() + " chars)" : "");
      }
      case 3 -> {
        // raw bytes in the request line: CR/LF splits it (the parser may drop the connection), 8-bit bytes pass
        String v = pick(rnd, List.of("a\r\nX-Injected: 1\r\n\r\n", "a\nb", "a\rb", "\u00ff\u00fe",
            new String(utf8("模型🙂"), StandardCharsets.ISO_8859_1), "a b", "a\tb", "a\u0000b"));
        p = t.replace("{model}", v).replace("{model_id}", v);
        q.mutation = "model segment with raw bytes " + hex(v.getBytes(StandardCharsets.ISO_8859_1));
        if (v.chars().anyMatch(c -> c < 33)) {
          q.closeOk = true;
          q.anyShape = true; // a split request line has no usable path
        }
      }
      case 4 -> {
        int n = List.of(129, 1_000, 5_000, 10_000, 70_000).get(rnd.nextInt(5));
        String v = (rnd.nextBoolean() ? "gemini-" : "a:").repeat(n / 2 + 1).substring(0, n);
        p = t.replace("{model}", v).replace("{model_id}", v);
        q.mutation = "model segment of " + n + " chars";
      }
      default -> {
        String base = t.substring(0, t.indexOf('{')) + model;
        String m = pick(rnd, List.of(":generatecontent", ":GenerateContent", ":embedContent", ":batchEmbedContents",
            ":predict", ":", "::generateContent", ":generateContent:generateContent", ":streamGenerateContent",
            ":countTokens", "%3AgenerateContent", ":generateContent/", ":generateContent/x", ":generate%43ontent",
            ":" + "g".repeat(3_000), ":generateContent%00", ":generateContent;x=1", "/generateContent"));
        p = base + m;
        q.mutation = "model method " + clip(m) + (m.length() > 60 ? " (" + m.length() + " chars)" : "");
      }
    }
    q.path = p;
  }

  private static final List<String> METHODS = List.of("PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "FOO",
      "get", "post", "HEAD", "GET", "POST", "PUT", "DELETE", "M".repeat(1_000), "G\u00c9T", "GET\u0000", "BREW", "LINK", "PRI");

  private void mutateMethod(Req q, Random rnd) {
    q.forceRaw = true;
    String m = pick(rnd, METHODS);
    if (m.equals(q.method)) m = "PATCH";
    q.method = m;
    if (rnd.nextInt(3) == 0 && q.body != null) {
      q.body = null;
      q.headers.removeIf(h -> h[0].equalsIgnoreCase("content-type"));
    }
    q.mutation = "method " + clip(m) + (q.body == null ? " without body" : " with body");
    // methods Netty may refuse before the gateway sees them
    q.closeOk = m.length() > 20 || !m.chars().allMatch(c -> c > 32 && c < 127) || m.equals("PRI") || m.equals("CONNECT");
  }

  private void mutateHeaders(Req q, Random rnd) {
    int k = rnd.nextInt(12);
    if (q.route.name().equals("admin.credit") && rnd.nextInt(3) != 0) k = 4;
    switch (k) {
      case 0 -> {
        String ct = pick(rnd, List.of("", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/jsonx", "application/json; charset=latin1", "application/json; charset=utf-16", "APPLICATION/JSON",
            "application/xml", "json", "*/*", "application/json\u0000", "application/" + "j".repeat(5_000), "(none)"));
        q.headers.removeIf(h -> h[0].equalsIgnoreCase("content-type"));
        if (!ct.equals("(none)")) q.headers.add(new String[] {"Content-Type", ct});
        if (q.body == null) {
          q.body = utf8("{\"a\":1}");
        }
        q.mutation = "Content-Type '" + clip(ct) + "'";
      }
      case 1 -> {
        int n = List.of(4_000, 16_000, 60_000, 66_000, 100_000, 1_000_000).get(rnd.nextInt(6));
        q.headers.add(new String[] {"X-Hx-Pad", "a".repeat(n)});
        q.mutation = "header value of " + n + " bytes";
      }
      case 2 -> {
        int n = List.of(4_000, 60_000, 70_000).get(rnd.nextInt(3));
        q.headers.removeIf(h -> h[0].equalsIgnoreCase("authorization") || h[0].equalsIgnoreCase("x-goog-api-key"));
        q.headers.add(new String[] {"Authorization", "Bearer " + "A".repeat(n)});
        q.cred = "garbage:huge-bearer-" + n;
        q.mustNotSucceed = true;
        q.mutation = "Authorization of " + n + " bytes";
      }
      case 3 -> {
        int n = List.of(100, 500, 1_000, 3_000, 5_000).get(rnd.nextInt(5));
        for (int i = 0; i < n; i++) q.headers.add(new String[] {"X-Hx-" + i, "v" + i});
        q.mutation = n + " extra headers";
      }
      case 4 -> {
        q.headers.removeIf(h -> h[0].equalsIgnoreCase("idempotency-key"));
        String v = switch (rnd.nextInt(4)) {
          case 0 -> "k".repeat(List.of(0, 1, 64, 128, 194, 195, 199, 200, 201, 255, 256, 1_000, 10_000).get(rnd.nextInt(13)));
          case 1 -> "模".repeat(1 + rnd.nextInt(200));
          case 2 -> pick(rnd, List.of(" ", "\t", "a b", "%00", "null", "admin:x", "../x", "k\u00ff"));
          default -> "hx-" + rnd.nextInt(10); // reused keys: same key, maybe another amount or tenant
        };
        q.mutation = "Idempotency-Key of " + v.length() + " chars '" + clip(v) + "'";
        if (v.chars().anyMatch(c -> c > 126)) v = new String(utf8(v), StandardCharsets.ISO_8859_1); // UTF-8 bytes
        if (!v.isEmpty() || rnd.nextBoolean()) {
          q.headers.add(new String[] {"Idempotency-Key", v});
        } else {
          q.mutation = "no Idempotency-Key";
        }
      }
      case 5 -> {
        String v = pick(rnd, List.of("a\u00ffb", "\u0080\u0081", "a\u0000b", "a\rb", "\u00c3\u0028"));
        q.headers.add(new String[] {"X-Hx-Bytes", v});
        q.forceRaw = true;
        q.closeOk = true;
        q.mutation = "header with raw bytes " + hex(v.getBytes(StandardCharsets.ISO_8859_1));
      }
      case 6 -> {
        q.headers.add(new String[] {"Content-Type", rnd.nextBoolean() ? "text/plain" : "application/json"});
        q.forceRaw = true;
        q.mutation = "two Content-Type headers";
      }
      case 7 -> {
        q.headers.add(new String[] {"X-Request-Id", pick(rnd, List.of("x".repeat(10_000), "req_../../x", "", "\u00ff", "req_" + "1".repeat(200)))});
        q.forceRaw = true;
        q.mutation = "client X-Request-Id";
      }
      case 8 -> {
        q.headers.add(new String[] {"anthropic-version", pick(rnd, List.of("", "9999-99-99", "x".repeat(5_000), "2023-06-01"))});
        q.headers.add(new String[] {"anthropic-beta", pick(rnd, List.of("", ",,,", "x".repeat(5_000), "prompt-caching-2024-07-31"))});
        q.mutation = "odd anthropic-version / anthropic-beta";
      }
      case 9 -> {
        q.headers.add(new String[] {"X-Forwarded-For", String.join(", ", java.util.Collections.nCopies(1_000, "256.1.1.1"))});
        q.headers.add(new String[] {"X-Real-IP", "::ffff:999.0.0.1"});
        q.mutation = "odd X-Forwarded-For / X-Real-IP";
      }
      case 10 -> {
        q.headers.add(new String[] {"Accept", pick(rnd, List.of("text/event-stream", "application/xml", "*/*;q=garbage", ""))});
        q.headers.add(new String[] {"Accept-Encoding", pick(rnd, List.of("gzip, br, zstd", "identity;q=0", "*;q=0", "x".repeat(3_000)))});
        q.mutation = "odd Accept / Accept-Encoding";
      }
      default -> {
        q.headers.add(new String[] {"Content-Encoding", pick(rnd, List.of("gzip", "br", "deflate", "identity", "x"))});
        q.mutation = "Content-Encoding on an uncompressed body";
      }
    }
  }

  // ------------------------------------------------------------------ framing (raw bytes only)

  private void mutateFraming(Req q, Random rnd) {
    if (q.body == null) {
      q.body = utf8("{\"a\":1}");
      q.headers.add(new String[] {"Content-Type", "application/json"});
    }
    String target = q.path + (q.query.isEmpty() ? "" : "?" + q.query);
    byte[] body = q.body;
    int k = rnd.nextInt(24);
    q.closeOk = true;
    switch (k) {
      case 0, 1 -> {
        int cl = Math.max(0, body.length - 1 - rnd.nextInt(Math.max(1, body.length)));
        q.raw = request(q.method, target, with(q.headers, "Content-Length", Integer.toString(cl)), body, false);
        q.mutation = "Content-Length " + cl + " shorter than the " + body.length + "-byte body";
        q.closeOk = false;
      }
      case 2 -> {
        int cl = body.length + 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 1_000_000);
        q.raw = request(q.method, target, with(q.headers, "Content-Length", Integer.toString(cl)), body, false);
        q.mutation = "Content-Length " + cl + " longer than the " + body.length + "-byte body (then silence)";
        q.slow = true;
      }
      case 3 -> {
        String cl = pick(rnd, List.of("abc", "-1", "1e3", "0x10", " +5", "99999999999999999999999", "", "5, 5", "1.5", "٣"));
        q.raw = request(q.method, target, with(q.headers, "Content-Length", cl), body, false);
        q.mutation = "Content-Length '" + cl + "'";
        q.mustRefuse = true;
      }
      case 4 -> {
        List<String[]> h = with(q.headers, "Content-Length", Integer.toString(body.length));
        h.add(new String[] {"Content-Length", Integer.toString(body.length + 5)});
        q.raw = request(q.method, target, h, body, false);
        q.mutation = "two different Content-Length headers";
        q.mustRefuse = true;
      }
      case 5, 6, 7 -> {
        String te = pick(rnd, List.of("chunked", "chunked", "Chunked", "CHUNKED", " chunked", "chunked, identity",
            "identity, chunked", "gzip, chunked", "\tchunked"));
        byte[] chunked = chunk(body, rnd, false);
        int cl = rnd.nextBoolean() ? body.length : chunked.length;
        List<String[]> h = with(q.headers, "Transfer-Encoding", te);
        h.add(new String[] {"Content-Length", Integer.toString(cl)});
        q.raw = request(q.method, target, h, chunked, false);
        q.mutation = "Transfer-Encoding '" + te + "' together with Content-Length " + cl;
        q.mustRefuse = true;
      }
      case 8 -> {
        String te = pick(rnd, List.of("gzip", "identity", "xchunked", "chunked;q=1", "deflate"));
        q.raw = request(q.method, target, with(q.headers, "Transfer-Encoding", te), body, false);
        q.mutation = "Transfer-Encoding '" + te + "' (chunked not last) without Content-Length";
        q.mustRefuse = true;
      }
      case 9 -> {
        List<String[]> h = with(q.headers, "Transfer-Encoding", "chunked");
        h.add(new String[] {"Transfer-Encoding", "identity"});
        q.raw = request(q.method, target, h, chunk(body, rnd, false), false);
        q.mutation = "two Transfer-Encoding headers (chunked, identity)";
        q.mustRefuse = true;
      }
      case 10 -> {
        List<String[]> h = with(q.headers, "Content-Length", Integer.toString(body.length));
        h.removeIf(x -> x[0].equals("Content-Length"));
        h.add(new String[] {"Content-Length ", Integer.toString(body.length)});
        q.raw = request(q.method, target, h, body, false);
        q.mutation = "whitespace between header name and colon ('Content-Length :')";
        q.mustRefuse = true;
      }
      case 11, 12, 13 -> {
        q.raw = request(q.method, target, with(q.headers, "Transfer-Encoding", "chunked"), chunk(body, rnd, true), false);
        q.mutation = "valid chunked body (extensions, trailers)";
        q.closeOk = false;
      }
      case 14, 15 -> {
        byte[] good = chunk(body, rnd, false);
        int variant = rnd.nextInt(5);
        byte[] bad = switch (variant) {
          case 0 -> concat(utf8("zz\r\n"), body, utf8("\r\n0\r\n\r\n"));
          case 1 -> concat(utf8("-1\r\n"), body, utf8("\r\n0\r\n\r\n"));
          case 2 -> concat(utf8("fffffffffffffffffff\r\n"), body, utf8("\r\n0\r\n\r\n"));
          case 3 -> concat(utf8(Integer.toHexString(Math.max(1, body.length / 2)) + "\r\n"), body, utf8("\r\n0\r\n\r\n"));
          default -> concat(utf8(Integer.toHexString(body.length) + "\r\n"), body, utf8("XX0\r\n\r\n"));
        };
        q.raw = request(q.method, target, with(q.headers, "Transfer-Encoding", "chunked"), bad, false);
        q.mutation = "malformed chunked body #" + variant + " (good would be " + good.length + " bytes)";
        q.mustRefuse = true;
      }
      case 16 -> {
        byte[] open = concat(utf8(Integer.toHexString(body.length) + "\r\n"), body, utf8("\r\n"));
        q.raw = request(q.method, target, with(q.headers, "Transfer-Encoding", "chunked"), open, false);
        q.mutation = "chunked body without its last chunk (then silence)";
        q.slow = true;
      }
      case 17 -> {
        q.raw = concat(utf8(q.method + " " + target + " HTTP/1.0\r\n"), headerBytes(q.headers),
            utf8("Content-Length: " + body.length + "\r\n\r\n"), body);
        q.mutation = "HTTP/1.0 without Host";
        q.closeOk = false;
      }
      case 18 -> {
        String line = pick(rnd, List.of("\u0000\u0001\u0002garbage", "GET", q.method + " " + target + " HTTP/9.9",
            q.method + " " + target + " HTTP/1.1 extra", q.method + "  " + target + " HTTP/1.1", q.method + " " + target,
            q.method + " " + target.substring(1) + " HTTP/1.1", "  " + q.method + " " + target + " HTTP/1.1",
            q.method + " " + target + " http/1.1", q.method + " " + target + " HTTP/1.1\u0000"));
        q.raw = concat(latin1(line + "\r\n"), utf8("Host: 127.0.0.1\r\nConnection: close\r\n"), headerBytes(q.headers),
            utf8("Content-Length: " + body.length + "\r\n\r\n"), body);
        q.mutation = "request line '" + clip(line.replace("\u0000", "\\0")) + "'";
        q.anyShape = true;
      }
      case 19 -> {
        String bad = pick(rnd, List.of("Garbage", ": no-name", "Bad Header: x", "X-A: a\r\n  folded", "X-\u00ff: v", "X:\u0000"));
        byte[] head = request(q.method, target, q.headers, body, true);
        int split = indexOf(head, utf8("\r\n")) + 2;
        q.raw = concat(java.util.Arrays.copyOf(head, split), latin1(bad + "\r\n"), java.util.Arrays.copyOfRange(head, split, head.length));
        q.mutation = "malformed header line '" + clip(bad.replace("\r\n", "\\r\\n")) + "'";
      }
      case 20 -> {
        q.raw = request(q.method, target, with(q.headers, "Expect", rnd.nextBoolean() ? "100-continue" : "x-nonsense"), body, true);
        q.mutation = "Expect header with the body sent at once";
        q.closeOk = false;
      }
      case 21 -> {
        byte[] one = request(q.method, target, q.headers, body, true);
        String s = new String(one, StandardCharsets.ISO_8859_1).replace("Connection: close\r\n", "");
        byte[] keepAlive = latin1(s);
        q.raw = concat(keepAlive, one);
        q.mutation = "two pipelined requests (first answer read)";
        q.closeOk = false;
      }
      case 22 -> {
        String s = new String(request(q.method, target, q.headers, body, true), StandardCharsets.ISO_8859_1);
        q.raw = latin1(s.replace("\r\n", "\n"));
        q.mutation = "bare LF line endings";
      }
      default -> {
        q.raw = request(q.method, target, q.headers, body, false); // no Content-Length, no Transfer-Encoding
        q.mutation = "body without Content-Length or Transfer-Encoding";
        q.closeOk = false;
      }
    }
  }

  private static byte[] chunk(byte[] body, Random rnd, boolean extras) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < body.length) {
      int n = Math.min(body.length - pos, 1 + rnd.nextInt(Math.max(1, body.length / 2 + 1)));
      out.writeBytes(utf8(Integer.toHexString(n) + (extras && rnd.nextBoolean() ? ";ext=\"v\"" : "") + "\r\n"));
      out.write(body, pos, n);
      out.writeBytes(utf8("\r\n"));
      pos += n;
    }
    out.writeBytes(utf8("0\r\n" + (extras && rnd.nextBoolean() ? "X-Trailer: t\r\n" : "") + "\r\n"));
    return out.toByteArray();
  }

  private static List<String[]> with(List<String[]> headers, String name, String value) {
    List<String[]> h = new ArrayList<>(headers);
    h.add(new String[] {name, value});
    return h;
  }

  // ------------------------------------------------------------------ bytes on the wire

  private byte[] request(String method, String target, List<String[]> headers, byte[] body, boolean addLength) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (body == null ? 0 : body.length));
    out.writeBytes(latin1(method + " " + target + " HTTP/1.1\r\n"));
    out.writeBytes(utf8("Host: 127.0.0.1:" + g.port() + "\r\n"));
    out.writeBytes(headerBytes(headers));
    if (body != null && addLength) out.writeBytes(utf8("Content-Length: " + body.length + "\r\n"));
    out.writeBytes(utf8("Connection: close\r\n\r\n"));
    if (body != null) out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] headerBytes(List<String[]> headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String[] h : headers) out.writeBytes(latin1(h[0] + ": " + h[1] + "\r\n"));
    return out.toByteArray();
  }

  private static byte[] latin1(String s) {
    byte[] b = new byte[s.length()];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b[i] = c < 256 ? (byte) c : (byte) '?';
    }
    return b;
  }

  private static boolean jdkCanSend(Req q, String target) {
    try {
      java.net.URI.create("http://127.0.0.1" + target);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!q.method.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) return false;
    if (q.method.equals("CONNECT")) return false;
    for (String[] h : q.headers) {
      if (JDK_RESTRICTED.contains(h[0].toLowerCase(Locale.ROOT))) return false;
      if (!h[0].chars().allMatch(c -> c > 32 && c < 127)) return false;
      if (!h[1].chars().allMatch(c -> c == '\t' || (c >= 32 && c < 127))) return false;
      if (!h[1].equals(h[1].strip())) return false;
    }
    return true;
  }

  private static byte[] write(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String clip(String s) {
    String t = s.replace("\r", "\\r").replace("\n", "\\n");
    return t.length() > 60 ? t.substring(0, 60) + "…" : t;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) sb.append(String.format("%02x", x & 0xff));
    return sb.toString();
  }
}
