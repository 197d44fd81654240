package com.lijiaoqiao.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes routing decisions from the request path (non-blocking offer), serialises them to JSON and writes them
 * in batches from one background thread. {@link #close()} writes what is queued.
 */
public final class DecisionRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecisionRecorder.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where decisions go (store/RouteDecisionRepository). */
  public interface Sink {
    void write(List<Row> rows);
  }

  public record Row(String requestId, String json, long createdAtMillis) {}

  private final Sink sink;
  private final BlockingQueue<RouteDecision> queue;
  private final int batchSize;
  private final long flushMs;
  private final Thread writer;
  private volatile boolean closing;

  public DecisionRecorder(Sink sink, int capacity, int batchSize, long flushMs) {
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchSize = batchSize;
    this.flushMs = flushMs;
    this.writer = Thread.ofPlatform().name("ljq-route-writer").daemon(true).unstarted(this::run);
    writer.start();
  }

  public void record(RouteDecision d) {
    if (!queue.offer(d)) log.warn("routing decision queue full; decision of {} dropped", d.requestId);
  }

  private void run() {
    List<RouteDecision> batch = new ArrayList<>(batchSize);
    long backoff = 100;
    while (true) {
      try {
        if (batch.isEmpty()) {
          RouteDecision first = queue.poll(flushMs, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing && queue.isEmpty()) return;
            continue;
          }
          batch.add(first);
          gather(batch);
        }
        List<Row> rows = new ArrayList<>(batch.size());
        for (RouteDecision d : batch) {
          rows.add(new Row(d.requestId, JSON.writeValueAsString(d.toMap()), d.createdAtMillis));
        }
        sink.write(rows);
        batch.clear();
        backoff = 100;
      } catch (InterruptedException e) {
        closing = true;
      } catch (Exception e) {
        if (com.lijiaoqiao.store.StoreErrors.isPermanent(e) && writeOneByOne(batch)) {
          batch.clear(); // a decision the database refuses for good does not hold back the rest
          continue;
        }
        if (closing) {
          log.error("dropping {} routing decisions at shutdown: {}", batch.size(), com.lijiaoqiao.store.StoreErrors.reason(e));
          return;
        }
        log.warn("writing routing decisions failed, retrying: {}", com.lijiaoqiao.store.StoreErrors.reason(e));
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          closing = true;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /**
   * Lets a batch gather for up to {@link #LINGER_MS} after its first decision: under load, each write then carries
   * many rows — the embedded store's cost is mostly per transaction — instead of the one or two that arrived while
   * the previous write ran. A decision is a diagnostic; 50 ms later is as good.
   */
  private void gather(List<RouteDecision> batch) throws InterruptedException {
    // One sleep rather than a wake-up per arriving decision: at thousands a second those wake-ups cost more than
    // the write.
    if (queue.size() < batchSize - 1 && !closing) Thread.sleep(LINGER_MS);
    queue.drainTo(batch, batchSize - batch.size());
  }

  static final long LINGER_MS = 50;

  /** Writes each decision alone, dropping (and logging) those refused for good; false if the database went away. */
  private boolean writeOneByOne(List<RouteDecision> batch) {
    for (RouteDecision d : batch) {
      try {
        sink.write(List.of(new Row(d.requestId, JSON.writeValueAsString(d.toMap()), d.createdAtMillis)));
      } catch (Exception e) {
        if (!com.lijiaoqiao.store.StoreErrors.isPermanent(e)) return false;
        log.error("routing decision of request {} refused by the database and dropped: {}", d.requestId,
            com.lijiaoqiao.store.StoreErrors.reason(e));
      }
    }
    return true;
  }

  @Override
  public void close() {
    closing = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
