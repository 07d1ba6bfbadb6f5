import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../src/alerts/message.js';
import type { AlertEvent } from '../src/alerts/types.js';
import { openDatabase, type Db } from './db.js';
import {
  claimDue,
  deliveryCounts,
  dueDestinations,
  enqueueDigest,
  eventDeliveryKey,
  getDelivery,
  listDeliveries,
  markFailed,
  markRetry,
  markSent,
  nextDueAt,
  onDeliveriesQueued,
  recordEvent,
} from './outbox.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-outbox-'));
  db = openDatabase(join(dir, 'test.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(title: string): Message {
  return { title, severity: 'high', subtitle: null, links: [{ label: 'MOFCOM', url: 'https://www.mofcom.gov.cn/x' }], sections: [], omitted: 0, context: [] };
}

function event(id: string): AlertEvent {
  return {
    id,
    kind: 'change-set',
    severity: 'high',
    topics: ['rare-earths'],
    text: '稀土 rare earth',
    register: 'tech-catalogue',
    noticeKey: 'MOFCOM-2025-61',
    operator: false,
    message: message(`Event ${id}`),
    occurredAt: '2026-05-04T08:00:00.000Z',
  };
}

const T0 = new Date('2026-05-04T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const DESTS = [
  { destination: 'console:a', subscriptionId: 1 },
  { destination: 'console:b', subscriptionId: 2 },
];

describe('recordEvent', () => {
  it('queues one delivery per destination, idempotently', () => {
    const first = recordEvent(db, event('changes:1'), DESTS, T0);
    expect(first.eventCreated).toBe(true);
    expect(first.deliveryIds).toHaveLength(2);
    const again = recordEvent(db, event('changes:1'), DESTS, at(1000));
    expect(again).toEqual({ eventCreated: false, deliveryIds: [] });
    expect(db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get()).toBe(2);
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(1);
    // a destination not queued before is added
    expect(recordEvent(db, event('changes:1'), [...DESTS, { destination: 'console:c', subscriptionId: 3 }], T0).deliveryIds).toHaveLength(1);
    const d = getDelivery(db, first.deliveryIds[0]!)!;
    expect(d).toMatchObject({
      idempotencyKey: eventDeliveryKey('changes:1', 'console:a'),
      status: 'pending',
      attempts: 0,
      kind: 'event',
      eventId: 'changes:1',
    });
    expect(d.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    expect(d.message.title).toBe('Event changes:1');
  });

  it('joins the caller’s transaction: rolled back together', () => {
    db.exec('CREATE TABLE caller_state (x INTEGER)');
    const tx = db.transaction(() => {
      db.prepare('INSERT INTO caller_state VALUES (1)').run();
      recordEvent(db, event('changes:2'), DESTS, T0);
      throw new Error('boom');
    });
    expect(() => tx()).toThrow('boom');
    expect(db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
    db.transaction(() => {
      db.prepare('INSERT INTO caller_state VALUES (1)').run();
      recordEvent(db, event('changes:2'), DESTS, T0);
    })();
    expect(db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get()).toBe(2);
  });
});

describe('enqueueDigest', () => {
  it('is idempotent on digest key + destination', () => {
    const d = { digestKey: 'sub:1:weekly:2026-W19', destination: 'console:a', subscriptionId: 1, message: message('Weekly digest') };
    const a = enqueueDigest(db, d, T0);
    const b = enqueueDigest(db, d, T0);
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(enqueueDigest(db, { ...d, destination: 'console:b' }, T0).created).toBe(true);
    expect(getDelivery(db, a.id)).toMatchObject({ kind: 'digest', digestKey: 'sub:1:weekly:2026-W19', eventId: null });
  });
});

describe('claiming and marking', () => {
  it('claims due rows once, with a lease, and takes back rows whose lease expired', () => {
    recordEvent(db, event('changes:1'), DESTS, T0);
    recordEvent(db, event('changes:2'), DESTS, at(10));
    expect(claimDue(db, at(-1), 10, 1000)).toEqual([]);
    expect(dueDestinations(db, at(100))).toEqual(['console:a', 'console:b']);
    const first = claimDue(db, at(100), 3, 1000);
    expect(first.map((d) => [d.eventId, d.destination])).toEqual([
      ['changes:1', 'console:a'],
      ['changes:1', 'console:b'],
      ['changes:2', 'console:a'],
    ]);
    expect(first.every((d) => d.status === 'sending' && d.attempts === 1 && d.leaseUntil === at(1100).toISOString())).toBe(true);
    const second = claimDue(db, at(200), 10, 1000);
    expect(second.map((d) => d.eventId)).toEqual(['changes:2']);
    expect(claimDue(db, at(300), 10, 1000)).toEqual([]);
    // the worker that held the first three crashed: after the lease they are due again
    const again = claimDue(db, at(1100), 10, 1000);
    expect(again.map((d) => d.id).sort()).toEqual(first.map((d) => d.id).sort());
    expect(again.every((d) => d.attempts === 2)).toBe(true);
    // one destination only
    expect(claimDue(db, at(5000), 10, 1000, { destination: 'console:b' }).map((d) => d.destination)).toEqual(['console:b', 'console:b']);
  });

  it('marks sent, retry and failed; retry and failed only touch rows still being sent', () => {
    const ids = recordEvent(db, event('changes:1'), [...DESTS, { destination: 'console:c', subscriptionId: null }], T0).deliveryIds;
    const [a, b, c] = ids as [number, number, number];
    claimDue(db, T0, 10, 1000);
    expect(markSent(db, a, 'console-1', at(10))).toBe(true);
    expect(markSent(db, a, 'console-2', at(20))).toBe(false);
    expect(markRetry(db, a, 'late', at(30))).toBe(false);
    expect(markFailed(db, a, 'late', at(30))).toBe(false);
    expect(getDelivery(db, a)).toMatchObject({ status: 'sent', platformMessageId: 'console-1', sentAt: at(10).toISOString(), leaseUntil: null });

    expect(markRetry(db, b, 'HTTP 500', at(5000))).toBe(true);
    expect(getDelivery(db, b)).toMatchObject({ status: 'pending', lastError: 'HTTP 500', nextAttemptAt: at(5000).toISOString(), attempts: 1 });
    expect(nextDueAt(db)).toBe(at(1000).toISOString()); // c's lease
    expect(markFailed(db, c, 'HTTP 404', at(40))).toBe(true);
    expect(nextDueAt(db)).toBe(at(5000).toISOString());
    expect(getDelivery(db, c)).toMatchObject({ status: 'failed', lastError: 'HTTP 404', failedAt: at(40).toISOString() });
    expect(markFailed(db, b, 'x'.repeat(5000), at(50))).toBe(true);
    expect(getDelivery(db, b)!.lastError).toHaveLength(1000);
    expect(deliveryCounts(db)).toEqual({ pending: 0, sending: 0, sent: 1, failed: 2 });
  });

  it('tells listeners in this process when deliveries are queued, not when nothing new is', () => {
    const told: Db[] = [];
    const off = onDeliveriesQueued((d) => told.push(d));
    recordEvent(db, event('changes:1'), DESTS, T0);
    recordEvent(db, event('changes:1'), DESTS, T0); // already queued
    off();
    recordEvent(db, event('changes:2'), DESTS, T0);
    expect(told).toEqual([db]);
  });

  it('tells when one destination is next due', () => {
    const [a, b] = recordEvent(db, event('changes:1'), DESTS, T0).deliveryIds as [number, number];
    claimDue(db, T0, 10, 1000);
    expect(markRetry(db, a, 'HTTP 429', at(2000))).toBe(true);
    const destA = getDelivery(db, a)!.destination;
    const destB = getDelivery(db, b)!.destination;
    expect(nextDueAt(db, { destination: destA })).toBe(at(2000).toISOString());
    expect(nextDueAt(db, { destination: destB })).toBe(at(1000).toISOString()); // b's lease
    expect(nextDueAt(db, { destination: 'console:nowhere' })).toBeNull();
    expect(nextDueAt(db)).toBe(at(1000).toISOString());
  });
});

describe('listDeliveries', () => {
  it('gives the audit trail with what was detected and from which notice', () => {
    const [a] = recordEvent(db, event('changes:1'), DESTS, T0).deliveryIds as [number];
    enqueueDigest(db, { digestKey: 'sub:1:weekly:2026-W19', destination: 'console:a', subscriptionId: 1, message: message('Weekly digest') }, at(60_000));
    claimDue(db, T0, 1, 1000);
    markSent(db, a, 'console-7', at(5));
    const all = listDeliveries(db);
    expect(all).toHaveLength(3);
    expect(all[0]).toMatchObject({
      id: a,
      kind: 'event',
      destination: 'console:a',
      subscriptionId: 1,
      eventId: 'changes:1',
      eventKind: 'change-set',
      severity: 'high',
      topics: ['rare-earths'],
      register: 'tech-catalogue',
      noticeKey: 'MOFCOM-2025-61',
      occurredAt: '2026-05-04T08:00:00.000Z',
      title: 'Event changes:1',
      status: 'sent',
      platformMessageId: 'console-7',
      sentAt: at(5).toISOString(),
    });
    expect(all[2]).toMatchObject({ kind: 'digest', digestKey: 'sub:1:weekly:2026-W19', eventId: null, noticeKey: null, title: 'Weekly digest', topics: [] });
    expect(listDeliveries(db, { since: at(1000).toISOString() }).map((d) => d.kind)).toEqual(['digest']);
    expect(listDeliveries(db, { since: '2026-05-04' })).toHaveLength(3);
    expect(listDeliveries(db, { since: '2026-05-05' })).toHaveLength(0);
    expect(listDeliveries(db, { until: at(1000).toISOString() })).toHaveLength(2);
  });
});
