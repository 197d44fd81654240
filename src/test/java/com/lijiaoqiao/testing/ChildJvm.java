package com.lijiaoqiao.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code com.lijiaoqiao.app.Main} as a child JVM on the test classpath, with every wait bounded: reading a child's
 * output blocks a thread in a way no interrupt (and so no JUnit timeout) can end, so the output is read by a daemon
 * thread and the test waits on that with a deadline. A child that does not get ready in time, or a command that does
 * not finish, is dumped (its threads, the tail of its log) into the failure's message and killed — a stuck child
 * fails its test in minutes instead of holding the whole suite.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final Map<String, String> values = new ConcurrentHashMap<>();
  private final StringBuilder output = new StringBuilder();
  private final CountDownLatch ready;
  private final Set<String> wanted;
  private volatile boolean ended;

  private ChildJvm(Process process, Path log, Set<String> wanted) {
    this.process = process;
    this.log = log;
    this.wanted = wanted;
    this.ready = new CountDownLatch(1);
    Thread reader = new Thread(this::read, "child-jvm-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code Main args...} with its standard error in {@code log}, and waits until it has printed a
   * {@code NAME=value} line for every name in {@code wanted} (the demo's LJQ_BASE_URL, LJQ_API_KEY...).
   */
  public static ChildJvm start(List<String> jvmArgs, List<String> args, Map<String, String> env, Path log,
                               Set<String> wanted, Duration timeout) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command(jvmArgs, args)).redirectError(log.toFile());
    pb.environment().putAll(env);
    ChildJvm child = new ChildJvm(pb.start(), log, wanted);
    if (!child.ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || !child.hasAll()) {
      String why = child.ended ? "exited (status " + child.exitStatus() + ") before it was ready"
          : "was not ready within " + timeout.toSeconds() + " s";
      String dump = child.ended ? "" : child.threadDump();
      child.close();
      throw new AssertionError("ljq " + String.join(" ", args) + " " + why + "\n--- its output:\n" + child.output()
          + "\n--- the end of its log " + log + ":\n" + tail(log) + dump);
    }
    return child;
  }

  /** Runs {@code Main args...} to its end (output and error together); killed, with a thread dump, after timeout. */
  public static Result run(List<String> args, Duration timeout) throws IOException, InterruptedException {
    return run(List.of(), args, Map.of(), timeout);
  }

  /** {@link #run(List, Duration)} with JVM options and environment variables. */
  public static Result run(List<String> jvmArgs, List<String> args, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command(jvmArgs, args)).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    ChildJvm child = new ChildJvm(p, null, Set.of());
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      String dump = child.threadDump();
      child.close();
      throw new AssertionError("ljq " + String.join(" ", args) + " did not finish within " + timeout.toSeconds()
          + " s\n--- its output:\n" + child.output() + dump);
    }
    child.ready.await(10, TimeUnit.SECONDS); // the reader has seen the end of the output
    return new Result(p.exitValue(), child.output());
  }

  public record Result(int exitCode, String output) {}

  public Process process() {
    return process;
  }

  /** The value of a {@code NAME=value} line the child printed, or null. */
  public String value(String name) {
    return values.get(name);
  }

  /** SIGKILL; true when the process is gone within 30 s. */
  public boolean kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM (a graceful stop); true when the process ended within the timeout. */
  public boolean stop(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Kills the process if it is still there: a failed test leaves no gateway running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        synchronized (output) {
          if (output.length() < 64 * 1024) output.append(line).append('\n');
        }
        int eq = line.indexOf('=');
        if (eq > 0 && wanted.contains(line.substring(0, eq))) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
          if (hasAll()) ready.countDown();
        }
      }
    } catch (IOException ignored) {
      // the process is gone
    } finally {
      ended = true;
      ready.countDown();
    }
  }

  private boolean hasAll() {
    return !wanted.isEmpty() && values.keySet().containsAll(wanted);
  }

  private String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  private String exitStatus() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "unknown";
    } catch (InterruptedException e) {
      return "unknown";
    }
  }

  /** The child's threads, from the JDK's jstack (bounded too). */
  private String threadDump() {
    try {
      Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
      if (!Files.isExecutable(jstack)) return "";
      Path out = Files.createTempFile("jstack-" + process.pid(), ".txt");
      Process j = new ProcessBuilder(jstack.toString(), Long.toString(process.pid())).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!j.waitFor(20, TimeUnit.SECONDS)) j.destroyForcibly(); // jstack can hang on a wedged JVM: bounded too
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      return "\n--- its threads:\n" + text;
    } catch (IOException | InterruptedException e) {
      return "\n--- no thread dump: " + e;
    }
  }

  private static String tail(Path file) {
    if (file == null) return "";
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** This JVM's java running {@code Main} on the test classpath. */
  private static List<String> command(List<String> jvmArgs, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.lijiaoqiao.app.Main"));
    cmd.addAll(args);
    return cmd;
  }
}
