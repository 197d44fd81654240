package com.lijiaoqiao.webhooks;

import com.lijiaoqiao.events.EventTypes;
import com.lijiaoqiao.webhooks.WebhookStore.Delivery;
import com.lijiaoqiao.webhooks.WebhookStore.Endpoint;
import com.lijiaoqiao.webhooks.WebhookStore.EndpointFields;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The rules of webhook endpoints: who sees which (a tenant only its own, operators all; another's is "not found"),
 * what an endpoint may subscribe to (notification types), that its URL passes the address guard, and that its signing
 * secret is made here, sealed at rest and shown once (at creation and rotation).
 */
public final class Webhooks {
  /** Who is asking: a tenant (its own endpoints) or the platform's operators (every endpoint). */
  public record Scope(Long tenantId, boolean operator) {
    public static final Scope OPERATOR = new Scope(null, true);

    public static Scope tenant(long tenantId) {
      return new Scope(tenantId, false);
    }

    boolean sees(Endpoint e) {
      return operator || (e.tenantId() != null && e.tenantId().equals(tenantId));
    }
  }

  /** An endpoint and its secret in clear: only ever the answer to a create or a rotate. */
  public record WithSecret(Endpoint endpoint, String secret) {}

  /** Seals and opens secrets at rest, bound to their endpoint. */
  public interface SecretBox {
    String seal(long endpointId, String secret);

    String open(long endpointId, String sealed);
  }

  /** A change: null fields stay as they are (on create, {@code url} and {@code eventTypes} are required). */
  public record Changes(String url, List<String> eventTypes, String description, Boolean enabled, Long tenantFilter) {}

  private final WebhookStore store;
  private final SecretBox secrets;
  private final Consumer<String> urlCheck;
  private final int maxPerOwner;
  private final RetrySchedule schedule;
  private final Clock clock;

  /**
   * @param urlCheck throws {@link IllegalArgumentException} (its message safe to show) for a URL the address guard
   *     refuses
   */
  public Webhooks(WebhookStore store, SecretBox secrets, Consumer<String> urlCheck, int maxPerOwner,
                  RetrySchedule schedule, Clock clock) {
    this.store = store;
    this.secrets = secrets;
    this.urlCheck = urlCheck;
    this.maxPerOwner = maxPerOwner;
    this.schedule = schedule;
    this.clock = clock;
  }

  public WithSecret create(Scope scope, Changes in, Long createdBy) {
    if (in.url() == null) throw WebhookException.invalid("url", "'url' is required.");
    if (in.eventTypes() == null) throw WebhookException.invalid("event_types", "'event_types' is required.");
    if (!scope.operator() && in.tenantFilter() != null) {
      throw WebhookException.invalid("tenant_id", "Only operators' endpoints filter by tenant.");
    }
    Long owner = scope.operator() ? null : scope.tenantId();
    if (store.countEndpoints(owner, owner == null) >= maxPerOwner) {
      throw WebhookException.invalid("url", "At most " + maxPerOwner + " webhook endpoints; delete one first.");
    }
    EndpointFields f = new EndpointFields(in.tenantFilter(), checkedUrl(in.url()), types(in.eventTypes()),
        in.description(), in.enabled() == null || in.enabled());
    String secret = WebhookSignature.newSecret();
    Endpoint e = store.insertEndpoint(owner, f, createdBy, id -> secrets.seal(id, secret));
    return new WithSecret(e, secret);
  }

  public Endpoint get(Scope scope, long id) {
    return store.endpoint(id).filter(scope::sees).orElseThrow(WebhookException::notFound);
  }

  /** A tenant's own endpoints, or (operators) all, or the platform's alone, or one tenant's. */
  public List<Endpoint> list(Scope scope, Long ownerTenant, boolean platformOnly, int limit, int offset) {
    if (!scope.operator()) return store.endpoints(scope.tenantId(), false, limit, offset);
    return store.endpoints(ownerTenant, platformOnly, limit, offset);
  }

  public long count(Scope scope, Long ownerTenant, boolean platformOnly) {
    if (!scope.operator()) return store.countEndpoints(scope.tenantId(), false);
    return store.countEndpoints(ownerTenant, platformOnly);
  }

  public Endpoint update(Scope scope, long id, Changes in) {
    Endpoint before = get(scope, id);
    if (in.tenantFilter() != null && before.tenantId() != null) {
      throw WebhookException.invalid("tenant_id", "Only operators' own endpoints filter by tenant.");
    }
    EndpointFields f = new EndpointFields(in.tenantFilter() != null ? in.tenantFilter() : before.tenantFilter(),
        in.url() != null ? checkedUrl(in.url()) : before.url(),
        in.eventTypes() != null ? types(in.eventTypes()) : before.eventTypes(),
        in.description() != null ? in.description() : before.description(),
        in.enabled() != null ? in.enabled() : before.enabled());
    return store.updateEndpoint(id, f);
  }

  public void delete(Scope scope, long id) {
    get(scope, id);
    if (!store.deleteEndpoint(id)) throw WebhookException.notFound();
  }

  /** A new secret replaces the old at once (deliveries from now on are signed with it). */
  public WithSecret rotate(Scope scope, long id) {
    Endpoint e = get(scope, id);
    String secret = WebhookSignature.newSecret();
    store.replaceSecret(e.id(), secrets.seal(e.id(), secret));
    return new WithSecret(e, secret);
  }

  public List<Delivery> deliveries(Scope scope, long endpointId, String status, int limit, int offset) {
    get(scope, endpointId);
    return store.deliveries(endpointId, status, limit, offset);
  }

  public long countDeliveries(Scope scope, long endpointId, String status) {
    get(scope, endpointId);
    return store.countDeliveries(endpointId, status);
  }

  public Delivery delivery(Scope scope, long endpointId, long deliveryId) {
    get(scope, endpointId);
    return store.delivery(deliveryId).filter(d -> d.endpointId() == endpointId)
        .orElseThrow(WebhookException::notFound);
  }

  public List<WebhookStore.Attempt> attempts(List<Long> deliveryIds) {
    return deliveryIds.isEmpty() ? List.of() : store.attempts(deliveryIds);
  }

  /** Sends a delivery again (whatever became of it), now and with a fresh retry window; the endpoint must be enabled. */
  public Delivery redeliver(Scope scope, long endpointId, long deliveryId) {
    Endpoint e = get(scope, endpointId);
    Delivery d = delivery(scope, endpointId, deliveryId);
    if (!e.enabled()) {
      throw new WebhookException(WebhookException.Kind.DISABLED, null,
          "The endpoint is disabled; enable it (PUT with \"enabled\": true) before redelivering.");
    }
    long now = clock.millis();
    return store.requeue(d.id(), now, now + schedule.windowMs()).orElseThrow(WebhookException::notFound);
  }

  private String checkedUrl(String url) {
    try {
      urlCheck.accept(url);
    } catch (IllegalArgumentException e) {
      throw WebhookException.invalid("url", e.getMessage());
    }
    return url;
  }

  private static List<String> types(List<String> in) {
    if (in.isEmpty()) throw WebhookException.invalid("event_types", "'event_types' needs at least one type (or \"*\").");
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String t : in) {
      if (!t.equals("*") && !EventTypes.NOTIFICATIONS.contains(t)) {
        throw WebhookException.invalid("event_types", "'" + clip(t) + "' is not a notification type; one of "
            + String.join(", ", EventTypes.NOTIFICATIONS) + ", or \"*\".");
      }
      out.add(t);
    }
    return new ArrayList<>(out.contains("*") ? List.of("*") : out);
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
