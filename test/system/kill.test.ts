// Whole-system fault suite, first slice (issue 7 §1): the real `exportwatch serve` is SIGKILLed at seeded
// pseudo-random moments while it starts, polls the fake MOFCOM (a day of six notices) and delivers to a signed
// webhook, and is restarted on the same database each time. Then it runs undisturbed until the outbox is drained.
// Afterwards: every delivery is sent and the receiver saw exactly the deliveries' idempotency keys (re-sends of a
// key after a kill are counted and reported, not failed); the registers, the changes and the alert events equal
// those of an uninterrupted `poll --once` on a second database; no change was recorded twice.
//
// Found by this test (not fixed here): pollSource sets the next poll time before it works, so a kill in the middle of
// a poll leaves the listings it had already remembered unprocessed until the source is due again (here 30 s; 15 min or
// more in production). The restarts in between do no work at all; the timeline printed below shows it.
//
// KILL_SEED=<n> reproduces a run's kill moments (process timing still varies a little from run to run).
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.js';
import { replayTimeline } from '../../src/demo.js';
import { startFakeMofcom, type FakeMofcom } from '../fakes/mofcom.js';
import { runCli, tempDir } from '../helpers.js';
import { seededRandom, startReceiver, startService, type Receiver } from './service-process.js';

const DAY = join(import.meta.dirname, '..', 'fixtures', 'mofcom-day');
const expected = JSON.parse(readFileSync(join(DAY, 'expected.json'), 'utf8')) as {
  notices: Array<{ file: string; key: string; title: string; publishedAt: string; entries: Record<string, number> }>;
};
const SECRET = 'system-kill-secret-0123456789';
const SEED = Number(process.env.KILL_SEED ?? 20261102);
const KILLS = 20;
/** Every fourth kill lands in start-up (this long after the spawn, before "serving on port"); tsx needs about 1 s. */
const STARTUP_KILL_MS = [50, 900] as const;
/** The others land this long after the service is up: the first poll and the outbox worker's passes fall in here. */
const RUNNING_KILL_MS = [0, 1100] as const;
/** Longest wait for the undisturbed run to finish the work and drain the outbox. */
const DRAIN_MS = 60_000;

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let receiver: Receiver;
let env: NodeJS.ProcessEnv;
let refEnv: NodeJS.ProcessEnv;

function seedCatalogue(dbPath: string): void {
  const app = openApp({ databasePath: dbPath });
  try {
    replayTimeline(app);
  } finally {
    app.close();
  }
}

/** Runs `fn` on a read-only connection to the database file (the service may be running). */
function readDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return fn(db);
  } finally {
    db.close();
  }
}

interface DeliveryRow {
  idempotencyKey: string;
  destination: string;
  status: string;
  attempts: number;
  eventId: string | null;
}

async function cliJson<T>(e: NodeJS.ProcessEnv, ...args: string[]): Promise<T> {
  const r = await runCli(args, e);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = tempDir('exportwatch-kill-');
  const db = join(dir.path, 'killed.db');
  const ref = join(dir.path, 'reference.db');
  seedCatalogue(db);
  seedCatalogue(ref);
  const documents = expected.notices.map((n, i) => ({ path: `/article/gndt/202611/${1001 + i}.html`, html: readFileSync(join(DAY, n.file), 'utf8') }));
  const listings = expected.notices
    .map((n, i) => ({ title: n.title, path: `/article/gndt/202611/${1001 + i}.html`, date: n.publishedAt, column: 9 }))
    .reverse();
  fake = await startFakeMofcom({ listings, documents });
  receiver = await startReceiver(SECRET);
  const sources = join(dir.path, 'sources.json');
  // 30 s is the shortest interval allowed: a poll cut short by a kill is taken up again at the next due tick.
  writeFileSync(
    sources,
    JSON.stringify({ sources: [{ id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '30s' }] }),
  );
  const common = {
    SOURCES_FILE: sources,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    HTTP_TIMEOUT_MS: '2000',
    WEBHOOK_SECRET: SECRET,
    URL_ALLOWLIST: '127.0.0.1',
    DELIVERY_RETRY_BASE_MS: '20',
    OPERATOR_DESTINATIONS: 'console:operator',
  };
  env = { ...common, DATABASE_PATH: db };
  refEnv = { ...common, DATABASE_PATH: ref };
});

