-- The event outbox (issue 14, SPEC §8): every domain event is a row written in the transaction of the change it
-- reports, with a stable id and its topic; a relay (one node at a time, by lease) publishes unpublished rows in id
-- order to the in-process bus or Kafka and marks them published: at least once, never lost.
ALTER TABLE events ADD COLUMN event_id VARCHAR(40);
ALTER TABLE events ADD COLUMN topic VARCHAR(40) NOT NULL DEFAULT 'llm.events';
ALTER TABLE events ADD COLUMN published_at TIMESTAMP WITH TIME ZONE;
UPDATE events SET event_id = CONCAT('evt_legacy_', CAST(id AS VARCHAR(20))) WHERE event_id IS NULL;
CREATE INDEX idx_events_unpublished ON events(published_at, id);
CREATE INDEX idx_events_event_id ON events(event_id);

-- Jobs that one node runs for the cluster (the outbox relay, webhook deliveries): who holds each, until when.
CREATE TABLE job_leases (
  name           VARCHAR(64) PRIMARY KEY,
  node_id        VARCHAR(64) NOT NULL,
  expires_at_ms  BIGINT NOT NULL
);

-- key.expiring is sent once per key (a week ahead): when it was sent.
ALTER TABLE api_keys ADD COLUMN expiry_notified_at TIMESTAMP WITH TIME ZONE;
