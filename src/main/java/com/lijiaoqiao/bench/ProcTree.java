package com.lijiaoqiao.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of a child's whole process tree (the process and its descendants: nginx's master and
 * workers; a JVM is one process) from {@code /proc} (Linux). Processes that vanish between listing and reading are
 * skipped. A process that exited during a measurement takes its CPU with it, so measure long-lived trees only.
 */
public final class ProcTree {
  private ProcTree() {}

  /** {@code root} and every live descendant. */
  public static List<Long> pids(long root) {
    List<Long> pids = new ArrayList<>();
    pids.add(root);
    ProcessHandle.of(root).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    return pids;
  }

  /** utime + stime of the tree so far, in nanoseconds (resolution 1/CLK_TCK). */
  public static long cpuNanos(long root) {
    long ticks = 0;
    for (long pid : pids(root)) {
      try {
        ticks += ProcCpu.cpuTicks(pid);
      } catch (IOException | RuntimeException e) {
        // gone
      }
    }
    return ticks * (1_000_000_000L / ProcCpu.clockTicksPerSecond());
  }

  /** Sum of VmRSS over the tree, in bytes; 0 when unreadable. */
  public static long rssBytes(long root) {
    long kb = 0;
    for (long pid : pids(root)) {
      kb += Math.max(0, statusKb(pid, "VmRSS"));
    }
    return kb * 1024;
  }

  /** A {@code kB} field of {@code /proc/<pid>/status}, or -1. */
  public static long statusKb(long pid, String field) {
    try {
      return parseStatusKb(Files.readString(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII), field);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The value of {@code field} ("VmRSS", "VmHWM") in a {@code /proc/<pid>/status} text, in kB; -1 when absent. */
  public static long parseStatusKb(String status, String field) {
    String prefix = field + ":";
    for (String line : status.split("\n")) {
      if (line.startsWith(prefix)) {
        String v = line.substring(prefix.length()).trim();
        int sp = v.indexOf(' ');
        return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
      }
    }
    return -1;
  }

  /** The real uid of this process from /proc/self/status, or -1. */
  public static long uid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return -1;
  }

  /**
   * Samples the tree's RSS every {@code periodMs} on a daemon thread and keeps the highest sum seen (peak RSS of the
   * tree; the kernel's per-process VmHWM cannot be summed over processes that peak at different times).
   */
  public static final class PeakSampler implements AutoCloseable {
    private final long root;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    public PeakSampler(long root, long periodMs) {
      this.root = root;
      this.peak = rssBytes(root);
      this.thread = new Thread(() -> {
        while (running) {
          try {
            Thread.sleep(periodMs);
          } catch (InterruptedException e) {
            return;
          }
          peak = Math.max(peak, rssBytes(root));
        }
      }, "bench-rss-" + root);
      thread.setDaemon(true);
      thread.start();
    }

    /** The highest tree RSS seen so far, in bytes. */
    public long peak() {
      return Math.max(peak, 0);
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
      peak = Math.max(peak, rssBytes(root));
    }
  }
}
