package com.lijiaoqiao.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM (simulator or gateway) whose stdout announces itself with {@code KEY=value} lines. stdout is read by a
 * daemon thread (and copied to {@code <name>.out.log}); stderr goes straight to {@code <name>.err.log}.
 */
final class ChildProcess implements AutoCloseable {
  private static final Pattern KV = Pattern.compile("^([A-Z][A-Z0-9_]*)=(\\S.*)$");

  private final String name;
  private final Process process;
  private final Path outLog;
  private final Path errLog;
  private final Map<String, String> values = new ConcurrentHashMap<>();

  private ChildProcess(String name, Process process, Path outLog, Path errLog) {
    this.name = name;
    this.process = process;
    this.outLog = outLog;
    this.errLog = errLog;
  }

  /** Starts {@code command} and waits until every key in {@code required} has been printed on stdout. */
  static ChildProcess start(String name, List<String> command, Path logDir, Set<String> required, Duration timeout)
      throws IOException, InterruptedException {
    CountDownLatch ready = new CountDownLatch(1);
    ChildProcess child = launch(name, command, logDir, required, ready);
    Process p = child.process;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.await(100, TimeUnit.MILLISECONDS)) {
      if (!p.isAlive()) {
        // give the reader a moment to pick up the last lines
        if (ready.await(500, TimeUnit.MILLISECONDS)) {
          break;
        }
        throw new IOException(name + " exited with code " + p.exitValue() + " before it was ready\n" + child.logTail());
      }
      if (System.nanoTime() > deadline) {
        child.close();
        throw new IOException(name + " did not print " + required + " within " + timeout.toSeconds() + " s\n"
            + child.logTail());
      }
    }
    return child;
  }

  /** Starts {@code command} without waiting for anything (a child that announces nothing, such as nginx). */
  static ChildProcess spawn(String name, List<String> command, Path logDir) throws IOException {
    return launch(name, command, logDir, Set.of("\0"), new CountDownLatch(1));
  }

  /** Starts the process, its stderr to a log, and a thread copying its stdout to a log while watching for keys. */
  private static ChildProcess launch(String name, List<String> command, Path logDir, Set<String> required,
                                     CountDownLatch ready) throws IOException {
    Path errLog = logDir.resolve(name + ".err.log");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(false)
        .redirectError(errLog.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as ./ljq starts a gateway
    Process p = pb.start();
    ChildProcess child = new ChildProcess(name, p, logDir.resolve(name + ".out.log"), errLog);
    Thread reader = new Thread(() -> child.pump(required, ready), "bench-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    return child;
  }

  private void pump(Set<String> required, CountDownLatch ready) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer log = Files.newBufferedWriter(outLog, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        log.write(line);
        log.write('\n');
        log.flush();
        Matcher m = KV.matcher(line.trim());
        if (m.matches()) {
          values.putIfAbsent(m.group(1), m.group(2).trim());
          if (values.keySet().containsAll(required)) {
            ready.countDown();
          }
        }
      }
    } catch (IOException e) {
      // process gone or log dir deleted: stop pumping
    }
  }

  String value(String key) {
    return values.get(key);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String name() {
    return name;
  }

  /** The last lines of stdout and stderr, for error messages. */
  String logTail() {
    return "--- " + name + " stdout (tail) ---\n" + tail(outLog) + "--- " + name + " stderr (tail) ---\n" + tail(errLog);
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      StringBuilder sb = new StringBuilder();
      for (String l : lines.subList(Math.max(0, lines.size() - 30), lines.size())) {
        sb.append("  ").append(l).append('\n');
      }
      return sb.toString();
    } catch (IOException | RuntimeException e) {
      return "  (unavailable)\n";
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. Idempotent. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
