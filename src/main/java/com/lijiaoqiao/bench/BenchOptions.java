package com.lijiaoqiao.bench;

import java.nio.file.Path;

/**
 * Settings of one {@code ljq bench} run.
 *
 * @param jar              the ljq jar the child processes run
 * @param java             the java binary for the child processes
 * @param warmupSeconds    warmup length
 * @param durationSeconds  measured time per target per phase
 * @param pin              pin the gateway to CPU 1, simulator + load generator to CPU 0 (needs taskset)
 * @param eventLoops       event loops for both children (0 = their default, one per usable core)
 * @param streamDirectives x-ljq-sim header of the streaming phase
 * @param json             where to write the JSON report, or null
 */
public record BenchOptions(Path jar, String java, int warmupSeconds, int durationSeconds, boolean pin, int eventLoops,
                           String streamDirectives, Path json, String postgresUrl, String redisUrl) {}
