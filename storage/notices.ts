// Notices: the official announcements that cause changes, keyed on issuer + number.
import type { Db } from './db.js';
import { readStrings } from './json.js';

export type NoticeStatus = 'pending' | 'applied' | 'flagged' | 'quarantined' | 'manual';

export interface NoticeRecord {
  key: string;
  registerId: string | null;
  title: string;
  issuer: string;
  number: string;
  publishedAt: string | null;
  effectiveAt: string | null;
  urls: string[];
  textHash: string | null;
  status: NoticeStatus;
  recordedAt: string;
  /** Classification (`tech-catalogue-adjustment`, `dual-use`, `entity-listing`, `lifecycle`, `other` …). */
  kind: string | null;
  /** Reasons for review: unparsed clauses, count mismatches, quarantine. */
  flags: string[];
}

interface NoticeRow {
  key: string;
  register_id: string | null;
  title: string;
  issuer: string;
  number: string;
  published_at: string | null;
  effective_at: string | null;
  urls: string;
  text_hash: string | null;
  status: NoticeStatus;
  recorded_at: string;
  kind: string | null;
  flags: string;
}

function toRecord(row: NoticeRow): NoticeRecord {
  return {
    key: row.key,
    registerId: row.register_id,
    title: row.title,
    issuer: row.issuer,
    number: row.number,
    publishedAt: row.published_at,
    effectiveAt: row.effective_at,
    urls: readStrings(row.urls),
    textHash: row.text_hash,
    status: row.status,
    recordedAt: row.recorded_at,
    kind: row.kind,
    flags: readStrings(row.flags),
  };
}

/** Records a notice, or merges into the one with the same key: URLs are united, empty fields filled. */
export function saveNotice(
  db: Db,
  notice: Omit<NoticeRecord, 'recordedAt' | 'kind' | 'flags'> & { recordedAt?: string; kind?: string | null; flags?: readonly string[]; body?: string },
): NoticeRecord {
  const existing = getNotice(db, notice.key);
  const urls = [...new Set([...(existing?.urls ?? []), ...notice.urls])];
  const merged: NoticeRecord = {
    key: notice.key,
    registerId: notice.registerId ?? existing?.registerId ?? null,
    title: notice.title || existing?.title || '',
    issuer: notice.issuer || existing?.issuer || '',
    number: notice.number || existing?.number || '',
    publishedAt: notice.publishedAt ?? existing?.publishedAt ?? null,
    effectiveAt: notice.effectiveAt ?? existing?.effectiveAt ?? null,
    urls,
    textHash: notice.textHash ?? existing?.textHash ?? null,
    status: notice.status,
    recordedAt: existing?.recordedAt ?? notice.recordedAt ?? new Date().toISOString(),
    kind: notice.kind ?? existing?.kind ?? null,
    flags: [...new Set([...(existing?.flags ?? []), ...(notice.flags ?? [])])],
  };
  db.prepare(
    `INSERT INTO notices (key, register_id, title, issuer, number, published_at, effective_at, urls, text_hash, status, recorded_at, kind, flags, body)
     VALUES (@key, @registerId, @title, @issuer, @number, @publishedAt, @effectiveAt, @urls, @textHash, @status, @recordedAt, @kind, @flags, @body)
     ON CONFLICT(key) DO UPDATE SET register_id = excluded.register_id, title = excluded.title, issuer = excluded.issuer,
       number = excluded.number, published_at = excluded.published_at, effective_at = excluded.effective_at,
       urls = excluded.urls, text_hash = excluded.text_hash, status = excluded.status, kind = excluded.kind, flags = excluded.flags,
       body = COALESCE(excluded.body, notices.body)`,
  ).run({ ...merged, urls: JSON.stringify(urls), flags: JSON.stringify(merged.flags), body: notice.body ?? null });
  return merged;
}

/** Adds a URL the notice was (also) seen under. */
export function addNoticeUrl(db: Db, key: string, url: string): void {
  const existing = getNotice(db, key);
  if (!existing || existing.urls.includes(url)) return;
  db.prepare('UPDATE notices SET urls = ? WHERE key = ?').run(JSON.stringify([...existing.urls, url]), key);
}

export function setNoticeStatus(db: Db, key: string, status: NoticeStatus, flags: readonly string[] = []): void {
  const existing = getNotice(db, key);
  if (!existing) throw new Error(`no notice ${key}`);
  const merged = [...new Set([...existing.flags, ...flags])];
  db.prepare('UPDATE notices SET status = ?, flags = ? WHERE key = ?').run(status, JSON.stringify(merged), key);
}

/** Every column but the body, which no NoticeRecord carries: a scan or sort of notices then does not read or hold the texts. */
const RECORD_COLUMNS = 'key, register_id, title, issuer, number, published_at, effective_at, urls, text_hash, status, recorded_at, kind, flags';

/**
 * Notices recorded, newest publication first; optionally only those published since a date, those recorded in
 * [recordedFrom, recordedBefore) (ISO times), or flagged.
 */
export function listNotices(
  db: Db,
  filter: {
    since?: string | undefined;
    flagged?: boolean | undefined;
    recordedFrom?: string | undefined;
    recordedBefore?: string | undefined;
    limit?: number;
  } = {},
): NoticeRecord[] {
  const rows = db
    .prepare(
      `SELECT ${RECORD_COLUMNS} FROM notices
       WHERE (@since IS NULL OR COALESCE(published_at, substr(recorded_at, 1, 10)) >= @since)
         AND (@flagged = 0 OR status IN ('flagged', 'quarantined') OR flags != '[]')
         AND (@recordedFrom IS NULL OR recorded_at >= @recordedFrom)
         AND (@recordedBefore IS NULL OR recorded_at < @recordedBefore)
       ORDER BY COALESCE(published_at, substr(recorded_at, 1, 10)) DESC, key LIMIT @limit`,
    )
    .all({
      since: filter.since ?? null,
      flagged: filter.flagged ? 1 : 0,
      recordedFrom: filter.recordedFrom ?? null,
      recordedBefore: filter.recordedBefore ?? null,
      limit: filter.limit ?? 1000,
    }) as NoticeRow[];
  return rows.map(toRecord);
}

export function noticeBody(db: Db, key: string): string | null {
  return (db.prepare('SELECT body FROM notices WHERE key = ?').pluck().get(key) as string | null | undefined) ?? null;
}

export function getNotice(db: Db, key: string): NoticeRecord | null {
  const row = db.prepare('SELECT * FROM notices WHERE key = ?').get(key) as NoticeRow | undefined;
  return row ? toRecord(row) : null;
}

export function getNotices(db: Db, keys: readonly string[]): Map<string, NoticeRecord> {
  const out = new Map<string, NoticeRecord>();
  const stmt = db.prepare('SELECT * FROM notices WHERE key = ?');
  for (const key of new Set(keys)) {
    const row = stmt.get(key) as NoticeRow | undefined;
    if (row) out.set(key, toRecord(row));
  }
  return out;
}
