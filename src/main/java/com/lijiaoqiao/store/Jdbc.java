package com.lijiaoqiao.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/** Small helpers shared by the repositories; SQL errors surface as {@link StoreException}. */
final class Jdbc {
  private Jdbc() {}

  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  static long insertReturningId(DataSource ds, String sql, Binder binder) {
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      binder.bind(ps);
      ps.executeUpdate();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        if (!rs.next()) throw new StoreException("no id returned by: " + sql, null);
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new StoreException("insert failed", e);
    }
  }

  /** Events of a change, made once its row is known (by id), written in the change's transaction. */
  @FunctionalInterface
  interface Events {
    java.util.List<com.lijiaoqiao.events.DomainEvent> of(Connection c, long id) throws SQLException;
  }

  /** {@link #insertReturningId} with the change's events in the same transaction (the outbox). */
  static long insertReturningId(DataSource ds, String sql, Binder binder, Events events) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
        binder.bind(ps);
        ps.executeUpdate();
        long id;
        try (ResultSet rs = ps.getGeneratedKeys()) {
          if (!rs.next()) throw new StoreException("no id returned by: " + sql, null);
          id = rs.getLong(1);
        }
        OutboxRepository.append(c, events.of(c, id));
        c.commit();
        return id;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("insert failed", e);
    }
  }

  /** {@link #update} with the change's events (for the row {@code id}) when it changed a row, in one transaction. */
  static int update(DataSource ds, String sql, Binder binder, long id, Events events) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps);
        int n = ps.executeUpdate();
        if (n > 0) OutboxRepository.append(c, events.of(c, id));
        c.commit();
        return n;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("update failed", e);
    }
  }

  static int update(DataSource ds, String sql, Binder binder) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("update failed", e);
    }
  }

  static <T> java.util.List<T> query(DataSource ds, String sql, Binder binder, RowMapper<T> mapper) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        java.util.List<T> out = new java.util.ArrayList<>();
        while (rs.next()) out.add(mapper.map(rs));
        return out;
      }
    } catch (SQLException e) {
      throw new StoreException("query failed", e);
    }
  }

  static void bindAll(PreparedStatement ps, java.util.List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof Instant t) ps.setTimestamp(i + 1, Timestamp.from(t));
      else ps.setObject(i + 1, a);
    }
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  static Timestamp timestamp(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }
}
