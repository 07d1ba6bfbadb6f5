// Whole-system suite, storage faults (issue 7 §1): the real `exportwatch serve` as a child process, polling the fake
// MOFCOM (the day of six notices) and delivering to a signed webhook, while its SQLite database
//
// 1. is locked by another process: a separate node process holds the write lock (BEGIN EXCLUSIVE) for 12 s, longer
//    than the service's 5 s busy timeout, while notices are being recorded and deliveries sent. The service stays up,
//    says so once in its log and once again when the lock goes; /healthz answers 503 `store.fault: locked` and
//    `exportwatch status --json` `store.writable: false` meanwhile, both healthy after; the work then completes: every
//    delivery arrives exactly once, the registers, changes and events equal an undisturbed reference run, no operator
//    alert is raised (a store fault is no source's fault);
// 2. cannot be written: (a) its file system is mounted read-only (a tmpfs remounted `ro`), (b) the service runs as
//    uid 65534 (`nobody`) on a root-owned 0755 directory and 0644 file. The service refuses to start, exit status 1,
//    with one line naming the database and the cause; the file is byte for byte unchanged and opens afterwards;
// 3. fills its disk: the database lives on a small tmpfs that the test fills completely while the service is recording
//    the day. The service stops with exit status 1 and `database full: <path>: …`; every transaction is whole (each
//    change set has all its changes, its event and its deliveries — as in the reference run); after space is freed a
//    restart finishes the work: registers as the reference run, every delivery sent, none sent twice.
//
// Faults are real, not mocked: root is needed for the mounts and for running the service as another user. Where the
// test process cannot mount or is not root, those scenarios are skipped with the reason printed.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statfsSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMofcom, type FakeMofcom } from '../fakes/mofcom.js';
import { runCli, tempDir } from '../helpers.js';
import { DAY, expected, readDb, seedCatalogue, startReceiver, type Receiver } from './service-process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'exportwatch.js');
const DAY_KEYS = expected.notices.map((n) => n.key);
const SECRET = 'storage-faults-secret-0123456789';
/** Longer than the service's busy timeout (5 s), so its writes fail with SQLITE_BUSY rather than just wait. */
const LOCK_MS = 12_000;
const NOBODY = 65534;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether this process may mount a tmpfs (root in a privileged enough container); the reason when not. */
function mountProbe(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  const dir = tempDir('exportwatch-mount-probe-');
  const mnt = join(dir.path, 'm');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
    execFileSync('umount', [mnt], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()})`;
  } finally {
    dir.remove();
  }
}
const cannotMount = mountProbe();
const notRoot = typeof process.getuid !== 'function' || process.getuid() !== 0 ? 'not running as root (the service cannot be run as another user)' : null;
if (cannotMount) console.warn(`storage-faults: read-only file system and disk-full scenarios skipped: ${cannotMount}`);
if (notRoot) console.warn(`storage-faults: unwritable-database scenario skipped: ${notRoot}`);

const mounts: string[] = [];
function mountTmpfs(path: string, bytes: number): void {
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', path], { stdio: 'pipe' });
  mounts.push(path);
}
function remount(path: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, path], { stdio: 'pipe' });
}
function unmount(path: string): void {
  try {
    execFileSync('umount', [path], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', path], { stdio: 'pipe' });
  }
  mounts.splice(mounts.indexOf(path), 1);
}

/** Fills the file system holding `path` to the last byte with `path` (a filler file); returns how many bytes it took. */
function fill(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (let size = chunk.length; size >= 1;) {
      try {
        written += writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Progress {
  listingsOpen: number;
  notices: number;
  undelivered: number;
  sending: number;
  deliveries: number;
}
function progress(path: string): Progress {
  return readDb(path, (db) => ({
    listingsOpen: db.prepare("SELECT COUNT(*) FROM listings WHERE status != 'done'").pluck().get() as number,
    notices: db
      .prepare(`SELECT COUNT(*) FROM notices WHERE status != 'pending' AND key IN (${DAY_KEYS.map(() => '?').join(',')})`)
      .pluck()
      .get(...DAY_KEYS) as number,
    undelivered: db.prepare("SELECT COUNT(*) FROM deliveries WHERE status != 'sent'").pluck().get() as number,
    sending: db.prepare("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'").pluck().get() as number,
    deliveries: db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get() as number,
  }));
}

/** The listings and deliveries in full, for a failure message. */
function details(path: string): unknown {
  return readDb(path, (db) => ({
    listings: db.prepare('SELECT url, status, attempts, last_error FROM listings').all(),
    deliveries: db.prepare('SELECT id, destination, event_id, status, attempts, lease_until, last_error FROM deliveries').all(),
    health: db.prepare('SELECT * FROM source_health').all(),
  }));
}

/** What a run recorded, to compare with the reference run: the changes, change sets, events and notices. */
function recorded(path: string) {
  return readDb(path, (db) => ({
    changes: db
      .prepare(
        'SELECT change_set_id, register_id, key, kind, notice_key FROM changes WHERE notice_key IS NOT NULL ORDER BY change_set_id, register_id, key, kind',
      )
      .all(),
    events: db.prepare('SELECT id, kind, operator FROM events ORDER BY id').all(),
    notices: db.prepare('SELECT key, status FROM notices ORDER BY key').all(),
  }));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await sleep(100);
    value = await probe();
  }
  return value;
}

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `exportwatch <args>` (or `node -e`) as a child process, optionally as another user. */
function run(args: string[], env: NodeJS.ProcessEnv, options: { uid?: number; cwd?: string } = {}): Child {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

interface Service extends Child {
  /** The port, once the service says "serving on port N"; null when it exited first. */
  ready: Promise<number | null>;
}

function startService(env: NodeJS.ProcessEnv, options: { uid?: number } = {}): Service {
  const c = run([BIN, 'serve', '--port', '0'], env, options);
  const ready = waitFor(
    'the service to be ready',
    30_000,
    () => /serving on port (\d+)/.exec(c.stderr())?.[1] ?? (c.child.exitCode !== null ? 'exited' : null),
    (v) => v !== null,
  )
    .then((v) => (v === 'exited' ? null : Number(v)))
    .catch(() => null);
  return { ...c, ready };
}

/** `exportwatch <args>` in a child process (so a locked database cannot block this process), with its JSON output. */
async function cliChild<T>(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; json: T | null; stderr: string }> {
  const c = run([BIN, ...args], env);
  const { code } = await c.exited;
  let parsed: T | null = null;
  try {
    parsed = JSON.parse(c.stdout()) as T;
  } catch {
    parsed = null;
  }
  return { code, json: parsed, stderr: c.stderr() };
}

async function cliJson<T>(env: NodeJS.ProcessEnv, ...args: string[]): Promise<T> {
  const r = await runCli(args, env);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** GET http://127.0.0.1:port/path; the service answers late while a busy wait blocks it (up to its 5 s busy timeout). */
function getJson(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolveGet, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 20_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolveGet({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** Holds the write lock on `path` from another process for `ms`; `locked` resolves once it is held. */
function holdWriteLock(path: string, ms: number): { locked: Promise<void>; released: Promise<void>; child: Child } {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 20000');
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); }, Number(process.argv[2]));`;
  const child = run(['-e', script, path, String(ms)], {});
  const locked = waitFor('the lock', 20_000, () => child.stdout().includes('locked') || child.child.exitCode !== null, Boolean).then(() => {
    if (!child.stdout().includes('locked')) throw new Error(`the locking process failed: ${child.stderr()}`);
  });
  const released = child.exited.then(({ code }) => {
    if (code !== 0 || !child.stdout().includes('released')) throw new Error(`the locking process failed: ${child.stderr()}`);
  });
  return { locked, released, child };
}

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let receiver: Receiver;
let common: NodeJS.ProcessEnv;
let reference: { path: string; recorded: ReturnType<typeof recorded>; status: unknown; entries: unknown; deliveries: number };

