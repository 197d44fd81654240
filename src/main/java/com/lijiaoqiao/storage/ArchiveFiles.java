package com.lijiaoqiao.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The archive's file formats and layout: {@code {kind}/date=YYYY-MM-DD/part-NNNNN.jsonl.gz} (gzip JSON lines, a header
 * line naming the schema version first) and {@code {kind}/date=YYYY-MM-DD/manifest.json}.
 */
public final class ArchiveFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private ArchiveFiles() {}

  public static String dir(ArchiveKind kind, LocalDate day) {
    return kind.id + "/date=" + day + "/";
  }

  public static String partKey(ArchiveKind kind, LocalDate day, int part) {
    return dir(kind, day) + String.format("part-%05d.jsonl.gz", part);
  }

  public static String manifestKey(ArchiveKind kind, LocalDate day) {
    return dir(kind, day) + "manifest.json";
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One part being written: gzip JSON lines in memory, the header line first. */
  static final class PartWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final GZIPOutputStream gzip;
    private long rows;

    PartWriter(Map<String, Object> header) {
      try {
        this.gzip = new GZIPOutputStream(bytes, 64 * 1024);
        line(header);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void row(Map<String, Object> row) {
      line(row);
      rows++;
    }

    private void line(Map<String, Object> m) {
      try {
        gzip.write(JSON.writeValueAsBytes(m));
        gzip.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    long rows() {
      return rows;
    }

    byte[] finish() {
      try {
        gzip.finish();
        return bytes.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Reads a part's rows (after its header, whose schema version must be known); throws on a damaged file. */
  @SuppressWarnings("unchecked")
  public static void readPart(byte[] gz, Consumer<Map<String, Object>> row) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(new ByteArrayInputStream(gz)),
        StandardCharsets.UTF_8))) {
      String first = in.readLine();
      JsonNode header = first == null ? null : JSON.readTree(first);
      if (header == null || header.path("schema_version").asInt() != ArchiveKind.SCHEMA_VERSION) {
        throw new IllegalArgumentException("part has no known schema version header");
      }
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isEmpty()) row.accept(JSON.readValue(line, Map.class));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("part is not readable gzip JSON lines: " + e.getClass().getSimpleName());
    }
  }
}
