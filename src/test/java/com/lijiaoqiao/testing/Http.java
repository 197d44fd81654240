package com.lijiaoqiao.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client for tests, speaking to the gateway exactly as any client would. */
public final class Http {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private Http() {}

  public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  public static HttpRequest.Builder post(String url, String key, byte[] body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    boolean ct = false;
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      if (headers[i].equalsIgnoreCase("content-type")) ct = true;
    }
    if (!ct) b.header("content-type", "application/json");
    if (key != null) b.header("authorization", "Bearer " + key);
    return b;
  }

  public static Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(r.statusCode(), r.headers(), r.body());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  public static Reply postJson(String url, String key, String json, String... headers) {
    return send(post(url, key, json.getBytes(StandardCharsets.UTF_8), headers).build());
  }

  public static Reply get(String url, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (key != null) b.header("authorization", "Bearer " + key);
    return send(b.build());
  }

  /** A streaming response read line by line as the bytes arrive. */
  public static final class Stream implements AutoCloseable {
    public final int status;
    public final java.net.http.HttpHeaders headers;
    private final BufferedReader reader;

    Stream(HttpResponse<java.io.InputStream> r) {
      this.status = r.statusCode();
      this.headers = r.headers();
      this.reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    /** The next "data:" payload, or null at the end of the stream. */
    public String nextData() {
      try {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("data: ")) return line.substring(6);
        }
        return null;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    public List<String> rest() {
      List<String> out = new ArrayList<>();
      String d;
      while ((d = nextData()) != null) out.add(d);
      return out;
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (Exception ignored) {
        // closing early on purpose
      }
    }
  }

  public static Stream stream(String url, String key, String json, String... headers) {
    try {
      HttpResponse<java.io.InputStream> r = CLIENT.send(
          post(url, key, json.getBytes(StandardCharsets.UTF_8), headers).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      return new Stream(r);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
