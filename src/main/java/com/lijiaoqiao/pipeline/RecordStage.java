package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.billing.UsageFacts;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.usage.UsageRecord;
import com.lijiaoqiao.usage.UsageRecorder;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Records every authenticated request once it has ended, whatever the outcome. It sits right after
 * Authenticate so that it sees failures of every later stage, and only enqueues (no I/O here). A billed
 * request's usage record is not enqueued here: it travels with its journaled settlement and is written in
 * the ledger's transaction, so a crash cannot lose it while keeping the charge.
 */
public final class RecordStage implements Stage {
  /** The outcome of a stream whose node died mid-way: charged what its last progress entry relayed. */
  public static final String INTERRUPTED = "interrupted";

  private final UsageRecorder recorder;
  private final RequestObserver observer;
  private RequestLogTap requestLogs;

  public RecordStage(UsageRecorder recorder) {
    this(recorder, RequestObserver.NONE);
  }

  /** {@code observer} sees each request's attempts and its end (metrics). */
  public RecordStage(UsageRecorder recorder, RequestObserver observer) {
    this.recorder = recorder;
    this.observer = observer;
  }

  /** Ended requests of tenants that keep request logs go here too (set before traffic; null = none). */
  public RecordStage requestLogs(RequestLogTap tap) {
    this.requestLogs = tap;
    return this;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    ex.observer = observer;
    RequestLogTap tap = requestLogs;
    if (tap != null && ex.principal != null && tap.wants(ex.principal.tenantId())) {
      ex.capture = new BodyCapture(tap.maxBodyBytes());
    }
    return chain.proceed(ex).andThen(ar -> {
      ended(ex, ar.failed() ? ar.cause() : null);
      observer.ended(ex);
      if (!ex.usageSettled) recorder.record(toRecord(ex));
      if (ex.capture != null) handOver(tap, ex);
    });
  }

  /** A request log is a side matter: whatever goes wrong handing it over never reaches the request. */
  private static void handOver(RequestLogTap tap, Exchange ex) {
    try {
      tap.ended(ex);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(RecordStage.class).warn("request log of {} not kept: {}", ex.requestId,
          e.toString());
    }
  }

  /** Notes how the request ended (status, error code, outcome); calling it again changes nothing. */
  static void ended(Exchange ex, Throwable failure) {
    if (ex.endNanos == 0) ex.endNanos = System.nanoTime();
    if (failure == null) return;
    if (failure instanceof GatewayException ge) {
      ex.statusCode = ge.code().status;
      ex.errorCode = ge.code().code();
    } else {
      ex.statusCode = 500;
      ex.errorCode = "COMMON_003";
    }
    if ("pending".equals(ex.outcome)) ex.outcome = ex.statusCode < 500 ? "rejected" : "failed";
  }

  static UsageRecord toRecord(Exchange ex) {
    TokenUsage u = ex.usage;
    UsageFacts f = facts(ex, ex.outcome);
    return new UsageRecord(ex.requestId, ex.principal.tenantId(), ex.principal.userId(), ex.principal.keyId(),
        f.endpoint(), f.requestedModel(), f.servedModel(), ex.target == null ? null : ex.target.provider().id(),
        f.stream(), u.promptTokens(), u.completionTokens(), u.cachedPromptTokens(), u.cacheCreationTokens(),
        u.estimated(), f.latencyMs(), f.ttftMs(), f.statusCode(), f.outcome(), f.errorCode(), ex.costMicros,
        Instant.now());
  }

  /** What the usage record says beyond the charge, as of now (a request still running: latency so far). */
  static UsageFacts facts(Exchange ex, String outcome) {
    long end = ex.endNanos != 0 ? ex.endNanos : System.nanoTime();
    int latencyMs = (int) TimeUnit.NANOSECONDS.toMillis(end - ex.startNanos);
    Integer ttft = ex.firstTokenNanos == 0 ? null
        : (int) TimeUnit.NANOSECONDS.toMillis(ex.firstTokenNanos - ex.startNanos);
    return new UsageFacts(ex.endpoint.name().toLowerCase(), truncate(ex.model(), 128),
        ex.servedModel == null ? null : truncate(ex.servedModel, 128), ex.stream(), latencyMs, ttft, ex.statusCode,
        outcome, ex.errorCode);
  }

  private static String truncate(String s, int n) {
    return s.length() > n ? s.substring(0, n) : s;
  }
}
