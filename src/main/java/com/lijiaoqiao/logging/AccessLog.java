package com.lijiaoqiao.logging;

import com.lijiaoqiao.pipeline.Exchange;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per data-plane request once it has ended (logger {@code ljq.access}, JSON mode): request id (the trace
 * id clients see in x-request-id), tenant, route, model, provider, status, outcome, error code and latency. Only
 * identifiers and numbers: no key, header, body or upstream message.
 */
public final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("ljq.access");

  private AccessLog() {}

  public static void ended(Exchange ex) {
    if (!log.isInfoEnabled()) return;
    try {
      long end = ex.endNanos != 0 ? ex.endNanos : System.nanoTime();
      var b = log.atInfo()
          .addKeyValue("trace_id", ex.requestId)
          .addKeyValue("tenant_id", ex.principal == null ? null : ex.principal.tenantId())
          .addKeyValue("route", ex.endpoint == null ? null : ex.endpoint.path)
          .addKeyValue("model", ex.servedModel)
          .addKeyValue("provider", ex.target == null ? null : ex.target.provider().id())
          .addKeyValue("status", ex.statusCode)
          .addKeyValue("outcome", ex.outcome)
          .addKeyValue("latency_ms", TimeUnit.NANOSECONDS.toMillis(end - ex.startNanos));
      if (ex.errorCode != null) b = b.addKeyValue("error_code", ex.errorCode);
      b.log("request");
    } catch (RuntimeException e) {
      log.debug("access line not written: {}", e.toString()); // never fails the request
    }
  }
}
