package com.lijiaoqiao.usage;

import java.time.Instant;

/** One data-plane request as recorded after it ended, success or failure. */
public record UsageRecord(
    String requestId,
    long tenantId,
    long userId,
    long apiKeyId,
    String endpoint,
    String model,
    String servedModel,
    String provider,
    boolean stream,
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long cacheWriteTokens,
    boolean tokensEstimated,
    int latencyMs,
    Integer ttftMs,
    int statusCode,
    String outcome,
    String errorCode,
    long costMicros,
    Instant createdAt) {}
