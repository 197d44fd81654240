package com.lijiaoqiao.billing;

import com.lijiaoqiao.store.StoreErrors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships journaled settlements to the ledger in batches from one background thread, then moves the journal's
 * checkpoint. A failed batch is retried (with back-off) until it lands: nothing charged is dropped. A settlement
 * the ledger refuses for good (a data error: SQLSTATE class 22 or 23) is isolated at once and set aside in
 * settlements.rejected for an operator ({@code ljq reconcile} reports it); the rest of its batch ships.
 */
final class LedgerShipper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LedgerShipper.class);

  private static final long GATHER_MS = 50;
  private static final int MAX_BATCH = 1000;
  /**
   * How often the journal's checkpoint moves under load. Moving it needs the ledger durable first (a sync of the
   * embedded store), so it is done about once a second rather than per batch; a crash replays at most that much,
   * idempotently. When the queue is idle it moves at once.
   */
  private static final long CHECKPOINT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  record Item(Settlement settlement, long journalOffset, LedgerStore.LowBalance lowBalance) {}

  /** Told of every settlement that is done with (in the ledger, or set aside), under the commit lock. */
  interface Done {
    void done(Settlement s);
  }

  private final LedgerStore store;
  private final SettlementJournal journal;
  private final Done onDone;
  /** Held while a batch is committed and reported, so a reader of the ledger sees both or neither. */
  private final Object commitLock;
  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;
  private volatile long shipped;
  /** Journal offset applied to the ledger and not yet checkpointed (-1: none). Shipper thread only. */
  private long uncheckpointed = -1;
  private long checkpointedAt = System.nanoTime();

  LedgerShipper(LedgerStore store, SettlementJournal journal) {
    this(store, journal, s -> {}, new Object());
  }

  LedgerShipper(LedgerStore store, SettlementJournal journal, Done onDone, Object commitLock) {
    this.store = store;
    this.journal = journal;
    this.onDone = onDone;
    this.commitLock = commitLock;
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
    long offset = -1;
    while (true) {
      try {
        if (batch.isEmpty()) {
          Item first = queue.poll(50, TimeUnit.MILLISECONDS);
          if (first == null) {
            checkpoint(true);
            if (closing) return;
            continue;
          }
          batch.add(first);
          // Gather for a moment: one database transaction per batch, not per request.
          // One sleep rather than a wake-up per arriving settlement: at thousands a second those wake-ups cost more
          // than the batch's write.
          if (queue.size() < MAX_BATCH - 1 && !closing) sleep(GATHER_MS);
          queue.drainTo(batch, MAX_BATCH - batch.size());
          offset = -1;
          for (Item i : batch) offset = Math.max(offset, i.journalOffset());
        }
        synchronized (commitLock) {
          apply(store, batch);
          for (Item i : batch) onDone.done(i.settlement());
        }
        shipped += batch.size();
        shippedUpTo(offset);
        batch.clear();
        backoff = 50;
      } catch (InterruptedException e) {
        if (closing && queue.isEmpty() && batch.isEmpty()) {
          checkpoint(true);
          return;
        }
      } catch (RuntimeException e) {
        boolean permanent = StoreErrors.isPermanent(e);
        if (permanent || backoff >= 400) {
          // One bad settlement must not hold up the others: split the batch until it is alone, set it aside.
          if (permanent) log.warn("the ledger refused a batch of {} settlements for good ({}); isolating the bad one",
              batch.size(), StoreErrors.reason(e));
          Set<Item> done = Collections.newSetFromMap(new IdentityHashMap<>());
          try {
            synchronized (commitLock) {
              try {
                shipped += shipIsolating(store, journal, List.copyOf(batch), done);
              } finally {
                for (Item i : done) onDone.done(i.settlement());
              }
            }
          } catch (RuntimeException transientFailure) {
            // the database went away meanwhile: what is not done is retried below
          }
          batch.removeIf(done::contains);
          if (batch.isEmpty()) {
            shippedUpTo(offset);
            backoff = 50;
            continue;
          }
        }
        log.warn("shipping {} settlements to the ledger failed, retrying in {} ms: {}", batch.size(), backoff,
            StoreErrors.reason(e));
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

  /** Everything before {@code offset} is in the ledger: visible at once, checkpointed once durable. */
  private void shippedUpTo(long offset) {
    if (offset < 0) return;
    journal.applied(offset);
    uncheckpointed = Math.max(uncheckpointed, offset);
    checkpoint(false);
  }

  /** Makes the ledger durable and moves the journal's checkpoint, when due (or {@code now}) and something waits. */
  private void checkpoint(boolean now) {
    if (uncheckpointed < 0) return;
    if (!now && System.nanoTime() - checkpointedAt < CHECKPOINT_EVERY_NANOS) return;
    long offset = uncheckpointed;
    try {
      store.makeDurable();
    } catch (RuntimeException e) {
      // The checkpoint stays where it was (a replay re-ships idempotently); tried again at the next batch.
      log.warn("could not make the ledger durable; the journal checkpoint waits: {}", StoreErrors.reason(e));
      return;
    }
    journal.checkpoint(offset);
    uncheckpointed = -1;
    checkpointedAt = System.nanoTime();
  }

  private static void apply(LedgerStore store, List<Item> items) {
    List<Settlement> settlements = new ArrayList<>(items.size());
    List<LedgerStore.LowBalance> low = new ArrayList<>();
    for (Item i : items) {
      settlements.add(i.settlement());
      if (i.lowBalance() != null) low.add(i.lowBalance());
    }
    store.applySettlements(settlements, low);
  }

  /**
   * Ships {@code part}; when the ledger refuses it for good, halves it until the refused settlement is alone
   * and sets that one aside (settlements.rejected), so the rest ships. Every item handled is added to
   * {@code done}; returns how many were shipped. A transient failure is thrown, with {@code done} as far as it
   * got (shipping is idempotent by request id, so the rest can simply be retried).
   */
  static int shipIsolating(LedgerStore store, SettlementJournal journal, List<Item> part, Set<Item> done) {
    try {
      apply(store, part);
      done.addAll(part);
      return part.size();
    } catch (RuntimeException e) {
      if (!StoreErrors.isPermanent(e)) throw e;
      if (part.size() == 1) {
        journal.setAside(part.get(0).settlement(), StoreErrors.reason(e));
        done.add(part.get(0));
        return 0;
      }
      int mid = part.size() / 2;
      return shipIsolating(store, journal, part.subList(0, mid), done)
          + shipIsolating(store, journal, part.subList(mid, part.size()), done);
    }
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
