package com.lijiaoqiao.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Two ways to talk to the gateway: the JDK client (pooled keep-alive connections, what most clients do) and a raw
 * socket that sends exactly the bytes it is given (for framing the JDK client refuses to produce). Both stop at a
 * hard deadline: a watchdog closes the socket, so neither a read nor a blocked write can outlive it.
 */
final class Wire {
  /** What came back: a status (or -1 with {@code error} set: "timeout", "closed", "io: …"), headers, the body. */
  record Outcome(int status, Map<String, String> headers, byte[] body, long latencyMs, String error) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodySnippet(int max) {
      String s = new String(body, 0, Math.min(body.length, max * 4), StandardCharsets.UTF_8)
          .replace("\r", "\\r").replace("\n", "\\n");
      return s.length() > max ? s.substring(0, max) + "…" : s;
    }
  }

  static final int MAX_KEPT_BODY = 2 * 1024 * 1024;

  private final String host;
  private final int port;
  private final long timeoutMs;
  private final HttpClient jdk;
  private final ScheduledExecutorService watchdog;

  Wire(String host, int port, long timeoutMs, ExecutorService jdkExecutor, ScheduledExecutorService watchdog) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
    this.watchdog = watchdog;
    this.jdk = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(jdkExecutor)
        .build();
  }

  int port() {
    return port;
  }

  // ---------------------------------------------------------------- JDK client

  Outcome jdk(String method, String target, Iterable<String[]> headers, byte[] body) {
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> f = null;
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + target))
          .timeout(Duration.ofMillis(timeoutMs))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String[] h : headers) b.header(h[0], h[1]);
      f = jdk.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> r = f.get(timeoutMs, TimeUnit.MILLISECONDS);
      Map<String, String> hs = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> {
        if (!v.isEmpty()) hs.put(k.toLowerCase(Locale.ROOT), v.get(0));
      });
      byte[] data = r.body() == null ? new byte[0] : r.body();
      return new Outcome(r.statusCode(), hs, data, ms(start), null);
    } catch (TimeoutException e) {
      if (f != null) f.cancel(true);
      return new Outcome(-1, Map.of(), new byte[0], ms(start), "timeout");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof java.net.http.HttpTimeoutException) {
        return new Outcome(-1, Map.of(), new byte[0], ms(start), "timeout");
      }
      return new Outcome(-1, Map.of(), new byte[0], ms(start), "io: " + c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, Map.of(), new byte[0], ms(start), "interrupted");
    } catch (RuntimeException e) {
      // the JDK refused to build or send the request: a bug in the generator, reported as such
      return new Outcome(-1, Map.of(), new byte[0], ms(start), "client refused: " + e);
    }
  }

  // ---------------------------------------------------------------- raw socket

  /** Sends {@code request} as-is and reads one response (skipping 1xx). {@code head}: the response has no body. */
  Outcome raw(byte[] request, boolean head) {
    long start = System.nanoTime();
    Socket s = new Socket();
    AtomicBoolean fired = new AtomicBoolean();
    ScheduledFuture<?> dog = watchdog.schedule(() -> {
      fired.set(true);
      closeQuietly(s);
    }, timeoutMs, TimeUnit.MILLISECONDS);
    try {
      s.connect(new InetSocketAddress(host, port), 5_000);
      s.setSoTimeout((int) timeoutMs);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      String writeError = null;
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server may answer and close before it has read everything: read what it said anyway.
        writeError = e.toString();
      }
      InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      while (true) {
        String statusLine = readLine(in);
        if (statusLine == null) {
          if (fired.get()) return new Outcome(-1, Map.of(), new byte[0], ms(start), "timeout");
          return new Outcome(-1, Map.of(), new byte[0], ms(start),
              writeError == null ? "closed" : "closed (while sending: " + writeError + ")");
        }
        if (statusLine.isEmpty()) continue;
        int status = parseStatus(statusLine);
        Map<String, String> hs = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
          int c = line.indexOf(':');
          if (c > 0) hs.putIfAbsent(line.substring(0, c).trim().toLowerCase(Locale.ROOT), line.substring(c + 1).trim());
        }
        if (status < 0) {
          return new Outcome(-1, hs, new byte[0], ms(start), "io: malformed status line '" + clip(statusLine) + "'");
        }
        if (status >= 100 && status < 200) continue; // 100 Continue and friends
        byte[] body;
        try {
          if (head || status == 204 || status == 304) {
            body = new byte[0];
          } else if (hs.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            body = readChunked(in);
          } else if (hs.containsKey("content-length")) {
            long n = Long.parseLong(hs.get("content-length").trim());
            body = readN(in, n);
          } else {
            body = readToEnd(in);
          }
        } catch (IOException | RuntimeException e) {
          boolean timedOut = fired.get() || e instanceof SocketTimeoutException;
          return new Outcome(status, hs, new byte[0], ms(start), timedOut ? "timeout" : "body: " + e);
        }
        return new Outcome(status, hs, body, ms(start), null);
      }
    } catch (SocketTimeoutException e) {
      return new Outcome(-1, Map.of(), new byte[0], ms(start), "timeout");
    } catch (IOException | RuntimeException e) {
      if (fired.get()) return new Outcome(-1, Map.of(), new byte[0], ms(start), "timeout");
      return new Outcome(-1, Map.of(), new byte[0], ms(start), "io: " + e);
    } finally {
      dog.cancel(false);
      closeQuietly(s);
    }
  }

  private static int parseStatus(String line) {
    // HTTP/1.1 200 OK
    String[] p = line.split(" ", 3);
    if (p.length < 2 || !p[0].startsWith("HTTP/")) return -1;
    try {
      return Integer.parseInt(p[1].trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A CRLF- (or LF-) terminated line as ISO-8859-1, or null at EOF before any byte. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(128);
    int c;
    boolean any = false;
    while ((c = in.read()) != -1) {
      any = true;
      if (c == '\n') break;
      if (c != '\r') b.write(c);
      if (b.size() > 256 * 1024) throw new IOException("response line too long");
    }
    if (!any) return null;
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      if (sizeLine == null) throw new IOException("EOF inside a chunked response");
      int semi = sizeLine.indexOf(';');
      String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
      if (hex.isEmpty()) continue;
      long size = Long.parseLong(hex, 16);
      if (size == 0) {
        String t;
        while ((t = readLine(in)) != null && !t.isEmpty()) {
          // trailers
        }
        return out.toByteArray();
      }
      byte[] chunk = readN(in, size);
      if (out.size() < MAX_KEPT_BODY) out.write(chunk, 0, (int) Math.min(chunk.length, MAX_KEPT_BODY - out.size()));
      readLine(in); // CRLF after the chunk
    }
  }

  private static byte[] readN(InputStream in, long n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(n, 64 * 1024));
    byte[] buf = new byte[16 * 1024];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) throw new IOException("EOF after " + (n - left) + " of " + n + " body bytes");
      if (out.size() < MAX_KEPT_BODY) out.write(buf, 0, Math.min(r, MAX_KEPT_BODY - out.size()));
      left -= r;
    }
    return out.toByteArray();
  }

  private static byte[] readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    int r;
    while ((r = in.read(buf)) >= 0) {
      if (out.size() < MAX_KEPT_BODY) out.write(buf, 0, Math.min(r, MAX_KEPT_BODY - out.size()));
    }
    return out.toByteArray();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private static long ms(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static String clip(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
