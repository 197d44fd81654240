package com.lijiaoqiao.risk;

/**
 * What the risk stage knows of one request before it is served. {@code estimatedTokens} is what the velocity counter
 * takes now: the prompt (its output is counted when the request settles); {@code estimatedCostMicros} is the most
 * the request may cost (its money reservation), which the new-account rule weighs.
 */
public record RiskSignals(long keyId, long userId, long tenantId, long accountAgeDays, long estimatedCostMicros,
                          long estimatedTokens, String model, String clientIp, long nowMillis) {}
