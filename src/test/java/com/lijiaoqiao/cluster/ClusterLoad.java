package com.lijiaoqiao.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of {@link ClusterMoneyTest}: seeded random requests over the nodes — streams and non-streams,
 * simulator faults through {@code x-ljq-sim}, clients that hang up — and what each client was shown.
 */
final class ClusterLoad {
  private static final String[] FAULTS = {"503", "429", "cut", "stall"};

  final List<ClusterNode> nodes;
  final String key;
  /** Request id → the charge the client was shown (x-ljq-cost, or a stream's final usage.cost before [DONE]). */
  final Map<String, Long> shown = new ConcurrentHashMap<>();
  /** Request ids of non-streams answered with an error status: nothing was produced, so nothing is charged. */
  final Set<String> failedNonStreams = ConcurrentHashMap.newKeySet();
  final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  final AtomicInteger done = new AtomicInteger();
  /** Refusals for want of balance (the load tenant has plenty): node → times (ms since the load began). */
  final Map<String, List<Long>> refusals = new ConcurrentHashMap<>();
  volatile String firstRefusal;
  final long began = System.nanoTime();

  ClusterLoad(List<ClusterNode> nodes, String key) {
    this.nodes = nodes;
    this.key = key;
  }

  void refused(ClusterNode node, String body) {
    refusals.computeIfAbsent(node.name, k -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()))
        .add((System.nanoTime() - began) / 1_000_000);
    if (firstRefusal == null && !body.isEmpty()) firstRefusal = node.name + ": " + body;
  }

  void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  Map<String, Long> outcomes() {
    Map<String, Long> out = new TreeMap<>();
    outcomes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** A node that is up, starting from the one the seed picked (a load balancer skips a dead node). */
  ClusterNode pick(Random rnd) {
    int i = rnd.nextInt(nodes.size());
    for (int n = 0; n < nodes.size(); n++) {
      ClusterNode node = nodes.get((i + n) % nodes.size());
      if (node.up) return node;
    }
    return nodes.get(i);
  }

  /** One client thread: {@code requests} requests from its own seed. */
  void client(long seed, int requests) {
    Random rnd = new Random(seed);
    for (int i = 0; i < requests; i++) {
      ClusterNode node = pick(rnd);
      int kind = rnd.nextInt(100);
      String fault = rnd.nextInt(100) < 25 ? FAULTS[rnd.nextInt(FAULTS.length)] : null;
      // Half the faults hit the first attempt only, so the retry serves (and bills) the request.
      String once = fault != null && rnd.nextBoolean() ? ";times=1;key=" + seed + "-" + i : "";
      int maxTokens = 8 + rnd.nextInt(40);
      try {
        if (kind < 45) {
          String sim = fault == null ? "latency=" + rnd.nextInt(20) : "fault=" + fault + once;
          nonStream(node, maxTokens, sim);
        } else if (kind < 80) {
          int chunks = 2 + rnd.nextInt(11);
          String sim = "chunks=" + chunks + ";gap=" + rnd.nextInt(15)
              + (fault == null ? "" : ";fault=" + fault + ";after=" + rnd.nextInt(chunks + 1) + once);
          stream(node, maxTokens, sim);
        } else if (kind < 90) {
          leaveStream(node, maxTokens, rnd.nextInt(4));
        } else {
          leaveNonStream(node, maxTokens, 50 + rnd.nextInt(150));
        }
      } catch (Throwable e) {
        count(node.up ? "io error" : "io error (node down)");
      } finally {
        done.incrementAndGet();
      }
    }
  }

  static String body(int maxTokens, boolean stream) {
    return "{\"model\":\"" + ClusterNode.LOAD_MODEL + "\",\"max_tokens\":" + maxTokens
        + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"count the money twice\"}]}";
  }

  void nonStream(ClusterNode node, int maxTokens, String sim) {
    Http.Reply r = Http.postJson(node.baseUrl() + "/v1/chat/completions", key, body(maxTokens, false), "x-ljq-sim", sim);
    String id = r.header("x-request-id");
    if (r.status() == 200 && r.header("x-ljq-cost") != null) {
      shown.put(id, Money.parse(r.header("x-ljq-cost"), true));
      count("200 non-stream");
    } else {
      if (r.status() >= 400 && id != null) failedNonStreams.add(id);
      if (r.status() == 402) refused(node, r.body());
      count(r.status() + " non-stream");
    }
  }

  void stream(ClusterNode node, int maxTokens, String sim) {
    try (Http.Stream s = Http.stream(node.baseUrl() + "/v1/chat/completions", key, body(maxTokens, true), "x-ljq-sim", sim)) {
      if (s.status != 200) {
        if (s.status == 402) refused(node, String.join("", s.rest()));
        count(s.status + " stream");
        return;
      }
      String id = s.headers.firstValue("x-request-id").orElseThrow();
      Long told = toldCost(s.rest());
      if (told != null) {
        shown.put(id, told);
        count("200 stream, usage before [DONE]");
      } else {
        count("200 stream, broken (no usage or no [DONE])");
      }
    }
  }

  /** The cost the final usage chunk told the client, or null when the stream did not complete. */
  static Long toldCost(List<String> events) {
    if (events.size() < 2 || !events.get(events.size() - 1).equals("[DONE]")) return null;
    try {
      JsonNode usage = Http.JSON.readTree(events.get(events.size() - 2)).get("usage");
      return usage == null || usage.get("cost") == null ? null
          : usage.get("cost").decimalValue().movePointRight(6).longValueExact();
    } catch (Exception e) {
      return null;
    }
  }

  static Socket send(ClusterNode node, String key, String json, String sim) throws Exception {
    Socket s = new Socket("127.0.0.1", node.port);
    s.setSoTimeout(10_000);
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nx-ljq-sim: " + sim + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().write(body);
    s.getOutputStream().flush();
    return s;
  }

  /** A stream client that hangs up after its headers and {@code events} data events (0 = before any content). */
  void leaveStream(ClusterNode node, int maxTokens, int events) throws Exception {
    try (Socket s = send(node, key, body(maxTokens, true), "chunks=30;gap=20")) {
      InputStream in = s.getInputStream();
      String head = readUntil(in, "\r\n\r\n");
      if (!head.startsWith("HTTP/1.1 200")) {
        count("stream refused before the client left");
        return;
      }
      for (int e = 0; e < events; e++) readUntil(in, "\n\n");
      count("client left a stream after " + (events == 0 ? "0" : "≥1") + " events");
    }
  }

  /** A non-stream client that hangs up while the (slow) answer is on its way. */
  void leaveNonStream(ClusterNode node, int maxTokens, int afterMs) throws Exception {
    try (Socket s = send(node, key, body(maxTokens, false), "latency=300")) {
      Thread.sleep(afterMs);
      count("client left a non-stream");
    }
  }

  static String readUntil(InputStream in, String end) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      buf.write(b);
      if (buf.size() >= end.length() && buf.toString(StandardCharsets.ISO_8859_1).endsWith(end)) break;
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }
}