type StatusJson = {
  store: { path: string; writable: boolean; fault?: string; error?: string; freeBytes: number | null };
  registers: Array<{ id: string; entries: number }>;
  sources: Array<{ id: string; consecutiveFailures: number }>;
};
const sizes = (s: StatusJson) => Object.fromEntries(s.registers.map((r) => [r.id, r.entries]));

/** A seeded database with the webhook subscribed, at `path`. */
async function prepareDatabase(path: string): Promise<NodeJS.ProcessEnv> {
  seedCatalogue(path);
  const env = { ...common, DATABASE_PATH: path };
  const sub = await cliJson<{ created: boolean }>(env, 'subscribe', '--to', `webhook:${receiver.url}`, '--json');
  expect(sub.created).toBe(true);
  return env;
}

/** The keys the receiver saw, how often each. */
function arrivalCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of receiver.arrivals) counts.set(a.key, (counts.get(a.key) ?? 0) + 1);
  return counts;
}

function webhookKeys(path: string): string[] {
  return readDb(path, (db) => db.prepare("SELECT idempotency_key FROM deliveries WHERE destination LIKE 'webhook:%' ORDER BY id").pluck().all() as string[]);
}

/** After a run: the registers, changes, events and notices are those of the reference run; every delivery was sent (or, for a
 * database only polled, is queued). */
