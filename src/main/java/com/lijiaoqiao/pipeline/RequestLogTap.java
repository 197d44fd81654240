package com.lijiaoqiao.pipeline;

/**
 * Where Record hands ended requests whose tenant keeps request logs (storage/RequestLogs). Both calls run on the event
 * loop and must stay cheap: a map lookup, and an offer to a bounded queue that drops when full.
 */
public interface RequestLogTap {
  /** Does this tenant keep request logs now? */
  boolean wants(long tenantId);

  /** The largest body kept per request. */
  int maxBodyBytes();

  /** The request has ended (its capture is complete); never blocks. */
  void ended(Exchange ex);
}
