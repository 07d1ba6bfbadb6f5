// News items from the industry feeds (migration 003): storing a poll's items with dedupe across feeds
// and polls, and reading recent news back (for routing and digests).
//
// Dedupe: an item is a duplicate when its GUID, its canonical link or its normalised-title hash
// matches a stored item seen within the window (default 30 days). "Seen" is the later of first seen
// and last seen again: every duplicate refreshes the stored item's last_seen_at, so an item a feed keeps
// listing for months is announced once, while an item that comes back after the window is new again.
// Bare-number GUIDs only match within their own feed (see src/sources/feeds/dedupe.ts).
import { z } from 'zod';
import { dedupeKeys, type DedupeKeys } from '../src/sources/feeds/dedupe.js';
import type { NewsItem } from '../src/sources/feeds/types.js';
import type { Db } from './db.js';

export const DEFAULT_NEWS_WINDOW_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface StoreNewsOptions {
  now: Date;
  /** Dedupe window in days (default 30). */
  windowDays?: number;
}

export interface StoredNewsItem extends NewsItem {
  canonicalLink: string | null;
  firstSeenAt: string;
}

export interface RecentNewsQuery {
  /** Items first seen at or after this time. */
  since: Date | string;
  /** Items first seen before this time (default: no bound). */
  until?: Date | string;
  /** Only items with at least one of these topics; omitted: every item. An empty list matches nothing. */
  topics?: readonly string[];
  limit: number;
}

interface NewsRow {
  id: string;
  feed_id: string;
  title: string;
  link: string;
  canonical_link: string | null;
  guid: string | null;
  published_at: string;
  published_known: number;
  summary: string;
  topics: string;
  first_seen_at: string;
}

const topicsColumn = z.array(z.string());

function isoOf(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`invalid date ${JSON.stringify(String(value))}`);
  return date.toISOString();
}

