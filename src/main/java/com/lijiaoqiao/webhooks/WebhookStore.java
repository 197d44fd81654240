package com.lijiaoqiao.webhooks;

import com.lijiaoqiao.events.DomainEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/** Webhook endpoints, their deliveries and every attempt, in the system of record (implemented in {@code store}). Blocking. */
public interface WebhookStore {

  /**
   * An endpoint. {@code tenantId} owns it (null: the platform's operators); {@code tenantFilter} narrows an operator's
   * endpoint to one tenant's events. The secret is never part of it.
   */
  record Endpoint(long id, Long tenantId, Long tenantFilter, String url, List<String> eventTypes, String description,
                  boolean enabled, String disabledReason, Instant disabledAt, Long failingSinceMs,
                  int consecutiveFailures, Long createdBy, Instant createdAt, Instant updatedAt) {
    /** Whether the endpoint wants events of this type ('*' = every notification type). */
    public boolean wants(String type) {
      return eventTypes.contains("*") || eventTypes.contains(type);
    }
  }

  /** What an endpoint is made of when created or changed. */
  record EndpointFields(Long tenantFilter, String url, List<String> eventTypes, String description, boolean enabled) {}

  /** One event for one endpoint; {@code body} is the exact JSON posted on every attempt. */
  record Delivery(long id, long endpointId, String eventId, String eventType, Long tenantId, String body, String status,
                  int attempts, Long nextAttemptAtMs, long giveUpAtMs, Integer lastStatusCode, String lastError,
                  Instant createdAt, Instant deliveredAt) {}

  /** One try: a status code, or the class of error that left none. */
  record Attempt(long deliveryId, int number, Instant startedAt, long durationMs, Integer statusCode,
                 String errorClass, String responsePrefix, Instant nextAttemptAt) {}

  String PENDING = "pending";
  String DELIVERED = "delivered";
  String FAILED = "failed";

  /** Inserts an endpoint whose sealed secret depends on its id (the cipher binds the ciphertext to it). */
  Endpoint insertEndpoint(Long tenantId, EndpointFields fields, Long createdBy, LongFunction<String> sealedSecret);

  Optional<Endpoint> endpoint(long id);

  /** The sealed secret of an endpoint (the sender decrypts it right before signing). */
  Optional<String> sealedSecret(long id);

  /**
   * Endpoints, newest first. {@code platformOnly}: those of the operators; else {@code tenantId} non-null: that
   * tenant's own; else all.
   */
  List<Endpoint> endpoints(Long tenantId, boolean platformOnly, int limit, int offset);

  long countEndpoints(Long tenantId, boolean platformOnly);

  /** Changes an endpoint; enabling it again clears its failure record. */
  Endpoint updateEndpoint(long id, EndpointFields fields);

  void replaceSecret(long id, String sealedSecret);

  /** Deletes the endpoint with its deliveries and attempts; false when there was none. */
  boolean deleteEndpoint(long id);

  /** Enabled endpoints that get an event of this tenant: its own, and the operators' (unfiltered or filtered to it). */
  List<Endpoint> enabledFor(Long eventTenantId);

  /** Adds a delivery unless the event already has one for the endpoint; true when added. */
  boolean addDelivery(long endpointId, DomainEvent event, String body, long nowMs, long giveUpAtMs);

  /** A delivery to send, with where to and the sealed secret to sign it with. */
  record Due(Delivery delivery, String url, String sealedSecret) {}

  /** Pending deliveries due by {@code nowMs} on enabled endpoints, oldest due first. */
  List<Due> due(long nowMs, int limit);

  /**
   * Claims a due delivery for one attempt by moving its next attempt to {@code untilMs}, if it is still pending and due
   * at {@code expectedNextMs} (no one else claimed it). True when this caller has it.
   */
  boolean claim(long deliveryId, long expectedNextMs, long untilMs);

  /**
   * Records an attempt and its outcome in one transaction: the attempt row, the delivery's new status
   * ({@code nextAttemptAtMs} null with {@code delivered} false: given up), and the endpoint's failure record (cleared by
   * a success, else started or counted). Returns the endpoint as it is afterwards.
   */
  Optional<Endpoint> recordAttempt(Attempt attempt, boolean delivered, Long nextAttemptAtMs, long nowMs);

  /**
   * Disables an enabled endpoint, fails its pending deliveries and appends {@code event} to the outbox, all in one
   * transaction; false (and nothing written) when it was not enabled.
   */
  boolean disable(long endpointId, String reason, DomainEvent event);

  /** Puts a delivery back in line now, with a fresh retry window. */
  Optional<Delivery> requeue(long deliveryId, long nowMs, long giveUpAtMs);

  Optional<Delivery> delivery(long id);

  /** An endpoint's deliveries, newest first; {@code status} null for all. */
  List<Delivery> deliveries(long endpointId, String status, int limit, int offset);

  long countDeliveries(long endpointId, String status);

  /** The attempts of these deliveries, in order. */
  List<Attempt> attempts(List<Long> deliveryIds);
}
