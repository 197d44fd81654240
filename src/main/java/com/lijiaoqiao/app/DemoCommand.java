package com.lijiaoqiao.app;

import com.lijiaoqiao.simulator.SimCatalog;
import com.lijiaoqiao.simulator.SimModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Zero configuration: embedded database, the built-in simulator as upstream, a demo tenant and key. */
@Command(name = "demo", description = "Run a self-contained demo gateway (embedded database, simulated upstream).")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data-dir", defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--upstream", description = "Use a simulator already running at this OpenAI base URL "
      + "(e.g. http://127.0.0.1:9090/v1) instead of starting one inside the gateway (used by ljq bench).")
  String upstream;

  @Option(names = "--event-loops", defaultValue = "0", description = "Event loops (0 = CPU cores).")
  int eventLoops;

  @Option(names = "--database-url", description = "A jdbc:postgresql: URL to use instead of the embedded database "
      + "(credentials in the URL or LJQ_DATABASE_USERNAME / LJQ_DATABASE_PASSWORD).")
  String databaseUrl;

  @Option(names = "--redis-url", description = "A redis:// URL: rate limits, budgets and balances shared through it.")
  String redisUrl;

  @Option(names = "--redis-prefix", defaultValue = "ljq:", description = "Prefix of the gateway's Redis keys.")
  String redisPrefix;

  @Option(names = "--key-rpm", defaultValue = "600", description = "Requests per minute of the demo key (first start).")
  int keyRpm;

  @Option(names = "--key-tpm", defaultValue = "1000000", description = "Tokens per minute of the demo key (first start).")
  int keyTpm;

  @Option(names = "--kafka-bootstrap-servers", description = "Publish events to Kafka at host:port (docs/events.md).")
  String kafkaBootstrapServers;

  @Option(names = "--kafka-topic-prefix", defaultValue = "", description = "Prefix of the Kafka topics' names.")
  String kafkaTopicPrefix;

  @Option(names = "--initial-credit", defaultValue = "10.00",
      description = "Starting balance of the demo tenant (first start), e.g. 10.00.")
  String initialCredit;

  @Override
  public Integer call() throws Exception {
    GatewayConfig cfg = demoConfig(port, dataDir);
    cfg.server.eventLoops = eventLoops;
    if (databaseUrl != null && !databaseUrl.isBlank()) {
      cfg.database.url = databaseUrl;
      cfg.database.username = System.getenv().getOrDefault("LJQ_DATABASE_USERNAME", "");
      cfg.database.password = System.getenv().getOrDefault("LJQ_DATABASE_PASSWORD", "");
    }
    if (redisUrl != null && !redisUrl.isBlank()) {
      cfg.redis.url = redisUrl;
      cfg.redis.keyPrefix = redisPrefix;
    }
    if (kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank()) {
      cfg.kafka.bootstrapServers = kafkaBootstrapServers;
      cfg.kafka.topicPrefix = kafkaTopicPrefix;
      cfg.kafka.groupPrefix = kafkaTopicPrefix;
    }
    if (upstream != null && !upstream.isBlank()) {
      cfg.simulator.enabled = false;
      for (GatewayConfig.ProviderSpec p : cfg.providers) p.baseUrl = upstream; // the Anthropic one drops the /v1
    }
    Gateway gateway = Gateway.start(cfg);
    Bootstrap.DemoCredentials creds;
    try {
      creds = Bootstrap.ensureDemo(gateway, dataDir, new Bootstrap.DemoLimits(keyRpm, keyTpm,
          Gateway.parseMoney(initialCredit, "--initial-credit", true)));
    } catch (RuntimeException e) {
      gateway.close();
      throw e;
    }
    String base = "http://127.0.0.1:" + gateway.port() + "/v1";
    System.out.println("LJQ_BASE_URL=" + base);
    System.out.println("LJQ_ADMIN_EMAIL=" + creds.adminEmail());
    System.out.println("LJQ_ADMIN_PASSWORD=" + creds.adminPassword());
    System.out.println("LJQ_API_KEY=" + creds.apiKey());
    if (creds.supplierEmail() != null) {
      System.out.println("LJQ_SUPPLIER_EMAIL=" + creds.supplierEmail());
      System.out.println("LJQ_SUPPLIER_PASSWORD=" + creds.supplierPassword());
    }
    String console = "http://127.0.0.1:" + gateway.port() + "/console/";
    System.out.println("LJQ_CONSOLE_URL=" + console);
    System.out.println();
    System.out.println("Web console: " + console + "  (sign in as " + creds.adminEmail() + " / " + creds.adminPassword()
        + (creds.supplierEmail() != null ? "; the supplier: " + creds.supplierEmail() + " / " + creds.supplierPassword() : "")
        + ")");
    System.out.println();
    System.out.println("Try it:");
    System.out.println("curl -s " + base + "/chat/completions -H 'Authorization: Bearer " + creds.apiKey()
        + "' -H 'Content-Type: application/json' -d '{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Hello!\"}]}'");
    System.out.println("# " + Bootstrap.DEMO_MARKET_MODEL + " is sold by the demo supplier's package (docs/marketplace.md)");
    System.out.println("ANTHROPIC_BASE_URL=http://127.0.0.1:" + gateway.port() + " ANTHROPIC_AUTH_TOKEN="
        + creds.apiKey() + " claude   # Claude Code, its default models included");
    System.out.println("GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:" + gateway.port() + " GEMINI_API_KEY="
        + creds.apiKey() + " gemini   # Gemini CLI (and @google/genai with httpOptions.baseUrl)");
    System.out.flush();
    ServeCommand.runUntilStopped(gateway);
    return 0;
  }

  static GatewayConfig demoConfig(int port, Path dataDir) {
    GatewayConfig cfg = new GatewayConfig();
    cfg.dataDir = dataDir.toString();
    cfg.server.host = "127.0.0.1";
    cfg.server.port = port;
    cfg.simulator.enabled = true;
    GatewayConfig.ProviderSpec sim = new GatewayConfig.ProviderSpec();
    sim.id = "simulator";
    sim.kind = "simulator";
    // Claude models through the simulator's Anthropic dialect, as from api.anthropic.com: Anthropic clients get
    // byte passthrough, OpenAI clients the translation.
    GatewayConfig.ProviderSpec claude = new GatewayConfig.ProviderSpec();
    claude.id = "simulator-anthropic";
    claude.kind = "simulator-anthropic";
    claude.ownedBy = "anthropic";
    // Gemini models through its Gemini dialect, as from Google: Gemini clients get byte passthrough.
    GatewayConfig.ProviderSpec gemini = new GatewayConfig.ProviderSpec();
    gemini.id = "simulator-gemini";
    gemini.kind = "simulator-gemini";
    gemini.ownedBy = "google";
    for (SimModel m : SimCatalog.models()) {
      (switch (m.owner()) {
        case "anthropic" -> claude;
        case "google" -> gemini;
        default -> sim;
      }).models.put(m.name(), m.name());
    }
    cfg.providers.add(sim);
    cfg.providers.add(claude);
    cfg.providers.add(gemini);
    cfg.routing.modelAliases.putAll(DEMO_ALIASES);
    // The demo's marketplace: one supplier's package sells a model of its own, on the embedded simulator (loopback,
    // which suppliers may reach here only; see Bootstrap.seedMarketplace).
    cfg.supply.allowedAddresses.add("127.0.0.1/32");
    DEMO_PRICES.forEach((model, p) -> {
      GatewayConfig.PriceSpec spec = new GatewayConfig.PriceSpec();
      spec.input = p[0];
      spec.output = p[1];
      spec.cachedInput = p[2];
      spec.maxOutputTokens = 16_384;
      cfg.billing.models.put(model, spec);
    });
    return cfg;
  }

  /** Claude Code's default model ids (dated, or newer than this catalogue) → the simulator's Claude models. */
  static final java.util.Map<String, String> DEMO_ALIASES = java.util.Map.of(
      // Gemini CLI's and the SDKs' defaults (newer or preview ids) → the simulator's Gemini models
      "gemini-*pro*", "gemini-2.5-pro",
      "gemini-*flash-lite*", "gemini-2.5-flash-lite",
      "gemini-*flash*", "gemini-2.5-flash",
      "claude-opus-*", "claude-opus-4-1",
      "claude-sonnet-*", "claude-sonnet-4-5",
      "claude-haiku-*", "claude-haiku-4-5",
      "claude-3-*opus*", "claude-opus-4-1",
      "claude-3-*sonnet*", "claude-sonnet-4-5",
      "claude-3-*haiku*", "claude-haiku-4-5");

  /** Per 1M tokens: input, output, cached input — list prices of the real models the demo names. */
  static final java.util.Map<String, String[]> DEMO_PRICES = java.util.Map.ofEntries(
      java.util.Map.entry("gpt-4o-mini", new String[] {"0.15", "0.60", "0.075"}),
      java.util.Map.entry(Bootstrap.DEMO_MARKET_MODEL, new String[] {"0.60", "0.60", "0.30"}),
      java.util.Map.entry("gpt-4o", new String[] {"2.50", "10.00", "1.25"}),
      java.util.Map.entry("gpt-4.1", new String[] {"2.00", "8.00", "0.50"}),
      java.util.Map.entry("o3-mini", new String[] {"1.10", "4.40", "0.55"}),
      java.util.Map.entry("text-embedding-3-small", new String[] {"0.02", "0", "0.02"}),
      java.util.Map.entry("text-embedding-3-large", new String[] {"0.13", "0", "0.13"}),
      java.util.Map.entry("claude-sonnet-4-5", new String[] {"3.00", "15.00", "0.30"}),
      java.util.Map.entry("claude-haiku-4-5", new String[] {"1.00", "5.00", "0.10"}),
      java.util.Map.entry("claude-opus-4-1", new String[] {"15.00", "75.00", "1.50"}),
      java.util.Map.entry("deepseek-chat", new String[] {"0.27", "1.10", "0.07"}),
      java.util.Map.entry("deepseek-reasoner", new String[] {"0.55", "2.19", "0.14"}),
      java.util.Map.entry("qwen-plus", new String[] {"0.40", "1.20", "0.16"}),
      java.util.Map.entry("gemini-2.5-pro", new String[] {"1.25", "10.00", "0.31"}),
      java.util.Map.entry("gemini-2.5-flash", new String[] {"0.30", "2.50", "0.075"}),
      java.util.Map.entry("gemini-2.5-flash-lite", new String[] {"0.10", "0.40", "0.025"}));
}
