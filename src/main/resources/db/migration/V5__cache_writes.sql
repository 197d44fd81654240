-- Prompt-cache writes (Anthropic's cache_creation_input_tokens) are kept, and may have their own price.
ALTER TABLE usage_records ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE billing_records ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
-- NULL = the input price.
ALTER TABLE model_prices ADD COLUMN cache_write_per_1m_micros BIGINT;
