package com.lijiaoqiao.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * {@link Durability} of the embedded H2 store: its CHECKPOINT writes the committed state to the file and syncs
 * it. Callers that arrive while one runs share the next (group commit), so a burst of management writes costs
 * one sync rather than one each; a caller is released only by a checkpoint that began after it asked.
 */
final class EmbeddedCheckpoint implements Durability {
  private final DataSource ds;
  private final AtomicLong requested = new AtomicLong();
  private final Object lock = new Object();
  private long completed;

  EmbeddedCheckpoint(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public void flush() {
    long mine = requested.incrementAndGet();
    synchronized (lock) {
      if (completed >= mine) return;
      long covers = requested.get();
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("CHECKPOINT");
      } catch (SQLException e) {
        throw new StoreException("making the embedded database durable failed", e);
      }
      completed = covers;
    }
  }
}
