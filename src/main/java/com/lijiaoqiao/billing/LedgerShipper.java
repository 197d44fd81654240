package com.lijiaoqiao.billing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships journaled settlements to the ledger in batches from one background thread, then moves the journal's
 * checkpoint. A failed batch is retried (with back-off) until it lands: nothing charged is dropped.
 */
final class LedgerShipper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LedgerShipper.class);

  private static final long GATHER_MS = 50;
  private static final int MAX_BATCH = 1000;

  record Item(Settlement settlement, long journalOffset, LedgerStore.LowBalance lowBalance) {}

  private final LedgerStore store;
  private final SettlementJournal journal;
  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;
  private volatile long shipped;

  LedgerShipper(LedgerStore store, SettlementJournal journal) {
    this.store = store;
    this.journal = journal;
    this.thread = Thread.ofPlatform().name("ljq-ledger-shipper").daemon(true).unstarted(this::run);
    thread.start();
  }

  void enqueue(Item item) {
    queue.add(item);
  }

  long shipped() {
    return shipped;
  }

  int pending() {
    return queue.size();
  }

  private void run() {
    List<Item> batch = new ArrayList<>();
    long backoff = 50;
    while (true) {
      try {
        if (batch.isEmpty()) {
          Item first = queue.poll(50, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing) return;
            continue;
          }
          batch.add(first);
          // Gather for a moment: one database transaction per batch, not per request.
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GATHER_MS);
          while (batch.size() < MAX_BATCH && !closing) {
            long left = until - System.nanoTime();
            if (left <= 0) break;
            Item next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) break;
            batch.add(next);
            queue.drainTo(batch, MAX_BATCH - batch.size());
          }
        }
        List<Settlement> settlements = new ArrayList<>(batch.size());
        List<LedgerStore.LowBalance> low = new ArrayList<>();
        long offset = -1;
        for (Item i : batch) {
          settlements.add(i.settlement());
          if (i.lowBalance() != null) low.add(i.lowBalance());
          offset = Math.max(offset, i.journalOffset());
        }
        store.applySettlements(settlements, low);
        shipped += batch.size();
        journal.checkpoint(offset);
        batch.clear();
        backoff = 50;
      } catch (InterruptedException e) {
        if (closing && queue.isEmpty() && batch.isEmpty()) return;
      } catch (RuntimeException e) {
        log.warn("shipping {} settlements to the ledger failed, retrying in {} ms: {} ({})", batch.size(), backoff,
            e.toString(), e.getCause() == null ? "" : e.getCause().getMessage());
        if (backoff >= 400) {
          // Repeated failure may be one bad settlement poisoning the batch: ship one by one, set the bad aside.
          batch.removeIf(this::shipAloneOrSetAside);
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
        if (closing && backoff >= 5_000) {
          // They stay in the journal and are shipped at the next start.
          log.error("leaving {} settlements in the journal for the next start: the database is unreachable",
              batch.size() + queue.size());
          return;
        }
      }
    }
  }

  /** True when the item is done with: shipped, or refused for good and kept aside for an operator. */
  private boolean shipAloneOrSetAside(Item i) {
    try {
      store.applySettlements(List.of(i.settlement()),
          i.lowBalance() == null ? List.of() : List.of(i.lowBalance()));
      shipped++;
      return true;
    } catch (RuntimeException e) {
      if (isPermanent(e)) {
        journal.setAside(i.settlement(), String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e));
        return true;
      }
      return false;
    }
  }

  /** Constraint violations never heal by retrying; connection problems do. */
  private static boolean isPermanent(RuntimeException e) {
    Throwable c = e.getCause();
    return c instanceof java.sql.SQLIntegrityConstraintViolationException
        || (c instanceof java.sql.SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("23"));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException ignored) {
      // retry at once
    }
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
