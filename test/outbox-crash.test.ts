// Kill -9 the outbox worker at several points and restart it: every delivery ends up sent, the receiver sees every
// idempotency key, and the only duplicates are re-sends of the same key (a send cut off before it was recorded).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../adapters/webhook/index.js';
import type { AlertEvent } from '../src/alerts/types.js';
import { openDatabase } from '../storage/db.js';
import { listDeliveries, recordEvent } from '../storage/outbox.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'test', 'fixtures', 'outbox-worker.ts');
const SECRET = 'crash-test-secret';
const EVENTS = 20;
const DESTINATIONS = ['/a', '/b', '/c'];
const SLOW_MS = 100;

interface Arrival {
  key: string;
  run: number;
}

let dir: string;
let server: Server;
let url = '';
const arrivals: Arrival[] = [];
const answered = new Map<string, string[]>();
let badSignatures = 0;
let run = 0;
/** Called on each request's arrival (before the slow answer) with the number of requests of the current run. */
let onArrival: (n: number) => void = () => undefined;
/** Called after each answer with the number of answers of the current run. */
let onAnswered: (n: number) => void = () => undefined;
let arrivedThisRun = 0;
let answeredThisRun = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-crash-'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifyWebhookSignature(SECRET, String(req.headers['x-exportwatch-timestamp']), body, String(req.headers['x-exportwatch-signature']), new Date())) {
        badSignatures += 1;
      }
      const key = String(req.headers['x-exportwatch-delivery']);
      const arrivedIn = run;
      arrivals.push({ key, run: arrivedIn });
      arrivedThisRun += 1;
      onArrival(arrivedThisRun);
      setTimeout(() => {
        const id = `rcv-${arrivals.length}-${key.slice(0, 8)}`;
        answered.set(key, [...(answered.get(key) ?? []), id]);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        if (arrivedIn !== run) return; // a request of a worker already killed
        answeredThisRun += 1;
        onAnswered(answeredThisRun);
      }, SLOW_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function startWorker(dbPath: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  run += 1;
  arrivedThisRun = 0;
  answeredThisRun = 0;
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dbPath, url], {
    cwd: ROOT,
    env: { ...process.env, WEBHOOK_SECRET: SECRET, DELIVERY_RETRY_BASE_MS: '20', OUTBOX_LEASE_MS: '400' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

function event(i: number): AlertEvent {
  return {
    id: `news:${i}`,
    kind: 'news',
    severity: 'info',
    topics: ['rare-earths'],
    text: 'rare earth',
    register: null,
    noticeKey: null,
    operator: false,
    message: { title: `News ${i}`, severity: 'info', subtitle: null, links: [], sections: [], omitted: 0, context: [] },
    occurredAt: new Date().toISOString(),
  };
}

describe('outbox across SIGKILL', () => {
  it('delivers every message, re-sending only with the same idempotency key', async () => {
    const dbPath = join(dir, 'crash.db');
    const db = openDatabase(dbPath);
    for (let i = 0; i < EVENTS; i++)
      recordEvent(
        db,
        event(i),
        DESTINATIONS.map((p) => ({ destination: `webhook:${url}${p}`, subscriptionId: null })),
      );
    const total = EVENTS * DESTINATIONS.length;
    expect(listDeliveries(db)).toHaveLength(total);

    // 1. killed while sends are in flight: the receiver has the request, the worker never records the answer
    let w = startWorker(dbPath);
    onArrival = (n) => {
      if (n === 3) w.child.kill('SIGKILL');
    };
    expect((await w.exited).signal).toBe('SIGKILL');

    // 2. killed just after answers arrive: between the platform accepting and the worker marking sent
    w = startWorker(dbPath);
    onArrival = () => undefined;
    onAnswered = (n) => {
      if (n === 8) w.child.kill('SIGKILL');
    };
    expect((await w.exited).signal).toBe('SIGKILL');

    // 3. killed at an arbitrary moment mid-run
    w = startWorker(dbPath);
    onAnswered = () => undefined;
    onArrival = (n) => {
      if (n === 1) setTimeout(() => w.child.kill('SIGKILL'), 230);
    };
    expect((await w.exited).signal).toBe('SIGKILL');

    // 4. killed right after start-up, before it can do much
    w = startWorker(dbPath);
    onArrival = () => undefined;
    setTimeout(() => w.child.kill('SIGKILL'), 150);
    expect((await w.exited).signal).toBe('SIGKILL');

    // 5. left to finish
    w = startWorker(dbPath);
    const last = await w.exited;
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);

    const rows = listDeliveries(db);
    db.close();
    expect(rows.every((d) => d.status === 'sent')).toBe(true);
    const keys = new Set(rows.map((d) => d.idempotencyKey));
    expect(keys.size).toBe(total);
    const seen = new Set(arrivals.map((a) => a.key));
    expect(seen).toEqual(keys);
    for (const d of rows) expect(answered.get(d.idempotencyKey)).toContain(d.platformMessageId);
    expect(badSignatures).toBe(0);

    const duplicates = arrivals.length - seen.size;
    const perRun = Array.from({ length: run }, (_, i) => arrivals.filter((a) => a.run === i + 1).length);
    console.log(
      `outbox crash test: ${total} deliveries, ${arrivals.length} requests, ${duplicates} re-sends of an already seen key; requests per run ${perRun.join('/')}`,
    );
    // the first kill cut at least one send off after the receiver had it: that one came again, with its key
    expect(duplicates).toBeGreaterThanOrEqual(1);
    // a re-send only ever happens for a send cut off by a kill: at most the sends in flight (concurrency 4) per kill
    expect(duplicates).toBeLessThanOrEqual(4 * 4);
  });
});
