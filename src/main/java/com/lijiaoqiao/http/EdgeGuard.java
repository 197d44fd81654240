package com.lijiaoqiao.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps one event loop's HTTP server standing against clients that are slow, idle, greedy or lying:
 * connection idle and request read deadlines, a cap on connections per IP, limits on headers, and quiet
 * handling of clients that go away. Confined to its event loop (one per {@link HttpFrontend}); what event
 * loops share lives in {@link Shared}.
 *
 * <p>Deadlines are not Vert.x's idle timeout, which counts writes and reads alike and would cut a stream whose
 * upstream is silent, or a client waiting for a slow answer. Here a connection is idle only while no request
 * is in flight on it, and a request's read deadline only runs until its body has arrived; what happens after
 * (a long answer) is the upstream timeouts' business. One sweep per event loop checks them, so a request costs
 * no timer.
 */
public final class EdgeGuard {
  private static final Logger log = LoggerFactory.getLogger(EdgeGuard.class);

  /** What every event loop's guard shares. */
  public static final class Shared {
    final BodyBudget budget;
    final RelaySlots relays;
    private final ConcurrentHashMap<String, Integer> connectionsPerIp = new ConcurrentHashMap<>();

    public Shared(BodyBudget budget, RelaySlots relays) {
      this.budget = budget;
      this.relays = relays;
    }

    public RelaySlots relays() {
      return relays;
    }

    public BodyBudget budget() {
      return budget;
    }
  }

  /** The edge's knobs; a timeout or cap of 0 is off. */
  record Limits(long idleTimeoutMs, long readTimeoutMs, int maxHeaders, int maxConnectionsPerIp) {}

  private final Vertx vertx;
  private final Limits limits;
  private final Shared shared;
  private final HttpServerOptions options;
  private final Map<HttpConnection, Conn> conns = new HashMap<>();
  private long sweepTimer = -1;
  private boolean decoderWarned;

  EdgeGuard(Vertx vertx, Limits limits, Shared shared, HttpServerOptions options) {
    this.vertx = vertx;
    this.limits = limits;
    this.shared = shared;
    this.options = options;
  }

  /** Hooks the guard into the server (before it listens) and starts the sweep. */
  void install(HttpServer server) {
    server.connectionHandler(this::opened);
    server.invalidRequestHandler(this::invalid);
    server.exceptionHandler(EdgeGuard::connectionTrouble);
    long shortest = Math.min(positiveOr(limits.idleTimeoutMs()), positiveOr(limits.readTimeoutMs()));
    if (shortest != Long.MAX_VALUE) {
      // A deadline is met to within a quarter of itself (at most a second): plenty for timeouts of seconds.
      sweepTimer = vertx.setPeriodic(Math.clamp(shortest / 4, 20, 1_000), id -> sweep());
    }
  }

  void stop() {
    if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
  }

  /** One request on a connection: in flight from its headers to the end of its response. */
  final class Admission {
    final HttpServerRequest req;
    private final Conn conn;
    private final long since = now();
    private final BodyBudget.Hold hold = shared.budget.open();
    private boolean done;
    private boolean timedOut;
    private boolean relaying;

    private Admission(HttpServerRequest req, Conn conn) {
      this.req = req;
      this.conn = conn;
    }

    /** The body bytes this request holds while it is read; released when it ends, whichever way. */
    BodyBudget.Hold hold() {
      return hold;
    }

    /** Takes one of the node's relay slots until this request ends, whichever way; false when all are taken. */
    boolean enterRelay() {
      if (done || !shared.relays.tryEnter()) return false;
      relaying = true;
      return true;
    }

    private void finish() {
      if (done) return;
      done = true;
      hold.release();
      if (relaying) {
        relaying = false;
        shared.relays.exit();
      }
      if (conn != null) {
        conn.requests.remove(this);
        if (--conn.inFlight == 0) conn.idleSince = now();
      }
    }
  }

  /** Registers a request that has its headers; call first, for every request. */
  Admission admit(HttpServerRequest req) {
    HttpServerResponse res = req.response();
    // Every answer is JSON, SSE or CSV: no browser may guess it is HTML.
    res.headers().set("x-content-type-options", "nosniff");
    Conn c = conns.get(req.connection());
    Admission a = new Admission(req, c);
    if (c != null) {
      c.inFlight++;
      c.headSince = -1;
      c.requests.add(a);
    }
    res.endHandler(v -> a.finish());
    res.exceptionHandler(EdgeGuard::connectionTrouble);
    return a;
  }

