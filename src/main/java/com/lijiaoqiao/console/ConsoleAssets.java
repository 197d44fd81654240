package com.lijiaoqiao.console;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's built files, embedded in the jar under {@code console/} by the build (src/main/console, npm +
 * esbuild). The build also writes {@code console/files.txt}, one file name a line: every file listed is read once,
 * into memory (the whole console is a few hundred KB), so the handler only writes buffers on the event loop.
 * When the console was not built (a build with {@code -Dconsole.skip}), {@link #built()} is false.
 */
public final class ConsoleAssets {
  static final String ROOT = "console/";
  static final String INDEX = "index.html";
  static final String SERVICE_WORKER = "sw.js";

  /** One file: its content type, bytes, and Cache-Control. */
  public record Asset(String contentType, Buffer bytes, String cacheControl) {}

  private final Map<String, Asset> files;

  private ConsoleAssets(Map<String, Asset> files) {
    this.files = files;
  }

  /** Loads the files listed in console/files.txt from the classpath (none when the list is missing). */
  public static ConsoleAssets fromClasspath() {
    byte[] list = read(ROOT + "files.txt");
    Map<String, Asset> files = new LinkedHashMap<>();
    if (list != null) {
      for (String line : new String(list, StandardCharsets.UTF_8).split("\n")) {
        String name = line.trim();
        if (name.isEmpty() || name.equals("files.txt")) continue;
        byte[] bytes = read(ROOT + name);
        if (bytes == null) throw new IllegalStateException("console/files.txt lists a missing file: " + name);
        files.put(name, new Asset(contentType(name), Buffer.buffer(bytes), cacheControl(name)));
      }
    }
    return new ConsoleAssets(Map.copyOf(files));
  }

  public boolean built() {
    return files.containsKey(INDEX);
  }

  /** The file at this path below /console/ ("" is the index), or null. */
  public Asset find(String relative) {
    return files.get(relative.isEmpty() ? INDEX : relative);
  }

  public Asset index() {
    return files.get(INDEX);
  }

  /**
   * Hashed assets (assets/name-HASH.ext: a new build gives a new name) are kept a year; everything else (the page,
   * the service worker, the manifest, icons) is revalidated, so a new build reaches browsers at once.
   */
  static String cacheControl(String name) {
    return name.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
  }

  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "json" -> "application/json";
      case "webmanifest" -> "application/manifest+json";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "ico" -> "image/x-icon";
      case "txt" -> "text/plain; charset=utf-8";
      case "woff2" -> "font/woff2";
      default -> "application/octet-stream";
    };
  }

  private static byte[] read(String resource) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
