package com.lijiaoqiao.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Settings of one {@code ljq bench} run (docs/benchmark.md documents each).
 *
 * @param jar              the ljq jar the child processes run
 * @param java             the java binary for the child processes
 * @param warmupSeconds    warmup length
 * @param durationSeconds  measured time per target per phase, split over the rounds
 * @param rounds           interleaved rounds (direct, nginx, gateway(s), direct, ...); figures are medians
 * @param pin              pin the proxies (gateway, nginx) to CPU 1, simulator + load generator to CPU 0
 * @param eventLoops       event loops for the Java children (0 = their default, one per usable core)
 * @param streamDirectives x-ljq-sim header of the stream c=1 / c=32 phases
 * @param json             where to write the JSON report, or null
 * @param modes            gateway storage modes, each its own gateway child: "embedded", "postgres"
 * @param postgresUrl      PostgreSQL for the "postgres" mode (null: the default local URL when reachable)
 * @param redisUrl         share limits, budgets and balances through this Redis, or null
 * @param nginx            "auto" (PATH, then /usr/sbin/nginx), "off", or the nginx binary
 * @param streams          concurrent streams of the many-streams scenario (0 = skip it)
 * @param streamChunks     content chunks per stream in that scenario
 * @param streamGapMs      pacing between chunks in that scenario
 * @param soakMinutes      minutes of steady load per gateway after the phases (0 = none)
 */
public record BenchOptions(Path jar, String java, int warmupSeconds, int durationSeconds, int rounds, boolean pin,
                           int eventLoops, String streamDirectives, Path json, List<String> modes, String postgresUrl,
                           String redisUrl, String nginx, int streams, int streamChunks, int streamGapMs,
                           int soakMinutes) {
  /** The PostgreSQL used by {@code --modes postgres} when {@code --postgres} is not given. */
  public static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
}
