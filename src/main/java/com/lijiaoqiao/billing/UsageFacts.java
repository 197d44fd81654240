package com.lijiaoqiao.billing;

/**
 * What a request's usage record holds beyond its charge, journaled with the settlement so that the usage
 * record and the billing record land in the ledger's one transaction and a crash cannot lose one of them.
 * {@code requestedModel} is the model the client asked for (the settlement's model is the one billed).
 */
public record UsageFacts(
    String endpoint,
    String requestedModel,
    String servedModel,
    boolean stream,
    int latencyMs,
    Integer ttftMs,
    int statusCode,
    String outcome,
    String errorCode) {}
