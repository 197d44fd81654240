package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.usage.UsageRecord;
import com.lijiaoqiao.usage.UsageRecorder;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Records every authenticated request once it has ended, whatever the outcome. It sits right after
 * Authenticate so that it sees failures of every later stage, and only enqueues (no I/O here).
 */
public final class RecordStage implements Stage {
  private final UsageRecorder recorder;

  public RecordStage(UsageRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    return chain.proceed(ex).andThen(ar -> {
      if (ex.endNanos == 0) ex.endNanos = System.nanoTime();
      if (ar.failed()) {
        if (ar.cause() instanceof GatewayException ge) {
          ex.statusCode = ge.code().status;
          ex.errorCode = ge.code().code();
        } else {
          ex.statusCode = 500;
          ex.errorCode = "COMMON_003";
        }
        if ("pending".equals(ex.outcome)) ex.outcome = ex.statusCode < 500 ? "rejected" : "failed";
      }
      recorder.record(toRecord(ex));
    });
  }

  static UsageRecord toRecord(Exchange ex) {
    TokenUsage u = ex.usage;
    int latencyMs = (int) TimeUnit.NANOSECONDS.toMillis(ex.endNanos - ex.startNanos);
    Integer ttft = ex.firstTokenNanos == 0 ? null
        : (int) TimeUnit.NANOSECONDS.toMillis(ex.firstTokenNanos - ex.startNanos);
    return new UsageRecord(ex.requestId, ex.principal.tenantId(), ex.principal.userId(), ex.principal.keyId(),
        ex.endpoint.name().toLowerCase(), truncate(ex.model(), 128), ex.servedModel == null ? null : truncate(ex.servedModel, 128),
        ex.target == null ? null : ex.target.provider().id(), ex.stream(), u.promptTokens(), u.completionTokens(),
        u.cachedPromptTokens(), u.cacheCreationTokens(), u.estimated(), latencyMs, ttft, ex.statusCode, ex.outcome, ex.errorCode,
        ex.costMicros, Instant.now());
  }

  private static String truncate(String s, int n) {
    return s.length() > n ? s.substring(0, n) : s;
  }
}
