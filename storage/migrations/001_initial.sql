-- Registers, notices, entry versions, change sets and changes, and the search index.
CREATE TABLE registers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE notices (
  key TEXT PRIMARY KEY,
  register_id TEXT REFERENCES registers(id),
  title TEXT NOT NULL DEFAULT '',
  issuer TEXT NOT NULL DEFAULT '',
  number TEXT NOT NULL DEFAULT '',
  published_at TEXT,
  effective_at TEXT,
  urls TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(urls)),
  text_hash TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'flagged', 'quarantined', 'manual')),
  recorded_at TEXT NOT NULL
);

-- Every state an entry has had: the state on date D is the versions with
-- valid_from <= D and (valid_to IS NULL or valid_to > D).
CREATE TABLE entry_versions (
  id INTEGER PRIMARY KEY,
  register_id TEXT NOT NULL REFERENCES registers(id),
  key TEXT NOT NULL,
  fields TEXT NOT NULL CHECK (json_valid(fields)),
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  created_by_notice TEXT REFERENCES notices(key),
  ended_by_notice TEXT REFERENCES notices(key),
  recorded_at TEXT NOT NULL,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX entry_versions_current ON entry_versions(register_id, key) WHERE valid_to IS NULL;
CREATE INDEX entry_versions_by_key ON entry_versions(register_id, key, valid_from);
-- key lookups across registers (`check 053302J`, prefixes) only look at current versions
CREATE INDEX entry_versions_current_key ON entry_versions(key) WHERE valid_to IS NULL;

-- One change set per applied document (import or notice), with what could not be parsed.
CREATE TABLE change_sets (
  id INTEGER PRIMARY KEY,
  register_id TEXT NOT NULL REFERENCES registers(id),
  notice_key TEXT REFERENCES notices(key),
  source TEXT NOT NULL CHECK (source IN ('import', 'apply')),
  as_of TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  summary TEXT NOT NULL CHECK (json_valid(summary)),
  unparsed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(unparsed)),
  status TEXT NOT NULL CHECK (status IN ('recorded', 'flagged'))
);

CREATE TABLE changes (
  id INTEGER PRIMARY KEY,
  change_set_id INTEGER NOT NULL REFERENCES change_sets(id),
  register_id TEXT NOT NULL REFERENCES registers(id),
  key TEXT NOT NULL,
  from_key TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('added', 'removed', 'modified', 'moved', 'suspended', 'resumed', 'ended')),
  before TEXT CHECK (before IS NULL OR json_valid(before)),
  after TEXT CHECK (after IS NULL OR json_valid(after)),
  field_changes TEXT NOT NULL CHECK (json_valid(field_changes)),
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  notice_key TEXT REFERENCES notices(key),
  valid_from TEXT NOT NULL,
  detected_at TEXT NOT NULL
);
CREATE INDEX changes_by_detected ON changes(detected_at);
CREATE INDEX changes_by_key ON changes(register_id, key);

-- Full-text index over current entries. Text is pre-tokenised (see src/domain/search-text.ts):
-- Latin words, Chinese single characters and Chinese bigrams, so 1- and 2-character
-- Chinese queries (稀土) match, which the trigram tokenizer cannot do.
CREATE VIRTUAL TABLE entry_search USING fts5(
  register_id UNINDEXED,
  key UNINDEXED,
  version_id UNINDEXED,
  name_text,
  point_text,
  tokenize = 'unicode61 remove_diacritics 2'
);
