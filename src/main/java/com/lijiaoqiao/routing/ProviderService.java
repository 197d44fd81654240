package com.lijiaoqiao.routing;

import com.lijiaoqiao.providers.Provider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider registry: providers from ljq.yaml (read-only here) plus those managed through the admin API
 * (persisted with encrypted credentials). Every change rebuilds the router's snapshot: live, no restart.
 * Blocking (it writes the store): call from worker threads only.
 */
public final class ProviderService {
  /** The registry's signature when last loaded (see {@link #reloadIfChanged}). */
  private volatile String seen = "";
  private static final Logger log = LoggerFactory.getLogger(ProviderService.class);
  private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");

  /** Thrown for invalid input or a conflict; the message is safe to show (it never contains a credential). */
  public static final class Invalid extends RuntimeException {
    public Invalid(String message) {
      super(message);
    }
  }

  private final Router router;
  private final ProviderStore store;
  private final CredentialCipher cipher;
  private final Map<String, ProviderDef> fromConfig;
  private final Function<ProviderDef, Provider> adapters;
  private final Map<String, ProviderDef> managed = new LinkedHashMap<>();

  public ProviderService(Router router, ProviderStore store, CredentialCipher cipher, List<ProviderDef> configDefs,
                         Function<ProviderDef, Provider> adapters) {
    this.router = router;
    this.store = store;
    this.cipher = cipher;
    this.adapters = adapters;
    this.fromConfig = new LinkedHashMap<>();
    for (ProviderDef d : configDefs) fromConfig.put(d.id(), d.withSource("config"));
  }

  /** Loads the managed providers and installs the registry. */
  /** Reloads when another node changed the registry (the store's signature moved); blocking. */
  public boolean reloadIfChanged() {
    String now = store.signature();
    if (now.equals(seen)) return false;
    load();
    return true;
  }

  public synchronized void load() {
    String signature = store.signature();
    java.util.Map<String, ProviderDef> next = new java.util.LinkedHashMap<>();
    for (ProviderDef enc : store.loadAll()) {
      if (fromConfig.containsKey(enc.id())) {
        log.warn("provider {} is defined in ljq.yaml and in the database; the ljq.yaml definition wins", enc.id());
        continue;
      }
      next.put(enc.id(), decrypted(enc)); // a failure here leaves the registry as it was
    }
    managed.clear();
    managed.putAll(next);
    install();
    seen = signature; // only once it loaded: a failed reload is tried again next time
  }

  public synchronized List<ProviderDef> list() {
    List<ProviderDef> all = new ArrayList<>(fromConfig.values());
    all.addAll(managed.values());
    return all;
  }

  public synchronized ProviderDef get(String id) {
    ProviderDef d = fromConfig.get(id);
    return d != null ? d : managed.get(id);
  }

  public synchronized ProviderDef create(ProviderDef d) {
    validate(d);
    if (fromConfig.containsKey(d.id()) || managed.containsKey(d.id())) {
      throw new Invalid("A provider with id '" + d.id() + "' already exists.");
    }
    ProviderDef def = d.withSource("admin");
    store.insert(encrypted(def));
    managed.put(def.id(), def);
    install();
    return def;
  }

  /** Replaces a managed provider; a null credential keeps the stored one. Returns null when there is none. */
  public synchronized ProviderDef update(String id, ProviderDef d) {
    if (fromConfig.containsKey(id)) {
      throw new Invalid("Provider '" + id + "' is defined in ljq.yaml; change it there.");
    }
    ProviderDef old = managed.get(id);
    if (old == null) return null;
    ProviderDef def = new ProviderDef(id, d.kind(), d.baseUrl(), d.credential() == null ? old.credential()
        : d.credential(), d.models(), d.streaming(), d.tools(), d.vision(), d.maxContext(), d.tier(), d.quality(),
        d.inputPrice(), d.outputPrice(), d.ownedBy(), d.enabled(), "admin");
    validate(def);
    store.update(encrypted(def));
    managed.put(id, def);
    install();
    return def;
  }

  public synchronized boolean delete(String id) {
    if (fromConfig.containsKey(id)) {
      throw new Invalid("Provider '" + id + "' is defined in ljq.yaml; remove it there.");
    }
    if (managed.remove(id) == null) return false;
    store.delete(id);
    install();
    return true;
  }

  /**
   * The marketplace's active packages as providers: their definitions (credentials in clear, in memory only), their
   * offers by provider id, and the adapter factory for them (guarded against private addresses).
   */
  public record Supply(List<ProviderDef> defs, Map<String, SupplyOffer> offers, Function<ProviderDef, Provider> adapters) {
    public static final Supply NONE = new Supply(List.of(), Map.of(), d -> {
      throw new IllegalStateException("no marketplace");
    });
  }

  private Supply supply = Supply.NONE;

  /** Replaces the marketplace's packages in the routing pool (every change, on every node). */
  public synchronized void supply(Supply s) {
    this.supply = s;
    install();
  }

  /** True when {@code id} is taken by a provider of ljq.yaml or the admin API (a package's name must not be). */
  public synchronized boolean providerIdTaken(String id) {
    for (String taken : fromConfig.keySet()) if (taken.equalsIgnoreCase(id)) return true;
    for (String taken : managed.keySet()) if (taken.equalsIgnoreCase(id)) return true;
    return false;
  }

  private void install() {
    List<ProviderDef> all = list();
    Supply s = supply;
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (ProviderDef d : all) ids.add(d.id());
    Map<String, SupplyOffer> offers = new java.util.HashMap<>();
    for (ProviderDef d : s.defs()) {
      SupplyOffer offer = s.offers().get(d.id());
      if (offer != null && ids.add(d.id())) {
        all.add(d);
        offers.put(d.id(), offer);
      } else {
        log.warn("package provider {} has the id of a configured provider; left out of routing", d.id());
      }
    }
    router.install(all, d -> offers.containsKey(d.id()) ? s.adapters().apply(d) : adapters.apply(d), offers);
  }

  private void validate(ProviderDef d) {
    if (d.id() == null || !ID.matcher(d.id()).matches()) {
      throw new Invalid("id must be 1-64 letters, digits, '.', '_' or '-'.");
    }
    if (d.models().isEmpty()) throw new Invalid("models must name at least one model.");
    if (d.quality() < 0 || d.quality() > 1) throw new Invalid("quality must be between 0 and 1.");
    if (d.inputPrice() < 0 || d.outputPrice() < 0) throw new Invalid("prices must not be negative.");
    if (d.maxContext() < 0) throw new Invalid("max_context must not be negative.");
    try {
      adapters.apply(d); // checks kind and base URL
    } catch (IllegalArgumentException e) {
      throw new Invalid(e.getMessage());
    }
  }

  private ProviderDef encrypted(ProviderDef d) {
    return new ProviderDef(d.id(), d.kind(), d.baseUrl(), cipher.encrypt(d.id(), d.credential()), d.models(),
        d.streaming(), d.tools(), d.vision(), d.maxContext(), d.tier(), d.quality(), d.inputPrice(),
        d.outputPrice(), d.ownedBy(), d.enabled(), d.source());
  }

  private ProviderDef decrypted(ProviderDef d) {
    return new ProviderDef(d.id(), d.kind(), d.baseUrl(), cipher.decrypt(d.id(), d.credential()), d.models(),
        d.streaming(), d.tools(), d.vision(), d.maxContext(), d.tier(), d.quality(), d.inputPrice(),
        d.outputPrice(), d.ownedBy(), d.enabled(), "admin");
  }
}
