package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.app.Main;
import com.lijiaoqiao.testing.S3Server;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code ljq archive --from --to}: finished days are archived once; days not over and bad dates are refused. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ArchiveCommandTest {
  record Run(int exit, String out) {}

  static Run archive(Path yaml, String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    PrintStream oldErr = System.err;
    try {
      PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8);
      System.setOut(p);
      System.setErr(p);
      String[] all = new String[args.length + 3];
      all[0] = "archive";
      System.arraycopy(args, 0, all, 1, args.length);
      all[args.length + 1] = "--config";
      all[args.length + 2] = yaml.toString();
      return new Run(new CommandLine(new Main()).execute(all), buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
      System.setErr(oldErr);
    }
  }

  @Test
  void finishedDaysAreArchivedOnceAndTheRestRefused() throws Exception {
    Path dir = Files.createTempDirectory("ljq-archive-cmd");
    try (S3Server s3 = new S3Server()) {
      Path yaml = dir.resolve("ljq.yaml");
      Files.writeString(yaml, "data_dir: \"" + dir + "\"\nstorage:\n  s3:\n    enabled: true\n    endpoint: \""
          + s3.endpoint() + "\"\n    bucket: \"" + s3.bucket + "\"\n    prefix: cmd\n    path_style: true\n"
          + "    access_key_id: \"" + S3Server.ACCESS_KEY + "\"\n    secret_access_key: \"" + S3Server.SECRET_KEY + "\"\n");
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      String d1 = today.minusDays(3).toString();
      String d2 = today.minusDays(2).toString();
      Run first = archive(yaml, "--from", d1, "--to", d2);
      assertThat(first.exit()).as(first.out()).isZero();
      assertThat(first.out()).contains(d1 + " usage    archived").contains(d2 + " audit    archived").contains("ARCHIVED")
          .doesNotContain(S3Server.SECRET_KEY);
      Run again = archive(yaml, "--from", d1, "--to", d1);
      assertThat(again.out()).contains(d1 + " ledger   already done");
      Run open = archive(yaml, "--from", today.toString(), "--to", today.toString());
      assertThat(open.exit()).isEqualTo(1);
      assertThat(open.out()).contains("not over yet").contains("ARCHIVE INCOMPLETE");
      assertThat(archive(yaml, "--from", "2026-02-30", "--to", d1).exit()).isEqualTo(2);
      assertThat(archive(yaml, "--from", d2, "--to", d1).exit()).isEqualTo(2);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
