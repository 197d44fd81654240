package com.lijiaoqiao.storage;

import com.lijiaoqiao.pipeline.Exchange;
import com.lijiaoqiao.pipeline.RequestLogTap;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-in request logs. On the event loop only {@link #wants} (a map lookup) and {@link #ended} (an offer to a bounded
 * queue, dropped and counted when full) run; bodies are referenced, never copied there. A writer thread takes batches,
 * redacts them, writes gzip JSON lines into the local spool ({@link RequestLogSpool}), which uploads them and deletes
 * each file only once the store has it. Settings are cached per node and re-read every few seconds.
 */
public final class RequestLogs implements RequestLogTap, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequestLogs.class);

  /** What the event loop hands over: references to what the request already holds. */
  record Entry(String requestId, long tenantId, long userId, long keyId, String endpoint, String model,
               String servedModel, String provider, boolean stream, int status, String outcome, String errorCode,
               long promptTokens, long completionTokens, long costMicros, long endedAtMs, byte[] request,
               byte[] response, boolean responseTruncated, byte[] supplierSecret, int maxBodyBytes) {}

  /** A tenant's setting as cached. */
  public record Setting(boolean enabled, int retentionDays) {}

  private final Map<Long, Setting> settings = new ConcurrentHashMap<>();
  private final BlockingQueue<Entry> queue;
  private final int batchSize;
  private final long flushMs;
  private final int maxBodyBytes;
  private final Redactor redactor;
  private final RequestLogSpool spool;
  private final StorageMetrics metrics;
  private final Clock clock;
  private final Thread writer;
  private volatile boolean stopping;

  public RequestLogs(int capacity, int batchSize, long flushMs, int maxBodyBytes, Redactor redactor,
                     RequestLogSpool spool, StorageMetrics metrics, Clock clock) {
    this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
    this.batchSize = Math.max(1, batchSize);
    this.flushMs = Math.max(10, flushMs);
    this.maxBodyBytes = maxBodyBytes;
    this.redactor = redactor;
    this.spool = spool;
    this.metrics = metrics;
    this.clock = clock;
    metrics.logQueue(queue::size, spool::pending);
    this.writer = new Thread(this::writeLoop, "ljq-request-logs");
    writer.setDaemon(true);
    writer.start();
  }

  /** Replaces the cached settings (every tenant that has a row). */
  public void settings(Map<Long, Setting> all) {
    settings.keySet().retainAll(all.keySet());
    settings.putAll(all);
  }

  public void setting(long tenantId, Setting s) {
    settings.put(tenantId, s);
  }

  public Map<Long, Setting> settings() {
    return Map.copyOf(settings);
  }

  @Override
  public boolean wants(long tenantId) {
    Setting s = settings.get(tenantId);
    return s != null && s.enabled();
  }

  @Override
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  @Override
  public void ended(Exchange ex) {
    var p = ex.principal;
    var u = ex.usage;
    byte[] secret = ex.target == null || ex.target.offer() == null ? null : ex.target.offer().credential();
    Entry e = new Entry(ex.requestId, p.tenantId(), p.userId(), p.keyId(), ex.endpoint.name().toLowerCase(),
        ex.parsed == null ? null : ex.parsed.model(), ex.servedModel,
        ex.target == null ? null : ex.target.provider().id(), ex.parsed != null && ex.stream(), ex.statusCode,
        ex.outcome, ex.errorCode, u == null ? 0 : u.promptTokens(), u == null ? 0 : u.completionTokens(),
        ex.costMicros, clock.millis(), ex.rawBody, ex.capture.bytes(), ex.capture.truncated(), secret,
        maxBodyBytes);
    if (queue.offer(e)) {
      metrics.logAccepted();
    } else {
      metrics.logDropped();
    }
  }

  /** Records waiting to be written. */
  public int queued() {
    return queue.size();
  }

  private void writeLoop() {
    List<Entry> batch = new ArrayList<>(batchSize);
    while (!stopping || !queue.isEmpty()) {
      try {
        Entry first = queue.poll(flushMs, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushMs);
        while (batch.size() < batchSize && !stopping) {
          Entry next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (next == null) break;
          batch.add(next);
        }
        queue.drainTo(batch, batchSize - batch.size());
        write(batch);
      } catch (InterruptedException e) {
        if (!stopping) Thread.currentThread().interrupt();
        stopping = true;
      } catch (RuntimeException e) {
        log.warn("writing request logs to the spool: {} ({} records kept for the next try)", e.toString(),
            batch.size());
        sleepQuietly();
        continue;
      }
      batch.clear();
    }
  }

  /** One spool file per tenant and day in the batch. */
  private void write(List<Entry> batch) {
    Map<String, List<Map<String, Object>>> byFile = new java.util.LinkedHashMap<>();
    for (Entry e : batch) {
      LocalDate day = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(e.endedAtMs()), ZoneOffset.UTC);
      byFile.computeIfAbsent("tenant=" + e.tenantId() + "/date=" + day, k -> new ArrayList<>())
          .add(RequestLogRecord.of(e, redactor));
    }
    byFile.forEach(spool::write);
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
  }

  /** Writes what is queued to the spool (it uploads later, or at the next start). */
  @Override
  public void close() {
    stopping = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
