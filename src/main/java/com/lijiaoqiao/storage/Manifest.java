package com.lijiaoqiao.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A window's manifest as read back: its counts, sums and parts (each with its SHA-256). */
public record Manifest(int schemaVersion, String kind, String date, long rows, Map<String, Long> sums,
                       List<Part> parts) {
  public record Part(String key, long rows, long bytes, String sha256) {}

  static byte[] write(Map<String, Object> manifest) {
    try {
      return ArchiveFiles.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Throws IllegalArgumentException when the bytes are not a manifest of a known schema version. */
  public static Manifest read(byte[] bytes) {
    try {
      JsonNode n = ArchiveFiles.JSON.readTree(bytes);
      int v = n.path("schema_version").asInt();
      if (v != ArchiveKind.SCHEMA_VERSION) throw new IllegalArgumentException("unknown manifest schema version " + v);
      Map<String, Long> sums = new LinkedHashMap<>();
      n.path("sums").fields().forEachRemaining(e -> sums.put(e.getKey(), e.getValue().asLong()));
      List<Part> parts = new ArrayList<>();
      for (JsonNode p : n.path("parts")) {
        parts.add(new Part(p.path("key").asText(), p.path("rows").asLong(), p.path("bytes").asLong(),
            p.path("sha256").asText()));
      }
      return new Manifest(v, n.path("kind").asText(), n.path("date").asText(), n.path("rows").asLong(), sums, parts);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest is not JSON");
    }
  }
}
