package com.lijiaoqiao.store;

import com.lijiaoqiao.routing.DecisionRecorder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/** Routing decisions as JSON text, one row per request id, inserted in batches; a second row for an id is refused. */
public final class RouteDecisionRepository implements DecisionRecorder.Sink {
  private final DataSource ds;
  private final String insert;

  public RouteDecisionRepository(DataSource ds, boolean postgres) {
    this.ds = ds;
    this.insert = postgres
        ? "INSERT INTO route_decisions(request_id, decision, created_at) VALUES (?, ?, ?) ON CONFLICT (request_id) DO NOTHING"
        // H2's MERGE looks each row up before writing it (an UPDATE, then an INSERT), doubling the cost of the most
        // frequent write the gateway makes; request ids are unique, and a batch refused for a duplicate is written
        // again row by row by DecisionRecorder, which drops the duplicate.
        : "INSERT INTO route_decisions(request_id, decision, created_at) VALUES (?, ?, ?)";
  }

  @Override
  public void write(List<DecisionRecorder.Row> rows) {
    if (rows.isEmpty()) return;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(insert)) {
        for (DecisionRecorder.Row r : rows) {
          ps.setString(1, r.requestId());
          ps.setString(2, r.json());
          ps.setTimestamp(3, Jdbc.timestamp(Instant.ofEpochMilli(r.createdAtMillis())));
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("writing " + rows.size() + " routing decisions failed", e);
    }
  }

  /** The decision JSON of one request, or null. */
  public String find(String requestId) {
    List<String> r = Jdbc.query(ds, "SELECT decision FROM route_decisions WHERE request_id = ?",
        ps -> ps.setString(1, requestId), rs -> rs.getString(1));
    return r.isEmpty() ? null : r.get(0);
  }
}
