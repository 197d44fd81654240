package com.lijiaoqiao.app;

import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.access.PasswordHasher;
import com.lijiaoqiao.store.AccountRepository;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** First-start accounts: the configured platform admin, and the demo's admin, tenant and key. */
final class Bootstrap {
  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);
  static final String DEMO_ADMIN_EMAIL = "admin@demo.ljq.local";
  static final String DEMO_USER_EMAIL = "dev@demo.ljq.local";

  private Bootstrap() {}

  /** The demo's credentials, kept in the data directory so a restart prints the same ones. */
  record DemoCredentials(String adminEmail, String adminPassword, String apiKey, String supplierEmail,
                         String supplierPassword) {}

  static final String DEMO_SUPPLIER_EMAIL = "supplier@demo.ljq.local";
  /** The model the demo's marketplace package sells (served by the simulator's gpt-4o-mini). */
  static final String DEMO_MARKET_MODEL = "llama-3.3-70b-instruct";

  static void ensureAdmin(Gateway g, GatewayConfig cfg) {
    String email = cfg.bootstrap.adminEmail == null ? null : cfg.bootstrap.adminEmail.trim().toLowerCase();
    if (email == null || email.isBlank()) return;
    AccountRepository accounts = g.accounts();
    if (accounts.findUserByEmail(email).isPresent()) return;
    if (cfg.bootstrap.adminPassword == null || cfg.bootstrap.adminPassword.length() < 12) {
      throw new ConfigLoader.ConfigException("bootstrap.admin_password must be at least 12 characters");
    }
    long tenant = accounts.createTenant("Platform");
    accounts.createUser(email, PasswordHasher.hash(cfg.bootstrap.adminPassword), "Administrator", tenant, "admin");
    log.info("created the platform admin user {}", email);
  }

  /** The demo key's limits and the demo tenant's starting balance (ljq bench raises them). */
  record DemoLimits(int rpm, int tpm, long initialCreditMicros) {
    static final DemoLimits DEFAULT = new DemoLimits(600, 1_000_000, 10_000_000L);
  }

  static DemoCredentials ensureDemo(Gateway g, Path dataDir, DemoLimits limits) {
    Path file = dataDir.resolve("demo-credentials.properties");
    AccountRepository accounts = g.accounts();
    if (Files.isRegularFile(file) && accounts.findUserByEmail(DEMO_ADMIN_EMAIL).isPresent()) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new DemoCredentials(p.getProperty("admin_email"), p.getProperty("admin_password"),
          p.getProperty("api_key"), p.getProperty("supplier_email"), p.getProperty("supplier_password"));
    }
    String password = randomPassword();
    String supplierPassword = randomPassword();
    // Two memory-hard hashes, computed side by side. The developer's password would be shown to nobody: it gets none
    // (the account is used through its key).
    java.util.concurrent.CompletableFuture<String> adminHash = hashAsync(password);
    java.util.concurrent.CompletableFuture<String> supplierHash = hashAsync(supplierPassword);
    long platform = accounts.createTenant("Platform");
    accounts.createUser(DEMO_ADMIN_EMAIL, adminHash.join(), "Demo admin", platform, "admin");
    long demoTenant = accounts.createTenant("Demo tenant");
    long dev = accounts.createUser(DEMO_USER_EMAIL, PasswordHasher.LOCKED, "Demo developer", demoTenant, "tenant_admin");
    KeyIssuer.Issued key = g.keyIssuer().issue(dev, demoTenant, "demo", Set.of(), limits.rpm(), limits.tpm(), null);
    // The demo works out of the box: its tenant starts with a balance (10.00 by default).
    g.billing().credit(demoTenant, limits.initialCreditMicros(), "demo-initial-credit", "demo starting balance", null);
    if (!seedMarketplace(g, accounts, supplierHash.join())) supplierPassword = null;
    DemoCredentials creds = new DemoCredentials(DEMO_ADMIN_EMAIL, password, key.secret(),
        supplierPassword == null ? null : DEMO_SUPPLIER_EMAIL, supplierPassword);
    Properties p = new Properties();
    p.setProperty("admin_email", creds.adminEmail());
    p.setProperty("admin_password", creds.adminPassword());
    p.setProperty("api_key", creds.apiKey());
    if (supplierPassword != null) {
      p.setProperty("supplier_email", DEMO_SUPPLIER_EMAIL);
      p.setProperty("supplier_password", supplierPassword);
    }
    try {
      Files.createDirectories(dataDir);
      Files.deleteIfExists(file);
      Files.createFile(file);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not POSIX
      }
      try (Writer w = Files.newBufferedWriter(file)) {
        p.store(w, "ljq demo credentials (demo only: a production gateway never keeps secrets in clear)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return creds;
  }

  /**
   * The demo's marketplace: an approved supplier with an account on the embedded simulator and one active package
   * selling {@link #DEMO_MARKET_MODEL}. Skipped (false) without the simulator or the marketplace; never stops a start.
   */
  static boolean seedMarketplace(Gateway g, AccountRepository accounts, String supplierPasswordHash) {
    com.lijiaoqiao.supply.Marketplace market = g.marketplace();
    if (market == null || g.simulator() == null) return false;
    try {
      long supplier = accounts.createTenant("Demo supplier");
      accounts.createUser(DEMO_SUPPLIER_EMAIL, supplierPasswordHash, "Demo supplier", supplier,
          "supplier");
      market.decide(supplier, "approved", null, null, "the demo's supplier");
      com.lijiaoqiao.supply.SupplyStore.Account account = market.register(supplier,
          new com.lijiaoqiao.supply.Marketplace.AccountInput("demo upstream", "openai-compatible",
              g.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1", "sk-demo-supplier-" + randomPassword(),
              java.util.Map.of(DEMO_MARKET_MODEL, "gpt-4o-mini"), null, null, null));
      com.lijiaoqiao.supply.SupplyStore.Package pkg = market.create(supplier,
          new com.lijiaoqiao.supply.Marketplace.PackageInput(account.id(), "demo package", null, 10_000_000L, 400_000L,
              400_000L, 200_000L, 365, null, null, "demo-market"));
      market.transition(supplier, pkg.id(), "active");
      return true;
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Bootstrap.class).warn("the demo marketplace was not seeded: {}", e.toString());
      return false;
    }
  }

  private static java.util.concurrent.CompletableFuture<String> hashAsync(String password) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> PasswordHasher.hash(password),
        r -> Thread.ofPlatform().name("ljq-demo-hash").daemon(true).start(r));
  }

  static String randomPassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder(20);
    for (int i = 0; i < 20; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    return sb.toString();
  }
}
