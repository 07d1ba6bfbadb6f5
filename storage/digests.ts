// Which digests were queued: one row per subscription and period, so a digest is queued at most once
// however often the scheduler runs or restarts, and a digest missed while the service was down is
// caught up once, not replayed week by week.
import { digestPeriods, type DigestPeriod, type DigestSchedule } from '../src/alerts/digest-schedule.js';
import type { Subscription } from '../src/alerts/types.js';
import type { Db } from './db.js';

const DAY_MS = 86_400_000;

/**
 * Records that the digest of `periodKey` was queued for the subscription. False when it already was:
 * call it in the transaction that writes the digest's delivery, and write the delivery only on true.
 */
export function markDigestQueued(db: Db, subscriptionId: number, periodKey: string, at: Date): boolean {
  const result = db
    .prepare('INSERT INTO digest_runs (subscription_id, period_key, queued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
    .run(subscriptionId, periodKey, at.toISOString());
  return result.changes === 1;
}

export function isDigestQueued(db: Db, subscriptionId: number, periodKey: string): boolean {
  return db.prepare('SELECT 1 FROM digest_runs WHERE subscription_id = ? AND period_key = ?').pluck().get(subscriptionId, periodKey) !== undefined;
}

/** When the subscription's latest digest was queued, or null if it never was. */
export function lastDigestAt(db: Db, subscriptionId: number): Date | null {
  const at = db.prepare('SELECT MAX(queued_at) FROM digest_runs WHERE subscription_id = ?').pluck().get(subscriptionId) as string | null;
  return at === null ? null : new Date(at);
}

/**
 * The digest due for a subscription at `now`: at most one period, the latest digest moment in
 * (max(last queued, now − lookbackDays, created), now] not queued yet. After downtime that missed several
 * moments this is the most recent one only — one catch-up digest of its usual period at start-up, not a
 * flood of stale ones; what the skipped periods held is not repeated. The lookback (default 8 days, one
 * weekly period plus slack) bounds how old a missed digest may be and still be sent.
 * Empty for `immediate` subscriptions and when nothing is due.
 */
export function duePeriods(db: Db, sub: DigestSchedule & Pick<Subscription, 'id' | 'createdAt'>, now: Date, lookbackDays = 8): DigestPeriod[] {
  const bounds = [now.getTime() - lookbackDays * DAY_MS];
  const last = lastDigestAt(db, sub.id);
  if (last) bounds.push(last.getTime());
  const created = Date.parse(sub.createdAt);
  if (!Number.isNaN(created)) bounds.push(created);
  const after = new Date(Math.max(...bounds));
  const pending = digestPeriods(sub, after, now).filter((p) => !isDigestQueued(db, sub.id, p.key));
  const latest = pending[pending.length - 1];
  return latest ? [latest] : [];
}
