package com.lijiaoqiao.pipeline;

/** A stream being relayed from one upstream attempt: as-is ({@link StreamRelay}) or translated. */
interface UpstreamStream {
  void start();

  /** The first byte went to the client: no retry, no fall-over from now on. */
  boolean committed();

  /** Stops quietly before the commit (the router has moved on). */
  void abortBeforeCommit();

  /** Ends the stream as failed: before the commit quietly (the router decides), after it in-band. */
  void fail(String outcome, Throwable cause);

  /** The client left: stop, charging for what was relayed (nothing before the commit). */
  void clientGone();

  /**
   * Stops an upstream response the gateway no longer wants. Its handlers are silenced first: the reset it
   * causes is the gateway's own doing, not an error to log.
   */
  static void abandon(io.vertx.core.http.HttpClientResponse up) {
    up.handler(null);
    up.exceptionHandler(t -> {});
    up.request().reset();
  }
}
