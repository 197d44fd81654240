package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Docs that cannot drift: every fenced {@code bash}/{@code sh}/{@code console} block of README.md and docs/*.md is
 * parsed, and its {@code curl} commands are sent (parsed here, no shell) to a live demo gateway, in the documents'
 * order, each expected to answer 2xx unless the doc says otherwise.
 *
 * <p>Annotations: HTML comment lines right before a block, {@code <!-- doc-test: DIRECTIVE; DIRECTIVE -->}:
 * <ul>
 *   <li>{@code skip (reason)}: the block is not run (the reason is reported);
 *   <li>{@code skip-command TEXT (reason)}: its commands containing TEXT are not run;
 *   <li>{@code expect NNN} / {@code expect NNN on TEXT}: the status of all its commands / of those containing TEXT;
 *   <li>{@code expect cut on TEXT}: the answers of its commands containing TEXT end early (a stream cut on purpose);
 *   <li>{@code as admin} / {@code as supplier}: its sign-ins ({@code /auth/token}) use the demo's admin / supplier;
 *   <li>{@code token NAME=admin} / {@code token NAME=supplier}: {@code $NAME} is an access token of the demo's admin /
 *       supplier (signed in before the block runs);
 *   <li>{@code capture NAME=/json/pointer}: after each command whose JSON answer has it, {@code {NAME}} is that value;
 *   <li>{@code replace OLD -> NEW}: in the block's text ({@code {NAME}} in NEW: a captured value).
 * </ul>
 * A comment line {@code # → NNN …} right after a command is its expected status. {@code localhost:8080} /
 * {@code 127.0.0.1:8080} is the demo gateway, {@code 127.0.0.1:9090} its simulator ({@code ljq simulate}'s default);
 * {@code <LJQ_ADMIN_PASSWORD>}-style placeholders and {@code $LJQ_*} variables are the demo's values; a variable set to
 * a placeholder ({@code lgw-…}, {@code …}) keeps the demo's value. Anything else (another host, an unknown variable, an
 * option this runner does not know, a file body) fails the block unless it is annotated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocExamplesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern FENCE = Pattern.compile("^\\s*```\\s*(\\w*).*$");
  static final Pattern ANNOTATION = Pattern.compile("^\\s*<!--\\s*doc-test:\\s*(.*?)\\s*-->\\s*$");
  static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", Pattern.DOTALL);
  static final Pattern SHOWN_STATUS = Pattern.compile("^\\s*#\\s*→\\s*(\\d{3})\\b.*");

  Gateway g;
  Map<String, String> demo = new LinkedHashMap<>();
  String root;
  String simRoot;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final Map<String, int[]> tally = new java.util.TreeMap<>();

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createTempDirectory("ljq-doc-examples").resolve("data");
    g = Gateway.start(DemoCommand.demoConfig(TestGateway.freePort(), dir));
    Bootstrap.DemoCredentials c = Bootstrap.ensureDemo(g, dir, Bootstrap.DemoLimits.DEFAULT);
    root = "http://127.0.0.1:" + g.port();
    simRoot = g.simulator().baseUrl().replace("localhost", "127.0.0.1");
    demo.put("LJQ_BASE_URL", root + "/v1");
    demo.put("LJQ_API_KEY", c.apiKey());
    demo.put("LJQ_ADMIN_EMAIL", c.adminEmail());
    demo.put("LJQ_ADMIN_PASSWORD", c.adminPassword());
    assertThat(c.supplierEmail()).as("the demo seeds its supplier").isNotNull();
    demo.put("LJQ_SUPPLIER_EMAIL", c.supplierEmail());
    demo.put("LJQ_SUPPLIER_PASSWORD", c.supplierPassword());
  }

  @AfterAll
  void stop() {
    if (g != null) g.close();
    System.out.println("doc-test blocks (found / run / skipped): " + tally.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1] + "/" + e.getValue()[2]).toList());
  }

  // ---------------------------------------------------------------------------------------------------- the blocks

  record Block(String doc, int line, String lang, String text, List<String> directives) {
    String name() {
      return doc + ":" + line;
    }
  }

  static List<Path> documents() throws Exception {
    Path base = Path.of("").toAbsolutePath();
    List<Path> docs = new ArrayList<>();
    docs.add(base.resolve("README.md"));
    try (Stream<Path> s = Files.list(base.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  static List<Block> blocks(Path doc) throws Exception {
    List<String> lines = Files.readAllLines(doc);
    List<Block> out = new ArrayList<>();
    String name = Path.of("").toAbsolutePath().relativize(doc.toAbsolutePath()).toString();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = FENCE.matcher(lines.get(i));
      if (!m.matches()) continue;
      String lang = m.group(1);
      int start = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).trim().startsWith("```"); i++) text.append(lines.get(i)).append('\n');
      if (!List.of("bash", "sh", "console", "shell").contains(lang)) continue;
      List<String> directives = new ArrayList<>();
      for (int j = start - 1; j >= 0; j--) {
        Matcher a = ANNOTATION.matcher(lines.get(j));
        if (!a.matches()) break;
        for (String d : splitDirectives(a.group(1))) directives.add(0, d);
      }
      out.add(new Block(name, start + 1, lang, text.toString(), directives));
    }
    return out;
  }

  /** ';' separates directives, except inside parentheses (a reason may hold one). */
  static List<String> splitDirectives(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '(') depth++;
      if (ch == ')') depth--;
      if (ch == ';' && depth == 0) {
        if (!cur.toString().isBlank()) out.add(cur.toString().trim());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().trim());
    return out;
  }

  @TestFactory
  Stream<DynamicNode> everyRequestExampleOfTheDocsAnswersAsShown() throws Exception {
    List<DynamicNode> containers = new ArrayList<>();
    for (Path doc : documents()) {
      List<Block> blocks = blocks(doc);
      if (blocks.isEmpty()) continue;
      Map<String, String> vars = new HashMap<>(demo); // a document's state: its blocks run in order
      List<DynamicNode> tests = new ArrayList<>();
      for (Block b : blocks) tests.add(DynamicTest.dynamicTest(b.name(), () -> run(b, vars)));
      containers.add(DynamicContainer.dynamicContainer(blocks.get(0).doc(), tests));
    }
    return containers.stream();
  }

  void run(Block b, Map<String, String> vars) throws Exception {
    int[] t = tally.computeIfAbsent(b.doc(), k -> new int[3]);
    t[0]++;
    for (String d : b.directives()) {
      if (d.startsWith("skip ") || d.equals("skip") || d.startsWith("skip(") || d.startsWith("skip:")) {
        t[2]++;
        Assumptions.abort("skipped by its annotation: " + d);
      }
    }
    if (!b.text().contains("curl ")) {
      t[2]++;
      Assumptions.abort("no curl command (not a request example)");
    }
    t[1]++;
    new Runner(b, vars).runAll();
  }

  // ---------------------------------------------------------------------------------------------------- a runner

  final class Runner {
    final Block block;
    final Map<String, String> vars;
    final List<String> log = new ArrayList<>();
    int sent;

    Runner(Block block, Map<String, String> vars) {
      this.block = block;
      this.vars = vars;
    }

    String prepared() {
      String text = block.text();
      for (String d : block.directives()) {
        if (!d.startsWith("replace ")) continue;
        String[] parts = d.substring(8).split("\\s+->\\s+", 2);
        assertThat(parts).as("directive " + d).hasSize(2);
        assertThat(text).as("replace of " + block.name() + " finds " + parts[0]).contains(parts[0]);
        text = text.replace(parts[0], captured(parts[1]));
      }
      Matcher m = Pattern.compile("<(LJQ_[A-Z_]+)>").matcher(text);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = demo.get(m.group(1));
        assertThat(v).as("placeholder <" + m.group(1) + "> in " + block.name()).isNotNull();
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      text = sb.toString();
      // the documented hosts → the live demo (9090: `ljq simulate`'s default port → the demo's simulator)
      text = text.replaceAll("(https?://)?(localhost|127\\.0\\.0\\.1):8080", Matcher.quoteReplacement(root));
      text = text.replaceAll("(https?://)?(localhost|127\\.0\\.0\\.1):9090", Matcher.quoteReplacement(simRoot));
      return text;
    }

    String captured(String s) {
      Matcher m = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(s);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = vars.get(m.group(1));
        assertThat(v).as("{" + m.group(1) + "} was captured before " + block.name()).isNotNull();
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      return sb.toString();
    }

    void runAll() throws Exception {
      String text = prepared();
      for (String d : block.directives()) {
        Matcher t = Pattern.compile("^token ([A-Za-z_][A-Za-z0-9_]*)=(admin|supplier)$").matcher(d);
        if (t.matches()) vars.put(t.group(1), token(t.group(2)));
      }
      Lexer lexer = new Lexer(text, this);
      while (lexer.pos < text.length()) { // one command at a time: a variable it sets is there for the next ones
        Cmd c = lexer.command(false);
        if (c.words.isEmpty()) continue;
        Integer shown = null;
        int eol = text.indexOf('\n', lexer.pos - 1 < 0 ? 0 : lexer.pos - 1);
        if (lexer.pos > 0 && text.charAt(lexer.pos - 1) == '\n') eol = lexer.pos - 1;
        if (eol >= 0) {
          int end = text.indexOf('\n', eol + 1);
          Matcher m = SHOWN_STATUS.matcher(text.substring(eol + 1, end < 0 ? text.length() : end));
          if (m.matches()) shown = Integer.parseInt(m.group(1));
        }
        execute(c, shown);
      }
      log.forEach(System.out::println);
      assertThat(sent).as(block.name() + ": requests sent").isPositive();
    }

    /** Runs one simple command (assignments, export, curl, curl | jq); returns what it printed. */
    String execute(Cmd c, Integer shown) throws Exception {
      List<String> w = new ArrayList<>(c.words);
      if (!w.isEmpty() && w.get(0).equals("export")) w.remove(0);
      Map<String, String> assigned = new LinkedHashMap<>();
      while (!w.isEmpty()) {
        Matcher a = ASSIGNMENT.matcher(w.get(0));
        if (!a.matches()) break;
        assigned.put(a.group(1), a.group(2));
        w.remove(0);
      }
      assigned.forEach((k, v) -> {
        if (v.contains("…")) {
          assertThat(vars).as(block.name() + ": " + k + " is a placeholder of a value the test does not know")
              .containsKey(k);
        } else {
          vars.put(k, v);
        }
      });
      if (w.isEmpty()) return "";
      if (!w.get(0).equals("curl")) {
        throw new AssertionError(block.name() + ": not a curl command (annotate the block): " + c.raw);
      }
      String out = curl(w, c.raw, shown);
      for (List<String> filter : c.pipes) {
        if (filter.size() == 3 && filter.get(0).equals("jq") && filter.get(1).equals("-r")
            && filter.get(2).startsWith(".")) {
          JsonNode n = JSON.readTree(out);
          for (String f : filter.get(2).substring(1).split("\\.")) n = n.path(f);
          assertThat(n.isMissingNode() || n.isNull()).as(block.name() + ": " + filter + " of " + out).isFalse();
          out = n.asText();
        } else {
          throw new AssertionError(block.name() + ": unsupported pipe " + filter);
        }
      }
      return out;
    }

    String curl(List<String> w, String raw, Integer shown) throws Exception {
      for (String d : block.directives()) {
        if (d.startsWith("skip-command ")) {
          String what = d.substring(13).replaceAll("\\s*\\(.*\\)\\s*$", "").trim();
          if (raw.contains(what)) {
            log.add("skipped: " + raw);
            return "";
          }
        }
      }
      String method = null;
      String url = null;
      List<String[]> headers = new ArrayList<>();
      List<String> data = new ArrayList<>();
      boolean include = false;
      for (int i = 1; i < w.size(); i++) {
        String a = w.get(i);
        switch (a) {
          case "-X", "--request" -> method = w.get(++i);
          case "-H", "--header" -> {
            String h = w.get(++i);
            int colon = h.indexOf(':');
            assertThat(colon).as(block.name() + ": header " + h).isPositive();
            headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
          }
          case "-d", "--data", "--data-binary", "--data-raw" -> {
            String v = w.get(++i);
            if (v.startsWith("@") && !a.equals("--data-raw")) {
              throw new AssertionError(block.name() + ": a body from a file (annotate: skip-command): " + raw);
            }
            data.add(v);
          }
          case "-u", "--user" -> headers.add(new String[] {"Authorization",
              "Basic " + Base64.getEncoder().encodeToString(w.get(++i).getBytes(StandardCharsets.UTF_8))});
          default -> {
            if (a.matches("-[sSNi]+")) {
              include |= a.contains("i");
            } else if (a.equals("--silent") || a.equals("--no-buffer") || a.equals("--include")) {
              include |= a.equals("--include");
            } else if (a.startsWith("-")) {
              throw new AssertionError(block.name() + ": curl option " + a + " unknown to this test: " + raw);
            } else {
              assertThat(url).as(block.name() + ": one URL per curl: " + raw).isNull();
              url = a;
            }
          }
        }
      }
      assertThat(url).as(block.name() + ": URL of " + raw).isNotNull();
      if (!url.matches("^[a-z]+://.*")) url = "http://" + url;
      assertThat(url.startsWith(root + "/") || url.startsWith(simRoot + "/"))
          .as(block.name() + ": " + url + " is not the demo (annotate the block: skip (reason))").isTrue();
      String body = data.isEmpty() ? null : String.join("&", data);
      if (body != null && url.contains("/auth/token")) body = signIn(body);
      if (method == null) method = body == null ? "GET" : "POST";
      HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
      boolean hasType = false;
      for (String[] h : headers) {
        hasType |= h[0].equalsIgnoreCase("content-type");
        rb.header(h[0], h[1]);
      }
      if (body != null && !hasType) rb.header("Content-Type", "application/x-www-form-urlencoded"); // as curl -d
      rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      HttpResponse<java.io.InputStream> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
      sent++;
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      boolean cut = false;
      try (java.io.InputStream in = r.body()) {
        in.transferTo(got);
      } catch (java.io.IOException e) {
        cut = true; // the answer ended before its end (a stream cut on purpose, or a bug)
      }
      String answer = got.toString(StandardCharsets.UTF_8);
      boolean cutExpected = false;
      Integer expected = shown;
      for (String d : block.directives()) {
        Matcher e = Pattern.compile("^expect (\\d{3})(?: on (.+?))?(?:\\s*\\(.*\\))?$").matcher(d);
        if (e.matches() && (e.group(2) == null || raw.contains(e.group(2).trim()))) {
          expected = Integer.parseInt(e.group(1));
        }
        Matcher x = Pattern.compile("^expect cut on (.+?)(?:\\s*\\(.*\\))?$").matcher(d);
        cutExpected |= x.matches() && raw.contains(x.group(1).trim());
      }
      String what = block.name() + ": " + method + " " + url + " → " + r.statusCode() + (cut ? " (cut) " : " ")
          + abbreviate(answer);
      assertThat(cut).as(what + ": the answer was cut short").isEqualTo(cutExpected);
      log.add(what);
      if (expected != null) {
        assertThat(r.statusCode()).as(what).isEqualTo(expected);
      } else {
        assertThat(r.statusCode()).as(what).isBetween(200, 299);
      }
      capture(answer);
      if (!include) return answer;
      StringBuilder sb = new StringBuilder("HTTP/1.1 " + r.statusCode() + "\n");
      r.headers().map().forEach((k, v) -> v.forEach(x -> sb.append(k).append(": ").append(x).append('\n')));
      return sb.append('\n').append(answer).toString();
    }

    String signIn(String body) throws Exception {
      String who = null;
      for (String d : block.directives()) if (d.startsWith("as ")) who = d.substring(3).trim();
      if (who == null) return body;
      JsonNode j = JSON.readTree(body);
      var o = JSON.createObjectNode();
      o.put("email", demo.get(who.equals("admin") ? "LJQ_ADMIN_EMAIL" : "LJQ_SUPPLIER_EMAIL"));
      o.put("password", demo.get(who.equals("admin") ? "LJQ_ADMIN_PASSWORD" : "LJQ_SUPPLIER_PASSWORD"));
      assertThat(j.has("email")).as(block.name() + ": a sign-in body " + body).isTrue();
      return o.toString();
    }

    void capture(String body) {
      for (String d : block.directives()) {
        Matcher m = Pattern.compile("^capture ([A-Za-z_][A-Za-z0-9_]*)=(/\\S*)$").matcher(d);
        if (!m.matches()) continue;
        try {
          JsonNode n = JSON.readTree(body).at(m.group(2));
          if (!n.isMissingNode() && !n.isNull()) vars.put(m.group(1), n.asText());
        } catch (Exception notJson) {
          // not this one
        }
      }
    }
  }

  /** An access token of the demo's admin or supplier. */
  String token(String who) throws Exception {
    boolean admin = who.equals("admin");
    String body = JSON.createObjectNode()
        .put("email", demo.get(admin ? "LJQ_ADMIN_EMAIL" : "LJQ_SUPPLIER_EMAIL"))
        .put("password", demo.get(admin ? "LJQ_ADMIN_PASSWORD" : "LJQ_SUPPLIER_PASSWORD")).toString();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(root + "/v1/auth/token"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("sign-in of the demo's " + who + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("access_token").asText();
  }

  static String abbreviate(String s) {
    s = s.replace('\n', ' ');
    return s.length() > 400 ? s.substring(0, 400) + "…" : s;
  }

  // ---------------------------------------------------------------------------------------------------- a lexer

  /** A simple command: its words, the commands it is piped into, a comment that stands alone on its line. */
  static final class Cmd {
    final List<String> words = new ArrayList<>();
    final List<List<String>> pipes = new ArrayList<>();
    String comment;
    String raw = "";
  }

  /** Just enough of the shell: quotes, backslashes, $VAR / ${VAR} / $(…) expansion, '\'-newline, ;, |, &, #. */
  static final class Lexer {
    final String s;
    final Runner runner;
    int pos;

    Lexer(String s, Runner runner) {
      this.s = s;
      this.runner = runner;
    }

    /** Reads one command, up to a newline, ';', '&' or (nested) ')'. */
    Cmd command(boolean nested) throws Exception {
      Cmd c = new Cmd();
      List<String> current = c.words;
      int start = pos;
      while (pos < s.length()) {
        char ch = s.charAt(pos);
        if (ch == '\\' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') {
          pos += 2;
        } else if (ch == ' ' || ch == '\t') {
          pos++;
        } else if (ch == '\n' || ch == ';' || ch == '&') {
          pos++;
          break;
        } else if (ch == ')' && nested) {
          break;
        } else if (ch == '|') {
          pos++;
          current = new ArrayList<>();
          c.pipes.add(current);
        } else if (ch == '#') {
          int end = s.indexOf('\n', pos);
          if (end < 0) end = s.length();
          if (c.words.isEmpty()) c.comment = s.substring(pos, end);
          pos = end;
        } else {
          current.add(word(nested));
        }
      }
      c.raw = s.substring(start, Math.min(pos, s.length())).trim();
      return c;
    }

    String word(boolean nested) throws Exception {
      StringBuilder w = new StringBuilder();
      while (pos < s.length()) {
        char ch = s.charAt(pos);
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == ';' || ch == '&' || ch == '|' || (ch == ')' && nested)) break;
        if (ch == '\\' && pos + 1 < s.length()) {
          if (s.charAt(pos + 1) == '\n') {
            pos += 2;
            break;
          }
          w.append(s.charAt(pos + 1));
          pos += 2;
        } else if (ch == '\'') {
          int end = s.indexOf('\'', pos + 1);
          if (end < 0) throw new AssertionError(runner.block.name() + ": unbalanced '");
          w.append(s, pos + 1, end);
          pos = end + 1;
        } else if (ch == '"') {
          pos++;
          while (pos < s.length() && s.charAt(pos) != '"') {
            char d = s.charAt(pos);
            if (d == '\\' && pos + 1 < s.length() && "\"\\$`".indexOf(s.charAt(pos + 1)) >= 0) {
              w.append(s.charAt(pos + 1));
              pos += 2;
            } else if (d == '$') {
              w.append(dollar());
            } else {
              w.append(d);
              pos++;
            }
          }
          pos++;
        } else if (ch == '$') {
          w.append(dollar());
        } else {
          w.append(ch);
          pos++;
        }
      }
      return w.toString();
    }

    /** At a '$': a variable or a command substitution. */
    String dollar() throws Exception {
      pos++;
      if (pos < s.length() && s.charAt(pos) == '(') {
        pos++;
        Cmd inner = command(true);
        if (pos >= s.length() || s.charAt(pos) != ')') throw new AssertionError(runner.block.name() + ": $( without )");
        pos++;
        return runner.execute(inner, null).strip();
      }
      String name;
      if (pos < s.length() && s.charAt(pos) == '{') {
        int end = s.indexOf('}', pos);
        name = s.substring(pos + 1, end);
        pos = end + 1;
      } else {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
        name = s.substring(start, pos);
        if (name.isEmpty()) return "$";
      }
      String v = runner.vars.get(name);
      if (v == null) throw new AssertionError(runner.block.name() + ": $" + name + " is not set (annotate the block)");
      return v;
    }
  }
}