afterAll(async () => {
  await fake?.close();
  await receiver?.close();
  dir?.remove();
});

describe('serve under repeated SIGKILL', () => {
  it('loses no delivery, processes no notice twice, and ends with the registers of an uninterrupted run', async () => {
    // The uninterrupted reference run, on its own database.
    await cliJson(refEnv, 'poll', '--once', '--json');
    const reference = readDb(refEnv.DATABASE_PATH!, (db) => ({
      notices: db.prepare('SELECT COUNT(*) FROM notices').pluck().get() as number,
      events: db.prepare('SELECT COUNT(*) FROM events WHERE operator = 0').pluck().get() as number,
    }));
    expect(reference.events).toBeGreaterThan(0);

    const t0 = Date.now();
    const sub = await cliJson<{ created: boolean }>(env, 'subscribe', '--to', `webhook:${receiver.url}`, '--json');
    expect(sub.created).toBe(true);

    // The kills.
    const random = seededRandom(SEED);
    const timeline: string[] = [];
    let readyBeforeKill = 0;
    for (let i = 0; i < KILLS; i++) {
      const startup = i % 4 === 3;
      const [lo, hi] = startup ? STARTUP_KILL_MS : RUNNING_KILL_MS;
      const delay = Math.round(lo + random() * (hi - lo));
      const spawnedAt = Date.now();
      const service = startService(dir.path, env);
      let readyAt = -1;
      void service.ready.then(() => (readyAt = Date.now() - spawnedAt));
      if (!startup) {
        const up = await Promise.race([service.ready, service.exited.then(() => -1), sleep(20_000).then(() => -1)]);
        expect(up, `restart ${i + 1} did not come up: ${service.stderr()}`).toBeGreaterThan(0);
      }
      await sleep(delay);
      service.child.kill('SIGKILL');
      const exit = await service.exited;
      if (readyAt >= 0) readyBeforeKill += 1;
      const seen = readDb(env.DATABASE_PATH!, (db) =>
        db
          .prepare(
            `SELECT (SELECT COUNT(*) FROM listings WHERE status = 'done') AS done, (SELECT COUNT(*) FROM listings) AS listed,
                    (SELECT COUNT(*) FROM deliveries WHERE status = 'sent') AS sent, (SELECT COUNT(*) FROM deliveries) AS queued,
                    (SELECT next_poll_at FROM source_health) AS nextPoll`,
          )
          .get(),
      );
      timeline.push(
        `#${i + 1} ${startup ? 'start-up' : 'running'} +${delay}ms (up after ${readyAt}ms) ${exit.signal ?? exit.code} ${JSON.stringify(seen)} arrivals ${receiver.arrivals.length}`,
      );
    }
    const killPhaseMs = Date.now() - t0;

    // The undisturbed run, until every listing is done and nothing waits in the outbox.
    const service = startService(dir.path, env);
    // A clean stop needs a started service (SIGTERM during start-up is a kill).
    await service.ready;
    const drainStart = Date.now();
    let state = { listingsOpen: -1, notices: -1, undelivered: -1, deliveries: 0 };
    while (Date.now() - drainStart < DRAIN_MS) {
      state = readDb(env.DATABASE_PATH!, (db) => ({
        listingsOpen: db.prepare("SELECT COUNT(*) FROM listings WHERE status != 'done'").pluck().get() as number,
        notices: db.prepare('SELECT COUNT(*) FROM notices').pluck().get() as number,
        undelivered: db.prepare("SELECT COUNT(*) FROM deliveries WHERE status != 'sent'").pluck().get() as number,
        deliveries: db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get() as number,
      }));
      if (state.listingsOpen === 0 && state.notices === reference.notices && state.undelivered === 0 && state.deliveries >= reference.events) break;
      await sleep(100);
    }
    const drainMs = Date.now() - drainStart;
    service.child.kill('SIGTERM');
    const stopped = await service.exited;

    const deliveries = (await cliJson<{ deliveries: DeliveryRow[] }>(env, 'export', '--what', 'deliveries', '--json')).deliveries;
    const webhookKeys = deliveries.filter((d) => d.destination.startsWith('webhook:')).map((d) => d.idempotencyKey);
    const arrivedKeys = receiver.arrivals.map((a) => a.key);
    const counts = new Map<string, number>();
    for (const k of arrivedKeys) counts.set(k, (counts.get(k) ?? 0) + 1);
    const resent = [...counts.values()].reduce((n, c) => n + c - 1, 0);
    console.log(
      [
        `seed ${SEED}: ${KILLS} kills (${readyBeforeKill} after the service was up) in ${killPhaseMs} ms; drained in ${drainMs} ms`,
        `deliveries ${deliveries.length} (${webhookKeys.length} to the webhook), arrivals ${arrivedKeys.length}, re-sends of a key ${resent}`,
        `max attempts ${Math.max(...deliveries.map((d) => d.attempts))}; final state ${JSON.stringify(state)}`,
        ...timeline,
      ].join('\n'),
    );

    expect(stopped.code, service.stderr()).toBe(0);
    // (1) Every delivery sent; the receiver saw exactly their keys, each at least once, all signed.
    expect(state).toMatchObject({ listingsOpen: 0, notices: reference.notices, undelivered: 0, deliveries: reference.events });
    expect(deliveries.filter((d) => d.status !== 'sent')).toEqual([]);
    expect(new Set(webhookKeys).size).toBe(webhookKeys.length);
    expect([...counts.keys()].sort()).toEqual([...webhookKeys].sort());
    expect(receiver.arrivals.every((a) => a.valid)).toBe(true);

    // (2) The registers equal those of the uninterrupted run (and the fixture's final sizes).
    type Status = { registers: Array<{ id: string; entries: number }> };
    const sizes = (s: Status) => Object.fromEntries(s.registers.map((r) => [r.id, r.entries]));
    const killedStatus = await cliJson<Status>(env, 'status', '--json');
    const refStatus = await cliJson<Status>(refEnv, 'status', '--json');
    expect(sizes(killedStatus)).toEqual(sizes(refStatus));
    expect(sizes(killedStatus)).toEqual(expected.notices.at(-1)!.entries);
    expect(await cliJson(env, 'export', '--json')).toEqual(await cliJson(refEnv, 'export', '--json'));

    // (3) No notice processed twice: the same changes and the same alert events as the uninterrupted run, none doubled.
    const changeRows = (path: string) =>
      readDb(path, (db) =>
        db.prepare('SELECT register_id, key, kind, notice_key FROM changes WHERE notice_key IS NOT NULL ORDER BY register_id, key, kind, notice_key').all(),
      );
    const duplicates = readDb(env.DATABASE_PATH!, (db) =>
      db.prepare('SELECT register_id, key, kind, notice_key, COUNT(*) AS n FROM changes GROUP BY register_id, key, kind, notice_key HAVING n > 1').all(),
    );
    expect(duplicates).toEqual([]);
    expect(changeRows(env.DATABASE_PATH!)).toEqual(changeRows(refEnv.DATABASE_PATH!));
    const eventIds = (path: string) => readDb(path, (db) => db.prepare('SELECT id FROM events WHERE operator = 0 ORDER BY id').pluck().all());
    expect(eventIds(env.DATABASE_PATH!)).toEqual(eventIds(refEnv.DATABASE_PATH!));
  }, 150_000);
});
