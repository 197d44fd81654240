package com.lijiaoqiao.routing;

/**
 * A candidate with its effective tier (the provider's, or its place in the model's configured order), its
 * score and the normalised inputs (each 0..1, higher is better).
 */
public record Scored(Candidate candidate, int tier, double score, double latency, double availability, double cost,
                     double quality, boolean cooling) {}
