package com.lijiaoqiao.events;

import java.util.List;

/** Every event type the gateway emits (docs/events.md lists their payloads). */
public final class EventTypes {
  public static final String REQUEST_COMPLETED = "request.completed";
  public static final String BILLING_SETTLED = "billing.settled";
  public static final String LOW_BALANCE = "billing.low_balance";
  public static final String BALANCE_DEPLETED = "billing.balance_depleted";
  public static final String TOPUP = "billing.topup";
  public static final String KEY_CREATED = "key.created";
  public static final String KEY_EXPIRING = "key.expiring";
  public static final String KEY_DISABLED = "key.disabled";
  public static final String USER_DISABLED = "user.disabled";
  public static final String CIRCUIT_OPENED = "provider.circuit_opened";
  public static final String CIRCUIT_CLOSED = "provider.circuit_closed";
  public static final String QUOTA_EXHAUSTED = "provider.quota_exhausted";
  public static final String RISK_REVIEW = "risk.review";
  public static final String RISK_BLOCKED = "risk.blocked";
  public static final String RISK_RESOLVED = "risk.resolved";
  public static final String ACCOUNT_STATUS_CHANGED = "account.status_changed";
  public static final String PACKAGE_SOLD_OUT = "supply.package_sold_out";
  public static final String SETTLEMENT_COMPLETED = "settlement.completed";
  public static final String WEBHOOK_DISABLED = "webhook.disabled";
  public static final String NODE_METRICS = "node.metrics";

  /** The types a webhook may subscribe to (notifications; not the per-request streams). */
  public static final List<String> NOTIFICATIONS = List.of(LOW_BALANCE, BALANCE_DEPLETED, TOPUP, KEY_CREATED,
      KEY_EXPIRING, KEY_DISABLED, USER_DISABLED, CIRCUIT_OPENED, CIRCUIT_CLOSED, QUOTA_EXHAUSTED, RISK_REVIEW,
      RISK_BLOCKED, RISK_RESOLVED, ACCOUNT_STATUS_CHANGED, PACKAGE_SOLD_OUT, SETTLEMENT_COMPLETED, WEBHOOK_DISABLED);

  private EventTypes() {}
}
