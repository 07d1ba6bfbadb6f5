// Source health, conditional-GET validators and the listings each source has shown.
import type { Db } from './db.js';

export interface SourceHealth {
  sourceId: string;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorReason: string | null;
  failingSince: string | null;
  consecutiveFailures: number;
  alertOpen: boolean;
  nextPollAt: string | null;
}

interface HealthRow {
  source_id: string;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_reason: string | null;
  failing_since: string | null;
  consecutive_failures: number;
  alert_open: number;
  next_poll_at: string | null;
}

function toHealth(row: HealthRow): SourceHealth {
  return {
    sourceId: row.source_id,
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorReason: row.last_error_reason,
    failingSince: row.failing_since,
    consecutiveFailures: row.consecutive_failures,
    alertOpen: row.alert_open === 1,
    nextPollAt: row.next_poll_at,
  };
}

export function getHealth(db: Db, sourceId: string): SourceHealth {
  const row = db.prepare('SELECT * FROM source_health WHERE source_id = ?').get(sourceId) as HealthRow | undefined;
  return row
    ? toHealth(row)
    : {
        sourceId,
        lastAttemptAt: null,
        lastSuccessAt: null,
        lastError: null,
        lastErrorReason: null,
        failingSince: null,
        consecutiveFailures: 0,
        alertOpen: false,
        nextPollAt: null,
      };
}

export function allHealth(db: Db): SourceHealth[] {
  return (db.prepare('SELECT * FROM source_health ORDER BY source_id').all() as HealthRow[]).map(toHealth);
}

function saveHealth(db: Db, h: SourceHealth): void {
  db.prepare(
    `INSERT INTO source_health (source_id, last_attempt_at, last_success_at, last_error, last_error_reason, failing_since,
       consecutive_failures, alert_open, next_poll_at)
     VALUES (@sourceId, @lastAttemptAt, @lastSuccessAt, @lastError, @lastErrorReason, @failingSince, @consecutiveFailures, @alertOpen, @nextPollAt)
     ON CONFLICT(source_id) DO UPDATE SET last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
       last_error = excluded.last_error, last_error_reason = excluded.last_error_reason, failing_since = excluded.failing_since,
       consecutive_failures = excluded.consecutive_failures, alert_open = excluded.alert_open, next_poll_at = excluded.next_poll_at`,
  ).run({ ...h, alertOpen: h.alertOpen ? 1 : 0 });
}

/** What changed in the operator alert state by recording an outcome. */
export type AlertTransition = 'raise' | 'clear' | null;

/** Records a successful poll; returns 'clear' when an open operator alert should say the source recovered. */
export function recordSuccess(db: Db, sourceId: string, at: string): AlertTransition {
  const h = getHealth(db, sourceId);
  const transition: AlertTransition = h.alertOpen ? 'clear' : null;
  saveHealth(db, { ...h, lastAttemptAt: at, lastSuccessAt: at, consecutiveFailures: 0, failingSince: null, alertOpen: false });
  return transition;
}

/** Records a failed poll; returns 'raise' the first time failures reach `threshold`. */
export function recordFailure(db: Db, sourceId: string, at: string, reason: string, message: string, threshold: number): AlertTransition {
  const h = getHealth(db, sourceId);
  const failures = h.consecutiveFailures + 1;
  const raise = !h.alertOpen && failures >= threshold;
  saveHealth(db, {
    ...h,
    lastAttemptAt: at,
    lastError: message,
    lastErrorReason: reason,
    failingSince: h.failingSince ?? at,
    consecutiveFailures: failures,
    alertOpen: h.alertOpen || raise,
  });
  return raise ? 'raise' : null;
}

export function setNextPoll(db: Db, sourceId: string, at: string): void {
  const h = getHealth(db, sourceId);
  saveHealth(db, { ...h, nextPollAt: at });
}

export function getValidators(db: Db, url: string): { etag: string | null; lastModified: string | null } | null {
  const row = db.prepare('SELECT etag, last_modified FROM http_validators WHERE url = ?').get(url) as
    { etag: string | null; last_modified: string | null } | undefined;
  return row ? { etag: row.etag, lastModified: row.last_modified } : null;
}

