import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleDeliveryAdapter } from '../../adapters/console/adapter.js';
import { createWebhookAdapter, verifyWebhookSignature } from '../../adapters/webhook/index.js';
import { openDatabase, type Db } from '../../storage/db.js';
import { claimDue, deliveryCounts, getDelivery, listDeliveries, recordEvent } from '../../storage/outbox.js';
import type { Message } from './message.js';
import { createOutboxWorker, retryBaseFromEnv, retryDelay, type DeliveryFailure } from './outbox.js';
import type { AlertEvent } from './types.js';

const SECRET = 'worker-test-secret';

function event(id: string): AlertEvent {
  const message: Message = { title: `Event ${id}`, severity: 'high', subtitle: null, links: [], sections: [], omitted: 0, context: [] };
  return {
    id,
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
}

interface Arrival {
  path: string;
  key: string;
  at: number;
  attempt: number;
}

/** A webhook receiver on 127.0.0.1:0 whose answer depends on the path and on how often it saw a delivery key. */
class Receiver {
  server: Server;
  url = '';
  arrivals: Arrival[] = [];
  /** Deliveries acknowledged with 2xx: key → the message id given. */
  acknowledged = new Map<string, string[]>();
  badSignatures = 0;
  private attempts = new Map<string, number>();
  constructor(private behaviour: (a: Arrival, res: ServerResponse, ok: () => void) => void) {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const key = String(req.headers['x-exportwatch-delivery']);
        if (!verifyWebhookSignature(SECRET, String(req.headers['x-exportwatch-timestamp']), body, String(req.headers['x-exportwatch-signature']), new Date())) {
          this.badSignatures += 1;
        }
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        const arrival = { path: req.url ?? '', key, at: performance.now(), attempt };
        this.arrivals.push(arrival);
        this.behaviour(arrival, res, () => {
          const id = `rcv-${this.arrivals.length}`;
          this.acknowledged.set(key, [...(this.acknowledged.get(key) ?? []), id]);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        });
      });
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let dir: string;
let db: Db;
let receiver: Receiver | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-worker-'));
  db = openDatabase(join(dir, 'test.db'));
});
afterEach(async () => {
  await receiver?.close();
  receiver = null;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const webhook = () => createWebhookAdapter({ secret: SECRET, allowlist: ['127.0.0.1'], timeoutMs: 2000 });

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('outbox worker', () => {
  it('delivers every delivery exactly once through failures, delays and 429s, and records the message ids', async () => {
    let firstAttempts = 0;
    let unavailableSent = false;
    let unavailableAt = 0;
    receiver = await new Receiver((a, res, ok) => {
      if (a.attempt === 1) {
        const n = firstAttempts++ % 4;
        if (n === 0) res.writeHead(500).end('try again');
        else if (n === 1) setTimeout(ok, 80);
        else if (n === 2) res.writeHead(429, { 'retry-after': '0' }).end();
        else ok();
      } else if (a.path === '/a' && !unavailableSent) {
        unavailableSent = true;
        unavailableAt = a.at;
        res.writeHead(503, { 'retry-after': '1' }).end();
      } else ok();
    }).start();
    const dests = ['/a', '/b', '/c'].map((p) => ({ destination: `webhook:${receiver!.url}${p}`, subscriptionId: null }));
    for (let i = 0; i < 12; i++) recordEvent(db, event(`news:${i}`), dests);
    recordEvent(db, event('news:0'), dests); // recorded twice: nothing new
    expect(deliveryCounts(db).pending).toBe(36);

    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, retryBaseMs: 20, pollIntervalMs: 20, concurrency: 4 });
    worker.start();
    await until(() => deliveryCounts(db).sent === 36, 10_000);
    await worker.stop();

    expect(receiver.badSignatures).toBe(0);
    // the 503's Retry-After paused that destination: its next request came a second later
    expect(unavailableSent).toBe(true);
    const nextOnA = receiver.arrivals.find((x) => x.path === '/a' && x.at > unavailableAt);
    expect(nextOnA!.at - unavailableAt).toBeGreaterThanOrEqual(950);
    const keys = new Set(receiver.arrivals.map((a) => a.key));
    expect(keys.size).toBe(36);
    expect([...receiver.acknowledged.values()].every((ids) => ids.length === 1)).toBe(true);
    expect(receiver.acknowledged.size).toBe(36);
    expect(receiver.arrivals.length).toBeGreaterThan(36); // failures were retried
    for (const d of listDeliveries(db)) {
      expect(d.status).toBe('sent');
      expect(d.platformMessageId).toBe(receiver.acknowledged.get(d.idempotencyKey)?.[0]);
    }
    const retried = listDeliveries(db).filter((d) => d.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((d) => d.lastError !== null)).toBe(true);
  });

  it('fails a delivery still undelivered at the maximum age and reports it once', async () => {
    receiver = await new Receiver((a, res) => (a.path === '/gone' ? res.writeHead(410).end() : res.writeHead(500).end())).start();
    const t0 = new Date('2026-05-04T10:00:00Z').getTime();
    let clock = t0;
    const failures: DeliveryFailure[] = [];
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/down`, subscriptionId: 7 }], new Date(t0));
    const worker = createOutboxWorker({
      db,
      adapters: { webhook: webhook() },
      now: () => new Date(clock),
      retryBaseMs: 100,
      maxAgeMs: 60_000,
      onFailed: (f) => failures.push(f),
    });

    clock = t0 + 1000;
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 }); // not due yet
    clock = t0 + 30_000;
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    clock = t0 + 61_000;
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason: 'expired', delivery: { subscriptionId: 7 } });
    expect(failures[0]!.error).toMatch(/^undelivered after 1 min \(2 attempts\); last error: webhook 127\.0\.0\.1:\d+ answered 500/);
    expect(receiver.arrivals).toHaveLength(2);
    const d = listDeliveries(db)[0]!;
    expect(d).toMatchObject({ status: 'failed', failedAt: new Date(t0 + 61_000).toISOString() });

    // a permanent refusal fails at once
    recordEvent(db, event('news:2'), [{ destination: `webhook:${receiver.url}/gone`, subscriptionId: null }], new Date(clock));
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(failures.map((f) => f.reason)).toEqual(['expired', 'permanent']);
  });

  it('keeps the last retry within the maximum age', async () => {
    receiver = await new Receiver((_a, res) => res.writeHead(500).end()).start();
    const t0 = Date.parse('2026-05-04T10:00:00Z');
    let clock = t0;
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/down`, subscriptionId: null }], new Date(t0));
    const worker = createOutboxWorker({
      db,
      adapters: { webhook: webhook() },
      now: () => new Date(clock),
      retryBaseMs: 50_000,
      maxAgeMs: 60_000,
      random: () => 0.5,
    });
    clock = t0 + 40_000;
    await worker.runOnce();
    expect(listDeliveries(db)[0]?.status).toBe('pending');
    expect(getDelivery(db, 1)?.nextAttemptAt).toBe(new Date(t0 + 60_000).toISOString()); // capped at the deadline, not t0 + 90 s
    clock = t0 + 60_000;
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 }); // one last try, then given up
    expect(receiver.arrivals).toHaveLength(2);
  });

  it('spaces sends per destination while destinations proceed independently', async () => {
    receiver = await new Receiver((_a, _res, ok) => ok()).start();
    const a = `webhook:${receiver.url}/a`;
    const b = `webhook:${receiver.url}/b`;
    for (let i = 0; i < 3; i++) recordEvent(db, event(`news:${i}`), [{ destination: a, subscriptionId: null }]);
    for (let i = 0; i < 3; i++) recordEvent(db, event(`news:${i}`), [{ destination: b, subscriptionId: null }]);
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, perDestinationIntervalMs: { webhook: 150 } });
    const start = performance.now();
    expect(await worker.runOnce()).toEqual({ sent: 6, retried: 0, failed: 0 });
    const elapsed = performance.now() - start;
    const times = (p: string) => receiver!.arrivals.filter((x) => x.path === p).map((x) => x.at);
    for (const p of ['/a', '/b']) {
      const t = times(p);
      expect(t).toHaveLength(3);
      expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(140);
      expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(140);
    }
    // the lanes ran side by side: b's first send did not wait for a's spacing
    expect(Math.abs(times('/a')[0]! - times('/b')[0]!)).toBeLessThan(100);
    expect(elapsed).toBeLessThan(800);
  });

  it('does not let a rate-limited destination hold up another', async () => {
    receiver = await new Receiver((a, res, ok) => (a.path === '/limited' ? res.writeHead(429, { 'retry-after': '30' }).end() : ok())).start();
    const limited = `webhook:${receiver.url}/limited`;
    const free = `webhook:${receiver.url}/free`;
    for (let i = 0; i < 3; i++)
      recordEvent(db, event(`news:${i}`), [
        { destination: limited, subscriptionId: null },
        { destination: free, subscriptionId: null },
      ]);
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, concurrency: 1 });
    const start = performance.now();
    expect(await worker.runOnce()).toEqual({ sent: 3, retried: 1, failed: 0 });
    expect(performance.now() - start).toBeLessThan(1000);
    // the limited destination is paused: its other deliveries were not tried, and the next run leaves it alone
    expect(receiver.arrivals.filter((x) => x.path === '/limited')).toHaveLength(1);
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    const limitedRows = listDeliveries(db).filter((d) => d.destination === limited);
    expect(limitedRows.map((d) => d.status)).toEqual(['pending', 'pending', 'pending']);
    expect(limitedRows.map((d) => d.attempts)).toEqual([1, 0, 0]);
  });

  it('retries a 429 within a run still at work once its Retry-After has passed, not before', async () => {
    receiver = await new Receiver((a, res, ok) => (a.path === '/a' && a.attempt === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : ok())).start();
    const a = `webhook:${receiver.url}/a`;
    const busy = `webhook:${receiver.url}/busy`;
    recordEvent(db, event('news:0'), [{ destination: a, subscriptionId: null }]);
    for (let i = 0; i < 4; i++) recordEvent(db, event(`news:${i}`), [{ destination: busy, subscriptionId: null }]);
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, perDestinationIntervalMs: { webhook: 500 } });
    // /busy keeps the run at work for 1.5 s (four sends 500 ms apart): /a's retry goes out in it
    expect(await worker.runOnce()).toEqual({ sent: 5, retried: 1, failed: 0 });
    const [first, second] = receiver.arrivals.filter((x) => x.path === '/a');
    expect(receiver.arrivals.filter((x) => x.path === '/a')).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
    expect(second!.at - first!.at).toBeLessThan(1400);
  });

  it('does not make a run last longer to wait out a Retry-After: the retry is left to a later run', async () => {
    receiver = await new Receiver((a, res, ok) => (a.attempt === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : ok())).start();
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/a`, subscriptionId: null }]);
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/b`, subscriptionId: null }]);
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() } });
    const start = performance.now();
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 2, failed: 0 });
    expect(performance.now() - start).toBeLessThan(500);
    expect(receiver.arrivals).toHaveLength(2);
  });

  it('does not grow the backoff of a later failure for 429s', async () => {
    receiver = await new Receiver((a, res) => (a.attempt <= 2 ? res.writeHead(429, { 'retry-after': '0' }).end() : res.writeHead(500).end())).start();
    const t0 = Date.parse('2026-05-04T10:00:00Z');
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/a`, subscriptionId: null }], new Date(t0));
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, now: () => new Date(t0), retryBaseMs: 10_000, random: () => 0.5 });
    // two 429s (Retry-After: 0, retried at once in the run), then a 500: its delay is the first failure's, the base
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 3, failed: 0 });
    expect(receiver.arrivals).toHaveLength(3);
    // every try is counted, but the backoff is the first failure's: the base, not 4 × the base
    expect(getDelivery(db, 1)).toMatchObject({ status: 'pending', attempts: 3, nextAttemptAt: new Date(t0 + 10_000).toISOString() });
  });

  it('claims after taking a concurrency slot, and sends a retry before the first tries still waiting', async () => {
    let sendingAtFirst = -1;
    receiver = await new Receiver((a, res, ok) => {
      if (sendingAtFirst < 0) sendingAtFirst = deliveryCounts(db).sending;
      if (a.path === '/d00' && a.attempt === 1) res.writeHead(500).end();
      else setTimeout(ok, 25);
    }).start();
    const dests = Array.from({ length: 20 }, (_, n) => ({ destination: `webhook:${receiver!.url}/d${String(n).padStart(2, '0')}`, subscriptionId: null }));
    recordEvent(db, event('news:1'), dests);
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, concurrency: 1, retryBaseMs: 40, random: () => 0.5 });
    expect(await worker.runOnce()).toEqual({ sent: 20, retried: 1, failed: 0 });
    // only the delivery being sent was claimed: the other 19 were still pending
    expect(sendingAtFirst).toBe(1);
    const order = receiver.arrivals.map((a) => a.path);
    expect(order).toHaveLength(21);
    // the retry (due 40 ms after the failure) went ahead of the first tries queued before it
    expect(order.lastIndexOf('/d00')).toBeLessThan(6);
  });

  it('wakes when deliveries are queued instead of waiting for its next poll', async () => {
    receiver = await new Receiver((_a, _res, ok) => ok()).start();
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, pollIntervalMs: 60_000 });
    worker.start();
    await new Promise((r) => setTimeout(r, 50)); // the first poll found nothing; the next is a minute away
    const queuedAt = performance.now();
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/a`, subscriptionId: null }]);
    await until(() => deliveryCounts(db).sent === 1, 5000);
    expect(receiver.arrivals[0]!.at - queuedAt).toBeLessThan(1000);
    await worker.stop();
    // a stopped worker is not woken
    recordEvent(db, event('news:2'), [{ destination: `webhook:${receiver.url}/a`, subscriptionId: null }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(deliveryCounts(db)).toMatchObject({ sent: 1, pending: 1 });
  });

  it('ends a lane after its last delivery instead of waiting out its spacing', async () => {
    receiver = await new Receiver((_a, _res, ok) => ok()).start();
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/a`, subscriptionId: null }]);
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, perDestinationIntervalMs: { webhook: 3000 } });
    const start = performance.now();
    expect(await worker.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(performance.now() - start).toBeLessThan(1500);
  });

  it('sends through the console adapter, waits for missing adapters and fails bad destinations', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    recordEvent(db, event('news:1'), [
      { destination: 'console:ops', subscriptionId: 1 },
      { destination: 'slack:T1/C1', subscriptionId: 2 },
      { destination: 'carrier-pigeon:home', subscriptionId: 3 },
    ]);
    const failures: DeliveryFailure[] = [];
    const worker = createOutboxWorker({ db, adapters: { console: createConsoleDeliveryAdapter(out) }, retryBaseMs: 10_000, onFailed: (f) => failures.push(f) });
    expect(await worker.runOnce()).toEqual({ sent: 1, retried: 1, failed: 1 });
    expect(printed).toContain('Event news:1');
    const rows = listDeliveries(db);
    expect(rows.map((d) => [d.destination, d.status, d.platformMessageId])).toEqual([
      ['console:ops', 'sent', 'console-1'],
      ['slack:T1/C1', 'pending', null],
      ['carrier-pigeon:home', 'failed', null],
    ]);
    expect(rows[1]?.lastError).toBe('no slack adapter is configured');
    expect(failures[0]?.error).toMatch(/^invalid destination: unknown platform/);
  });

  it('takes over a delivery whose claim expired (a crashed worker) and resends it with the same key', async () => {
    receiver = await new Receiver((_a, _res, ok) => ok()).start();
    recordEvent(db, event('news:1'), [{ destination: `webhook:${receiver.url}/x`, subscriptionId: null }]);
    const [stuck] = claimDue(db, new Date(), 1, 100); // claimed by a worker that then died
    const worker = createOutboxWorker({ db, adapters: { webhook: webhook() }, leaseMs: 100 });
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    await new Promise((r) => setTimeout(r, 120));
    expect(await worker.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(receiver.arrivals.map((a) => a.key)).toEqual([stuck!.idempotencyKey]);
    expect(getDelivery(db, stuck!.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('retry delays', () => {
  it('doubles from the base with jitter, capped', () => {
    expect(retryDelay(1, 5000, 3600_000, () => 0.5)).toBe(5000);
    expect(retryDelay(2, 5000, 3600_000, () => 0.5)).toBe(10_000);
    expect(retryDelay(4, 5000, 3600_000, () => 0.5)).toBe(40_000);
    expect(retryDelay(1, 5000, 3600_000, () => 0)).toBe(3750);
    expect(retryDelay(1, 5000, 3600_000, () => 0.999)).toBeLessThan(6250);
    expect(retryDelay(40, 5000, 3600_000, () => 0.9)).toBe(3600_000);
  });
  it('reads DELIVERY_RETRY_BASE_MS', () => {
    expect(retryBaseFromEnv({})).toBe(5000);
    expect(retryBaseFromEnv({ DELIVERY_RETRY_BASE_MS: '50' })).toBe(50);
    expect(retryBaseFromEnv({ DELIVERY_RETRY_BASE_MS: 'soon' })).toBe(5000);
  });
});
