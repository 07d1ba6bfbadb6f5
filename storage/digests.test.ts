import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from '../src/alerts/types.js';
import { openDatabase, type Db } from './db.js';
import { duePeriods, isDigestQueued, lastDigestAt, markDigestQueued } from './digests.js';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-digests-'));
  db = openDatabase(join(dir, 'test.db'));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

type DigestSub = Pick<Subscription, 'id' | 'mode' | 'digestDay' | 'digestHour' | 'digestMinute' | 'timezone' | 'createdAt'>;
// Mondays 09:00 in Berlin (08:00 UTC in winter)
const sub: DigestSub = { id: 7, mode: 'weekly', digestDay: 1, digestHour: 9, digestMinute: 0, timezone: 'Europe/Berlin', createdAt: '2026-10-01T00:00:00Z' };

describe('digest runs', () => {
  it('queues a digest once per subscription and period', () => {
    expect(markDigestQueued(db, 7, '2026-11-30/weekly', new Date('2026-11-30T08:00:05Z'))).toBe(true);
    expect(markDigestQueued(db, 7, '2026-11-30/weekly', new Date('2026-11-30T08:01:00Z'))).toBe(false);
    expect(markDigestQueued(db, 8, '2026-11-30/weekly', new Date('2026-11-30T08:01:00Z'))).toBe(true);
    expect(isDigestQueued(db, 7, '2026-11-30/weekly')).toBe(true);
    expect(lastDigestAt(db, 7)?.toISOString()).toBe('2026-11-30T08:00:05.000Z');
    expect(lastDigestAt(db, 9)).toBeNull();
  });

  it('stays idempotent when the insert and the delivery share a transaction that is rolled back', () => {
    const queue = db.transaction((fail: boolean) => {
      const fresh = markDigestQueued(db, 7, '2026-11-30/weekly', new Date('2026-11-30T08:00:00Z'));
      if (fail) throw new Error('outbox write failed');
      return fresh;
    });
    expect(() => queue(true)).toThrow('outbox write failed');
    expect(isDigestQueued(db, 7, '2026-11-30/weekly')).toBe(false);
    expect(queue(false)).toBe(true);
    expect(queue(false)).toBe(false);
  });
});

describe('duePeriods', () => {
  it('is due at the digest moment, then not again once queued', () => {
    markDigestQueued(db, 7, '2026-11-23/weekly', new Date('2026-11-23T08:00:00Z'));
    expect(duePeriods(db, sub, new Date('2026-11-30T07:59:59Z'))).toEqual([]);
    const [due] = duePeriods(db, sub, new Date('2026-11-30T08:00:00Z'));
    expect(due).toEqual({
      key: '2026-11-30/weekly',
      from: new Date('2026-11-23T08:00:00Z'),
      to: new Date('2026-11-30T08:00:00Z'),
      sendAt: new Date('2026-11-30T08:00:00Z'),
    });
    expect(markDigestQueued(db, 7, due!.key, new Date('2026-11-30T08:00:01Z'))).toBe(true);
    expect(duePeriods(db, sub, new Date('2026-11-30T08:05:00Z'))).toEqual([]);
    expect(duePeriods(db, sub, new Date('2026-12-06T23:00:00Z'))).toEqual([]);
  });

  it('after three missed weeks sends one digest at start-up, for the latest period only', () => {
    markDigestQueued(db, 7, '2026-11-02/weekly', new Date('2026-11-02T08:00:00Z'));
    // down from 2026-11-05 until Tuesday 2026-11-24 10:00: the digests of 11-09, 11-16 and 11-23 were missed
    const startUp = new Date('2026-11-24T10:00:00Z');
    const due = duePeriods(db, sub, startUp);
    expect(due.map((p) => p.key)).toEqual(['2026-11-23/weekly']);
    expect(markDigestQueued(db, 7, due[0]!.key, startUp)).toBe(true);
    // a second start-up (or scheduler tick) finds nothing more, and the next one is on time
    expect(duePeriods(db, sub, new Date('2026-11-24T10:00:30Z'))).toEqual([]);
    expect(duePeriods(db, sub, new Date('2026-11-30T08:00:00Z')).map((p) => p.key)).toEqual(['2026-11-30/weekly']);
  });

  it('catches up a daily subscription with one digest too', () => {
    const dailySub: DigestSub = { ...sub, id: 8, mode: 'daily', timezone: 'Asia/Shanghai' };
    markDigestQueued(db, 8, '2026-11-20/daily', new Date('2026-11-20T01:00:00Z'));
    expect(duePeriods(db, dailySub, new Date('2026-11-25T12:00:00Z')).map((p) => p.key)).toEqual(['2026-11-25/daily']);
  });

  it('does not send a digest older than the lookback, nor one due before the subscription existed', () => {
    expect(duePeriods(db, sub, new Date('2026-12-10T08:00:00Z'), 1)).toEqual([]); // last moment 2026-12-07, 3 days ago
    expect(duePeriods(db, { ...sub, createdAt: '2026-11-30T08:30:00Z' }, new Date('2026-12-01T08:00:00Z'))).toEqual([]);
    expect(duePeriods(db, { ...sub, createdAt: '2026-11-30T07:30:00Z' }, new Date('2026-12-01T08:00:00Z')).map((p) => p.key)).toEqual(['2026-11-30/weekly']);
  });

  it('sends nothing to immediate subscriptions', () => {
    expect(duePeriods(db, { ...sub, mode: 'immediate' }, new Date('2026-11-30T08:00:00Z'))).toEqual([]);
  });
});
