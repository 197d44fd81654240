-- Gateway nodes poll for keys and users changed since their last look (key revocation across nodes).
CREATE INDEX idx_api_keys_updated ON api_keys(updated_at);
CREATE INDEX idx_users_updated ON users(updated_at);
