// Subscriptions: save (insert or update the same destination + topics + keywords + mode), list, delete, mute.
// Input is validated by src/alerts/subscriptions.ts (parseSubscriptionInput) before it reaches these functions.
import type { Severity } from '../src/domain/types.js';
import type { NewSubscription } from '../src/alerts/subscriptions.js';
import type { Subscription, SubscriptionMode } from '../src/alerts/types.js';
import type { Db } from './db.js';
import { readStrings } from './json.js';

interface SubscriptionRow {
  id: number;
  destination: string;
  topics: string;
  keywords: string;
  min_severity: Severity;
  mode: SubscriptionMode;
  digest_day: number;
  digest_hour: number;
  digest_minute: number;
  timezone: string;
  muted_until: string | null;
  empty_digest: number;
  created_at: string;
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    destination: row.destination,
    topics: readStrings(row.topics),
    keywords: readStrings(row.keywords),
    minSeverity: row.min_severity,
    mode: row.mode,
    digestDay: row.digest_day,
    digestHour: row.digest_hour,
    digestMinute: row.digest_minute,
    timezone: row.timezone,
    mutedUntil: row.muted_until,
    emptyDigest: row.empty_digest === 1,
    createdAt: row.created_at,
  };
}

/** Canonical JSON of a list: deduplicated and sorted, so equal sets are equal strings. */
function canonicalList(items: readonly string[]): string {
  return JSON.stringify([...new Set(items)].sort());
}

export interface SaveResult {
  subscription: Subscription;
  /** False when an existing subscription (same destination, topics, keywords and mode) was updated. */
  created: boolean;
}

/**
 * Inserts a subscription, or updates severity, schedule and empty-digest choice of the existing one with the same
 * destination, topics, keywords and mode. An existing mute is kept. Works inside a caller's transaction.
 */
export function saveSubscription(db: Db, sub: NewSubscription, now: Date = new Date()): SaveResult {
  const topics = canonicalList(sub.topics);
  const keywords = canonicalList(sub.keywords);
  const at = now.toISOString();
  return db.transaction((): SaveResult => {
    const existing = db
      .prepare('SELECT id FROM subscriptions WHERE destination = ? AND topics = ? AND keywords = ? AND mode = ?')
      .pluck()
      .get(sub.destination, topics, keywords, sub.mode) as number | undefined;
    let id: number;
    if (existing !== undefined) {
      db.prepare(
        `UPDATE subscriptions SET min_severity = ?, digest_day = ?, digest_hour = ?, digest_minute = ?, timezone = ?, empty_digest = ?, updated_at = ?
         WHERE id = ?`,
      ).run(sub.minSeverity, sub.digestDay, sub.digestHour, sub.digestMinute, sub.timezone, sub.emptyDigest ? 1 : 0, at, existing);
      id = existing;
    } else {
      const info = db
        .prepare(
          `INSERT INTO subscriptions (destination, topics, keywords, min_severity, mode, digest_day, digest_hour, digest_minute, timezone, empty_digest, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          sub.destination,
          topics,
          keywords,
          sub.minSeverity,
          sub.mode,
          sub.digestDay,
          sub.digestHour,
          sub.digestMinute,
          sub.timezone,
          sub.emptyDigest ? 1 : 0,
          at,
          at,
        );
      id = Number(info.lastInsertRowid);
    }
    return { subscription: getSubscription(db, id)!, created: existing === undefined };
  })();
}

export function getSubscription(db: Db, id: number): Subscription | null {
  const row = db.prepare('SELECT * FROM subscriptions WHERE id = ?').get(id) as SubscriptionRow | undefined;
  return row ? toSubscription(row) : null;
}

/** Subscriptions, ordered by destination then id; only one destination's when given (canonical form). */
export function listSubscriptions(db: Db, filter: { destination?: string | undefined } = {}): Subscription[] {
  const rows = (
    filter.destination === undefined
      ? db.prepare('SELECT * FROM subscriptions ORDER BY destination, id').all()
      : db.prepare('SELECT * FROM subscriptions WHERE destination = ? ORDER BY id').all(filter.destination)
  ) as SubscriptionRow[];
  return rows.map(toSubscription);
}

export interface DeleteResult {
  /** Subscriptions removed. */
  deleted: number;
  /** Subscriptions that kept other topics and lost only this one. */
  updated: number;
}

/**
 * Unsubscribes a destination: every subscription, or — with a topic — that topic only. A subscription whose only topic
 * it was is removed (it must not become "everything"); one with other topics keeps them (merged into an identical
 * subscription if one exists). Deliveries already queued or sent are not touched.
 */
export function deleteSubscriptions(db: Db, destination: string, topic?: string): DeleteResult {
  return db.transaction((): DeleteResult => {
    if (topic === undefined) {
      const info = db.prepare('DELETE FROM subscriptions WHERE destination = ?').run(destination);
      return { deleted: info.changes, updated: 0 };
    }
    let deleted = 0;
    let updated = 0;
    const at = new Date().toISOString();
    for (const sub of listSubscriptions(db, { destination })) {
      if (!sub.topics.includes(topic)) continue;
      const rest = sub.topics.filter((t) => t !== topic);
      const restJson = canonicalList(rest);
      const twin =
        rest.length > 0 &&
        db
          .prepare('SELECT 1 FROM subscriptions WHERE destination = ? AND topics = ? AND keywords = ? AND mode = ? AND id != ?')
          .get(destination, restJson, canonicalList(sub.keywords), sub.mode, sub.id) !== undefined;
      if (rest.length === 0 || twin) {
        db.prepare('DELETE FROM subscriptions WHERE id = ?').run(sub.id);
        deleted += 1;
      } else {
        db.prepare('UPDATE subscriptions SET topics = ?, updated_at = ? WHERE id = ?').run(restJson, at, sub.id);
        updated += 1;
      }
    }
    return { deleted, updated };
  })();
}

/** Mutes every subscription of a destination until `until` (ISO timestamp or Date); null unmutes. Returns how many. */
export function muteSubscriptions(db: Db, destination: string, until: string | Date | null): number {
  const value = until === null ? null : typeof until === 'string' ? new Date(until).toISOString() : until.toISOString();
  return db.prepare('UPDATE subscriptions SET muted_until = ?, updated_at = ? WHERE destination = ?').run(value, new Date().toISOString(), destination).changes;
}