function readTopics(text: string): string[] {
  const result = topicsColumn.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`corrupt topics column in news_items: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

function toItem(row: NewsRow): StoredNewsItem {
  return {
    id: row.id,
    feedId: row.feed_id,
    title: row.title,
    link: row.link,
    guid: row.guid,
    published: row.published_at,
    publishedKnown: row.published_known === 1,
    summary: row.summary,
    topics: readTopics(row.topics),
    canonicalLink: row.canonical_link,
    firstSeenAt: row.first_seen_at,
  };
}

function statements(db: Db) {
  return {
    byGlobalGuid: db.prepare<[string, string], { id: string }>('SELECT id FROM news_items WHERE guid = ? AND guid_global = 1 AND last_seen_at >= ?'),
    byFeedGuid: db.prepare<[string, string, string], { id: string }>(
      'SELECT id FROM news_items WHERE guid = ? AND guid_global = 0 AND feed_id = ? AND last_seen_at >= ?',
    ),
    byLink: db.prepare<[string, string], { id: string }>('SELECT id FROM news_items WHERE canonical_link = ? AND last_seen_at >= ?'),
    byTitle: db.prepare<[string, string], { id: string }>('SELECT id FROM news_items WHERE title_hash = ? AND last_seen_at >= ?'),
    touch: db.prepare<[string, string, string]>('UPDATE news_items SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?'),
    // An id seen before the window is the same item coming back: it starts again as new.
    upsert: db.prepare(
      `INSERT INTO news_items (id, feed_id, title, link, canonical_link, guid, guid_global, title_hash, published_at, published_known,
         summary, topics, first_seen_at, last_seen_at)
       VALUES (@id, @feedId, @title, @link, @canonicalLink, @guid, @guidGlobal, @titleHash, @published, @publishedKnown,
         @summary, @topics, @now, @now)
       ON CONFLICT(id) DO UPDATE SET feed_id = excluded.feed_id, title = excluded.title, link = excluded.link,
         canonical_link = excluded.canonical_link, guid = excluded.guid, guid_global = excluded.guid_global,
         title_hash = excluded.title_hash, published_at = excluded.published_at, published_known = excluded.published_known,
         summary = excluded.summary, topics = excluded.topics, first_seen_at = excluded.first_seen_at,
         last_seen_at = excluded.last_seen_at`,
    ),
  };
}

/** Ids of stored items seen since `cutoff` that share a key with the item. */
function duplicatesOf(s: ReturnType<typeof statements>, item: NewsItem, keys: DedupeKeys, cutoff: string): Set<string> {
  const ids = new Set<string>();
  const add = (rows: { id: string }[]) => rows.forEach((row) => ids.add(row.id));
  if (keys.guid !== null) add(keys.guidGlobal ? s.byGlobalGuid.all(keys.guid, cutoff) : s.byFeedGuid.all(keys.guid, item.feedId, cutoff));
  if (keys.canonicalLink !== null) add(s.byLink.all(keys.canonicalLink, cutoff));
  if (keys.titleHash !== null) add(s.byTitle.all(keys.titleHash, cutoff));
  return ids;
}

/**
 * Stores a poll's items and returns those that are new: not a duplicate (by GUID, canonical link or
 * title hash) of an item seen within the window, nor of an earlier item of the same call. One
 * transaction; items come back in the order given.
 */
export function storeNewsItems(db: Db, items: readonly NewsItem[], opts: StoreNewsOptions): NewsItem[] {
  const windowDays = opts.windowDays ?? DEFAULT_NEWS_WINDOW_DAYS;
  if (!Number.isFinite(windowDays) || windowDays < 0) throw new Error(`invalid news dedupe window ${windowDays} days`);
  const now = isoOf(opts.now);
  const cutoff = new Date(opts.now.getTime() - windowDays * DAY_MS).toISOString();
  const s = statements(db);
  const fresh: NewsItem[] = [];
  db.transaction(() => {
    for (const item of items) {
      const keys = dedupeKeys(item);
      const duplicates = duplicatesOf(s, item, keys, cutoff);
      if (duplicates.size > 0) {
        for (const id of duplicates) s.touch.run(now, id, now);
        continue;
      }
      s.upsert.run({
        id: item.id,
        feedId: item.feedId,
        title: item.title,
        link: item.link,
        canonicalLink: keys.canonicalLink,
        guid: keys.guid,
        guidGlobal: keys.guidGlobal ? 1 : 0,
        titleHash: keys.titleHash,
        published: item.published,
        publishedKnown: item.publishedKnown ? 1 : 0,
        summary: item.summary,
        topics: JSON.stringify([...new Set(item.topics)].sort()),
        now,
      });
      fresh.push(item);
    }
  })();
  return fresh;
}

/** News first seen in [since, until), newest first (then by published time), optionally only items with one of `topics`. */
export function recentNews(db: Db, query: RecentNewsQuery): StoredNewsItem[] {
  if (!Number.isInteger(query.limit) || query.limit < 0) throw new Error(`invalid limit ${query.limit}`);
  if (query.topics !== undefined && query.topics.length === 0) return [];
  const rows = db
    .prepare<{ since: string; until: string | null; topics: string | null; limit: number }, NewsRow>(
      `SELECT id, feed_id, title, link, canonical_link, guid, published_at, published_known, summary, topics, first_seen_at
       FROM news_items
       WHERE first_seen_at >= @since
         AND (@until IS NULL OR first_seen_at < @until)
         AND (@topics IS NULL OR EXISTS (
           SELECT 1 FROM json_each(news_items.topics) AS t WHERE t.value IN (SELECT value FROM json_each(@topics))))
       ORDER BY first_seen_at DESC, published_at DESC, id
       LIMIT @limit`,
    )
    .all({
      since: isoOf(query.since),
      until: query.until === undefined ? null : isoOf(query.until),
      topics: query.topics === undefined ? null : JSON.stringify(query.topics),
      limit: query.limit,
    });
  return rows.map(toItem);
}
