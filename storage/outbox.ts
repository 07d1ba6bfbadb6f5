// The outbox: events, and the deliveries queued for them (or for digests), claimed by the worker with a lease,
// marked sent (with the platform's message id), retried or failed. Nothing here deletes a row: deliveries joined
// with their events are the audit trail.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Severity } from '../src/domain/types.js';
import type { Message } from '../src/alerts/message.js';
import type { AlertEvent, EventKind } from '../src/alerts/types.js';
import type { Db } from './db.js';
import { readStrings } from './json.js';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';
export type DeliveryKind = 'event' | 'digest';

/** Longest error text kept per delivery. */
export const MAX_ERROR_LENGTH = 1000;

export interface Delivery {
  id: number;
  idempotencyKey: string;
  destination: string;
  subscriptionId: number | null;
  eventId: string | null;
  digestKey: string | null;
  kind: DeliveryKind;
  message: Message;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  leaseUntil: string | null;
  lastError: string | null;
  platformMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
}

interface DeliveryRow {
  id: number;
  idempotency_key: string;
  destination: string;
  subscription_id: number | null;
  event_id: string | null;
  digest_key: string | null;
  kind: DeliveryKind;
  message: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  platform_message_id: string | null;
  created_at: string;
  sent_at: string | null;
  failed_at: string | null;
}

const messageSchema = z.object({
  title: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
  subtitle: z.string().nullable(),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
  sections: z.array(
    z.object({
      heading: z.string(),
      items: z.array(z.object({ code: z.string(), text: z.string(), gloss: z.string().nullable(), details: z.array(z.string()) })),
    }),
  ),
  omitted: z.number(),
  context: z.array(z.string()),
});

export function readMessage(text: string): Message {
  const result = messageSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`corrupt message column in the database: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    destination: row.destination,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    digestKey: row.digest_key,
    kind: row.kind,
    message: readMessage(row.message),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    platformMessageId: row.platform_message_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    failedAt: row.failed_at,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The idempotency key of an event's delivery to a destination: sha256 of `<event id>|<destination>`. */
export function eventDeliveryKey(eventId: string, destination: string): string {
  return sha256(`${eventId}|${destination}`);
}

/** The idempotency key of a digest's delivery to a destination: sha256 of `digest|<digest key>|<destination>`. */
export function digestDeliveryKey(digestKey: string, destination: string): string {
  return sha256(`digest|${digestKey}|${destination}`);
}

function boundError(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

const queuedListeners = new Set<(db: Db) => void>();

/**
 * Calls `listener` with the database each time deliveries are queued in this process (an outbox worker wakes up
 * instead of waiting for its next poll). Returns the function that removes it. The listener runs synchronously,
 * possibly inside the caller's transaction: it should only schedule work.
 */
export function onDeliveriesQueued(listener: (db: Db) => void): () => void {
  queuedListeners.add(listener);
  return () => void queuedListeners.delete(listener);
}

function queued(db: Db): void {
  for (const listener of queuedListeners) listener(db);
}

export interface RecordEventResult {
  /** False when the event was already recorded. */
  eventCreated: boolean;
  /** Ids of the deliveries created now (destinations already queued for this event are skipped). */
  deliveryIds: number[];
}

/**
 * Records an event and queues one delivery per destination, idempotently: recording the same event again creates
 * nothing new (a destination not queued before is added). Runs in its own transaction, or as a savepoint inside
 * the caller's, so the event, its deliveries and whatever the caller records commit together.
 */
export function recordEvent(
  db: Db,
  event: AlertEvent,
  destinations: ReadonlyArray<{ destination: string; subscriptionId: number | null }>,
  now: Date = new Date(),
): RecordEventResult {
  const at = now.toISOString();
  const message = JSON.stringify(event.message);
  return db.transaction((): RecordEventResult => {
    const info = db
      .prepare(
        `INSERT OR IGNORE INTO events (id, kind, severity, topics, text, register, notice_key, operator, message, occurred_at, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        event.id,
        event.kind,
        event.severity,
        JSON.stringify(event.topics),
        event.text,
        event.register,
        event.noticeKey,
        event.operator ? 1 : 0,
        message,
        event.occurredAt,
        at,
      );
    const insert = db.prepare(
      `INSERT OR IGNORE INTO deliveries (idempotency_key, destination, subscription_id, event_id, kind, message, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, 'event', ?, 'pending', 0, ?, ?)`,
    );
    const deliveryIds: number[] = [];
    for (const d of destinations) {
      const r = insert.run(eventDeliveryKey(event.id, d.destination), d.destination, d.subscriptionId, event.id, message, at, at);
      if (r.changes > 0) deliveryIds.push(Number(r.lastInsertRowid));
    }
    if (deliveryIds.length > 0) queued(db);
    return { eventCreated: info.changes > 0, deliveryIds };
  })();
}

