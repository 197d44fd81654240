package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.access.SecretFiles;
import com.lijiaoqiao.providers.Providers;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Admin CRUD of providers on H2 and PostgreSQL: live without restart, credentials encrypted and never shown. */
class ProviderRegistryTest {
  static final String SECRET = "sk-upstream-SECRET-4242";

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void providersAreManagedLiveWithEncryptedCredentials(Databases.Kind db) {
    try (RoutingFixture f = new RoutingFixture(db, c -> {})) {
      Http.Reply list = f.admin("GET", "/admin/providers", null);
      assertThat(list.status()).isEqualTo(200);
      assertThat(list.json().at("/data").findValuesAsText("id")).contains("sim", "primary", "fallback");
      assertThat(list.json().at("/data/1/source").asText()).isEqualTo("config");

      Http.Reply anonymous = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.gw.gateway.port()
          + "/admin/providers")).GET().build());
      assertThat(anonymous.status()).isIn(401, 403);

      String body = "{\"id\":\"extra\",\"kind\":\"simulator\",\"base_url\":\"" + f.fallback.baseUrl() + "/v1\","
          + "\"credential\":\"" + SECRET + "\",\"models\":{\"extra-model\":\"gpt-4o-mini\"},\"tier\":0,"
          + "\"quality\":0.9,\"input_price\":1.5,\"output_price\":6,\"capabilities\":{\"max_context\":128000}}";
      Http.Reply created = f.admin("POST", "/admin/providers", body);
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.body()).doesNotContain(SECRET);
      assertThat(created.json().get("has_credential").asBoolean()).isTrue();
      assertThat(created.json().at("/capabilities/max_context").asInt()).isEqualTo(128000);
      String stored = f.gw.gateway.providerRepository().storedCredential("extra");
      assertThat(stored).startsWith("v1:").doesNotContain(SECRET);

      // Live: served at once, without a restart.
      RoutingFixture.Result r = f.chat("extra-model", false);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.provider()).isEqualTo("extra");
      assertThat(r.model()).isEqualTo("gpt-4o-mini");

      Http.Reply updated = f.admin("PUT", "/admin/providers/extra", "{\"models\":{\"extra-model\":\"gpt-4o\"}}");
      assertThat(updated.status()).isEqualTo(200);
      assertThat(updated.json().get("has_credential").asBoolean()).isTrue();
      assertThat(f.chat("extra-model", true).model()).isEqualTo("gpt-4o");
      assertThat(f.admin("GET", "/admin/providers", null).body()).doesNotContain(SECRET);
      assertThat(f.admin("GET", "/admin/providers/extra", null).body()).doesNotContain(SECRET);

      // What a restart would load: decrypted with the key kept under data_dir/secrets.
      CredentialCipher cipher = new CredentialCipher(SecretFiles.resolve("",
          f.gw.dataDir.resolve("secrets").resolve("credential.key")));
      Router fresh = new Router(new Router.StateSettings(5, 20, 10, 0.5, 1000, 16, 16), Weights.DEFAULT, Map.of(),
          false, System::nanoTime);
      ProviderService reloaded = new ProviderService(fresh, f.gw.gateway.providerRepository(), cipher, List.of(),
          d -> Providers.create(d, null, 1000, 1000));
      reloaded.load();
      assertThat(reloaded.get("extra").credential()).isEqualTo(SECRET);
      assertThat(reloaded.get("extra").models()).containsEntry("extra-model", "gpt-4o");
      assertThat(fresh.serves("extra-model")).isTrue();

      // Refusals say why, and never echo a credential.
      assertThat(f.admin("PUT", "/admin/providers/primary", "{\"tier\":3}").status()).isEqualTo(400);
      assertThat(f.admin("POST", "/admin/providers", body).status()).isEqualTo(400);
      Http.Reply badKind = f.admin("POST", "/admin/providers", body.replace("\"extra\"", "\"x2\"")
          .replace("\"simulator\"", "\"nope\""));
      assertThat(badKind.status()).isEqualTo(400);
      assertThat(badKind.body()).contains("nope").doesNotContain(SECRET);

      assertThat(f.admin("GET", "/admin/providers/extra/stats", null).json().get("breaker").asText())
          .isEqualTo("closed");

      assertThat(f.admin("DELETE", "/admin/providers/extra", null).status()).isEqualTo(204);
      assertThat(f.chat("extra-model", false).status()).isEqualTo(404);
      assertThat(f.admin("GET", "/admin/providers/extra", null).status()).isEqualTo(404);
      assertThat(f.gw.gateway.providerRepository().storedCredential("extra")).isNull();
    }
  }
}
