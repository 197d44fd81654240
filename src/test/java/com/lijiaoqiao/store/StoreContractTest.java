package com.lijiaoqiao.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.access.ApiKeyStore;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.usage.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The repositories on both databases: the same migrations, the same behaviour. */
class StoreContractTest {

  private final java.util.List<String> schemas = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void dropSchemas() {
    schemas.forEach(Databases::dropIfPostgres);
    schemas.clear();
  }

  Database open(Databases.Kind kind) throws Exception {
    String url = Databases.freshUrl(kind);
    schemas.add(url);
    if (url.isEmpty()) url = Database.embeddedUrl(Files.createTempDirectory("ljq-store"));
    Database db = Database.open(url, kind == Databases.Kind.POSTGRES ? Databases.PG_USER : "", "", 4);
    assertThat(db.isPostgres()).isEqualTo(kind == Databases.Kind.POSTGRES);
    return db;
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void migrationsRunOnceAndAccountsAndKeysRoundTrip(Databases.Kind kind) throws Exception {
    try (Database db = open(kind)) {
      assertThat(db.migrate()).isPositive();
      assertThat(db.migrate()).isZero();
      AccountRepository accounts = new AccountRepository(db.dataSource());
      long tenant = accounts.createTenant("Acme");
      long user = accounts.createUser("a@acme.test", "hash", "A", tenant, "tenant_admin");
      assertThat(accounts.findUserByEmail("a@acme.test")).get().satisfies(u -> {
        assertThat(u.tenantId()).isEqualTo(tenant);
        assertThat(u.role()).isEqualTo("tenant_admin");
        assertThat(u.status()).isEqualTo("active");
      });
      assertThatThrownBy(() -> accounts.createUser("a@acme.test", "h", "dup", tenant, "member"))
          .isInstanceOf(StoreException.class);

      ApiKeyRepository keys = new ApiKeyRepository(db.dataSource());
      Instant expiry = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
      long id = keys.insert(new ApiKeyStore.NewKey(user, tenant, "ab".repeat(32), "lgw-abcd…wxyz", "ci",
          Set.of("gpt-4o", "gpt-4o-mini"), 30, 5000, expiry));
      var found = keys.findByHash("ab".repeat(32)).orElseThrow();
      assertThat(found.principal().keyId()).isEqualTo(id);
      assertThat(found.principal().allowedModels()).containsExactlyInAnyOrder("gpt-4o", "gpt-4o-mini");
      assertThat(found.principal().rpmLimit()).isEqualTo(30);
      assertThat(found.principal().expiresAt()).isEqualTo(expiry);
      assertThat(found.principal().status()).isEqualTo("active");
      assertThat(keys.loadActive()).hasSize(1);
      assertThat(keys.findByHash("cd".repeat(32))).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void usageBatchesAreIdempotentByRequestId(Databases.Kind kind) throws Exception {
    try (Database db = open(kind)) {
      db.migrate();
      UsageRepository usage = new UsageRepository(db.dataSource(), db.isPostgres());
      UsageRecord a = record("req_a", 10, 20);
      UsageRecord b = record("req_b", 1, 2);
      usage.write(List.of(a, b));
      usage.write(List.of(a, record("req_c", 3, 4))); // a replayed: skipped, not an error
      assertThat(usage.count()).isEqualTo(3);
      UsageRecord back = usage.findByRequestId("req_a").get(0);
      assertThat(back.promptTokens()).isEqualTo(10);
      assertThat(back.completionTokens()).isEqualTo(20);
      assertThat(back.ttftMs()).isEqualTo(7);
      assertThat(back.cacheWriteTokens()).isEqualTo(3);
      assertThat(back.outcome()).isEqualTo("ok");
    }
  }

  static UsageRecord record(String id, long prompt, long completion) {
    return new UsageRecord(id, 1, 2, 3, "chat_completions", "gpt-4o", "gpt-4o", "sim", true, prompt, completion,
        0, 3, false, 12, 7, 200, "ok", null, 0, Instant.now());
  }

}
