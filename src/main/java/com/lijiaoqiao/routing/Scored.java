package com.lijiaoqiao.routing;

/** A candidate with its score and the normalised inputs (each 0..1, higher is better). */
public record Scored(Candidate candidate, double score, double latency, double availability, double cost,
                     double quality, boolean cooling) {}
