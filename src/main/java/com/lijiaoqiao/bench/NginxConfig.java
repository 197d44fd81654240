package com.lijiaoqiao.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The nginx "floor" of the benchmark: a plain keep-alive reverse proxy in front of the simulator, as small as nginx
 * allows. Rendering is pure (tested); {@link NginxProcess} writes it to a temp dir and runs nginx in the foreground.
 *
 * @param prefix        nginx prefix (the temp dir): pid, error log and the temp paths live under it
 * @param listenPort    loopback port nginx listens on
 * @param upstreamHost  the simulator's host (loopback)
 * @param upstreamPort  the simulator's port
 * @param workers       worker_processes; 0 = {@code auto} (one per core)
 * @param maxConnections the highest number of client connections the run will open (streams): worker_connections
 *                      is sized to twice that (each proxied request also holds an upstream connection) plus room
 * @param user          the {@code user} directive, only when nginx starts as root (workers would otherwise switch
 *                      to {@code nobody}, which cannot write the temp dir); null when not root
 */
public record NginxConfig(Path prefix, int listenPort, String upstreamHost, int upstreamPort, int workers,
                          int maxConnections, String user) {

  /** worker_connections for {@code maxConnections} concurrent client connections. */
  public int workerConnections() {
    return Math.max(1024, 2 * maxConnections + 256);
  }

  public String render() {
    String p = prefix.toAbsolutePath().toString();
    StringBuilder sb = new StringBuilder();
    sb.append("# written by ljq bench: nginx as a plain keep-alive reverse proxy (the floor)\n");
    if (user != null) {
      sb.append("user ").append(user).append(";\n");
    }
    sb.append("daemon off;\n");
    sb.append("master_process on;\n");
    sb.append("worker_processes ").append(workers > 0 ? String.valueOf(workers) : "auto").append(";\n");
    sb.append("worker_rlimit_nofile ").append(2 * workerConnections() + 64).append(";\n");
    sb.append("pid ").append(p).append("/nginx.pid;\n");
    sb.append("error_log ").append(p).append("/error.log warn;\n");
    sb.append("events {\n");
    sb.append("  worker_connections ").append(workerConnections()).append(";\n");
    sb.append("  multi_accept on;\n");
    sb.append("}\n");
    sb.append("http {\n");
    sb.append("  access_log off;\n");
    for (String t : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      sb.append("  ").append(t).append("_temp_path ").append(p).append("/").append(t).append("_temp;\n");
    }
    sb.append("  keepalive_timeout 75s;\n");
    sb.append("  keepalive_requests 1000000;\n");
    sb.append("  client_body_buffer_size 64k;\n");
    sb.append("  upstream llm {\n");
    sb.append(String.format(Locale.ROOT, "    server %s:%d;%n", upstreamHost, upstreamPort));
    sb.append("    keepalive 64;\n");
    sb.append("    keepalive_requests 1000000;\n");
    sb.append("    keepalive_timeout 75s;\n");
    sb.append("  }\n");
    sb.append("  server {\n");
    sb.append(String.format(Locale.ROOT, "    listen 127.0.0.1:%d backlog=4096;%n", listenPort));
    sb.append("    location / {\n");
    sb.append("      proxy_pass http://llm;\n");
    sb.append("      proxy_http_version 1.1;\n");
    sb.append("      proxy_set_header Connection \"\";\n");
    sb.append("      proxy_buffering off;\n");
    sb.append("      proxy_request_buffering off;\n");
    sb.append("      proxy_read_timeout 300s;\n");
    sb.append("      proxy_send_timeout 300s;\n");
    sb.append("    }\n");
    sb.append("  }\n");
    sb.append("}\n");
    return sb.toString();
  }
}
