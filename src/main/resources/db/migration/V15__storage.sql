-- Object storage (issue 18; docs/storage.md). Portable between PostgreSQL and H2 in PostgreSQL mode.

-- One row per archived window (a kind of record × one UTC day). The primary key makes a window exactly-once across
-- nodes: a node claims it by inserting (or by taking over a claim whose time ran out), uploads its parts and
-- manifest, reads them back, and only then marks it verified. Retention prunes database rows of verified windows
-- only, and marks them pruned. state: uploading -> verified -> pruned.
CREATE TABLE storage_windows (
  kind              VARCHAR(20)  NOT NULL,
  window_day        DATE         NOT NULL,
  state             VARCHAR(20)  NOT NULL,
  node_id           VARCHAR(64)  NOT NULL,
  claimed_until_ms  BIGINT       NOT NULL,
  attempts          INT          NOT NULL DEFAULT 0,
  row_count         BIGINT,
  manifest_key      VARCHAR(600),
  manifest_sha256   VARCHAR(64),
  last_error        VARCHAR(300),
  verified_at       TIMESTAMP WITH TIME ZONE,
  pruned_at         TIMESTAMP WITH TIME ZONE,
  created_at        TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at        TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (kind, window_day)
);
CREATE INDEX idx_storage_windows_state ON storage_windows(state, kind, window_day);

-- Opt-in request logs per tenant: off unless a tenant admin or an operator turns them on.
CREATE TABLE request_log_settings (
  tenant_id       BIGINT PRIMARY KEY REFERENCES tenants(id),
  enabled         BOOLEAN NOT NULL DEFAULT FALSE,
  retention_days  INT     NOT NULL DEFAULT 30,
  updated_by      BIGINT,
  updated_at      TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
);