async function expectReferenceOutcome(env: NodeJS.ProcessEnv, options: { delivered: boolean } = { delivered: true }): Promise<void> {
  const path = env.DATABASE_PATH!;
  expect(progress(path)).toMatchObject({
    listingsOpen: 0,
    notices: DAY_KEYS.length,
    undelivered: options.delivered ? 0 : reference.deliveries,
    deliveries: reference.deliveries,
  });
  const status = await cliJson<StatusJson>(env, 'status', '--json');
  expect(sizes(status)).toEqual(sizes(reference.status as StatusJson));
  expect(sizes(status)).toEqual(expected.notices.at(-1)!.entries);
  expect(status.sources.every((s) => s.consecutiveFailures === 0)).toBe(true);
  expect(await cliJson(env, 'export', '--json')).toEqual(reference.entries);
  expect(recorded(path)).toEqual(reference.recorded);
  // No operator alert: a storage fault is not a source's fault.
  expect(recorded(path).events.filter((e) => (e as { operator: number }).operator === 1)).toEqual([]);
}

beforeAll(async () => {
  dir = tempDir('exportwatch-storage-');
  // Readable by the service running as another user (scenario 2b).
  chmodSync(dir.path, 0o755);
  const documents = expected.notices.map((n, i) => ({ path: `/article/gndt/202611/${1001 + i}.html`, html: readFileSync(join(DAY, n.file), 'utf8') }));
  const listings = expected.notices
    .map((n, i) => ({ title: n.title, path: `/article/gndt/202611/${1001 + i}.html`, date: n.publishedAt, column: 9 }))
    .reverse();
  fake = await startFakeMofcom({ listings, documents });
  receiver = await startReceiver(SECRET);
  const sources = join(dir.path, 'sources.json');
  writeFileSync(
    sources,
    JSON.stringify({ sources: [{ id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '30s' }] }),
  );
  chmodSync(sources, 0o644);
  common = {
    SOURCES_FILE: sources,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    // Longer than the busy timeout: a fetch whose answer came while the service waited on the lock is not timed out.
    HTTP_TIMEOUT_MS: '15000',
    WEBHOOK_SECRET: SECRET,
    URL_ALLOWLIST: '127.0.0.1',
    DELIVERY_RETRY_BASE_MS: '20',
    OPERATOR_DESTINATIONS: 'console:operator',
    // tsx's cache, writable by every user the service runs as here.
    TMPDIR: tmpdir(),
  };
  // The undisturbed reference run, on its own database.
  const refEnv = await prepareDatabase(join(dir.path, 'reference.db'));
  await cliJson(refEnv, 'poll', '--once', '--json');
  reference = {
    path: refEnv.DATABASE_PATH!,
    recorded: recorded(refEnv.DATABASE_PATH!),
    status: await cliJson(refEnv, 'status', '--json'),
    entries: await cliJson(refEnv, 'export', '--json'),
    deliveries: readDb(refEnv.DATABASE_PATH!, (db) => db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get() as number),
  };
  expect(reference.deliveries).toBeGreaterThan(0);
  receiver.arrivals.length = 0;
}, 60_000);

afterAll(async () => {
  for (const m of [...mounts].reverse()) unmount(m);
  await fake?.close();
  await receiver?.close();
  dir?.remove();
});

