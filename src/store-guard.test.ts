import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers.js';
import { openApp, type App } from './app.js';
import { healthz } from './server.js';
import { createStoreGuard } from './store-guard.js';
import { StorageFaultError } from '../storage/faults.js';

let dir: ReturnType<typeof tempDir>;
let path: string;
let app: App;
let other: Database.Database | null;

beforeEach(() => {
  dir = tempDir('exportwatch-guard-');
  path = join(dir.path, 'store.db');
  app = openApp({ databasePath: path });
  other = null;
});

afterEach(() => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  app.close();
  dir.remove();
});

function lockFromElsewhere(): Database.Database {
  other = new Database(path);
  other.exec('BEGIN EXCLUSIVE');
  return other;
}

/** The error a write meets while another process holds the lock. */
function busyError(): unknown {
  app.db.pragma('busy_timeout = 0');
  try {
    app.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('probe', 'x');
  } catch (err) {
    return err;
  } finally {
    app.db.pragma('busy_timeout = 5000');
  }
  throw new Error('the write went through');
}

const until = async (what: string, cond: () => boolean) => {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the store guard of serve', () => {
  it('logs a lock once, pauses the work with writes failing at once, and logs and resumes once writes go through again', async () => {
    const lines: string[] = [];
    const guard = createStoreGuard(app, path, (l) => lines.push(l), { probeEveryMs: 30 });
    let resumed = 0;
    guard.onRecovered(() => (resumed += 1));
    try {
      expect(guard.report(new Error('a bug'))).toBe(false);
      const lock = lockFromElsewhere();
      const err = busyError();
      expect(guard.report(err)).toBe(true);
      expect(guard.report(err)).toBe(true);
      expect(guard.locked()).toBe(true);
      // While locked, a write does not wait the busy timeout (it would block the whole service).
      expect(app.db.pragma('busy_timeout', { simple: true })).toBe(0);
      expect(lines).toEqual([
        `database locked: ${path}: database is locked (SQLITE_BUSY); another process holds the write lock; the work waits and is retried`,
      ]);
      await new Promise((r) => setTimeout(r, 150));
      expect(resumed).toBe(0);
      lock.exec('COMMIT');
      await until('the recovery', () => resumed === 1);
      expect(guard.locked()).toBe(false);
      expect(app.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(
        new RegExp(`^database writable again: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; the work goes on \\(it waited about \\d+ s\\)$`),
      );
    } finally {
      guard.stop();
    }
  });

  it('resolves `fatal` with the first fault the service cannot work through', async () => {
    const guard = createStoreGuard(app, path, () => undefined);
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(guard.report(full)).toBe(true);
    expect(guard.report(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }))).toBe(true);
    const fault = await guard.fatal;
    expect(fault).toBeInstanceOf(StorageFaultError);
    expect(fault.message).toBe(
      `database full: ${path}: database or disk is full (SQLITE_FULL); free space on its file system, then start the service again; nothing already recorded is lost`,
    );
    guard.stop();
  });

  it('at start: refuses a database it cannot write, waits out a lock', () => {
    const lines: string[] = [];
    const guard = createStoreGuard(app, path, (l) => lines.push(l), { probeEveryMs: 10_000 });
    try {
      guard.checkAtStart();
      lockFromElsewhere();
      guard.checkAtStart();
      expect(guard.locked()).toBe(true);
      expect(lines).toHaveLength(1);
    } finally {
      guard.stop();
    }
    const ro = new Database(path, { readonly: true });
    try {
      const roGuard = createStoreGuard({ ...app, db: ro }, path, () => undefined);
      expect(() => roGuard.checkAtStart()).toThrow(/^database is read-only: .*store\.db: attempt to write a readonly database \(SQLITE_READONLY\)/);
    } finally {
      ro.close();
    }
  });
});

describe('/healthz and the store', () => {
  it('answers 503 with the fault while another process holds the write lock, 200 after', () => {
    expect(healthz(app, [])).toMatchObject({ statusCode: 200, body: { ok: true, store: { ok: true, writable: true } } });
    const lock = lockFromElsewhere();
    const locked = healthz(app, []);
    expect(locked).toMatchObject({
      statusCode: 503,
      body: { ok: false, store: { ok: false, writable: false, fault: 'locked', error: 'database is locked (SQLITE_BUSY)' } },
    });
    // Reads go on: the registers are still reported.
    expect((locked.body as { registers: unknown[] }).registers.length).toBeGreaterThan(0);
    lock.exec('COMMIT');
    expect(healthz(app, [])).toMatchObject({ statusCode: 200, body: { ok: true } });
  });
});