  /** A request the edge refuses from its headers alone, or null. */
  GatewayException refusal(HttpServerRequest req) {
    if (limits.maxHeaders() > 0 && req.headers().size() > limits.maxHeaders()) {
      return new GatewayException(ErrorCode.COMMON_431, "The request has more than " + limits.maxHeaders()
          + " header fields.", "请求头字段过多。", Map.of("max_headers", limits.maxHeaders()), null);
    }
    String te = req.getHeader("transfer-encoding");
    if (te != null) {
      // Netty already refuses chunked + Content-Length (EdgeDecoder); this catches other codings with a length.
      if (req.getHeader("content-length") != null) return ambiguousLength();
      if (req.headers().getAll("transfer-encoding").size() > 1 || !te.trim().equalsIgnoreCase("chunked")) {
        return GatewayException.badRequest("Transfer-Encoding '" + clip(te) + "' is not supported; use chunked.");
      }
    }
    return null;
  }

  private static GatewayException ambiguousLength() {
    return new GatewayException(ErrorCode.COMMON_001,
        "A request must not carry both Transfer-Encoding and Content-Length.",
        "请求不能同时包含 Transfer-Encoding 与 Content-Length。", Map.of(), null);
  }

  /** Requests the HTTP decoder could not accept: headers too large, line too long, ambiguous length. */
  private void invalid(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    GatewayException e;
    if (cause instanceof TooLongHttpHeaderException) {
      e = new GatewayException(ErrorCode.COMMON_431, "The request headers are larger than "
          + options.getMaxHeaderSize() + " bytes.", "请求头过大。",
          Map.of("max_header_bytes", options.getMaxHeaderSize()), null);
    } else if (cause instanceof TooLongHttpLineException) {
      e = new GatewayException(ErrorCode.COMMON_414, "The request line is longer than "
          + options.getMaxInitialLineLength() + " bytes.", "请求行过长。",
          Map.of("max_request_line_bytes", options.getMaxInitialLineLength()), null);
    } else if (cause instanceof EdgeDecoder.AmbiguousLength) {
      e = ambiguousLength();
    } else {
      e = GatewayException.badRequest("The HTTP request is malformed.");
    }
    log.debug("invalid HTTP request from {}: {}", req.remoteAddress(), String.valueOf(cause));
    String requestId = RequestIds.next();
    HttpServerResponse res = req.response();
    res.headers().set("x-content-type-options", "nosniff").set("connection", "close");
    res.exceptionHandler(EdgeGuard::connectionTrouble);
    if (req.connection() instanceof io.vertx.core.net.impl.ConnectionBase base) {
      // The client may still be sending (a megabyte of headers): the refusal must not be lost to a reset.
      base.channel().attr(LingeringClose.WANTED).set(Boolean.TRUE);
    }
    // Vert.x closes the connection once this answer is written. Anthropic paths answer in Anthropic's shape
    // (the path may be missing when the request line itself did not parse).
    ErrorRenderer.write(res, e, requestId, anthropicRequest(req) ? ErrorRenderer.Shape.ANTHROPIC
        : ErrorRenderer.Shape.OPENAI);
  }