describe('serve on a database locked by another process', () => {
  it('waits the lock out, tells the truth meanwhile, and then finishes the work as an undisturbed run would', async () => {
    const env = await prepareDatabase(join(dir.path, 'locked.db'));
    const path = env.DATABASE_PATH!;
    receiver.arrivals.length = 0;
    // Articles answer slowly, so the lock lands in the middle of the poll: notices left to record; the receiver answers
    // slowly too, so deliveries wait to be sent (the worker sends as soon as a delivery is queued).
    fake.misbehave('slow', { path: '/article/', delayMs: 400 });
    receiver.answerDelayMs = 300;
    const service = startService(env);
    const port = await service.ready;
    expect(port, service.stderr()).not.toBeNull();
    try {
      // Lock once two notices are recorded and a delivery waits to be sent (the worker sends within a second).
      await waitFor(
        'two notices recorded and a delivery waiting',
        30_000,
        () => progress(path),
        (p) => p.notices >= 2 && p.undelivered > 0,
      );
      const lock = holdWriteLock(path, LOCK_MS);
      await lock.locked;
      const lockedAt = Date.now();
      const before = progress(path);

      // While locked: /healthz answers 503 (locked) and status says the store is not writable (asked at once: the
      // service may be in a busy wait of up to 5 s before it answers), and the service logs the lock once.
      const [health, status] = await Promise.all([getJson(port!, '/healthz'), runCli(['status', '--json'], env)]);
      const stillLocked = lock.child.child.exitCode === null;
      await waitFor(
        'the lock to be logged',
        LOCK_MS + 10_000,
        () => service.stderr(),
        (e) => e.includes('database locked:'),
      );
      await lock.released;
      const lockedMs = Date.now() - lockedAt;
      expect(stillLocked, 'the checks took longer than the lock').toBe(true);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: false, store: { ok: false, writable: false, fault: 'locked' } });
      expect(String((health.body.store as { error: string }).error)).toMatch(/database is locked \(SQLITE_BUSY\)/);
      expect(status.code, status.stderr).toBe(0);
      const statusJson = JSON.parse(status.stdout) as StatusJson;
      expect(statusJson.store).toMatchObject({ path, writable: false, fault: 'locked', error: 'database is locked (SQLITE_BUSY)' });
      // Reads go on under the lock (WAL): the registers are reported as usual.
      expect(statusJson.registers.map((r) => r.id)).toEqual((reference.status as StatusJson).registers.map((r) => r.id));

      // After: the service says the database is writable again, /healthz and status are healthy, the work completes.
      await waitFor(
        'the recovery to be logged',
        15_000,
        () => service.stderr(),
        (e) => e.includes('database writable again:'),
      );
      const after = await getJson(port!, '/healthz');
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ ok: true, store: { ok: true, writable: true } });
      expect((await cliJson<StatusJson>(env, 'status', '--json')).store).toMatchObject({ path, writable: true });
      const done = await waitFor(
        'the work to complete',
        45_000,
        () => progress(path),
        (p) => p.listingsOpen === 0 && p.notices === DAY_KEYS.length && p.undelivered === 0 && p.deliveries === reference.deliveries,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${JSON.stringify(details(path))}\n${service.stderr()}`);
      });
      console.log(
        `locked for ${lockedMs} ms with ${JSON.stringify(before)} recorded; then ${JSON.stringify(done)}\n${service
          .stderr()
          .split('\n')
          .filter((l) => /database|failed|worker/.test(l))
          .join('\n')}`,
      );
    } finally {
      fake.misbehave(null);
      receiver.answerDelayMs = 0;
      service.child.kill('SIGTERM');
    }
    const stopped = await service.exited;
    expect(stopped.code, service.stderr()).toBe(0);
    const log = service.stderr();
    // One line when the lock started to hurt, one when it went; nothing else went wrong.
    expect(log.match(/database locked: /g)).toHaveLength(1);
    expect(log).toContain(`database locked: ${path}: database is locked (SQLITE_BUSY); another process holds the write lock`);
    expect(log.match(/database writable again: /g)).toHaveLength(1);
    expect(log).not.toMatch(/poll failed|source \S+ failed|delivery worker:|digests failed/);
    expect(log).not.toContain(SECRET);

    await expectReferenceOutcome(env);
    // Every delivery arrived exactly once, signed.
    const counts = arrivalCounts();
    expect([...counts.keys()].sort()).toEqual([...webhookKeys(path)].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.arrivals.every((a) => a.valid)).toBe(true);
  }, 120_000);
});

describe('serve on a database it cannot write', () => {
  /** A database holding the whole day (an undisturbed poll), cleanly closed. */
  async function recordedDatabase(path: string): Promise<NodeJS.ProcessEnv> {
    const env = await prepareDatabase(path);
    await cliJson(env, 'poll', '--once', '--json');
    expect(existsSync(`${path}-wal`)).toBe(false);
    return env;
  }

  /** Starts the service, which must refuse: exit 1, the reason on standard error, never ready, the file unchanged. */
  async function expectRefusal(env: NodeJS.ProcessEnv, options: { uid?: number } = {}): Promise<string> {
    const path = env.DATABASE_PATH!;
    const hash = sha256(path);
    const service = startService(env, options);
    const exit = await Promise.race([service.exited, sleep(30_000).then(() => null)]);
    if (exit === null) service.child.kill('SIGKILL');
    expect(exit, service.stderr()).toEqual({ code: 1, signal: null });
    expect(await service.ready).toBeNull();
    const stderr = service.stderr().trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).not.toContain(SECRET);
    expect(sha256(path)).toBe(hash);
    expect(existsSync(`${path}-wal`)).toBe(false);
    return stderr;
  }

  it.skipIf(cannotMount !== null)(
    'on a read-only file system: refuses to start, saying so, and changes nothing',
    async () => {
      const mnt = join(dir.path, 'ro-mount');
      mountTmpfs(mnt, 16 * 1024 * 1024);
      try {
        const env = await recordedDatabase(join(mnt, 'exportwatch.db'));
        const path = env.DATABASE_PATH!;
        remount(mnt, 'ro');
        const stderr = await expectRefusal(env);
        expect(stderr).toBe(
          `exportwatch: database is read-only: ${path}: the file system is read-only (EROFS); SQLite said: unable to open database file (SQLITE_CANTOPEN); make it writable for the service user, then start the service again; nothing already recorded is lost`,
        );
        // `status` says the same (SQLite cannot read a WAL database without writing its -shm file).
        const status = await cliChild<StatusJson>(env, 'status', '--json');
        expect(status.code).toBe(1);
        expect(status.stderr.trim()).toBe(stderr);
        // Writable again: nothing was lost.
        remount(mnt, 'rw');
        await expectReferenceOutcome(env, { delivered: false });
      } finally {
        unmount(mnt);
      }
    },
    60_000,
  );

  it.skipIf(notRoot !== null)(
    'run as a user who may not write it: refuses to start, saying so, and changes nothing',
    async () => {
      const home = join(dir.path, 'not-writable');
      mkdirSync(home, { mode: 0o755 });
      const env = await recordedDatabase(join(home, 'exportwatch.db'));
      const path = env.DATABASE_PATH!;
      chmodSync(path, 0o644);
      const stderr = await expectRefusal(env, { uid: NOBODY });
      expect(stderr).toBe(
        `exportwatch: database is read-only: ${path}: the service user (uid ${NOBODY}) may not write the directory ${home} (EACCES); SQLite said: attempt to write a readonly database (SQLITE_READONLY_DIRECTORY); make it writable for the service user, then start the service again; nothing already recorded is lost`,
      );
      await expectReferenceOutcome(env, { delivered: false });
    },
    60_000,
  );
});

describe.skipIf(cannotMount !== null)('serve when the disk fills up', () => {
  it('stops with the reason, keeps every transaction whole, and a restart with space finishes the work without loss or repeats', async () => {
    const mnt = join(dir.path, 'small-disk');
    mountTmpfs(mnt, 16 * 1024 * 1024);
    try {
      const env = await prepareDatabase(join(mnt, 'exportwatch.db'));
      const path = env.DATABASE_PATH!;
      const filler = join(mnt, 'filler');
      receiver.arrivals.length = 0;
      fake.misbehave('slow', { path: '/article/', delayMs: 400 });
      const service = startService(env);
      try {
        expect(await service.ready, service.stderr()).not.toBeNull();
        // Fill the disk once two notices are recorded, between two sends (a send recorded after the disk is full
        // would be sent again after the restart, with its idempotency key).
        await waitFor(
          'two notices recorded, no send in flight',
          30_000,
          () => progress(path),
          (p) => p.notices >= 2 && p.sending === 0,
        );
        const filled = fill(filler);
        const free = statfsSync(mnt);
        expect(free.bavail * free.bsize).toBeLessThan(64 * 1024);
        const exit = await Promise.race([service.exited, sleep(30_000).then(() => null)]);
        expect(exit, service.stderr()).toEqual({ code: 1, signal: null });
        console.log(`disk filled (${filled} bytes) at ${JSON.stringify(progress(path))}`);
      } finally {
        fake.misbehave(null);
        if (service.child.exitCode === null) service.child.kill('SIGKILL');
      }
      const log = service.stderr();
      expect(log).toContain(
        `exportwatch: database full: ${path}: database or disk is full (SQLITE_FULL); free space on its file system, then start the service again; nothing already recorded is lost`,
      );
      expect(log).not.toMatch(/poll failed|source \S+ failed|delivery worker:/);
      expect(log).not.toContain(SECRET);

      // Stopped in the middle, with every transaction whole: the database is intact, and each change set recorded so far
      // is the reference run's, with all its changes, its event and its deliveries.
      const cut = progress(path);
      expect(cut.notices).toBeLessThan(DAY_KEYS.length);
      expect(readDb(path, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
      const partial = recorded(path);
      const sets = new Set(partial.changes.map((c) => (c as { change_set_id: number }).change_set_id));
      expect(partial.changes).toEqual(reference.recorded.changes.filter((c) => sets.has((c as { change_set_id: number }).change_set_id)));
      expect(partial.events.length).toBeGreaterThan(0);
      expect(reference.recorded.events).toEqual(expect.arrayContaining(partial.events));
      const eventsWithoutDeliveries = readDb(path, (db) =>
        db
          .prepare(
            "SELECT id FROM events e WHERE operator = 0 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.destination LIKE 'webhook:%')",
          )
          .all(),
      );
      expect(eventsWithoutDeliveries).toEqual([]);
      // `status` still answers, and shows the full disk.
      const full = await cliChild<StatusJson>(env, 'status', '--json');
      expect(full.code, full.stderr).toBe(0);
      expect(full.json!.store.freeBytes).toBeLessThan(64 * 1024);
      const sentBefore = new Set(readDb(path, (db) => db.prepare("SELECT idempotency_key FROM deliveries WHERE status = 'sent'").pluck().all() as string[]));
      const unrecordedSends = [...arrivalCounts().keys()].filter((k) => !sentBefore.has(k));

      // Space again: a restart finishes the work.
      unlinkSync(filler);
      const restarted = startService(env);
      expect(await restarted.ready, restarted.stderr()).not.toBeNull();
      try {
        // A delivery claimed by the stopped service but not recorded (its send went out, or was in flight, as the disk
        // filled) is taken over once its 60 s lease has run out: then the wait is longer.
        await waitFor(
          'the work to complete after the restart',
          100_000,
          () => progress(path),
          (p) => p.listingsOpen === 0 && p.notices === DAY_KEYS.length && p.undelivered === 0 && p.deliveries === reference.deliveries,
        ).catch((err: Error) => {
          throw new Error(`${err.message}\n${JSON.stringify(details(path))}\n${restarted.stderr()}`);
        });
      } finally {
        restarted.child.kill('SIGTERM');
      }
      expect((await restarted.exited).code, restarted.stderr()).toBe(0);
      await expectReferenceOutcome(env);
      const counts = arrivalCounts();
      expect([...counts.keys()].sort()).toEqual([...webhookKeys(path)].sort());
      // Sent once each; only a send the full disk kept from being recorded may have gone out again (same key).
      expect([...counts].filter(([key, n]) => n > 1 && !unrecordedSends.includes(key))).toEqual([]);
      expect(receiver.arrivals.every((a) => a.valid)).toBe(true);
    } finally {
      if (mounts.includes(mnt)) unmount(mnt);
    }
  }, 180_000);
});

// Guard against leaving a mount behind when a test is interrupted.
process.once('exit', () => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      rmSync(m, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
});
