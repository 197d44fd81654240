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
  public Billing billing = new Billing();
  public Redis redis = new Redis();
  public Limits limits = new Limits();
  public Responses responses = new Responses();
  public List<ProviderSpec> providers = new ArrayList<>();
  public Routing routing = new Routing();
  public Supply supply = new Supply();
  public Events events = new Events();
  public Risk risk = new Risk();
  public Kafka kafka = new Kafka();
  public Webhooks webhooks = new Webhooks();
  public Metrics metrics = new Metrics();
  public Health health = new Health();
  public Logging logging = new Logging();
  public Storage storage = new Storage();

  public static final class Server {
    public String host = "0.0.0.0";
    public int port = 8080;
    /** Event loops (one HTTP server instance each); 0 = number of CPU cores. */
    public int eventLoops = 0;
    public long maxBodyBytes = 8L * 1024 * 1024;
    /** Relayed requests (streams included) in flight on this node at once; beyond it 503 COMMON_004 with
     *  Retry-After: 1, answered before the body is read. The upstream connection pool is sized to it. */
    public int maxInFlight = 4096;
    /** Body bytes held at once, over all requests still being read (before authentication has them); beyond it
     *  requests get 503 COMMON_004 with Retry-After. 0 = a quarter of the JVM's maximum heap. */
    public long maxBufferedBodyBytes = 0;
    /** A connection with no request in flight is closed after this long. Never cuts a request being answered. */
    public int idleTimeoutMs = 60_000;
    /** A request's headers (from their first byte) and then its body must arrive within this long, else the
     *  connection is closed (408 when the headers had arrived). */
    public int requestReadTimeoutMs = 30_000;
    /** All header lines of a request together; larger → 431. */
    public int maxHeaderBytes = 64 * 1024;
    /** Header fields per request; more → 431. */
    public int maxHeaders = 100;
    /** The request line (method, path and query); longer → 414. */
    public int maxRequestLineBytes = 16 * 1024;
    /** Open connections per client IP, per node; 0 = no cap (the default: behind a load balancer every
     *  connection comes from its address). */
    public int maxConnectionsPerIp = 0;
    public int shutdownGraceSeconds = 30;
  }

  /** Probes (docs/deployment.md): /livez, /readyz and what readiness checks. */
  public static final class Health {
    /** How often readiness parts (database, journal, Redis, Kafka, models) are checked, off the event loops. */
    public int checkIntervalMs = 2_000;
    /** The longest one check may take before it counts as failed ("timeout"). */
    public int checkTimeoutMs = 2_000;
    /** On shutdown, /readyz answers 503 for this long while the node still serves, so load balancers stop sending
     *  before it stops accepting (Kubernetes: a few seconds; 0 = stop accepting at once). */
    public int drainDelayMs = 0;
  }

  /** Log lines: {@code text} (the default, logback.xml's pattern) or {@code json} (one object a line, plus one
   *  access line per data-plane request). */
  public static final class Logging {
    public String format = "text";
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
    /** HS256 key for access JWTs, at least 32 bytes, as hex or base64. Empty = generated on first start and kept in
     *  data_dir/secrets/jwt-signing.secret. */
    public String jwtSigningKey = "";
    public int accessTokenTtlSeconds = 900;
    public int refreshTokenTtlSeconds = 30 * 24 * 3600;
    /** Lets anyone create an account with POST /v1/auth/register. */
    public boolean openRegistration = false;
    /** Active keys one user may hold. */
    public int maxKeysPerUser = 10;
    /** Consecutive failed sign-ins that lock an account, and for how long. */
    public int loginMaxFailures = 5;
    public int loginLockSeconds = 900;
    /** Failed sign-ins per minute per client IP and per account (e-mail), in memory per node; 0 = no limit.
     *  A successful sign-in does not count. Beyond: 429 RATE_LIMIT_001 with Retry-After. */
    public int loginPerIpPerMinute = 20;
    public int loginPerAccountPerMinute = 10;
    /** Threads hashing passwords (sign-in, registration, password change); 0 = max(2, cores / 2). */
    public int hashingThreads = 0;
    /** Hashing tasks that may wait for a thread; more are refused at once with 429 RATE_LIMIT_001. */
    public int hashingQueue = 32;
    /** How often last-used times of keys are written to the database. */
    public int keyLastUsedFlushMs = 5_000;
    /** How often a node picks up keys and users changed by other nodes (revocations, rotations); 0 = never. */
    public int keySyncIntervalMs = 1_000;
    /** AES-256 key (32 bytes, hex or base64) encrypting upstream credentials at rest. Empty = generated on
     *  first start and kept in data_dir/secrets/credential.key. */
    public String credentialKey = "";
  }

  public static final class Upstream {
    /** Pooled connections per upstream host, per event loop; 0 = server.max_in_flight, so that no admitted
     *  request ever waits for a connection (they are opened on demand and closed when idle). */
    public int maxConnectionsPerHost = 0;
    public int connectTimeoutMs = 5_000;
    /** A call with no bytes from the upstream for this long fails (hung upstream, stalled stream). */
    public int idleTimeoutMs = 60_000;
    /** The largest whole (non-stream) answer the gateway holds from an upstream; larger fails over (502). */
    public long maxBodyBytes = 64L * 1024 * 1024;
  }

  /** Routing and resilience (docs/routing.md). Times in ms. */
  public static final class Routing {
    /** Streams: until the first generated token; non-streams: until the response headers (unless
     *  headers_timeout_ms says otherwise). Exceeding it falls over. */
    public int firstByteTimeoutMs = 60_000;
    /** Non-streams: until the response headers; 0 = first_byte_timeout_ms. */
    public int headersTimeoutMs = 0;
    /** Streams with a later candidate to fall over to: until the first generated token (never above
     *  first_byte_timeout_ms). A stream with no fallback waits first_byte_timeout_ms. */
    public int firstTokenTimeoutMs = 15_000;
    /** A Retry-After up to this long (and within the deadline) is waited out on the same provider; longer ones
     *  fall over and cool that provider's model down for the stated time. */
    public int retryAfterMaxWaitMs = 2_000;
    /** Overall deadline of a request, all attempts and waits included. */
    public int totalTimeoutMs = 600_000;
    public int maxAttemptsPerProvider = 2;
    public int backoffBaseMs = 200;
    public int backoffMaxMs = 5_000;
    public WeightSpec weights = new WeightSpec();
    /** Per public model: provider ids in fallback order (listed first, in order; others after). */
    public Map<String, List<String>> modelOrder = new LinkedHashMap<>();
    /** Requested name or pattern ({@code claude-opus-*}) → the configured public model it stands for; a served
     *  model's own name always wins, then an exact alias, then the longest matching pattern. */
    public Map<String, String> modelAliases = new LinkedHashMap<>();
    /** Per public model: the public models tried in order, each at its own price, once every provider of it has
     *  failed (docs/routing.md, "Fallbacks"). */
    public Map<String, List<String>> fallbacks = new LinkedHashMap<>();
    /** Callers may name their own fallback models per request (x-ljq-fallbacks), within what their key may use. */
    public boolean requestFallbacks = true;
    /** Per public model: a larger-context public model tried once after context_length_exceeded. */
    public Map<String, String> contextFallbacks = new LinkedHashMap<>();
    /** Per public model: overrides of the weights. */
    public Map<String, WeightSpec> modelWeights = new LinkedHashMap<>();
    /** Requests with the same `user` or x-ljq-session prefer the provider that served the last one. */
    public boolean stickiness = true;
    public int breakerConsecutiveFailures = 5;
    public int breakerWindow = 20;
    public int breakerMinCalls = 10;
    public double breakerFailureRate = 0.5;
    public int breakerOpenMs = 30_000;
    public int latencyWindow = 128;
    public int availabilityWindow = 100;
    /** Provider-wide checks (GET /models): a fail counts against each model's breaker; a pass only shows. */
    public int healthIntervalMs = 30_000;
    /** How often each (provider, model) whose breaker is open gets a one-token probe of that model; 0 = never. */
    public int recoveryProbeIntervalMs = 5_000;
    /** How often a node picks up provider changes made through another node's admin API; 0 = never. */
    public int registrySyncIntervalMs = 5_000;
    public int healthTimeoutMs = 5_000;
    /** A stream that breaks after its first byte is continued on a fallback when it safely can (docs/routing.md). */
    public boolean rescue = true;
    /** Public models whose streams are never continued elsewhere (their in-band error stays). */
    public List<String> rescueOffModels = new ArrayList<>();
  }

  /** Risk control (docs/risk.md): the defaults until an operator stores rules through /admin/risk/rules. */
  public static final class Risk {
    public boolean enabled = true;
    /** How often each node re-reads the rules and the operators' suppressions. */
    public int reloadIntervalMs = 1_000;
  }

  /** The event outbox and its relay (docs/events.md). */
  public static final class Events {
    /**
     * Whether each request also writes request.completed and billing.settled events (llm.requests, llm.billing):
     * {@code auto} (on when Kafka is configured: nothing else reads those topics), {@code true} or {@code false}.
     * Two outbox rows per request, published and marked later, are a large part of what a request costs the
     * embedded store, so they are written only where a consumer can read them.
     */
    public String requestEvents = "auto";

    /** {@link #requestEvents} resolved. */
    public boolean requestEventsOn(boolean kafkaConfigured) {
      return switch (requestEvents == null ? "auto" : requestEvents.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "auto" -> kafkaConfigured;
        case "true", "on", "yes" -> true;
        case "false", "off", "no" -> false;
        default -> throw new IllegalArgumentException("events.request_events must be auto, true or false, not '"
            + requestEvents + "'");
      };
    }
    /** How often the relay looks for unpublished events (on the node holding its lease). */
    public int relayIntervalMs = 200;
    public int batchSize = 500;
    /** Published events are deleted from the outbox after this many days; 0 = kept. */
    public int retentionDays = 7;
  }

  /**
   * Kafka (docs/events.md): with {@code bootstrap_servers} set, the outbox relay publishes to the seed's four topics
   * and consumers (webhooks, the billing cross-check) read them as consumer groups; empty = the in-process bus.
   */
  public static final class Kafka {
    /** host:port[,host:port]; empty = no Kafka. */
    public String bootstrapServers = "";
    public String clientId = "ljq";
    /** Replicas of each topic the gateway creates: 1 for a single broker; production (the seed) uses 3. */
    public int replicationFactor = 1;
    /** Prepended to every topic name ({@code staging.} → {@code staging.llm.events}); tests isolate with it. */
    public String topicPrefix = "";
    /** Prepended to every consumer group id. */
    public String groupPrefix = "";
    /** The longest a send (and the relay's batch) waits for the brokers' acknowledgement. */
    public int deliveryTimeoutMs = 30_000;
    /** A consumer whose handler failed waits this long before the same records come again. */
    public int retryBackoffMs = 1_000;
    /** Consumer lag is computed this often and logged when a group's exceeds {@code lag_warn_records}; 0 = never. */
    public int lagIntervalMs = 30_000;
    public long lagWarnRecords = 10_000;
    /** The billing consumer cross-checks llm.billing against the ledger (consumer group billing-service). */
    public boolean billingCheck = true;
  }

  /** Signed webhooks (docs/webhooks.md). Times in milliseconds, so tests can run the schedule fast. */
  public static final class Webhooks {
    /** /v1/webhooks, /admin/webhooks and the delivery worker. */
    public boolean enabled = true;
    /** One attempt, connecting included. */
    public long timeoutMs = 10_000;
    /** Retries: the wait after the n-th failed attempt is drawn from [0, min(max, base × 2^(n−1))] (full jitter). */
    public long retryBaseMs = 10_000;
    public long retryMaxMs = 3_600_000;
    /** A delivery is retried for this long after it was created (or redelivered), then it has failed. */
    public long retryWindowMs = 24L * 3_600_000;
    /** false: always wait the full back-off (tests that look at the gaps). */
    public boolean retryJitter = true;
    /** An endpoint is disabled once it has failed for this long without a success, and at least … */
    public long disableAfterMs = 24L * 3_600_000;
    /** … this many attempts in a row. */
    public int disableAfterFailures = 10;
    /** How often the node holding the delivery lease looks for due deliveries. */
    public int pollIntervalMs = 500;
    /** Deliveries in flight at once (per node; one node sends). */
    public int maxInFlight = 32;
    /** Endpoints per tenant (and for the platform's operators). */
    public int maxEndpointsPerTenant = 20;
    /** Lets webhook URLs point at loopback, private and link-local addresses; separate from supply's on purpose. */
    public boolean allowPrivateAddresses = false;
    /** CIDR blocks, addresses or reserved names webhook URLs may use although private (security-ssrf.md). */
    public List<String> allowedAddresses = new ArrayList<>();
  }

  /** The supplier marketplace (docs/marketplace.md). */
  public static final class Supply {
    public boolean enabled = true;
    /** The least share of the consumer price the platform keeps, in basis points (1000 = 10%); per supplier too. */
    public int minMarginBps = 1000;
    /** Days an earning stays on hold before it can be paid out; per supplier too. */
    public int holdDays = 7;
    /** Lets supplier accounts point at loopback, private and link-local addresses (tests, a private deployment). */
    public boolean allowPrivateAddresses = false;
    /** Addresses (CIDR) supplier accounts may use even though private, e.g. 10.1.2.0/24. */
    public List<String> allowedAddresses = new ArrayList<>();
    /** Each model's probe when an account is verified. */
    public int probeTimeoutMs = 15_000;
    /** How often active accounts are probed again (a revoked credential suspends the account); 0 = never. */
    public int reprobeIntervalMs = 300_000;
    /** How often each node reads packages and accounts changed elsewhere (and expires packages). */
    public int syncIntervalMs = 1_000;
  }

  public static final class WeightSpec {
    public double latency = 0.4;
    public double availability = 0.3;
    public double cost = 0.2;
    public double quality = 0.1;
  }

  /** Limits over the whole gateway (all tenants' requests together); 0 = off. Per node without Redis. */
  /** POST /v1/responses: stored responses (in memory per node; docs/responses.md). */
  public static final class Responses {
    public int storeTtlSeconds = 3600;
    public int maxStoredPerTenant = 10_000;
  }

  public static final class Limits {
    public int globalRpm = 0;
    public int globalTpm = 0;
  }

  public static final class Redis {
    /** Empty = no Redis (limits and balances per node, in memory). E.g. redis://127.0.0.1:6379 — then per-key
     *  rate limits and tenants' balances and reservations are shared by every node. */
    public String url = "";
    /** Prefix of every Redis key the gateway writes (to share one Redis between installations). */
    public String keyPrefix = "ljq:";
    public int maxPoolSize = 16;
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

  public static final class Billing {
    /** ISO code of the platform currency; every amount is in it. */
    public String currency = "USD";
    /** A wallet falling below this records a billing.low_balance event (tenants may set their own). */
    public String lowBalanceThreshold = "1.00";
    /** Consumer prices per model, seeded into the database when it has none for that model. */
    public Map<String, PriceSpec> models = new LinkedHashMap<>();
    /** How often each node reads balances and prices from the ledger (other nodes' charges, credits, price
     *  changes); 0 = never. With Redis, balances are shared live and this keeps each node's own view fresh. */
    public int refreshIntervalMs = 1_000;
    /** Without Redis, on PostgreSQL: nodes share balances by leasing slices of them from the database (false =
     *  each node checks its own figure only). */
    public boolean balanceLeases = true;
    /** A node's lease not renewed for this long (the node died) is free for the others again. */
    public int leaseTtlMs = 30_000;
    /** A tenant's unused lease is given back after this long without a reservation on the node. */
    public int leaseIdleMs = 2_000;
  }

  public static final class PriceSpec {
    /** Per million tokens, as decimal strings in the platform currency. */
    public String input = "0";
    public String output = "0";
    /** Empty = the input price. */
    public String cachedInput = "";
    /** Prompt-cache writes (Anthropic charges them at a premium). Empty = the input price. */
    public String cacheWriteInput = "";
    /** The output cap assumed when a request does not set max_tokens. */
    public int maxOutputTokens = 4096;
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
    /** Lower tiers are tried first (fallback tiers); score orders providers within a tier. */
    public int tier = 0;
    /** 0..1, higher is better. */
    public double quality = 0.5;
    /** Upstream price per 1M tokens (compared across candidates for the cost score). */
    public double inputPrice = 0;
    public double outputPrice = 0;
    public boolean streaming = true;
    public boolean tools = true;
    public boolean vision = true;
    /** Context window in tokens; 0 = not checked. */
    public int maxContext = 0;
    public boolean enabled = true;
  }

  /** Object storage (docs/storage.md): archives, invoice and statement files, opt-in request logs. */
  public static final class Storage {
    public S3 s3 = new S3();
    public Archive archive = new Archive();
    public RequestLogs requestLogs = new RequestLogs();
  }

  /** Any S3-compatible store (AWS S3, MinIO, Ceph, R2, OSS in S3 mode). Off by default. */
  public static final class S3 {
    public boolean enabled = false;
    /** Empty = AWS's endpoint for the region; e.g. http://127.0.0.1:9000 for MinIO. */
    public String endpoint = "";
    public String region = "us-east-1";
    public String bucket = "";
    /** Every object key starts with it (no leading or trailing slash needed). */
    public String prefix = "ljq";
    /** Path-style addressing (bucket in the path): MinIO, Ceph and most self-hosted stores need it. */
    public boolean pathStyle = false;
    /** Empty access key = the AWS default provider chain (environment, profile, instance role). Never logged. */
    public String accessKeyId = "";
    public String secretAccessKey = "";
    /** Server-side encryption of every object: "" (the bucket's default), AES256, or aws:kms. */
    public String serverSideEncryption = "";
    /** With aws:kms: the key id (empty = the account's default KMS key). */
    public String kmsKeyId = "";
    /** How long a presigned download link of an invoice or statement works (60..3600). */
    public int presignTtlSeconds = 300;
    /** One call to the store, connecting included. */
    public int timeoutMs = 30_000;
    /** Attempts per call (the SDK's standard back-off between them, throttling included). */
    public int maxAttempts = 4;
    /** Readiness asks the bucket (HEAD) at most this often (stores bill per request); 0 = at every check. */
    public int probeIntervalMs = 30_000;
  }

  /** Daily archives of usage, billing, ledger and audit records (docs/storage.md "Archives"). */
  public static final class Archive {
    /** The daily job (on the node holding its lease); with storage.s3 enabled. */
    public boolean enabled = true;
    /** How often the job looks for days to archive (and retries failed ones). */
    public int intervalMs = 3_600_000;
    /** A UTC day is archived once it has been over for this long (late writes of its last seconds land first). */
    public int graceMinutes = 60;
    /** How many days back the job looks for unarchived days. */
    public int lookbackDays = 31;
    /** Rows per part file. */
    public int rowsPerPart = 100_000;
    /** Usage records older than this many days are deleted from the database once their window is verified;
     *  0 = never. Billing records, ledger postings and audit events are archived but never pruned (docs). */
    public int retentionDays = 0;
  }

  /** Opt-in request logs (docs/storage.md "Request logs"); each tenant turns them on for itself. */
  public static final class RequestLogs {
    /** Records waiting to be written; beyond it they are dropped and counted (never slowing a request). */
    public int queueCapacity = 10_000;
    /** Records per file. */
    public int batchSize = 500;
    /** A batch is written at least this often while records wait. */
    public int flushIntervalMs = 5_000;
    /** Each body (request and response) is kept up to this many bytes, then cut. */
    public int maxBodyBytes = 256 * 1024;
    public boolean redactEmails = true;
    public boolean redactPhones = true;
    public boolean redactCardNumbers = true;
    /** Days a tenant's logs are kept when it sets none (1..3650). */
    public int defaultRetentionDays = 30;
    /** Files waiting for upload; empty = data_dir/spool/request-logs. */
    public String spoolDir = "";
  }

  /** Prometheus metrics at GET /metrics (docs/metrics.md). */
  public static final class Metrics {
    public boolean enabled = true;
    /** When set, scrapes must send {@code Authorization: Bearer <token>} (else 401). */
    public String token = "";
    /** When set, only these addresses or CIDR ranges may scrape (else 403); empty = any. */
    public List<String> allowedCidrs = new ArrayList<>();
    /** Distinct tenants labelled by id on the token and cost families; later ones are "other". */
    public int maxTenantLabels = 100;
  }
}
