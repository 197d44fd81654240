-- The audit chain's head, one row: every append locks it, so appends from every node form one chain (no fork).
CREATE TABLE audit_head (
  id       INT PRIMARY KEY,
  hash     VARCHAR(64) NOT NULL,
  last_id  BIGINT NOT NULL
);
INSERT INTO audit_head(id, hash, last_id)
  SELECT 1, COALESCE((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000'),
         COALESCE((SELECT MAX(id) FROM audit_events), 0);
CREATE INDEX idx_audit_tenant ON audit_events(tenant_id, id);
CREATE INDEX idx_audit_action ON audit_events(action, id);
-- Targets as long as the objects they name (a model name is up to 128 characters).
ALTER TABLE audit_events ALTER COLUMN target_id SET DATA TYPE VARCHAR(200);
