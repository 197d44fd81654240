package com.lijiaoqiao.access;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Client addresses a key may be used from: single IPs and CIDR ranges, IPv4 and IPv6. Parsed once when the
 * key is loaded; checking an address parses only the literal the socket reports (no DNS).
 */
public final class IpAllowList {
  public static final IpAllowList ANY = new IpAllowList(List.of(), "");

  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] a) {
      if (a.length != network.length) return false;
      int full = prefix / 8;
      for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
      int rest = prefix % 8;
      if (rest == 0) return true;
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (a[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;
  private final String text;

  private IpAllowList(List<Range> ranges, String text) {
    this.ranges = ranges;
    this.text = text;
  }

  /** Parses "10.0.0.0/8, 192.168.1.7, ::1"; blank means any address. Throws IllegalArgumentException. */
  public static IpAllowList parse(String spec) {
    if (spec == null || spec.isBlank()) return ANY;
    List<Range> out = new ArrayList<>();
    List<String> norm = new ArrayList<>();
    for (String raw : spec.split(",")) {
      String s = raw.trim();
      if (s.isEmpty()) continue;
      String host = s;
      int prefix = -1;
      int slash = s.indexOf('/');
      if (slash >= 0) {
        host = s.substring(0, slash);
        try {
          prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad CIDR prefix in '" + s + "'");
        }
      }
      byte[] addr = literal(host);
      if (addr == null) throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR range");
      int max = addr.length * 8;
      if (prefix < 0) prefix = max;
      if (prefix > max) throw new IllegalArgumentException("bad CIDR prefix in '" + s + "'");
      out.add(new Range(addr, prefix));
      norm.add(s);
    }
    return out.isEmpty() ? ANY : new IpAllowList(List.copyOf(out), String.join(",", norm));
  }

  public boolean any() {
    return ranges.isEmpty();
  }

  public boolean permits(String ip) {
    if (ranges.isEmpty()) return true;
    byte[] a = literal(ip);
    if (a == null) return false;
    if (a.length == 16 && isV4Mapped(a)) {
      byte[] v4 = new byte[] {a[12], a[13], a[14], a[15]};
      for (Range r : ranges) if (r.contains(v4)) return true;
    }
    for (Range r : ranges) if (r.contains(a)) return true;
    return false;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }

  /** The literal's bytes, or null; never resolves a name. */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty()) return null;
    boolean v4 = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.')) {
        v4 = false;
        break;
      }
    }
    if (v4) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) return null;
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3) return null;
        int v = Integer.parseInt(parts[i]);
        if (v > 255) return null;
        b[i] = (byte) v;
      }
      return b;
    }
    if (s.indexOf(':') < 0) return null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) return null;
    }
    try {
      return InetAddress.getByName(s.startsWith("[") ? s : s).getAddress(); // a literal: no lookup
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