export interface DigestDelivery {
  /** Identifies the digest's period for its subscription, e.g. `sub:12:weekly:2026-W19`. */
  digestKey: string;
  destination: string;
  subscriptionId: number | null;
  message: Message;
}

/** Queues a digest, idempotently on digest key + destination. Returns the delivery id and whether it was created now. */
export function enqueueDigest(db: Db, digest: DigestDelivery, now: Date = new Date()): { id: number; created: boolean } {
  const at = now.toISOString();
  const key = digestDeliveryKey(digest.digestKey, digest.destination);
  return db.transaction(() => {
    const r = db
      .prepare(
        `INSERT OR IGNORE INTO deliveries (idempotency_key, destination, subscription_id, digest_key, kind, message, status, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'digest', ?, 'pending', 0, ?, ?)`,
      )
      .run(key, digest.destination, digest.subscriptionId, digest.digestKey, JSON.stringify(digest.message), at, at);
    if (r.changes > 0) {
      queued(db);
      return { id: Number(r.lastInsertRowid), created: true };
    }
    const id = db.prepare('SELECT id FROM deliveries WHERE idempotency_key = ?').pluck().get(key) as number;
    return { id, created: false };
  })();
}

const DUE = `((status = 'pending' AND next_attempt_at <= @now) OR (status = 'sending' AND lease_until <= @now))`;

/**
 * Atomically claims up to `limit` due deliveries (pending and due, or `sending` with an expired lease — a crashed
 * worker's), oldest due first: status `sending`, lease until now + leaseMs, attempts + 1. Optionally one destination only.
 */
export function claimDue(db: Db, now: Date, limit: number, leaseMs: number, filter: { destination?: string } = {}): Delivery[] {
  const params = { now: now.toISOString(), lease: new Date(now.getTime() + leaseMs).toISOString(), limit, destination: filter.destination ?? null };
  // Two statements rather than `(@destination IS NULL OR destination = @destination)`, which keeps SQLite from using the
  // destination index: a worker claims per destination, and 1,000 destinations must not mean 1,000 table scans.
  const scope = filter.destination === undefined ? '' : 'destination = @destination AND';
  const rows = db
    .prepare(
      `UPDATE deliveries SET status = 'sending', lease_until = @lease, attempts = attempts + 1
       WHERE id IN (SELECT id FROM deliveries WHERE ${scope} ${DUE} ORDER BY next_attempt_at, id LIMIT @limit)
       RETURNING *`,
    )
    .all(params) as DeliveryRow[];
  return rows.map(toDelivery).sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id - b.id));
}

/** Destinations with at least one due delivery at `now`. */
export function dueDestinations(db: Db, now: Date): string[] {
  return db.prepare(`SELECT DISTINCT destination FROM deliveries WHERE ${DUE} ORDER BY destination`).pluck().all({ now: now.toISOString() }) as string[];
}

/** Earliest time a delivery (optionally to one destination) becomes due (pending next attempt or expiring lease), or null when nothing waits. */
export function nextDueAt(db: Db, filter: { destination?: string } = {}): string | null {
  // As in claimDue, a separate statement per scope keeps the destination index usable.
  const scope = filter.destination === undefined ? '' : 'destination = @destination AND';
  return (
    (db
      .prepare(
        `SELECT MIN(t) FROM (SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE ${scope} status = 'pending'
                             UNION ALL SELECT MIN(lease_until) FROM deliveries WHERE ${scope} status = 'sending')`,
      )
      .pluck()
      .get(filter.destination === undefined ? {} : { destination: filter.destination }) as string | null) ?? null
  );
}

