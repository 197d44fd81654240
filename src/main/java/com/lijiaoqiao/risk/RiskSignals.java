package com.lijiaoqiao.risk;

/** What the risk stage knows of one request before it is served. */
public record RiskSignals(long keyId, long userId, long tenantId, long accountAgeDays, long estimatedCostMicros,
                          long estimatedTokens, String model, String clientIp, long nowMillis) {}
