// Helpers of the whole-system suite: the real `exportwatch serve` as a child process, a seeded PRNG, and a signed
// webhook receiver that records every X-ExportWatch-Delivery key it is sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { verifyWebhookSignature } from '../../adapters/webhook/index.js';
import { openApp } from '../../src/app.js';
import { replayTimeline } from '../../src/demo.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'exportwatch.js');

/** The day of six MOFCOM notices (test/fixtures/mofcom-day) the system suites publish on the fake MOFCOM. */
export const DAY = join(import.meta.dirname, '..', 'fixtures', 'mofcom-day');
export const expected = JSON.parse(readFileSync(join(DAY, 'expected.json'), 'utf8')) as {
  notices: Array<{ file: string; key: string; title: string; publishedAt: string; entries: Record<string, number> }>;
};

/** A database with the demo catalogue's history (what the day's notices apply to). */
export function seedCatalogue(dbPath: string): void {
  const app = openApp({ databasePath: dbPath });
  try {
    replayTimeline(app);
  } finally {
    app.close();
  }
}

/** Runs `fn` on a read-only connection to the database file (the service may be running, the database locked). */
export function readDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return fn(db);
  } finally {
    db.close();
  }
}

/** mulberry32: a small seeded PRNG, so a run's kill moments can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Service {
  child: ChildProcess;
  /** Resolves with the port once the service prints "serving on port N" (never rejects; see `exited`). */
  ready: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  stdout: () => string;
}

/** Starts `exportwatch serve --port 0` in `cwd` with `env` added to this process's environment. */
export function startService(cwd: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  const ready = new Promise<number>((resolvePort) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      const m = /serving on port (\d+)/.exec(stderr);
      if (m) resolvePort(Number(m[1]));
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, ready, exited, stderr: () => stderr, stdout: () => stdout };
}

export interface Receiver {
  url: string;
  /** Every request that arrived, in order: its idempotency key, whether its signature verified, its path and body. */
  arrivals: Array<{ key: string; valid: boolean; at: number; path: string; body: string }>;
  /** How long each answer is held back after the request arrived (ms; default 0). */
  answerDelayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const arrivals: Receiver['arrivals'] = [];
  const receiver: Receiver = {
    url: '',
    arrivals,
    answerDelayMs: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = verifyWebhookSignature(
        secret,
        String(req.headers['x-exportwatch-timestamp']),
        body,
        String(req.headers['x-exportwatch-signature']),
        new Date(),
      );
      arrivals.push({ key: String(req.headers['x-exportwatch-delivery']), valid, at: Date.now(), path: req.url ?? '', body });
      const answer = JSON.stringify({ id: `rcv-${arrivals.length}` });
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(answer), receiver.answerDelayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
