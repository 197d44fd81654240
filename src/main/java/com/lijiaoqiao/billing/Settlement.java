package com.lijiaoqiao.billing;

/**
 * One request's final charge, as journaled and shipped to the ledger. {@code costMicros} is what the tenant
 * pays; zero for a request that produced nothing. Idempotent by {@code requestId}.
 */
public record Settlement(
    String requestId,
    long tenantId,
    long userId,
    long apiKeyId,
    String model,
    String provider,
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long cacheWriteTokens,
    boolean tokensEstimated,
    long reservedMicros,
    long costMicros,
    long createdAtMillis) {}
