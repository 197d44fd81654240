-- Spend budgets (issue 10): per key on the key, per tenant in tenant_limits, each an optional day, week and
-- month amount in micro-units (NULL = no budget for that period). Tenant RPM/TPM limits: 0 = off.
ALTER TABLE api_keys ADD COLUMN budget_day_micros BIGINT;
ALTER TABLE api_keys ADD COLUMN budget_week_micros BIGINT;
ALTER TABLE api_keys ADD COLUMN budget_month_micros BIGINT;

CREATE TABLE tenant_limits (
  tenant_id            BIGINT PRIMARY KEY REFERENCES tenants(id),
  budget_day_micros    BIGINT,
  budget_week_micros   BIGINT,
  budget_month_micros  BIGINT,
  rpm_limit            INT NOT NULL DEFAULT 0,
  tpm_limit            INT NOT NULL DEFAULT 0,
  updated_at           TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- A node without Redis sums the current periods' spend per key at start-up.
CREATE INDEX idx_billing_key ON billing_records(api_key_id, created_at);