  /** The refused request was for an Anthropic path (as its first bytes said, its parsed path may be a stand-in). */
  private static boolean anthropicRequest(HttpServerRequest req) {
    if (req.connection() instanceof io.vertx.core.net.impl.ConnectionBase base
        && base.channel().pipeline().get("httpDecoder") instanceof EdgeDecoder d) {
      return d.anthropicPath();
    }
    try {
      return HttpFrontend.shapeFor(req.path()) == ErrorRenderer.Shape.ANTHROPIC;
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /** One connection's state. */
  private final class Conn {
    final HttpConnection http;
    final String ip;
    final List<Admission> requests = new ArrayList<>(1);
    int inFlight;
    long idleSince = now();
    /** When the first byte of a request arrived whose headers are not complete yet; -1 = none. */
    long headSince = -1;

    Conn(HttpConnection http, String ip) {
      this.http = http;
      this.ip = ip;
    }

    void bytesArrived() {
      if (inFlight == 0 && headSince < 0) headSince = now();
    }
  }

  private void opened(HttpConnection http) {
    String ip = http.remoteAddress() == null ? "" : http.remoteAddress().hostAddress();
    int cap = limits.maxConnectionsPerIp();
    if (cap > 0 && shared.connectionsPerIp.merge(ip, 1, Integer::sum) > cap) {
      release(ip);
      log.debug("connection from {} refused: more than {} open", ip, cap);
      http.close();
      return;
    }
    Conn c = new Conn(http, ip);
    conns.put(http, c);
    watchBytes(http, c);
    http.closeHandler(v -> closed(c));
  }

  private void closed(Conn c) {
    conns.remove(c.http);
    if (limits.maxConnectionsPerIp() > 0) release(c.ip);
    // A client that left mid-body gives its bytes back here, whatever its request was doing.
    for (Admission a : List.copyOf(c.requests)) a.finish();
  }

  private void release(String ip) {
    shared.connectionsPerIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Swaps Vert.x's HTTP/1 decoder for {@link EdgeDecoder} (same options) before any byte is decoded: with
   * cleartext HTTP/2 off (HttpFrontend), the pipeline is built and this handler runs when the connection is
   * accepted, before its first read. Should a Vert.x upgrade change the decoder, the guard says so once and
   * keeps the other limits.
   */
  private void watchBytes(HttpConnection http, Conn c) {
    if (!(http instanceof io.vertx.core.net.impl.ConnectionBase base)) return;
    ChannelPipeline p = base.channel().pipeline();
    ChannelHandler current = p.get("httpDecoder");
    if (current == null) return;
    if (current.getClass() != io.vertx.core.http.impl.VertxHttpRequestDecoder.class) {
      if (!decoderWarned) {
        decoderWarned = true;
        log.warn("unexpected HTTP decoder {}: header deadlines and the Transfer-Encoding/Content-Length check "
            + "are off", current.getClass().getName());
      }
      return;
    }
    p.replace("httpDecoder", "httpDecoder", new EdgeDecoder(options, c::bytesArrived));
    p.addFirst("lingerClose", new LingeringClose());
  }

  private void sweep() {
    long now = now();
    for (Conn c : List.copyOf(conns.values())) {
      if (c.inFlight == 0) {
        if (c.headSince >= 0) {
          if (over(now - c.headSince, limits.readTimeoutMs())) {
            log.debug("closing connection from {}: request headers not complete after {} ms", c.ip,
                limits.readTimeoutMs());
            c.http.close();
          }
        } else if (over(now - c.idleSince, limits.idleTimeoutMs())) {
          c.http.close();
        }
        continue;
      }
      for (Admission a : List.copyOf(c.requests)) {
        if (!a.timedOut && !a.req.isEnded() && over(now - a.since, limits.readTimeoutMs())) readTimedOut(a);
      }
    }
  }

  /** The body did not arrive in time: 408 if nothing was answered yet, then the connection goes. */
  private void readTimedOut(Admission a) {
    a.timedOut = true;
    a.hold.release();
    log.debug("request from {}: body not complete after {} ms", a.conn.ip, limits.readTimeoutMs());
    HttpServerResponse res = a.req.response();
    if (res.headWritten() || res.ended() || res.closed()) {
      a.conn.http.close();
      return;
    }
    res.headers().set("connection", "close");
    String requestId = res.headers().get("x-request-id");
    GatewayException e = new GatewayException(ErrorCode.COMMON_408, "The request body did not arrive within "
        + limits.readTimeoutMs() + " ms.", "请求体接收超时。", Map.of("timeout_ms", limits.readTimeoutMs()), null);
    ErrorRenderer.write(res, e, requestId == null ? RequestIds.next() : requestId, HttpFrontend.shapeFor(a.req))
        .onComplete(x -> a.conn.http.close());
  }

  /** A client going away (reset, closed mid-answer) is routine, not an error worth a stack trace. */
  private static void connectionTrouble(Throwable t) {
    // Malformed framing from a client (bad header characters, chunk sizes, Content-Length values) is the
    // client's problem and is answered; it is not worth more than a debug line.
    if (routine(t) || t instanceof io.netty.handler.codec.CodecException || t instanceof EdgeDecoder.AmbiguousLength
        || t instanceof IllegalArgumentException) {
      log.debug("client connection: {}", t.toString());
    } else {
      log.warn("client connection: {}", t.toString());
    }
  }

  /** True for the ways a connection ends when its peer goes away (reset, closed, broken pipe). */
  static boolean routine(Throwable t) {
    return t instanceof IOException || t instanceof HttpClosedException
        || t instanceof io.vertx.core.http.StreamResetException
        || t instanceof io.vertx.core.VertxException && String.valueOf(t.getMessage()).contains("closed");
  }

  private static boolean over(long elapsedMs, long limitMs) {
    return limitMs > 0 && elapsedMs > limitMs;
  }

  private static long positiveOr(long ms) {
    return ms > 0 ? ms : Long.MAX_VALUE;
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }
}
