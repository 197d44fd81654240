package com.lijiaoqiao.net;

import java.util.Arrays;

/** A block of IPv4 or IPv6 addresses ({@code 10.0.0.0/8}, {@code fc00::/7}), tested against raw address bytes. */
record Cidr(byte[] network, int prefix) {

  /**
   * @param text {@code address/prefix}, or a bare address (one host); parsed as a literal, never looked up
   * @throws IllegalArgumentException when it is not one
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = Literals.bytes(addr);
    if (bytes == null) throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    int prefix;
    try {
      prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
    }
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether the address (of the same family: 4 or 16 bytes) lies in this block. */
  boolean contains(byte[] address) {
    if (address.length != network.length) return false;
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) return false;
    }
    int rest = prefix % 8;
    if (rest == 0) return true;
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[whole] & mask) == (network[whole] & mask);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    return Arrays.toString(network) + "/" + prefix;
  }
}
