-- Without Redis, nodes share a tenant's balance by leasing slices of it: a node reserves from its own lease and
-- asks the database for more only when it runs short. The sum of live leases never exceeds the balance when granted;
-- a shipped charge shrinks its node's lease with the balance (same transaction). A dead node's lease expires.
CREATE TABLE balance_leases (
  tenant_id      BIGINT NOT NULL,
  node_id        VARCHAR(64) NOT NULL,
  amount_micros  BIGINT NOT NULL,
  expires_at_ms  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, node_id)
);
CREATE INDEX idx_balance_leases_node ON balance_leases(node_id);
