package com.lijiaoqiao.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes usage records from the request path (a non-blocking offer) and writes them to the sink in batches
 * from one background thread. A failed write is retried with back-off, the batch kept. {@link #close()}
 * writes everything still queued before returning.
 */
public final class UsageRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

  private final UsageSink sink;
  private final BlockingQueue<UsageRecord> queue;
  private final int batchSize;
  private final long flushIntervalMs;
  private final Thread writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closing;

  public UsageRecorder(UsageSink sink, int queueCapacity, int batchSize, long flushIntervalMs) {
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.batchSize = batchSize;
    this.flushIntervalMs = flushIntervalMs;
    this.writer = Thread.ofPlatform().name("ljq-usage-writer").daemon(true).unstarted(this::run);
    writer.start();
  }

  /** Never blocks. A full queue means the database has been down for long: the record is counted and logged. */
  public void record(UsageRecord r) {
    if (!queue.offer(r)) {
      long n = dropped.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        log.error("usage queue full ({} records); {} records dropped so far", queue.size(), n);
      }
    }
  }

  public long written() {
    return written.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public int pending() {
    return queue.size();
  }

  private void run() {
    List<UsageRecord> batch = new ArrayList<>(batchSize);
    long backoff = 100;
    while (true) {
      try {
        if (batch.isEmpty()) {
          // Short polls so that close() is noticed promptly without interrupting a JDBC call.
          UsageRecord first = queue.poll(Math.min(flushIntervalMs, 50), TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing && queue.isEmpty()) return;
            continue;
          }
          batch.add(first);
          // Gather what else arrived within the interval, up to a batch.
          long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
          while (batch.size() < batchSize && !closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            UsageRecord r = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            if (r != null) batch.add(r);
          }
          queue.drainTo(batch, batchSize - batch.size());
        }
        sink.write(batch);
        written.addAndGet(batch.size());
        batch.clear();
        backoff = 100;
      } catch (InterruptedException e) {
        if (closing && queue.isEmpty() && batch.isEmpty()) return;
      } catch (RuntimeException e) {
        if (com.lijiaoqiao.store.StoreErrors.isPermanent(e)) {
          // A record the database refuses for good (bad data) must not hold back every record queued with it.
          try {
            writeOneByOne(batch);
            batch.clear();
            continue;
          } catch (RuntimeException meanwhile) {
            // the database went away meanwhile: back off and retry the batch (records are written idempotently)
          }
        }
        log.warn("writing {} usage records failed, retrying in {} ms: {}", batch.size(), backoff,
            com.lijiaoqiao.store.StoreErrors.reason(e));
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ignored) {
          // retry at once when closing
        }
        backoff = Math.min(backoff * 2, 5_000);
        if (closing && backoff >= 5_000) {
          log.error("giving up on {} usage records at shutdown: the database is unreachable", batch.size());
          return;
        }
      }
    }
  }

  /** Writes each record alone: the good ones land, one the database refuses for good is dropped and logged. */
  private void writeOneByOne(List<UsageRecord> batch) {
    for (UsageRecord r : batch) {
      try {
        sink.write(List.of(r));
        written.incrementAndGet();
      } catch (RuntimeException e) {
        if (!com.lijiaoqiao.store.StoreErrors.isPermanent(e)) throw e; // the database went away: retry the batch
        dropped.incrementAndGet();
        log.error("usage record of request {} refused by the database and dropped: {}", r.requestId(),
            com.lijiaoqiao.store.StoreErrors.reason(e));
      }
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
