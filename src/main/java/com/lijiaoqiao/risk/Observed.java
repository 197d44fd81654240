package com.lijiaoqiao.risk;

/**
 * The key's recent behaviour including this request, as the counters saw it: tokens in the last minute, distinct
 * client IPs in the last hour, whether the model was new for the key and how many requests it had before, and its
 * spend in the current 5 minutes against its average 5 minutes of the last day.
 */
public record Observed(long tokensLastMinute, long distinctIpsLastHour, boolean modelNew, long priorRequests,
                       long spendLast5MinMicros, long baseline5MinMicros) {}
