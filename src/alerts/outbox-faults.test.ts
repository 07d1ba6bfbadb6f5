// The outbox worker when its database cannot take a write: a send that went out is recorded once the lock goes (never
// sent again for want of its record); a full database is not waited on; a paused worker leaves the database alone.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { openDatabase, type Db } from '../../storage/db.js';
import { getDelivery, recordEvent } from '../../storage/outbox.js';
import type { Message } from './message.js';
import { createOutboxWorker } from './outbox.js';
import type { AlertEvent, DeliveryAdapter } from './types.js';

const message: Message = { title: 'Event', severity: 'high', subtitle: null, links: [], sections: [], omitted: 0, context: [] };
const event: AlertEvent = {
  id: 'news:1',
  kind: 'news',
  severity: 'high',
  topics: [],
  text: '',
  register: null,
  noticeKey: null,
  operator: false,
  message,
  occurredAt: '2026-05-04T08:00:00.000Z',
};

let dir: ReturnType<typeof tempDir>;
let path: string;
let db: Db;
let other: Database.Database | null;

beforeEach(() => {
  dir = tempDir('exportwatch-outbox-faults-');
  path = join(dir.path, 'outbox.db');
  db = openDatabase(path);
  other = null;
});

afterEach(() => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  db.close();
  dir.remove();
});

describe('the outbox worker and storage faults', () => {
  it('records a send made just before another process took the write lock once the lock goes, and does not send it again', async () => {
    const [id] = recordEvent(db, event, [{ destination: 'console:ops', subscriptionId: null }]).deliveryIds;
    // Fail fast instead of waiting the 5 s busy timeout.
    db.pragma('busy_timeout = 20');
    let sends = 0;
    const adapter: DeliveryAdapter = {
      platform: 'console',
      send: async () => {
        sends += 1;
        // Another process takes the write lock while the message is on its way, and keeps it for a while.
        other = new Database(path);
        other.exec('BEGIN IMMEDIATE');
        setTimeout(() => other!.exec('COMMIT'), 300);
        return { messageId: 'm-1' };
      },
    };
    const errors: unknown[] = [];
    const worker = createOutboxWorker({ db, adapters: { console: adapter }, onError: (e) => errors.push(e) });
    const result = await worker.runOnce();
    expect(result).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(sends).toBe(1);
    expect(getDelivery(db, id!)).toMatchObject({ status: 'sent', platformMessageId: 'm-1', attempts: 1 });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => (e as { code?: string }).code === 'SQLITE_BUSY')).toBe(true);
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  it('does not wait on a full database: the run fails and the delivery stays claimed, to be sent again with its key', async () => {
    const [id] = recordEvent(db, event, [{ destination: 'console:ops', subscriptionId: null }]).deliveryIds;
    // The disk fills up while the message is on its way: recording it as sent fails with SQLITE_FULL.
    let full = false;
    const faulty = new Proxy(db, {
      get(target, prop) {
        if (prop === 'prepare')
          return (sql: string) =>
            full && sql.includes("SET status = 'sent'")
              ? {
                  run: () => {
                    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
                  },
                }
              : target.prepare(sql);
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const errors: unknown[] = [];
    const adapter: DeliveryAdapter = { platform: 'console', send: async () => ((full = true), { messageId: 'm-1' }) };
    const worker = createOutboxWorker({ db: faulty, adapters: { console: adapter }, onError: (e) => errors.push(e) });
    await expect(worker.runOnce()).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    expect(errors).toEqual([]);
    expect(getDelivery(db, id!)).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('leaves the database alone while paused', async () => {
    recordEvent(db, event, [{ destination: 'console:ops', subscriptionId: null }]);
    let paused = true;
    let sends = 0;
    const worker = createOutboxWorker({
      db,
      adapters: { console: { platform: 'console', send: async () => ((sends += 1), { messageId: 'm' }) } },
      pollIntervalMs: 10,
      paused: () => paused,
    });
    worker.start();
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(sends).toBe(0);
      paused = false;
      const end = Date.now() + 5000;
      while (sends === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(sends).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});
