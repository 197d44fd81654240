package com.lijiaoqiao.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs nginx in the foreground ({@code daemon off}) as a child, with its config and state in a temp dir. */
final class NginxProcess {
  private NginxProcess() {}

  /**
   * The nginx binary: {@code setting} "off" → null; a path → that path (null when not executable); "auto" → nginx on
   * PATH, else /usr/sbin/nginx, else /usr/local/nginx/sbin/nginx, else null.
   */
  static String find(String setting) {
    if (setting == null || setting.equals("auto")) {
      String onPath = BenchRunner.findOnPath("nginx");
      if (onPath != null) {
        return onPath;
      }
      for (String p : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")) {
        if (Files.isExecutable(Path.of(p))) {
          return p;
        }
      }
      return null;
    }
    if (setting.equals("off")) {
      return null;
    }
    return Files.isExecutable(Path.of(setting)) ? setting : null;
  }

  /**
   * Writes the config under {@code prefix}, starts nginx (optionally behind {@code wrapper}, e.g. taskset) and waits
   * until it accepts connections on {@code cfg.listenPort()}.
   */
  static ChildProcess start(String binary, NginxConfig cfg, List<String> wrapper, Path logDir, Duration timeout)
      throws IOException, InterruptedException {
    Path prefix = cfg.prefix();
    Files.createDirectories(prefix);
    for (String t : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      Files.createDirectories(prefix.resolve(t + "_temp"));
    }
    Path conf = prefix.resolve("nginx.conf");
    Files.writeString(conf, cfg.render(), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(wrapper);
    // -e: the error log before the config is read (else nginx first opens its built-in path, /var/log/nginx)
    cmd.addAll(List.of(binary, "-p", prefix.toString() + "/", "-c", conf.toString(), "-e",
        prefix.resolve("error.log").toString()));
    ChildProcess child = ChildProcess.spawn("nginx", cmd, logDir);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!child.isAlive()) {
        throw new IOException("nginx exited before it listened\n" + child.logTail() + errorLog(prefix));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", cfg.listenPort()), 200);
        return child;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          child.close();
          throw new IOException("nginx did not listen on " + cfg.listenPort() + " within " + timeout.toSeconds()
              + " s\n" + child.logTail() + errorLog(prefix));
        }
        Thread.sleep(50);
      }
    }
  }

  static String errorLog(Path prefix) {
    try {
      List<String> lines = Files.readAllLines(prefix.resolve("error.log"), StandardCharsets.UTF_8);
      return "--- nginx error.log (tail) ---\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size())) + "\n";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
