package com.lijiaoqiao.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * N streaming requests opened at once (not a closed loop): how a proxy holds 1,000 concurrent streams. Its own Vert.x
 * instance with one event loop and a connection pool of N + 16 per host, so every stream has its own connection and
 * none waits in the load generator. Per stream it records the time to the first body byte (TTFT: the simulator's
 * first SSE event), the time to the last byte, and the longest gap between two reads after the first.
 */
public final class StreamBurst implements AutoCloseable {
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final HttpClient client;

  public StreamBurst(int maxStreams) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setPipelining(false)
            .setConnectTimeout(30_000),
        new PoolOptions().setHttp1MaxSize(maxStreams + 16).setMaxWaitQueueSize(-1));
  }

  /**
   * The figures of one burst. Latency arrays hold the successful streams only (same index across the three).
   *
   * @param retryAfter503 streams answered 503 with a Retry-After header (the gateway shedding load: an answer, not a
   *                      hang); also counted in {@code errors}
   */
  public record BurstResult(int streams, int ok, int errors, int retryAfter503, Map<String, Integer> errorKinds,
                            long wallNs, long[] ttftNs, long[] totalNs, long[] maxGapNs) {
    /** Successful streams per second of wall time (first request issued to last stream ended). */
    public double streamsPerSecond() {
      return wallNs <= 0 ? 0 : ok / (wallNs / 1e9);
    }
  }

  /** Opens {@code n} streams of {@code spec} at once and waits until all have ended (or {@code timeout}). */
  public BurstResult run(RequestSpec spec, int n, Duration timeout) throws Exception {
    Burst b = new Burst(spec, n);
    vertx.runOnContext(v -> b.start());
    return b.done.get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
  }

  private final class Burst {
    final RequestSpec spec;
    final RequestOptions options;
    final int n;
    final CompletableFuture<BurstResult> done = new CompletableFuture<>();
    final long[] ttft;
    final long[] total;
    final long[] maxGap;
    final Map<String, Integer> kinds = new TreeMap<>();
    long startNs;
    long lastEndNs;
    int finished;
    int ok;
    int errors;
    int retryAfter;

    Burst(RequestSpec spec, int n) {
      this.spec = spec;
      this.options = new RequestOptions(spec.options()).setIdleTimeout(120_000);
      this.n = n;
      ttft = new long[n];
      total = new long[n];
      maxGap = new long[n];
    }

    void start() {
      startNs = System.nanoTime();
      lastEndNs = startNs;
      for (int i = 0; i < n; i++) {
        new Stream().send();
      }
    }

    void ended(long end) {
      lastEndNs = Math.max(lastEndNs, end);
      if (++finished == n) {
        done.complete(new BurstResult(n, ok, errors, retryAfter, kinds, lastEndNs - startNs,
            Arrays.copyOf(ttft, ok), Arrays.copyOf(total, ok), Arrays.copyOf(maxGap, ok)));
      }
    }

    final class Stream {
      final long t0 = System.nanoTime();
      long first;
      long last;
      long gap;
      int status;
      boolean over;
      final StreamTail tail = new StreamTail();

      void send() {
        try {
          client.request(options).compose(req -> req.send(spec.body())).onComplete(this::onResponse);
        } catch (RuntimeException e) {
          fail("exception " + e.getClass().getSimpleName());
        }
      }

      void onResponse(AsyncResult<HttpClientResponse> ar) {
        if (ar.failed()) {
          fail("exception " + ar.cause().getClass().getSimpleName());
          return;
        }
        HttpClientResponse resp = ar.result();
        status = resp.statusCode();
        if (status == 503 && resp.getHeader("retry-after") != null) {
          retryAfter++;
          resp.handler(b -> { });
          resp.endHandler(v -> fail("http 503 with Retry-After"));
          resp.exceptionHandler(e -> fail("http 503 with Retry-After"));
          return;
        }
        resp.exceptionHandler(e -> fail("exception " + e.getClass().getSimpleName()));
        resp.handler(this::onChunk);
        resp.endHandler(v -> onEnd());
      }

      void onChunk(Buffer buf) {
        long now = System.nanoTime();
        if (first == 0) {
          first = now;
        } else {
          gap = Math.max(gap, now - last);
        }
        last = now;
        tail.append(buf);
      }

      void onEnd() {
        long end = System.nanoTime();
        if (status != 200) {
          fail("http " + status);
          return;
        }
        if (!tail.contains(DONE)) {
          fail("stream without [DONE]");
          return;
        }
        if (over) {
          return;
        }
        over = true;
        ttft[ok] = (first == 0 ? end : first) - t0;
        total[ok] = end - t0;
        maxGap[ok] = gap;
        ok++;
        ended(end);
      }

      void fail(String kind) {
        if (over) {
          return;
        }
        over = true;
        errors++;
        kinds.merge(kind, 1, Integer::sum);
        ended(System.nanoTime());
      }
    }
  }

  @Override
  public void close() {
    try {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
