package com.lijiaoqiao.webhooks;

import com.lijiaoqiao.net.AddressGuard;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Posts one delivery: the host is judged by the address guard at the moment of the call and the connection goes to the
 * very address judged (the Host header and TLS stay on the name), redirects are not followed, and the whole exchange
 * has one deadline. Of the answer only the status and a short printable prefix of the body are kept.
 */
public final class WebhookSender {
  /** What came of one attempt: a status code, or the class of error that left none. */
  public record Outcome(Integer statusCode, String errorClass, long durationMs, String responsePrefix) {
    public boolean delivered() {
      return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
  }

  static final int PREFIX_BYTES = 512;
  static final int PREFIX_CHARS = 200;

  private final Vertx vertx;
  private final HttpClient client;
  private final AddressGuard guard;
  private final long timeoutMs;

  public WebhookSender(Vertx vertx, HttpClient client, AddressGuard guard, long timeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.guard = guard;
    this.timeoutMs = timeoutMs;
  }

  /** Never fails: every failure is an outcome. Call on a Vert.x context. */
  public Future<Outcome> send(String url, Map<String, String> headers, String body) {
    long start = System.nanoTime();
    AtomicReference<HttpClientRequest> open = new AtomicReference<>();
    Future<Outcome> attempt;
    try {
      URI uri = URI.create(url);
      boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
      int port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
      String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(uri.getHost()).setPort(port)
          .setSsl(ssl).setURI(path).setFollowRedirects(false).setConnectTimeout(timeoutMs)
          .putHeader("content-type", "application/json").putHeader("user-agent", "Lijiaoqiao-Webhooks/1");
      headers.forEach(options::putHeader);
      Future<InetAddress> judged = guard.permitsEverything() ? Future.succeededFuture(null)
          : guard.resolve(vertx, uri.getHost());
      attempt = judged.compose(ip -> client.request(ip == null ? options
              : options.setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(ip, port)))))
          .compose(req -> {
            open.set(req);
            return req.send(Buffer.buffer(body));
          })
          .compose(this::answer)
          .timeout(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    return attempt.map(o -> new Outcome(o.statusCode(), o.errorClass(), elapsedMs(start), o.responsePrefix()))
        .recover(t -> {
          HttpClientRequest req = open.get();
          if (req != null) req.reset();
          return Future.succeededFuture(new Outcome(null, errorClass(t), elapsedMs(start), null));
        });
  }

  /** The status and at most {@value #PREFIX_BYTES} bytes of the body; a longer body is cut off, not read. */
  private Future<Outcome> answer(HttpClientResponse resp) {
    Promise<Outcome> done = Promise.promise();
    Buffer prefix = Buffer.buffer();
    int status = resp.statusCode();
    String errorClass = status >= 200 && status < 300 ? null : "http_status";
    resp.handler(chunk -> {
      if (prefix.length() >= PREFIX_BYTES) return;
      prefix.appendBuffer(chunk.length() > PREFIX_BYTES - prefix.length()
          ? chunk.slice(0, PREFIX_BYTES - prefix.length()) : chunk);
      if (prefix.length() >= PREFIX_BYTES) {
        done.tryComplete(new Outcome(status, errorClass, 0, scrub(prefix.toString())));
        resp.request().reset();
      }
    });
    resp.exceptionHandler(t -> done.tryComplete(new Outcome(status, errorClass, 0, scrub(prefix.toString()))));
    resp.endHandler(v -> done.tryComplete(new Outcome(status, errorClass, 0, scrub(prefix.toString()))));
    return done.future();
  }

  /** Printable ASCII only, whitespace collapsed, at most {@value #PREFIX_CHARS} characters; null when nothing is left. */
  static String scrub(String raw) {
    StringBuilder b = new StringBuilder();
    boolean space = false;
    for (int i = 0; i < raw.length() && b.length() < PREFIX_CHARS; i++) {
      char c = raw.charAt(i);
      if (c > 0x20 && c < 0x7f) {
        if (space && b.length() > 0) b.append(' ');
        b.append(c);
        space = false;
      } else {
        space = true;
      }
    }
    String s = b.length() > PREFIX_CHARS ? b.substring(0, PREFIX_CHARS) : b.toString();
    return s.isEmpty() ? null : s;
  }

  static String errorClass(Throwable t) {
    if (t instanceof TimeoutException) return "timeout";
    if (t instanceof AddressGuard.Refused) return "address_refused";
    if (t instanceof java.net.UnknownHostException) return "dns";
    if (t instanceof ConnectException || t instanceof io.netty.channel.ConnectTimeoutException) return "connect_failed";
    if (t instanceof javax.net.ssl.SSLException) return "tls";
    if (t instanceof io.vertx.core.http.HttpClosedException) return "connection_closed";
    if (t instanceof IllegalArgumentException) return "bad_url";
    return "error";
  }

  private static long elapsedMs(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
