package com.lijiaoqiao.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Server secrets: taken from configuration, or generated once and kept (owner-only) under the data directory. */
public final class SecretFiles {
  private SecretFiles() {}

  public static byte[] resolve(String configured, Path file) {
    if (configured != null && !configured.isBlank()) {
      return decode(configured.trim());
    }
    try {
      if (Files.isRegularFile(file)) {
        return decode(Files.readString(file).trim());
      }
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, HexFormat.of().formatHex(secret));
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the secret file " + file, e);
    }
  }

  static byte[] decode(String s) {
    if (s.matches("[0-9a-fA-F]+") && s.length() % 2 == 0) {
      return HexFormat.of().parseHex(s);
    }
    return Base64.getDecoder().decode(s);
  }
}
