package com.lijiaoqiao.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ljq reconcile --archive}: every verified or pruned window's manifest must be the one recorded (SHA-256), every
 * part must match the manifest's checksum and, read row by row, its counts and sums; and the database must still hold
 * the same rows and sums (except usage windows that retention pruned, which live only in the archive).
 */
public final class ArchiveCheck {
  /** What was checked, and every difference found (empty = the archive agrees). */
  public record Report(int windows, long rows, List<String> drifts) {
    public boolean ok() {
      return drifts.isEmpty();
    }
  }

  private ArchiveCheck() {}

  public static Report run(ObjectStore store, ArchiveStore db) {
    List<String> drifts = new ArrayList<>();
    int windows = 0;
    long rows = 0;
    for (ArchiveStore.Window w : db.windows(List.of("verified", "pruned"))) {
      windows++;
      String name = w.kind().id + " " + w.day();
      try {
        byte[] bytes = store.get(w.manifestKey());
        if (bytes == null) {
          drifts.add(name + ": manifest " + w.manifestKey() + " is missing");
          continue;
        }
        if (!ArchiveFiles.sha256(bytes).equals(w.manifestSha256())) {
          drifts.add(name + ": manifest " + w.manifestKey() + " was altered (SHA-256 differs from the recorded one)");
          continue;
        }
        Manifest m = Manifest.read(bytes);
        ArchiveKind.Totals inFiles = w.kind().totals();
        for (Manifest.Part p : m.parts()) {
          byte[] part = store.get(p.key());
          if (part == null) {
            drifts.add(name + ": part " + p.key() + " is missing");
            continue;
          }
          if (!ArchiveFiles.sha256(part).equals(p.sha256())) {
            drifts.add(name + ": part " + p.key() + " was altered (SHA-256 differs from the manifest's)");
            continue;
          }
          ArchiveKind.Totals t = w.kind().totals();
          ArchiveFiles.readPart(part, t::add);
          if (t.rows() != p.rows()) drifts.add(name + ": part " + p.key() + " holds " + t.rows() + " rows, manifest says " + p.rows());
          inFiles.addAll(t);
        }
        rows += inFiles.rows();
        if (!inFiles.sameAs(m.rows(), m.sums())) {
          drifts.add(name + ": files hold " + inFiles + ", manifest says " + m.rows() + " rows " + m.sums());
        }
        if (!"pruned".equals(w.state())) {
          ArchiveKind.Totals inDb = w.kind().totals();
          db.forEachRow(w.kind(), w.day(), inDb::add);
          if (!inDb.sameAs(m.rows(), m.sums())) {
            drifts.add(name + ": database holds " + inDb + ", archive says " + m.rows() + " rows " + m.sums());
          }
        }
      } catch (IllegalArgumentException e) {
        drifts.add(name + ": " + e.getMessage());
      }
    }
    return new Report(windows, rows, drifts);
  }
}
