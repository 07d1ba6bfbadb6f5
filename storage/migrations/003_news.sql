-- Industry news items from RSS/Atom feeds, deduplicated across feeds and polls (storage/news.ts).
-- An item is known by three keys: its GUID (bare-number GUIDs only within their feed), its link with
-- tracking parameters removed, and the sha256 of its normalised title. `last_seen_at` is refreshed
-- whenever a poll sees the item (or a duplicate of it) again, so an item that stays in a feed for
-- longer than the dedupe window is not announced twice.
CREATE TABLE news_items (
  -- sha256 of the item's dedupe identity (GUID, else canonical link, else title hash)
  id TEXT PRIMARY KEY,
  feed_id TEXT NOT NULL,
  title TEXT NOT NULL,
  link TEXT NOT NULL,
  canonical_link TEXT,
  guid TEXT,
  -- 1 when the GUID identifies the item across feeds (a URI or long), 0 when only within feed_id
  guid_global INTEGER NOT NULL DEFAULT 0 CHECK (guid_global IN (0, 1)),
  title_hash TEXT,
  published_at TEXT NOT NULL,
  -- 0 when the feed gave no usable date and published_at is the first-seen time
  published_known INTEGER NOT NULL CHECK (published_known IN (0, 1)),
  summary TEXT NOT NULL DEFAULT '',
  topics TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(topics)),
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
);
CREATE INDEX news_items_by_canonical_link ON news_items(canonical_link);
CREATE INDEX news_items_by_guid ON news_items(guid);
CREATE INDEX news_items_by_title_hash ON news_items(title_hash);
CREATE INDEX news_items_by_first_seen ON news_items(first_seen_at);