/** Records a successful send with the platform's message id. A delivery already recorded as sent keeps its first id. Returns whether the row changed. */
export function markSent(db: Db, id: number, messageId: string, at: Date): boolean {
  return (
    db
      .prepare(
        `UPDATE deliveries SET status = 'sent', platform_message_id = ?, sent_at = ?, lease_until = NULL, failed_at = NULL WHERE id = ? AND status != 'sent'`,
      )
      .run(messageId, at.toISOString(), id).changes > 0
  );
}

/** Puts a claimed delivery back to pending, due again at `nextAt`. Only a row still `sending` changes. */
export function markRetry(db: Db, id: number, error: string, nextAt: Date): boolean {
  return (
    db
      .prepare(`UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ?, lease_until = NULL WHERE id = ? AND status = 'sending'`)
      .run(boundError(error), nextAt.toISOString(), id).changes > 0
  );
}

/** Gives a claimed or pending delivery up: failed, with the error. A sent delivery stays sent. */
export function markFailed(db: Db, id: number, error: string, at: Date): boolean {
  return (
    db
      .prepare(`UPDATE deliveries SET status = 'failed', last_error = ?, failed_at = ?, lease_until = NULL WHERE id = ? AND status IN ('pending', 'sending')`)
      .run(boundError(error), at.toISOString(), id).changes > 0
  );
}

export function getDelivery(db: Db, id: number): Delivery | null {
  const row = db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
  return row ? toDelivery(row) : null;
}

/** Deliveries by status, for status pages and metrics. */
export function deliveryCounts(db: Db): Record<DeliveryStatus, number> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as Array<{ status: DeliveryStatus; n: number }>) {
    counts[r.status] = r.n;
  }
  return counts;
}

/** One line of the audit trail: a delivery with what it was about. */
export interface DeliveryRecord {
  id: number;
  idempotencyKey: string;
  kind: DeliveryKind;
  destination: string;
  subscriptionId: number | null;
  /** What was detected: the event (null for digests). */
  eventId: string | null;
  eventKind: EventKind | null;
  severity: Severity;
  topics: string[];
  register: string | null;
  /** From which notice (null when not notice-based). */
  noticeKey: string | null;
  occurredAt: string | null;
  digestKey: string | null;
  title: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  platformMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
}

interface RecordRow {
  id: number;
  idempotency_key: string;
  kind: DeliveryKind;
  destination: string;
  subscription_id: number | null;
  event_id: string | null;
  event_kind: EventKind | null;
  severity: Severity;
  topics: string | null;
  register: string | null;
  notice_key: string | null;
  occurred_at: string | null;
  digest_key: string | null;
  title: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  platform_message_id: string | null;
  created_at: string;
  sent_at: string | null;
  failed_at: string | null;
}

/**
 * The audit trail of deliveries, oldest first: created at or after `since` (an ISO date or timestamp) and before
 * `until` when given, joined with their events (what was detected, from which notice).
 */
export function listDeliveries(db: Db, filter: { since?: string | undefined; until?: string | undefined; limit?: number | undefined } = {}): DeliveryRecord[] {
  const rows = db
    .prepare(
      `SELECT d.id, d.idempotency_key, d.kind, d.destination, d.subscription_id, d.event_id, e.kind AS event_kind,
              COALESCE(e.severity, json_extract(d.message, '$.severity')) AS severity, e.topics, e.register, e.notice_key, e.occurred_at,
              d.digest_key, json_extract(d.message, '$.title') AS title, d.status, d.attempts, d.last_error, d.platform_message_id,
              d.created_at, d.sent_at, d.failed_at
       FROM deliveries d LEFT JOIN events e ON e.id = d.event_id
       WHERE (@since IS NULL OR d.created_at >= @since) AND (@until IS NULL OR d.created_at < @until)
       ORDER BY d.created_at, d.id
       LIMIT @limit`,
    )
    .all({ since: filter.since ?? null, until: filter.until ?? null, limit: filter.limit ?? -1 }) as RecordRow[];
  return rows.map((r) => ({
    id: r.id,
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    destination: r.destination,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventKind: r.event_kind,
    severity: r.severity,
    topics: r.topics === null ? [] : readStrings(r.topics),
    register: r.register,
    noticeKey: r.notice_key,
    occurredAt: r.occurred_at,
    digestKey: r.digest_key,
    title: r.title ?? '',
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    platformMessageId: r.platform_message_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    failedAt: r.failed_at,
  }));
}
