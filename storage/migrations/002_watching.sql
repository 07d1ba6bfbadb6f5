-- Watching the sources: conditional-GET validators, source health, listings seen, notice
-- classification and flags, quarantined change sets, scheduler runs.
CREATE TABLE http_validators (
  url TEXT PRIMARY KEY,
  etag TEXT,
  last_modified TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE source_health (
  source_id TEXT PRIMARY KEY,
  last_attempt_at TEXT,
  last_success_at TEXT,
  last_error TEXT,
  last_error_reason TEXT,
  failing_since TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  -- 1 while an operator alert about this source is open (raised once, cleared once)
  alert_open INTEGER NOT NULL DEFAULT 0,
  next_poll_at TEXT
);

-- Every link a source listed; a listing is fetched once, retried a few times on failure.
CREATE TABLE listings (
  url TEXT PRIMARY KEY,
  source_id TEXT NOT NULL,
  title TEXT NOT NULL,
  published_at TEXT,
  first_seen_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  notice_key TEXT REFERENCES notices(key)
);
CREATE INDEX listings_by_status ON listings(status, first_seen_at);

ALTER TABLE notices ADD COLUMN kind TEXT;
ALTER TABLE notices ADD COLUMN flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags));
ALTER TABLE notices ADD COLUMN body TEXT;

-- Change sets held back by a guard (e.g. too many removals) until an operator decides.
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  register_id TEXT NOT NULL REFERENCES registers(id),
  notice_key TEXT REFERENCES notices(key),
  reason TEXT NOT NULL,
  -- hash of the register's current state when quarantined: approval requires it unchanged
  state_hash TEXT NOT NULL,
  as_of TEXT NOT NULL,
  changes TEXT NOT NULL CHECK (json_valid(changes)),
  unparsed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(unparsed)),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  created_at TEXT NOT NULL,
  decided_at TEXT
);

-- Small persistent state: scheduler last runs, backfill progress.
CREATE TABLE kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
