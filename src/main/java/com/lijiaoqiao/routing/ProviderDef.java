package com.lijiaoqiao.routing;

import java.util.Map;

/**
 * A provider as configured (ljq.yaml or the admin API). {@code credential} is the upstream key in clear,
 * held only in memory; it is never serialised by the API, logged or put in an error.
 *
 * @param models public model name → the upstream's name for it (alias)
 * @param maxContext tokens; 0 = unknown (not checked)
 * @param tier lower tiers are tried first; score orders providers within a tier
 * @param quality 0..1
 * @param inputPrice upstream cost per 1M input tokens (any unit, compared across candidates)
 * @param source "config" (read-only through the API) or "admin"
 */
public record ProviderDef(String id, String kind, String baseUrl, String credential, Map<String, String> models,
                          boolean streaming, boolean tools, boolean vision, int maxContext, int tier,
                          double quality, double inputPrice, double outputPrice, String ownedBy, boolean enabled,
                          String source) {
  public ProviderDef {
    models = Map.copyOf(models);
  }

  /** Never prints the credential (records would): safe in logs and exception messages. */
  @Override
  public String toString() {
    return "ProviderDef[id=" + id + ", kind=" + kind + ", baseUrl=" + baseUrl + ", credential="
        + (credential == null || credential.isEmpty() ? "none" : "***") + ", models=" + models + ", tier=" + tier
        + ", source=" + source + "]";
  }

  public double cost() {
    return inputPrice + outputPrice;
  }

  public ProviderDef withSource(String s) {
    return new ProviderDef(id, kind, baseUrl, credential, models, streaming, tools, vision, maxContext, tier,
        quality, inputPrice, outputPrice, ownedBy, enabled, s);
  }
}
