-- The outbox: every event worth telling someone about, and one delivery per (event, destination) or
-- (digest, destination), written in the same transaction that records the event. A worker sends due
-- deliveries and records the platform's message id. Rows are never deleted by routine operation:
-- together they are the audit trail of what was detected and who was told, when.
CREATE TABLE events (
  -- stable id, e.g. changes:<changeSetId>, notice:<key>, news:<itemId>
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('change-set', 'notice', 'source-health', 'news', 'quarantine')),
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  topics TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(topics)),
  text TEXT NOT NULL DEFAULT '',
  register TEXT,
  notice_key TEXT,
  operator INTEGER NOT NULL DEFAULT 0 CHECK (operator IN (0, 1)),
  message TEXT NOT NULL CHECK (json_valid(message)),
  occurred_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX events_by_time ON events(occurred_at);

CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  -- sha256 of "<event id>|<destination>" or "digest|<digest key>|<destination>"; sent to receivers on every attempt
  idempotency_key TEXT NOT NULL UNIQUE,
  destination TEXT NOT NULL,
  -- no foreign key: unsubscribing must not touch the audit trail
  subscription_id INTEGER,
  event_id TEXT REFERENCES events(id),
  digest_key TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('event', 'digest')),
  message TEXT NOT NULL CHECK (json_valid(message)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  -- sends started (a claim counts as one, so a crashed send counts too)
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  -- while status = 'sending': the claim expires then (a crashed worker's rows become due again)
  lease_until TEXT,
  last_error TEXT,
  platform_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  failed_at TEXT,
  CHECK ((kind = 'event' AND event_id IS NOT NULL) OR (kind = 'digest' AND digest_key IS NOT NULL))
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_leased ON deliveries(status, lease_until);
CREATE INDEX deliveries_by_created ON deliveries(created_at);
CREATE INDEX deliveries_by_event ON deliveries(event_id);
CREATE INDEX deliveries_by_digest ON deliveries(digest_key);
CREATE INDEX deliveries_by_destination ON deliveries(destination, status, next_attempt_at);
