package com.lijiaoqiao.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting, with its default. Read from YAML (snake_case keys) and overridden by environment variables
 * named after the path: {@code server.port} ← {@code LJQ_SERVER_PORT}. See docs/configuration.md.
 */
public final class GatewayConfig {
  public String dataDir = "./data";
  public Server server = new Server();
  public Database database = new Database();
  public Security security = new Security();
  public Upstream upstream = new Upstream();
  public Usage usage = new Usage();
  public Simulator simulator = new Simulator();
  public Bootstrap bootstrap = new Bootstrap();
  public List<ProviderSpec> providers = new ArrayList<>();

  public static final class Server {
    public String host = "0.0.0.0";
    public int port = 8080;
    /** Event loops (one HTTP server instance each); 0 = number of CPU cores. */
    public int eventLoops = 0;
    public long maxBodyBytes = 8L * 1024 * 1024;
    public int shutdownGraceSeconds = 30;
  }

  public static final class Database {
    /** Empty = embedded H2 file in data_dir. A jdbc:postgresql: URL selects PostgreSQL. */
    public String url = "";
    public String username = "";
    public String password = "";
    public int maxPoolSize = 10;
  }

  public static final class Security {
    /** Secret for hashing platform keys (HMAC-SHA256), at least 32 bytes, as hex or base64. Empty = generated
     *  on first start and kept in data_dir/secrets/key-hash.secret. */
    public String keyHashSecret = "";
  }

  public static final class Upstream {
    /** Pooled connections per upstream host, per event loop. */
    public int maxConnectionsPerHost = 256;
    public int connectTimeoutMs = 5_000;
    /** A call with no bytes from the upstream for this long fails (hung upstream, stalled stream). */
    public int idleTimeoutMs = 60_000;
  }

  public static final class Usage {
    public int queueCapacity = 200_000;
    public int batchSize = 500;
    public int flushIntervalMs = 200;
  }

  public static final class Simulator {
    /** Start the built-in upstream simulator inside the gateway (providers of kind simulator use it). */
    public boolean enabled = false;
    public String host = "127.0.0.1";
    public int port = 0;
  }

  public static final class Bootstrap {
    /** On an empty database, create this platform admin (and its tenant). */
    public String adminEmail = "";
    public String adminPassword = "";
  }

  public static final class ProviderSpec {
    public String id;
    /** openai-compatible | anthropic | simulator */
    public String kind = "openai-compatible";
    /** For simulator without a base_url: the embedded simulator. */
    public String baseUrl = "";
    public String apiKey = "";
    /** Public model name → the upstream's name for it (empty = same name). */
    public Map<String, String> models = new LinkedHashMap<>();
    /** Shown as owned_by in /v1/models. */
    public String ownedBy = "";
  }
}
