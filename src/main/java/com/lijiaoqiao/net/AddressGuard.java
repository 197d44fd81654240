package com.lijiaoqiao.net;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which upstream addresses a party we do not trust (a marketplace supplier, a webhook owner) may make the gateway
 * call: by default only public unicast addresses, so a base URL cannot reach the gateway's own host, its private
 * network or a cloud metadata service (server-side request forgery). An operator may allow private addresses
 * wholesale, or some blocks and names.
 *
 * <p>Names are judged by every address they resolve to, at the moment of use; the caller then connects to the
 * address that was judged (providers pin it), so a name that answers a public address to the check and a private
 * one to the connection (DNS rebinding) gains nothing. DNS never grants trust: only addresses, and the reserved
 * names an operator lists, are allowed.
 */
public final class AddressGuard {
  /** No policy: what an operator configures is trusted. Providers treat it as no guard at all. */
  public static final AddressGuard OFF = new AddressGuard(true, List.of());

  /** How long a verdict stands: long enough that traffic rarely waits for DNS, short enough to follow a move. */
  static final long PERMITTED_SECONDS = 30;
  /** Shorter, so that a fixed DNS record or a fresh allowance takes effect soon. */
  static final long REFUSED_SECONDS = 5;
  private static final int LOOKUP_THREADS = 4;

  /** Not routable on the internet, or this host, its networks, or reserved (IANA special-purpose registry). */
  private static final List<Cidr> REFUSED_V4 = cidrs(
      "0.0.0.0/8", // "this network", 0.0.0.0 reaches the local host on Linux
      "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", // RFC 1918
      "100.64.0.0/10", // carrier-grade NAT, also used by some clouds' internal services
      "127.0.0.0/8",
      "169.254.0.0/16", // link-local, where 169.254.169.254 (cloud metadata) lives
      "192.0.0.0/24", // IETF protocol assignments (192.0.0.192 is Oracle Cloud's metadata)
      "198.18.0.0/15", // benchmarking
      "224.0.0.0/4", // multicast
      "240.0.0.0/4"); // reserved, and 255.255.255.255 broadcast
  private static final List<Cidr> REFUSED_V6 = cidrs(
      "::/128", "::1/128",
      "fe80::/10", // link-local
      "fec0::/10", // site-local (deprecated, still routed by some stacks)
      "fc00::/7", // unique local
      "ff00::/8", // multicast
      "64:ff9b:1::/48"); // local-use NAT64: where it embeds IPv4 depends on the operator's prefix length
  /** Names that mean this host or a metadata service whatever DNS says (RFC 6761; GCE). */
  private static final Set<String> RESERVED_NAMES = Set.of("localhost", "metadata", "metadata.google.internal");

  private final boolean allowPrivate;
  private final List<Cidr> allowedBlocks;
  private final Set<String> allowedNames;
  /** One lookup per host at a time: a burst of requests to a name not yet judged waits for the same answer. */
  private final Map<String, CompletableFuture<Verdict>> inFlight = new ConcurrentHashMap<>();
  /**
   * Lookups block, and a name whose DNS server never answers blocks for the resolver's whole timeout: they get
   * threads of their own, so that such a name cannot hold the worker threads JDBC and hashing need.
   */
  private final ThreadPoolExecutor lookups = lookupPool();
  private final Cache<String, Verdict> verdicts = Caffeine.newBuilder()
      .maximumSize(10_000)
      .expireAfter(Expiry.<String, Verdict>creating(
          (host, v) -> Duration.ofSeconds(v.address() != null ? PERMITTED_SECONDS : REFUSED_SECONDS)))
      .build();

