package com.lijiaoqiao.protocol;

/** The OpenAI-compatible data-plane operations the gateway relays. */
public enum Endpoint {
  CHAT_COMPLETIONS("/v1/chat/completions", "/chat/completions", true),
  COMPLETIONS("/v1/completions", "/completions", true),
  EMBEDDINGS("/v1/embeddings", "/embeddings", false);

  /** Path on the gateway. */
  public final String path;
  /** Path relative to an OpenAI-compatible base URL (which ends in /v1 or the vendor's equivalent). */
  public final String upstreamPath;
  public final boolean streamable;

  Endpoint(String path, String upstreamPath, boolean streamable) {
    this.path = path;
    this.upstreamPath = upstreamPath;
    this.streamable = streamable;
  }
}
