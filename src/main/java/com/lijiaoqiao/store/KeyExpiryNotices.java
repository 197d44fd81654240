package com.lijiaoqiao.store;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** key.expiring, once per key, for active keys that expire within the notice period (run by one node at a time). */
public final class KeyExpiryNotices {
  private KeyExpiryNotices() {}

  /** Writes the notices due now with their keys marked, in one transaction; returns how many. */
  public static int send(DataSource ds, Duration ahead) {
    Instant now = Instant.now();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<DomainEvent> events = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant_id, user_id, expires_at FROM api_keys "
            + "WHERE status = 'active' AND expiry_notified_at IS NULL AND expires_at IS NOT NULL AND expires_at > ? "
            + "AND expires_at <= ? ORDER BY id LIMIT 1000")) {
          ps.setTimestamp(1, Timestamp.from(now));
          ps.setTimestamp(2, Timestamp.from(now.plus(ahead)));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
              events.add(DomainEvent.of(EventTypes.KEY_EXPIRING, rs.getLong(2), Map.of("api_key_id", rs.getLong(1),
                  "user_id", rs.getLong(3), "expires_at", Jdbc.instant(rs, "expires_at").toString())));
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET expiry_notified_at = ? WHERE id = ?")) {
          for (Long id : ids) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, id);
            ps.addBatch();
          }
          if (!ids.isEmpty()) ps.executeBatch();
        }
        OutboxRepository.append(c, events);
        c.commit();
        return ids.size();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("sending key expiry notices failed", e);
    }
  }
}
