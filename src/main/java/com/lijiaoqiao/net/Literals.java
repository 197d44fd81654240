package com.lijiaoqiao.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads IP address literals in host strings, strictly and without DNS. IPv4 must be a canonical dotted quad:
 * resolvers disagree about the other notations ({@code 2130706433}, {@code 0x7f.1}, {@code 127.1}; Java reads
 * {@code 0177.0.0.1} as 177.0.0.1 where C's inet_aton reads 127.0.0.1), so a check of one reading proves nothing
 * about another, and they are refused instead of guessed.
 */
final class Literals {
  private Literals() {}

  /** Thrown for a host that is meant as an address but is not written as one we read the same way as everyone. */
  static final class NotCanonical extends Exception {
    NotCanonical() {
      super(null, null, false, false);
    }
  }

  /**
   * The address a host spells, or null when it is a name. IPv6 may come with or without brackets; a host whose last
   * label starts with a digit is meant as IPv4 (no top-level domain does).
   */
  static InetAddress parse(String host) throws NotCanonical {
    if (host.indexOf(':') >= 0 || host.startsWith("[")) return ipv6(host);
    int lastDot = host.lastIndexOf('.');
    String last = host.substring(lastDot + 1);
    if (last.isEmpty() || !Character.isDigit(last.charAt(0))) return null;
    byte[] v4 = dottedQuad(host);
    if (v4 == null) throw new NotCanonical();
    try {
      return InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // four bytes are always an address
    }
  }

  /** The raw bytes (4 or 16, an IPv4-mapped IPv6 literal kept at 16) of a literal; null when it is not one. */
  static byte[] bytes(String text) {
    if (text.indexOf(':') >= 0) {
      try {
        InetAddress a = ipv6(text);
        if (a instanceof Inet4Address) { // Java folds ::ffff:a.b.c.d to IPv4; a block is written as meant
          byte[] mapped = new byte[16];
          mapped[10] = (byte) 0xff;
          mapped[11] = (byte) 0xff;
          System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
          return mapped;
        }
        return a.getAddress();
      } catch (NotCanonical e) {
        return null;
      }
    }
    return dottedQuad(text);
  }

  private static InetAddress ipv6(String host) throws NotCanonical {
    String inner = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (inner.isEmpty() || inner.indexOf('[') >= 0 || inner.indexOf(']') >= 0) throw new NotCanonical();
    try {
      return InetAddress.getByName("[" + inner + "]"); // brackets: Java parses or refuses, it never asks DNS
    } catch (UnknownHostException e) {
      throw new NotCanonical();
    }
  }

  /** Four decimal parts 0–255 without leading zeros, else null. */
  static byte[] dottedQuad(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) return null;
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) return null;
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') return null;
        v = v * 10 + (c - '0');
      }
      if (v > 255) return null;
      out[i] = (byte) v;
    }
    return out;
  }
}
