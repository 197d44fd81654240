package com.lijiaoqiao.routing;

/** What a request needs from a provider. {@code estimatedTokens} 0 = not checked. */
public record Needs(boolean stream, boolean tools, boolean vision, long estimatedTokens) {
  public static final Needs NONE = new Needs(false, false, false, 0);
}
