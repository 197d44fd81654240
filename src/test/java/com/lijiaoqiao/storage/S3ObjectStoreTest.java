package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.testing.S3Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The S3 client against a real S3-compatible server (S3Proxy): put, get, list, delete, presign, failures. */
class S3ObjectStoreTest {
  static S3Server server;
  static S3ObjectStore store;

  @BeforeAll
  static void start() throws Exception {
    server = new S3Server();
    store = new S3ObjectStore(settings(S3Server.SECRET_KEY));
  }

  static S3ObjectStore.Settings settings(String secret) {
    return new S3ObjectStore.Settings(server.endpoint(), "us-east-1", server.bucket, "unit/", true,
        S3Server.ACCESS_KEY, secret, "", "", Duration.ofSeconds(3), 2);
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    server.close();
  }

  @Test
  void putGetListDeleteAndAPresignedLinkDownloads() throws Exception {
    store.put("a/one.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
    store.put("a/two.txt", "world".getBytes(StandardCharsets.UTF_8), "text/plain");
    assertThat(new String(store.get("a/one.txt"), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(store.get("a/none.txt")).isNull();
    assertThat(store.list("a/", 10)).extracting(ObjectStore.Listed::key).containsExactly("a/one.txt", "a/two.txt");
    var url = store.presignGet("a/two.txt", Duration.ofMinutes(1), "two.txt");
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("world");
    store.delete(List.of("a/one.txt"));
    assertThat(store.get("a/one.txt")).isNull();
    store.check();
  }

  @Test
  void wrongCredentialsAreAFailureThatNamesNoSecret() {
    try (S3ObjectStore wrong = new S3ObjectStore(settings("not-the-secret"))) {
      assertThatThrownBy(() -> wrong.put("x", new byte[1], "text/plain"))
          .isInstanceOf(ObjectStore.StoreUnavailable.class)
          .hasMessageContaining("HTTP 403")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-secret").doesNotContain(S3Server.SECRET_KEY));
    }
  }
}
