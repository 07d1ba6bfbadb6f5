-- Subscriptions: which destination wants which events (topics, keywords, lowest severity), immediately
-- and/or as a digest on a local schedule. A destination may hold several subscriptions; the same
-- destination + topics + keywords + mode is one subscription (saving it again updates it).
-- topics and keywords are stored canonically (JSON arrays, deduplicated and sorted) so that identity holds.
CREATE TABLE subscriptions (
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  topics TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(topics) AND json_type(topics) = 'array'),
  keywords TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(keywords) AND json_type(keywords) = 'array'),
  min_severity TEXT NOT NULL DEFAULT 'info' CHECK (min_severity IN ('critical', 'high', 'medium', 'low', 'info')),
  mode TEXT NOT NULL DEFAULT 'immediate' CHECK (mode IN ('immediate', 'daily', 'weekly', 'immediate+weekly')),
  -- day of week 0-6 (Sunday 0), used by weekly modes
  digest_day INTEGER NOT NULL DEFAULT 1 CHECK (digest_day BETWEEN 0 AND 6),
  digest_hour INTEGER NOT NULL DEFAULT 9 CHECK (digest_hour BETWEEN 0 AND 23),
  digest_minute INTEGER NOT NULL DEFAULT 0 CHECK (digest_minute BETWEEN 0 AND 59),
  -- IANA time zone of the digest schedule
  timezone TEXT NOT NULL DEFAULT 'UTC',
  -- ISO timestamp; no immediate deliveries while in the future
  muted_until TEXT,
  -- 1: send a short "no changes" digest for an empty period
  empty_digest INTEGER NOT NULL DEFAULT 1 CHECK (empty_digest IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX subscriptions_identity ON subscriptions(destination, topics, keywords, mode);
