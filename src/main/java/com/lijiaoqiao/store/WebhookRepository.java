package com.lijiaoqiao.store;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.webhooks.WebhookStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import javax.sql.DataSource;

/** Webhook endpoints, deliveries and attempts (V12__webhooks.sql). */
public final class WebhookRepository implements WebhookStore {
  private static final String ENDPOINT_COLUMNS = "id, tenant_id, tenant_filter, url, event_types, description, enabled, "
      + "disabled_reason, disabled_at, failing_since_ms, consecutive_failures, created_by, created_at, updated_at";
  private static final String DELIVERY_COLUMNS = "d.id, d.endpoint_id, d.event_id, d.event_type, d.tenant_id, d.body, "
      + "d.status, d.attempts, d.next_attempt_at_ms, d.give_up_at_ms, d.last_status_code, d.last_error, d.created_at, "
      + "d.delivered_at";

  private final DataSource ds;

  public WebhookRepository(DataSource ds) {
    this.ds = ds;
  }

  @Override
  public Endpoint insertEndpoint(Long tenantId, EndpointFields f, Long createdBy, LongFunction<String> sealedSecret) {
    long id;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_endpoints(tenant_id, tenant_filter, url, "
            + "event_types, description, secret_enc, enabled, created_by) VALUES (?, ?, ?, ?, ?, '', ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
          ps.setObject(1, tenantId, Types.BIGINT);
          ps.setObject(2, f.tenantFilter(), Types.BIGINT);
          ps.setString(3, f.url());
          ps.setString(4, String.join(",", f.eventTypes()));
          ps.setString(5, f.description());
          ps.setBoolean(6, f.enabled());
          ps.setObject(7, createdBy, Types.BIGINT);
          ps.executeUpdate();
          try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            id = rs.getLong(1);
          }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET secret_enc = ? WHERE id = ?")) {
          ps.setString(1, sealedSecret.apply(id));
          ps.setLong(2, id);
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("creating a webhook endpoint failed", e);
    }
    return endpoint(id).orElseThrow();
  }

  @Override
  public Optional<Endpoint> endpoint(long id) {
    return Jdbc.query(ds, "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE id = ?", ps -> ps.setLong(1, id),
        WebhookRepository::endpointRow).stream().findFirst();
  }

  @Override
  public Optional<String> sealedSecret(long id) {
    return Jdbc.query(ds, "SELECT secret_enc FROM webhook_endpoints WHERE id = ?", ps -> ps.setLong(1, id),
        rs -> rs.getString(1)).stream().findFirst();
  }

  @Override
  public List<Endpoint> endpoints(Long tenantId, boolean platformOnly, int limit, int offset) {
    return Jdbc.query(ds, "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints" + ownerFilter(tenantId, platformOnly)
        + " ORDER BY id DESC LIMIT ? OFFSET ?", ps -> {
          int i = 1;
          if (!platformOnly && tenantId != null) ps.setLong(i++, tenantId);
          ps.setInt(i++, limit);
          ps.setInt(i, offset);
        }, WebhookRepository::endpointRow);
  }

  @Override
  public long countEndpoints(Long tenantId, boolean platformOnly) {
    return Jdbc.query(ds, "SELECT COUNT(*) FROM webhook_endpoints" + ownerFilter(tenantId, platformOnly), ps -> {
      if (!platformOnly && tenantId != null) ps.setLong(1, tenantId);
    }, rs -> rs.getLong(1)).get(0);
  }

  private static String ownerFilter(Long tenantId, boolean platformOnly) {
    if (platformOnly) return " WHERE tenant_id IS NULL";
    return tenantId != null ? " WHERE tenant_id = ?" : "";
  }

  @Override
  public Endpoint updateEndpoint(long id, EndpointFields f) {
    Endpoint before = endpoint(id).orElseThrow(() -> new StoreException("no webhook endpoint " + id, null));
    Instant now = Instant.now();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET tenant_filter = ?, url = ?, "
            + "event_types = ?, description = ?, enabled = ?, updated_at = ? WHERE id = ?")) {
          ps.setObject(1, f.tenantFilter(), Types.BIGINT);
          ps.setString(2, f.url());
          ps.setString(3, String.join(",", f.eventTypes()));
          ps.setString(4, f.description());
          ps.setBoolean(5, f.enabled());
          ps.setTimestamp(6, Timestamp.from(now));
          ps.setLong(7, id);
          ps.executeUpdate();
        }
        if (f.enabled() && !before.enabled()) {
          // Enabled again: a fresh start, its failure record cleared.
          try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET disabled_reason = NULL, "
              + "disabled_at = NULL, failing_since_ms = NULL, consecutive_failures = 0 WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
          }
        } else if (!f.enabled() && before.enabled()) {
          markDisabled(c, id, "disabled by request", now);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("updating webhook endpoint " + id + " failed", e);
    }
    return endpoint(id).orElseThrow();
  }

  /** Disables and fails what was still pending for it (the owner may redeliver those by hand). */
  private static int markDisabled(Connection c, long id, String reason, Instant now) throws SQLException {
    int n;
    try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = ?, "
        + "disabled_at = ?, updated_at = ? WHERE id = ? AND enabled = TRUE")) {
      ps.setString(1, reason.length() > 300 ? reason.substring(0, 300) : reason);
      ps.setTimestamp(2, Timestamp.from(now));
      ps.setTimestamp(3, Timestamp.from(now));
      ps.setLong(4, id);
      n = ps.executeUpdate();
    }
    if (n == 0) return 0;
    try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET status = 'failed', "
        + "next_attempt_at_ms = NULL, last_error = COALESCE(last_error, 'endpoint_disabled') "
        + "WHERE endpoint_id = ? AND status = 'pending'")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
    return n;
  }

  @Override
  public void replaceSecret(long id, String sealedSecret) {
    Jdbc.update(ds, "UPDATE webhook_endpoints SET secret_enc = ?, updated_at = ? WHERE id = ?", ps -> {
      ps.setString(1, sealedSecret);
      ps.setTimestamp(2, Timestamp.from(Instant.now()));
      ps.setLong(3, id);
    });
  }

  @Override
  public boolean deleteEndpoint(long id) {
    return Jdbc.update(ds, "DELETE FROM webhook_endpoints WHERE id = ?", ps -> ps.setLong(1, id)) == 1;
  }

  @Override
  public List<Endpoint> enabledFor(Long eventTenantId) {
    if (eventTenantId == null) {
      return Jdbc.query(ds, "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE enabled = TRUE "
          + "AND tenant_id IS NULL AND tenant_filter IS NULL ORDER BY id", ps -> {}, WebhookRepository::endpointRow);
    }
    return Jdbc.query(ds, "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE enabled = TRUE AND "
        + "(tenant_id = ? OR (tenant_id IS NULL AND (tenant_filter IS NULL OR tenant_filter = ?))) ORDER BY id", ps -> {
          ps.setLong(1, eventTenantId);
          ps.setLong(2, eventTenantId);
        }, WebhookRepository::endpointRow);
  }

  @Override
  public boolean addDelivery(long endpointId, DomainEvent e, String body, long nowMs, long giveUpAtMs) {
    try {
      return Jdbc.update(ds, "INSERT INTO webhook_deliveries(endpoint_id, event_id, event_type, tenant_id, body, status, "
          + "next_attempt_at_ms, give_up_at_ms, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)", ps -> {
            ps.setLong(1, endpointId);
            ps.setString(2, e.id());
            ps.setString(3, e.type());
            ps.setObject(4, e.tenantId(), Types.BIGINT);
            ps.setString(5, body);
            ps.setLong(6, nowMs);
            ps.setLong(7, giveUpAtMs);
            ps.setTimestamp(8, new Timestamp(nowMs));
          }) == 1;
    } catch (StoreException ex) {
      if (duplicate(ex)) return false; // the bus handed the event over again: it has its delivery already
      throw ex;
    }
  }

  private static boolean duplicate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s && "23505".equals(s.getSQLState())) return true;
    }
    return false;
  }

  @Override
  public List<Due> due(long nowMs, int limit) {
    return Jdbc.query(ds, "SELECT " + DELIVERY_COLUMNS + ", e.url, e.secret_enc FROM webhook_deliveries d "
        + "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND d.next_attempt_at_ms <= ? "
        + "AND e.enabled = TRUE ORDER BY d.next_attempt_at_ms, d.id LIMIT ?", ps -> {
          ps.setLong(1, nowMs);
          ps.setInt(2, limit);
        }, rs -> new Due(deliveryRow(rs), rs.getString("url"), rs.getString("secret_enc")));
  }

  @Override
  public boolean claim(long deliveryId, long expectedNextMs, long untilMs) {
    return Jdbc.update(ds, "UPDATE webhook_deliveries SET next_attempt_at_ms = ? WHERE id = ? AND status = 'pending' "
        + "AND next_attempt_at_ms = ?", ps -> {
          ps.setLong(1, untilMs);
          ps.setLong(2, deliveryId);
          ps.setLong(3, expectedNextMs);
        }) == 1;
  }

  @Override
  public Optional<Endpoint> recordAttempt(Attempt a, boolean delivered, Long nextAttemptAtMs, long nowMs) {
    Long endpointId;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        endpointId = recordAttempt(c, a, delivered, nextAttemptAtMs, nowMs);
        if (endpointId == null) {
          c.rollback();
          return Optional.empty();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("recording a webhook attempt failed", e);
    }
    return endpoint(endpointId);
  }

  /** The endpoint's id, or null when the delivery is gone (its endpoint was deleted meanwhile). */
  private static Long recordAttempt(Connection c, Attempt a, boolean delivered, Long next, long nowMs)
      throws SQLException {
    Long endpointId = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT endpoint_id FROM webhook_deliveries WHERE id = ?")) {
      ps.setLong(1, a.deliveryId());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) endpointId = rs.getLong(1);
      }
    }
    if (endpointId == null) return null;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_attempts(delivery_id, attempt, started_at, "
        + "duration_ms, status_code, error_class, response_prefix, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, a.deliveryId());
      ps.setInt(2, a.number());
      ps.setTimestamp(3, Timestamp.from(a.startedAt()));
      ps.setLong(4, a.durationMs());
      ps.setObject(5, a.statusCode(), Types.INTEGER);
      ps.setString(6, a.errorClass());
      ps.setString(7, a.responsePrefix());
      ps.setTimestamp(8, Jdbc.timestamp(a.nextAttemptAt()));
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET attempts = ?, status = ?, "
        + "next_attempt_at_ms = ?, last_status_code = ?, last_error = ?, delivered_at = ? WHERE id = ?")) {
      ps.setInt(1, a.number());
      ps.setString(2, delivered ? DELIVERED : next == null ? FAILED : PENDING);
      ps.setObject(3, next, Types.BIGINT);
      ps.setObject(4, a.statusCode(), Types.INTEGER);
      ps.setString(5, a.errorClass());
      ps.setTimestamp(6, delivered ? new Timestamp(nowMs) : null);
      ps.setLong(7, a.deliveryId());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(delivered
        ? "UPDATE webhook_endpoints SET failing_since_ms = NULL, consecutive_failures = 0 WHERE id = ?"
        : "UPDATE webhook_endpoints SET failing_since_ms = COALESCE(failing_since_ms, ?), "
            + "consecutive_failures = consecutive_failures + 1 WHERE id = ?")) {
      if (delivered) {
        ps.setLong(1, endpointId);
      } else {
        ps.setLong(1, a.startedAt().toEpochMilli());
        ps.setLong(2, endpointId);
      }
      ps.executeUpdate();
    }
    return endpointId;
  }

  @Override
  public boolean disable(long endpointId, String reason, DomainEvent event) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (markDisabled(c, endpointId, reason, Instant.now()) == 0) {
          c.rollback();
          return false;
        }
        OutboxRepository.append(c, List.of(event));
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("disabling webhook endpoint " + endpointId + " failed", e);
    }
  }

  @Override
  public Optional<Delivery> requeue(long deliveryId, long nowMs, long giveUpAtMs) {
    int n = Jdbc.update(ds, "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = ?, give_up_at_ms = ?"
        + " WHERE id = ?", ps -> {
          ps.setLong(1, nowMs);
          ps.setLong(2, giveUpAtMs);
          ps.setLong(3, deliveryId);
        });
    return n == 0 ? Optional.empty() : delivery(deliveryId);
  }

  @Override
  public Optional<Delivery> delivery(long id) {
    return Jdbc.query(ds, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries d WHERE d.id = ?",
        ps -> ps.setLong(1, id), WebhookRepository::deliveryRow).stream().findFirst();
  }

  @Override
  public List<Delivery> deliveries(long endpointId, String status, int limit, int offset) {
    return Jdbc.query(ds, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries d WHERE d.endpoint_id = ?"
        + (status == null ? "" : " AND d.status = ?") + " ORDER BY d.id DESC LIMIT ? OFFSET ?", ps -> {
          int i = 1;
          ps.setLong(i++, endpointId);
          if (status != null) ps.setString(i++, status);
          ps.setInt(i++, limit);
          ps.setInt(i, offset);
        }, WebhookRepository::deliveryRow);
  }

  @Override
  public long countDeliveries(long endpointId, String status) {
    return Jdbc.query(ds, "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = ?"
        + (status == null ? "" : " AND status = ?"), ps -> {
          ps.setLong(1, endpointId);
          if (status != null) ps.setString(2, status);
        }, rs -> rs.getLong(1)).get(0);
  }

  @Override
  public List<Attempt> attempts(List<Long> deliveryIds) {
    if (deliveryIds.isEmpty()) return List.of();
    String marks = String.join(",", Collections.nCopies(deliveryIds.size(), "?"));
    return Jdbc.query(ds, "SELECT delivery_id, attempt, started_at, duration_ms, status_code, error_class, "
        + "response_prefix, next_attempt_at FROM webhook_attempts WHERE delivery_id IN (" + marks + ") "
        + "ORDER BY delivery_id, attempt, id", ps -> {
          for (int i = 0; i < deliveryIds.size(); i++) ps.setLong(i + 1, deliveryIds.get(i));
        }, rs -> new Attempt(rs.getLong(1), rs.getInt(2), Jdbc.instant(rs, "started_at"), rs.getLong(4),
            rs.getObject(5, Integer.class), rs.getString(6), rs.getString(7), Jdbc.instant(rs, "next_attempt_at")));
  }

  private static Endpoint endpointRow(ResultSet rs) throws SQLException {
    String types = rs.getString("event_types");
    return new Endpoint(rs.getLong("id"), rs.getObject("tenant_id", Long.class), rs.getObject("tenant_filter", Long.class),
        rs.getString("url"), types == null || types.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(types.split(","))),
        rs.getString("description"), rs.getBoolean("enabled"), rs.getString("disabled_reason"),
        Jdbc.instant(rs, "disabled_at"), rs.getObject("failing_since_ms", Long.class), rs.getInt("consecutive_failures"),
        rs.getObject("created_by", Long.class), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }

  private static Delivery deliveryRow(ResultSet rs) throws SQLException {
    return new Delivery(rs.getLong("id"), rs.getLong("endpoint_id"), rs.getString("event_id"),
        rs.getString("event_type"), rs.getObject("tenant_id", Long.class), rs.getString("body"), rs.getString("status"),
        rs.getInt("attempts"), rs.getObject("next_attempt_at_ms", Long.class), rs.getLong("give_up_at_ms"),
        rs.getObject("last_status_code", Integer.class), rs.getString("last_error"), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "delivered_at"));
  }
}
