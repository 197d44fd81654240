package com.lijiaoqiao.testing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Management-API calls for tests: any method, an optional bearer credential, an optional JSON body. */
public final class Api {
  private final String root;
  /** Every reply seen, for tests that scan responses. */
  public final List<Http.Reply> seen = Collections.synchronizedList(new ArrayList<>());

  public Api(int port) {
    this.root = "http://127.0.0.1:" + port;
  }

  public Http.Reply call(String method, String path, String bearer, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(30));
    if (json != null) {
      b.header("content-type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    if (bearer != null) b.header("authorization", "Bearer " + bearer);
    Http.Reply r = Http.send(b.build());
    seen.add(r);
    return r;
  }

  public Http.Reply get(String path, String bearer) {
    return call("GET", path, bearer, null);
  }

  public Http.Reply post(String path, String bearer, String json) {
    return call("POST", path, bearer, json);
  }

  /** Signs in and returns the access token (fails the test otherwise). */
  public String login(String email, String password) {
    Http.Reply r = post("/v1/auth/token", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    if (r.status() != 200) throw new AssertionError("login failed: " + r.status() + " " + r.body());
    return r.json().get("access_token").asText();
  }

  public String chat(String key) {
    return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}";
  }

  /** One small chat completion with a platform key; returns the reply. */
  public Http.Reply complete(String key) {
    Http.Reply r = Http.postJson(root + "/v1/chat/completions", key, chat(key));
    seen.add(r);
    return r;
  }
}