  /**
   * @param allowPrivate every address is permitted (the address policy is off; {@link #checkUrl}'s syntax still holds)
   * @param allowed what an operator permits although private: CIDR blocks ({@code 10.1.0.0/16}), single addresses
   *     ({@code 10.1.2.3}, {@code ::1}), or reserved names ({@code localhost}), which then pass the name rule; their
   *     addresses are still judged
   * @throws IllegalArgumentException for an entry that is none of these
   */
  public AddressGuard(boolean allowPrivate, List<String> allowed) {
    this.allowPrivate = allowPrivate;
    List<Cidr> blocks = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String entry : allowed == null ? List.<String>of() : allowed) {
      String e = entry.trim().toLowerCase(Locale.ROOT);
      if (e.indexOf('/') >= 0 || e.indexOf(':') >= 0 || Literals.dottedQuad(e) != null) {
        blocks.add(Cidr.parse(e));
      } else if (isReservedName(e)) {
        names.add(e);
      } else {
        throw new IllegalArgumentException("allowed address '" + entry + "' is not a CIDR block, an IP address or a"
            + " reserved name (localhost, metadata); allow the addresses a name resolves to instead");
      }
    }
    this.allowedBlocks = List.copyOf(blocks);
    this.allowedNames = Set.copyOf(names);
  }

  /** The guard for trusted, operator-configured upstreams: {@link #OFF}. */
  public static AddressGuard allowAll() {
    return OFF;
  }

  /** Whether every address passes, so there is nothing to check or pin. */
  public boolean permitsEverything() {
    return allowPrivate;
  }

  /** A base URL or address the policy does not allow; the message names the host at most, never a credential. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false); // a verdict, not a bug: no stack to fill, shareable from the cache
    }
  }

  /** Whether the gateway may connect to this address. IPv6 forms that embed IPv4 are judged by that IPv4 too. */
  public boolean permitted(InetAddress a) {
    if (allowPrivate) return true;
    byte[] bytes = a.getAddress();
    byte[] v4 = a instanceof Inet4Address ? bytes : embeddedIpv4(bytes);
    if (allowedBy(bytes) || (v4 != null && allowedBy(v4))) return true;
    if (v4 != null && refusedBy(REFUSED_V4, v4)) return false;
    return bytes.length == 4 || !refusedBy(REFUSED_V6, bytes);
  }

  /**
   * Checks a base URL before it is stored, without DNS: http or https, no {@code user:password@}, a host that is a
   * name or a literal address in plain notation; a literal address must be {@link #permitted}, and the names that
   * mean this host or a metadata service are refused unless private addresses are allowed or the name is.
   *
   * @throws Refused saying what is wrong; it repeats the host at most, never the URL
   */
  public void checkUrl(String baseUrl) {
    URI uri;
    try {
      uri = new URI(baseUrl);
    } catch (URISyntaxException | NullPointerException e) {
      throw new Refused("The base URL is not a valid URL.");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Refused("The base URL must start with http:// or https://.");
    }
    if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().indexOf('@') >= 0)) {
      throw new Refused("The base URL must not carry a user name or password (user:password@host).");
    }
    if (uri.getHost() == null) {
      throw new Refused("The base URL has no host, or its host is neither a plain name nor an IP address.");
    }
    String host = normalize(uri.getHost());
    refuseReservedName(host);
    InetAddress literal = literal(host);
    if (literal != null && !permitted(literal)) throw refusedAddress(host);
  }

  /**
   * Resolves a host on the guard's own threads (never an event loop or Vert.x's worker pool) and judges every
   * address it has (a round-robin name with one private address is refused as a whole); succeeds with the first,
   * which the caller must connect to, on the caller's context. Verdicts are cached
   * ({@value #PERMITTED_SECONDS} s when permitted, {@value #REFUSED_SECONDS} s when not), so the request path
   * usually gets an already-completed future.
   *
   * @return fails with {@link Refused} when an address is not permitted or the name does not resolve
   */
  public Future<InetAddress> resolve(Vertx vertx, String host) {
    String key = normalize(host);
    Verdict known = verdicts.getIfPresent(key);
    if (known != null) return known.future();
    CompletableFuture<Verdict> mine = new CompletableFuture<>();
    CompletableFuture<Verdict> lookup = inFlight.putIfAbsent(key, mine);
    if (lookup == null) {
      lookup = mine;
      lookups.execute(() -> {
        try {
          mine.complete(lookUp(key)); // cached before it leaves inFlight: no moment where a caller sees neither
        } catch (RuntimeException | Error e) {
          mine.completeExceptionally(e);
        } finally {
          inFlight.remove(key, mine);
        }
      });
    }
    // Back on the caller's event loop; a blocking caller (a worker waiting on the result, as the account probe does)
    // gets it on the lookup thread: hopping to its own busy worker context would wait for itself until a timeout.
    io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
    Future<InetAddress> f = ctx != null && ctx.isEventLoopContext()
        ? Future.fromCompletionStage(lookup, ctx).compose(Verdict::future)
        : Future.fromCompletionStage(lookup).compose(Verdict::future);
    return f;
  }

  /** {@link #resolve} for callers that may block (the management API checking a registration). */
  public InetAddress resolveBlocking(String host) {
    String key = normalize(host);
    Verdict v = verdicts.getIfPresent(key);
    if (v == null) v = lookUp(key);
    if (v.refusal() != null) throw v.refusal();
    return v.address();
  }

  private Verdict lookUp(String host) {
    Verdict v;
    try {
      refuseReservedName(host);
      InetAddress literal = literal(host);
      v = judge(host, literal != null ? new InetAddress[] {literal} : InetAddress.getAllByName(host));
    } catch (Refused r) {
      v = Verdict.refused(r);
    } catch (UnknownHostException e) {
      v = Verdict.refused(new Refused("The upstream host '" + host + "' could not be resolved."));
    }
    verdicts.put(host, v);
    return v;
  }

  /** All addresses permitted: the first, stripped of its name so that a connection to it resolves nothing. */
  Verdict judge(String host, InetAddress[] all) {
    if (all.length == 0) return Verdict.refused(new Refused("The upstream host '" + host + "' has no address."));
    for (InetAddress a : all) {
      if (!permitted(a)) return Verdict.refused(refusedAddress(host));
    }
    try {
      return Verdict.permitted(InetAddress.getByAddress(all[0].getAddress()));
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // an address's own bytes are always an address
    }
  }

  /** A host name's or address's cached verdict: the address to connect to, or why not. */
  record Verdict(InetAddress address, Refused refusal, Future<InetAddress> future) {
    static Verdict permitted(InetAddress a) {
      return new Verdict(a, null, Future.succeededFuture(a));
    }

    static Verdict refused(Refused r) {
      return new Verdict(null, r, Future.failedFuture(r));
    }
  }

  private void refuseReservedName(String host) {
    if (allowPrivate || allowedNames.contains(host) || !isReservedName(host)) return;
    throw new Refused("The upstream host '" + host + "' names this server or a metadata service.");
  }

  private static boolean isReservedName(String host) {
    return RESERVED_NAMES.contains(host) || host.endsWith(".localhost");
  }

  private static InetAddress literal(String host) {
    try {
      return Literals.parse(host);
    } catch (Literals.NotCanonical e) {
      throw new Refused("The upstream host '" + host + "' looks like an IP address but is not written as one"
          + " (use a dotted quad such as 203.0.113.7, or an IPv6 address in brackets).");
    }
  }

  private static Refused refusedAddress(String host) {
    return new Refused("The upstream host '" + host + "' is or resolves to a private, loopback, link-local or"
        + " reserved address, which this gateway does not call for you.");
  }

  /** Lower case, without brackets or a final dot: the same host whichever way it was written. */
  private static String normalize(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.endsWith(".") && h.length() > 1) h = h.substring(0, h.length() - 1);
    return h;
  }

  private boolean allowedBy(byte[] address) {
    for (Cidr c : allowedBlocks) {
      if (c.contains(address)) return true;
    }
    return false;
  }

  private static boolean refusedBy(List<Cidr> blocks, byte[] address) {
    for (Cidr c : blocks) {
      if (c.contains(address)) return true;
    }
    return false;
  }

  /**
   * The IPv4 address an IPv6 address carries to an IPv4 host: mapped {@code ::ffff:a.b.c.d}, translated
   * {@code ::ffff:0:a.b.c.d}, compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}, 6to4
   * {@code 2002:aabb:ccdd::}. Null when it carries none.
   */
  static byte[] embeddedIpv4(byte[] v6) {
    if (v6.length != 16) return null;
    if (zero(v6, 0, 10) && (v6[10] & v6[11] & 0xff) == 0xff) return tail(v6, 12); // mapped
    if (zero(v6, 0, 8) && (v6[8] & v6[9] & 0xff) == 0xff && zero(v6, 10, 12)) return tail(v6, 12); // translated
    if (zero(v6, 0, 12)) return tail(v6, 12); // compatible (:: and ::1 fall in 0.0.0.0/8)
    if (v6[0] == 0 && v6[1] == 0x64 && (v6[2] & 0xff) == 0xff && (v6[3] & 0xff) == 0x9b && zero(v6, 4, 12)) {
      return tail(v6, 12); // NAT64 well-known prefix
    }
    if (v6[0] == 0x20 && v6[1] == 0x02) return new byte[] {v6[2], v6[3], v6[4], v6[5]}; // 6to4
    return null;
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) return false;
    }
    return true;
  }

  private static byte[] tail(byte[] v6, int from) {
    return new byte[] {v6[from], v6[from + 1], v6[from + 2], v6[from + 3]};
  }

  private static ThreadPoolExecutor lookupPool() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "ljq-address-guard-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true); // idle, a guard holds no thread
    return pool;
  }

  private static List<Cidr> cidrs(String... blocks) {
    List<Cidr> out = new ArrayList<>();
    for (String b : blocks) out.add(Cidr.parse(b));
    return List.copyOf(out);
  }
}