export function setValidators(db: Db, url: string, v: { etag: string | null; lastModified: string | null }): void {
  db.prepare(
    `INSERT INTO http_validators (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, updated_at = excluded.updated_at`,
  ).run(url, v.etag, v.lastModified, new Date().toISOString());
}

export interface ListingRecord {
  url: string;
  sourceId: string;
  title: string;
  publishedAt: string | null;
  status: 'new' | 'done' | 'failed';
  attempts: number;
  lastError: string | null;
  noticeKey: string | null;
}

/** Inserts listings not seen before; returns how many were new. */
export function rememberListings(
  db: Db,
  listings: ReadonlyArray<{ url: string; title: string; publishedAt: string | null; sourceId: string }>,
  at: string,
): number {
  const insert = db.prepare(
    `INSERT INTO listings (url, source_id, title, published_at, first_seen_at, status) VALUES (?, ?, ?, ?, ?, 'new') ON CONFLICT(url) DO NOTHING`,
  );
  let added = 0;
  db.transaction(() => {
    for (const l of listings) added += insert.run(l.url, l.sourceId, l.title.slice(0, 500), l.publishedAt, at).changes;
  })();
  return added;
}

/**
 * Listings still to fetch (new, failed, or cut off by a crash), oldest first: those with fewer than `maxAttempts`
 * attempts, and those past them whose retry time (see startListingAttempt) has come.
 */
export function pendingListings(db: Db, sourceId: string, maxAttempts: number, now: Date): ListingRecord[] {
  const rows = db
    .prepare(
      `SELECT * FROM listings WHERE source_id = @sourceId AND status IN ('new', 'failed')
         AND (attempts < @maxAttempts OR (next_attempt_at IS NOT NULL AND next_attempt_at <= @now))
       ORDER BY published_at, first_seen_at, url`,
    )
    .all({ sourceId, maxAttempts, now: now.toISOString() }) as Array<{
    url: string;
    source_id: string;
    title: string;
    published_at: string | null;
    status: ListingRecord['status'];
    attempts: number;
    last_error: string | null;
    notice_key: string | null;
  }>;
  return rows.map((r) => ({
    url: r.url,
    sourceId: r.source_id,
    title: r.title,
    publishedAt: r.published_at,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    noticeKey: r.notice_key,
  }));
}

/** Delay before the next attempt at a listing that has had `attempts` attempts: none below the maximum, then 1 h doubling to 24 h. */
export function listingRetryDelayMs(attempts: number, maxAttempts: number): number {
  if (attempts < maxAttempts) return 0;
  return Math.min(3_600_000 * 2 ** Math.min(attempts - maxAttempts, 10), 24 * 3_600_000);
}

/**
 * Counts an attempt at a listing before it is processed, so a listing that kills the process every time it is read
 * is not read on every restart: past `maxAttempts` it waits (listingRetryDelayMs) before it is tried again. A listing
 * whose attempts were cut off by kills that were not its fault is delayed, never given up.
 */
export function startListingAttempt(db: Db, url: string, maxAttempts: number, now: Date): void {
  const attempts = ((db.prepare('SELECT attempts FROM listings WHERE url = ?').pluck().get(url) as number | undefined) ?? 0) + 1;
  db.prepare('UPDATE listings SET attempts = ?, next_attempt_at = ? WHERE url = ?').run(
    attempts,
    new Date(now.getTime() + listingRetryDelayMs(attempts, maxAttempts)).toISOString(),
    url,
  );
}

/** Takes back the attempt counted by startListingAttempt, for an attempt the store cut off (not the listing's fault). */
export function giveBackListingAttempt(db: Db, url: string): void {
  db.prepare('UPDATE listings SET attempts = MAX(attempts - 1, 0) WHERE url = ?').run(url);
}

export function markListing(db: Db, url: string, outcome: { status: 'done' | 'failed'; noticeKey?: string | null; error?: string | null }): void {
  db.prepare('UPDATE listings SET status = ?, notice_key = COALESCE(?, notice_key), last_error = ? WHERE url = ?').run(
    outcome.status,
    outcome.noticeKey ?? null,
    outcome.error ?? null,
    url,
  );
}
