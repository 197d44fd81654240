package com.lijiaoqiao.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop load generator: {@code concurrency} virtual users, each sends its next request as soon as the previous
 * one has completed (body fully read), until the deadline. Runs on its own Vert.x instance with a single event loop,
 * so all bookkeeping is single-threaded; latencies are wall-clock nanoseconds from just before the request is issued
 * until the last body byte (and, for streams, until the first body byte = first SSE event).
 */
public final class LoadGenerator implements AutoCloseable {
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final HttpClient client;
  private volatile int progressCompleted;
  private volatile int progressErrors;
  private volatile boolean closed;

  /** @param maxConcurrency the highest concurrency that will be used: the per-host connection pool is sized to it */
  public LoadGenerator(int maxConcurrency) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setPipelining(false)
            .setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(Math.max(8, maxConcurrency + 4)).setMaxWaitQueueSize(-1));
  }

  /** Requests completed (ok or not) in the current run so far; for progress display only. */
  public int progressCompleted() {
    return progressCompleted;
  }

  public int progressErrors() {
    return progressErrors;
  }

  /** Result of one run. Latencies only hold successful requests. */
  public record RunResult(int completed, int errors, Map<String, Integer> errorKinds, long elapsedNs,
                          Latencies total, Latencies ttfb) {
    public double seconds() {
      return elapsedNs / 1e9;
    }
  }

  /** One request, returning "status body" (for the pre-flight check). */
  public String probe(RequestSpec spec) throws Exception {
    CompletableFuture<String> out = new CompletableFuture<>();
    client.request(spec.options())
        .compose(req -> req.send(spec.body()))
        .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b.toString(StandardCharsets.UTF_8)))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            out.complete(ar.result());
          } else {
            out.completeExceptionally(ar.cause());
          }
        });
    return out.get(30, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code concurrency} closed-loop users for {@code duration}, cycling through {@code specs} (request i uses
   * {@code specs[i % size]}). Blocks until the last in-flight request has finished.
   */
  public RunResult run(List<RequestSpec> specs, int concurrency, Duration duration) throws Exception {
    Run run = new Run(specs, concurrency, duration.toNanos());
    progressCompleted = 0;
    progressErrors = 0;
    vertx.runOnContext(v -> run.start());
    return run.done.get(duration.toMillis() + 90_000, TimeUnit.MILLISECONDS);
  }

  private final class Run {
    final List<RequestSpec> specs;
    final int concurrency;
    final long durationNs;
    final CompletableFuture<RunResult> done = new CompletableFuture<>();
    final Latencies total = new Latencies(1 << 16);
    final Latencies ttfb = new Latencies(1 << 12);
    final Map<String, Integer> errorKinds = new TreeMap<>();
    long startNs;
    long deadlineNs;
    long lastEndNs;
    long seq;
    int active;
    int completed;
    int errors;

    Run(List<RequestSpec> specs, int concurrency, long durationNs) {
      this.specs = specs;
      this.concurrency = concurrency;
      this.durationNs = durationNs;
    }

    void start() {
      startNs = System.nanoTime();
      lastEndNs = startNs;
      deadlineNs = startNs + durationNs;
      active = concurrency;
      for (int i = 0; i < concurrency; i++) {
        next();
      }
    }

    void next() {
      if (closed || System.nanoTime() >= deadlineNs) {
        if (--active == 0) {
          done.complete(new RunResult(completed, errors, errorKinds, lastEndNs - startNs, total, ttfb));
        }
        return;
      }
      RequestSpec spec = specs.get((int) (seq++ % specs.size()));
      new Call(spec).send();
    }

    final class Call {
      final RequestSpec spec;
      final long t0 = System.nanoTime();
      long firstByteNs;
      boolean finished;
      int status;
      // last bytes of the body, to check that a stream ended with "data: [DONE]"
      final StreamTail tail = new StreamTail();

      Call(RequestSpec spec) {
        this.spec = spec;
      }

      void send() {
        try {
          client.request(spec.options())
              .compose(req -> req.send(spec.body()))
              .onComplete(this::onResponse);
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
        resp.exceptionHandler(err -> fail("exception " + err.getClass().getSimpleName()));
        resp.handler(this::onChunk);
        resp.endHandler(v -> onEnd());
      }

      void onChunk(Buffer buf) {
        if (firstByteNs == 0) {
          firstByteNs = System.nanoTime();
        }
        tail.append(buf);
      }

      void onEnd() {
        long end = System.nanoTime();
        if (status != 200) {
          fail("http " + status);
          return;
        }
        if (spec.stream() && !endsWithDone()) {
          fail("stream without [DONE]");
          return;
        }
        if (finished) {
          return;
        }
        finished = true;
        total.add(end - t0);
        if (spec.stream()) {
          ttfb.add((firstByteNs == 0 ? end : firstByteNs) - t0);
        }
        completed++;
        progressCompleted = completed + errors;
        lastEndNs = Math.max(lastEndNs, end);
        next();
      }

      boolean endsWithDone() {
        return tail.contains(DONE);
      }

      void fail(String kind) {
        if (finished) {
          return;
        }
        finished = true;
        errors++;
        errorKinds.merge(kind + " (" + spec.target() + ")", 1, Integer::sum);
        progressErrors = errors;
        progressCompleted = completed + errors;
        long now = System.nanoTime();
        lastEndNs = Math.max(lastEndNs, now);
        // back off a little so a dead target does not turn the closed loop into a busy loop
        if (closed) {
          next();
        } else {
          vertx.setTimer(5, t -> next());
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
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
