-- Routing (issue 6): admin-managed upstream providers and per-request routing decisions.
-- credential_enc is AES-256-GCM ("v1:" + base64(nonce || ciphertext)); never the clear value.

CREATE TABLE providers (
  id             VARCHAR(64)  PRIMARY KEY,
  kind           VARCHAR(40)  NOT NULL,
  base_url       VARCHAR(500) NOT NULL DEFAULT '',
  credential_enc TEXT         NOT NULL DEFAULT '',
  models         TEXT         NOT NULL,
  streaming      BOOLEAN      NOT NULL DEFAULT TRUE,
  tools          BOOLEAN      NOT NULL DEFAULT TRUE,
  vision         BOOLEAN      NOT NULL DEFAULT TRUE,
  max_context    INT          NOT NULL DEFAULT 0,
  tier           INT          NOT NULL DEFAULT 0,
  quality        DOUBLE PRECISION NOT NULL DEFAULT 0.5,
  input_price    DOUBLE PRECISION NOT NULL DEFAULT 0,
  output_price   DOUBLE PRECISION NOT NULL DEFAULT 0,
  owned_by       VARCHAR(100) NOT NULL DEFAULT '',
  enabled        BOOLEAN      NOT NULL DEFAULT TRUE,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at     TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One row per routed request (joined to usage_records by request_id); written in batches off the path.
CREATE TABLE route_decisions (
  request_id  VARCHAR(64) PRIMARY KEY,
  decision    TEXT        NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
);
