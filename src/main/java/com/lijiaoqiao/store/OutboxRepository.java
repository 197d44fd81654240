package com.lijiaoqiao.store;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.OutboxStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import javax.sql.DataSource;

/** The event outbox (table events) and cluster job leases. */
public final class OutboxRepository implements OutboxStore {
  private final DataSource ds;
  private final Durability durability;

  public OutboxRepository(DataSource ds) {
    this(ds, Durability.NONE);
  }

  public OutboxRepository(DataSource ds, Durability durability) {
    this.ds = ds;
    this.durability = durability;
  }

  @Override
  public void makeDurable() {
    durability.flush();
  }

  /** Appends events inside the caller's transaction: the change and its events commit together or not at all. */
  public static void append(Connection c, List<DomainEvent> events) throws SQLException {
    if (events.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO events(event_id, type, topic, tenant_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (DomainEvent e : events) {
        ps.setString(1, e.id());
        ps.setString(2, e.type());
        ps.setString(3, e.topic());
        if (e.tenantId() == null) ps.setNull(4, java.sql.Types.BIGINT);
        else ps.setLong(4, e.tenantId());
        ps.setString(5, e.payload());
        ps.setTimestamp(6, Timestamp.from(e.at()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public void append(List<DomainEvent> events) {
    try (Connection c = ds.getConnection()) {
      append(c, events);
    } catch (SQLException e) {
      throw new StoreException("appending events failed", e);
    }
  }

  @Override
  public List<DomainEvent> unpublished(int limit) {
    return Jdbc.query(ds, "SELECT event_id, type, topic, tenant_id, created_at, payload FROM events "
        + "WHERE published_at IS NULL ORDER BY id LIMIT ?", ps -> ps.setInt(1, limit),
        rs -> new DomainEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, Long.class),
            Jdbc.instant(rs, "created_at"), rs.getString(6)));
  }

  @Override
  public void markPublished(List<String> eventIds) {
    if (eventIds.isEmpty()) return;
    String marks = String.join(",", java.util.Collections.nCopies(eventIds.size(), "?"));
    Jdbc.update(ds, "UPDATE events SET published_at = CURRENT_TIMESTAMP WHERE event_id IN (" + marks + ")", ps -> {
      for (int i = 0; i < eventIds.size(); i++) ps.setString(i + 1, eventIds.get(i));
    });
  }

  @Override
  public long backlog() {
    return Jdbc.query(ds, "SELECT COUNT(*) FROM events WHERE published_at IS NULL", ps -> {}, rs -> rs.getLong(1))
        .get(0);
  }

  @Override
  public boolean holdLease(String job, String nodeId, long ttlMs) {
    long now = System.currentTimeMillis();
    int n = Jdbc.update(ds, "UPDATE job_leases SET node_id = ?, expires_at_ms = ? WHERE name = ? "
        + "AND (node_id = ? OR expires_at_ms < ?)", ps -> {
          ps.setString(1, nodeId);
          ps.setLong(2, now + ttlMs);
          ps.setString(3, job);
          ps.setString(4, nodeId);
          ps.setLong(5, now);
        });
    if (n == 1) return true;
    try {
      Jdbc.update(ds, "INSERT INTO job_leases(name, node_id, expires_at_ms) VALUES (?, ?, ?)", ps -> {
        ps.setString(1, job);
        ps.setString(2, nodeId);
        ps.setLong(3, now + ttlMs);
      });
      return true;
    } catch (StoreException e) {
      return false; // another node holds it (the row exists and is live)
    }
  }

  @Override
  public int prunePublished(java.time.Instant before) {
    return Jdbc.update(ds, "DELETE FROM events WHERE published_at IS NOT NULL AND published_at < ?",
        ps -> ps.setTimestamp(1, Timestamp.from(before)));
  }

  @Override
  public void releaseLease(String job, String nodeId) {
    Jdbc.update(ds, "DELETE FROM job_leases WHERE name = ? AND node_id = ?", ps -> {
      ps.setString(1, job);
      ps.setString(2, nodeId);
    });
  }
}
