package com.lijiaoqiao.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** CPU time of a process from {@code /proc/<pid>/stat} (Linux): utime + stime over all its threads. */
public final class ProcCpu {
  private static volatile long clockTicks;

  private ProcCpu() {}

  /** True when /proc/self/stat is readable (Linux). */
  public static boolean supported() {
    return Files.isReadable(Path.of("/proc/self/stat"));
  }

  /**
   * utime + stime in clock ticks from one {@code /proc/<pid>/stat} line. The command name (field 2) is in
   * parentheses and may itself contain spaces or ')', so fields are counted after the last ')': state is field 3,
   * utime field 14, stime field 15.
   */
  public static long parseCpuTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
    }
    String[] f = statLine.substring(close + 1).trim().split("\\s+");
    // f[0] = field 3 (state), so field k is f[k - 3].
    if (f.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc/<pid>/stat line: " + statLine);
    }
    return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
  }

  /** CPU ticks used so far by {@code pid} (all threads, including exited ones). */
  public static long cpuTicks(long pid) throws IOException {
    String line = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
    return parseCpuTicks(line);
  }

  /** CPU time used so far by {@code pid}, in nanoseconds (resolution 1/CLK_TCK, usually 10 ms). */
  public static long cpuNanos(long pid) throws IOException {
    return cpuTicks(pid) * (1_000_000_000L / clockTicksPerSecond());
  }

  /** {@code getconf CLK_TCK}, 100 when it cannot be run. */
  public static long clockTicksPerSecond() {
    long t = clockTicks;
    if (t > 0) {
      return t;
    }
    t = 100;
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("\\d+") && Long.parseLong(out) > 0) {
        t = Long.parseLong(out);
      }
    } catch (IOException | RuntimeException e) {
      // keep 100
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clockTicks = t;
    return t;
  }
}
