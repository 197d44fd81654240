package com.lijiaoqiao.access;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that compute password hashes (sign-in, registration, password changes). Argon2 is meant to be
 * expensive, so a flood of sign-ins on the shared worker pool would starve every management request (and the
 * data plane's blocking work) behind it. Here hashing has its own few threads and a short queue; work that
 * finds the queue full is refused at once with {@link Busy} (the caller answers 429), never queued behind the
 * flood.
 */
public final class HashingPool implements AutoCloseable {
  /** The pool and its queue are full: try again shortly. */
  public static final class Busy extends RuntimeException {
    Busy() {
      super("the password-hashing pool is busy", null, false, false);
    }
  }

  private final ThreadPoolExecutor pool;
  private final int queueCapacity;

  /** {@code threads} ≥ 1; {@code queueCapacity} ≥ 0 (0 = no waiting: a task runs at once or is refused). */
  public HashingPool(int threads, int queueCapacity) {
    if (threads < 1) throw new IllegalArgumentException("hashing threads must be at least 1");
    if (queueCapacity < 0) throw new IllegalArgumentException("hashing queue must be 0 or more");
    this.queueCapacity = queueCapacity;
    BlockingQueue<Runnable> queue = queueCapacity == 0
        ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueCapacity);
    AtomicInteger seq = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue, r -> {
      Thread t = new Thread(r, "ljq-hashing-" + seq.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** A few threads: enough to use spare cores, few enough to leave cores to the event loops. */
  public static int defaultThreads() {
    return Math.max(2, Runtime.getRuntime().availableProcessors() / 2);
  }

  /**
   * Runs blocking work on the pool. The future completes on a pool thread; it fails with {@link Busy} at once
   * when the pool and its queue are full.
   */
  public <T> Future<T> submit(Callable<T> work) {
    Promise<T> promise = Promise.promise();
    try {
      pool.execute(() -> {
        try {
          promise.complete(work.call());
        } catch (Throwable t) {
          promise.fail(t);
        }
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new Busy());
    }
    return promise.future();
  }

  /** Tasks waiting for a thread (for tests and metrics). */
  public int queued() {
    return pool.getQueue().size();
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  public int threads() {
    return pool.getMaximumPoolSize();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
