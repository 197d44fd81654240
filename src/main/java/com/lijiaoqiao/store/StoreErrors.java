package com.lijiaoqiao.store;

import java.sql.SQLException;

/** Telling a store failure that retrying cannot heal (bad data) from one that it can (the database is away). */
public final class StoreErrors {
  private StoreErrors() {}

  /**
   * True for a data error: SQLSTATE class 22 (data exception: a value too long, out of range, a bad date) or 23
   * (integrity constraint violation), anywhere in the cause chain or a batch's next exceptions. H2 and
   * PostgreSQL both report a too-long value as 22001 and an overflow as 22003. Connection problems (class 08),
   * timeouts and a closed pool are not permanent.
   */
  public static boolean isPermanent(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s) {
        for (SQLException x = s; x != null; x = x.getNextException() == x ? null : x.getNextException()) {
          if (permanentState(x)) return true;
        }
      }
    }
    return false;
  }

  private static boolean permanentState(SQLException s) {
    if (s instanceof java.sql.SQLIntegrityConstraintViolationException || s instanceof java.sql.SQLDataException) {
      return true;
    }
    String state = s.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /** A short reason for an operator: the SQLSTATE and the first part of the database's message. */
  public static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s) {
        // A batch's own message may quote the statement; the last exception chained to it is the plain cause.
        SQLException x = s;
        while (x.getNextException() != null && x.getNextException() != x) x = x.getNextException();
        String m = String.valueOf(x.getMessage());
        int statement = m.indexOf("; SQL statement:");
        if (statement >= 0) m = m.substring(0, statement);
        return "SQLSTATE " + x.getSQLState() + ": " + clip(m);
      }
    }
    return clip(e.toString());
  }

  static String clip(String s) {
    String oneLine = s.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
  }
}
