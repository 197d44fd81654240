package com.lijiaoqiao.pipeline;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a whole upstream body, bounded in time (nothing for the idle timeout: a stall) and in bytes (an upstream
 * is untrusted: it never makes the gateway hold more than {@code maxBytes} for one answer).
 */
final class UpstreamBody {
  /** An answer larger than the gateway will hold. */
  static final class TooLarge extends RuntimeException {
    TooLarge(long max) {
      super("the upstream's body is larger than " + max + " bytes", null, false, false);
    }
  }

  /**
   * Bytes of whole upstream answers held at once, over every request of the process: at most a quarter of the heap
   * (as request bodies, server.max_buffered_body_bytes). A few upstreams answering huge bodies at once then fail over
   * as too large instead of exhausting the heap for every tenant.
   */
  static final long HELD_BUDGET = Runtime.getRuntime().maxMemory() / 4;
  private static final java.util.concurrent.atomic.AtomicLong HELD = new java.util.concurrent.atomic.AtomicLong();

  /** Bytes of whole answers held right now (tests, metrics). */
  static long held() {
    return HELD.get();
  }

  private UpstreamBody() {}

  /**
   * @param truncate true to keep the first {@code maxBytes} and stop reading (error bodies: only their start is
   *                 read), false to fail with {@link TooLarge}
   */
  static void read(Vertx vertx, HttpClientResponse up, long idleTimeoutMs, long maxBytes, boolean truncate,
                   Handler<AsyncResult<Buffer>> then) {
    read(vertx, up, idleTimeoutMs, maxBytes, truncate, HELD, HELD_BUDGET, then);
  }

  /** {@link #read} against a given count of held bytes and its budget (tests). */
  static void read(Vertx vertx, HttpClientResponse up, long idleTimeoutMs, long maxBytes, boolean truncate,
                   java.util.concurrent.atomic.AtomicLong heldBytes, long budget, Handler<AsyncResult<Buffer>> then) {
    Buffer acc = Buffer.buffer();
    long idleNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    long[] last = {System.nanoTime()};
    boolean[] over = {false};
    long[] timer = {-1};
    long[] held = {0}; // what this read counts in HELD (whole answers only), given back when it ends either way
    Runnable release = () -> {
      heldBytes.addAndGet(-held[0]);
      held[0] = 0;
    };
    @SuppressWarnings("unchecked")
    Handler<Long>[] check = new Handler[1];
    check[0] = id -> {
      if (over[0]) return;
      long quiet = System.nanoTime() - last[0];
      if (quiet >= idleNanos) {
        over[0] = true;
        release.run();
        UpstreamStream.abandon(up);
        then.handle(Future.failedFuture(new TimeoutException(
            "no bytes from the upstream for " + idleTimeoutMs + " ms (timeout)")));
      } else {
        timer[0] = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleNanos - quiet)), check[0]);
      }
    };
    timer[0] = vertx.setTimer(Math.max(1, idleTimeoutMs), check[0]);
    up.handler(b -> {
      if (over[0]) return;
      last[0] = System.nanoTime();
      boolean overBudget = !truncate && heldBytes.addAndGet(b.length()) > budget;
      if (!truncate) held[0] += b.length();
      if (overBudget || acc.length() + (long) b.length() > maxBytes) {
        over[0] = true;
        release.run();
        vertx.cancelTimer(timer[0]);
        UpstreamStream.abandon(up);
        if (truncate) {
          acc.appendBuffer(b, 0, (int) (maxBytes - acc.length()));
          then.handle(Future.succeededFuture(acc));
        } else {
          then.handle(Future.failedFuture(new TooLarge(overBudget ? budget : maxBytes)));
        }
        return;
      }
      acc.appendBuffer(b);
    });
    up.exceptionHandler(t -> {
      if (over[0]) return;
      over[0] = true;
      release.run();
      vertx.cancelTimer(timer[0]);
      then.handle(Future.failedFuture(t));
    });
    up.endHandler(v -> {
      if (over[0]) return;
      over[0] = true;
      release.run();
      vertx.cancelTimer(timer[0]);
      then.handle(Future.succeededFuture(acc));
    });
    up.resume();
  }
}
