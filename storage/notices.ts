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
  };
}

/** Records a notice, or merges into the one with the same key: URLs are united, empty fields filled. */
export function saveNotice(db: Db, notice: Omit<NoticeRecord, 'recordedAt'> & { recordedAt?: string }): NoticeRecord {
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
  };
  db.prepare(
    `INSERT INTO notices (key, register_id, title, issuer, number, published_at, effective_at, urls, text_hash, status, recorded_at)
     VALUES (@key, @registerId, @title, @issuer, @number, @publishedAt, @effectiveAt, @urls, @textHash, @status, @recordedAt)
     ON CONFLICT(key) DO UPDATE SET register_id = excluded.register_id, title = excluded.title, issuer = excluded.issuer,
       number = excluded.number, published_at = excluded.published_at, effective_at = excluded.effective_at,
       urls = excluded.urls, text_hash = excluded.text_hash, status = excluded.status`,
  ).run({ ...merged, urls: JSON.stringify(urls) });
  return merged;
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
