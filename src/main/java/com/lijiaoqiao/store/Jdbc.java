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
