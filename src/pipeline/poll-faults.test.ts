// A poll cut off by its own database (locked by another process, full…) rather than by the source or the listing: the
// source is not marked failing, the listing does not lose an attempt, and taking the work up again alerts nothing twice.
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { replayTimeline } from '../demo.js';
import { makeWatcher } from '../watch.js';
import { startFakeMofcom, type FakeMofcom } from '../../test/fakes/mofcom.js';
import { tempDir } from '../../test/helpers.js';
import { getHealth } from '../../storage/sources.js';
import { pollSource, processPending, type PollContext } from './poll.js';
import type { SourceConfig } from '../sources/config.js';
import { startScheduler } from '../scheduler.js';

const DAY = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'mofcom-day');
const expected = JSON.parse(readFileSync(join(DAY, 'expected.json'), 'utf8')) as {
  notices: Array<{ file: string; key: string; title: string; publishedAt: string }>;
};

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let app: App;
let ctx: PollContext;
let source: SourceConfig;
let other: Database.Database | null;

beforeEach(async () => {
  dir = tempDir('exportwatch-poll-faults-');
  const path = join(dir.path, 'poll.db');
  app = openApp({ databasePath: path });
  replayTimeline(app);
  const documents = expected.notices.map((n, i) => ({ path: `/article/gndt/202611/${1001 + i}.html`, html: readFileSync(join(DAY, n.file), 'utf8') }));
  const listings = expected.notices
    .map((n, i) => ({ title: n.title, path: `/article/gndt/202611/${1001 + i}.html`, date: n.publishedAt, column: 9 }))
    .reverse();
  fake = await startFakeMofcom({ listings, documents });
  const sources = join(dir.path, 'sources.json');
  writeFileSync(
    sources,
    JSON.stringify({ sources: [{ id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '15m' }] }),
  );
  const watcher = makeWatcher(app, loadConfig({ DATABASE_PATH: path, SOURCES_FILE: sources, HTTP_DELAY_MS: '0', HTTP_RETRIES: '0' }));
  ctx = watcher.context;
  source = watcher.sources[0]!;
  other = null;
});

afterEach(async () => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  app.close();
  await fake.close();
  dir.remove();
});

const listingRows = () =>
  app.db.prepare('SELECT url, status, attempts, last_error FROM listings ORDER BY published_at, url').all() as Array<{ status: string; attempts: number }>;
const eventIds = () => app.db.prepare('SELECT id FROM events ORDER BY id').pluck().all() as string[];

/** Another connection takes the write lock once the third article has been fetched; writes here fail at once. */
function lockAfterThirdArticle(): void {
  app.db.pragma('busy_timeout = 0');
  let articles = 0;
  const http = ctx.http;
  ctx.http = {
    fetch: async (request) => {
      const answer = await http.fetch(request);
      if (request.url.includes('/article/') && ++articles === 3) {
        other = new Database(app.db.name);
        other.exec('BEGIN IMMEDIATE');
      }
      return answer;
    },
  };
}

describe('a poll cut off by its database', () => {
  it('is not the source’s or the listing’s fault: the pass stops, the attempt is given back, the next pass finishes', async () => {
    lockAfterThirdArticle();
    await expect(pollSource(ctx, source)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    // Nothing counts against the source, no listing is marked failed.
    expect(getHealth(app.db, 'exportcontrol')).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(listingRows().map((l) => l.status)).toEqual(['done', 'done', 'new', 'new', 'new', 'new']);
    expect(listingRows()[2]!.attempts).toBe(1);

    other!.exec('COMMIT');
    app.db.pragma('busy_timeout = 5000');
    await processPending(ctx, 'exportcontrol');
    expect(listingRows().map((l) => [l.status, l.attempts])).toEqual(Array.from({ length: 6 }, () => ['done', 1]));
    expect(app.db.prepare("SELECT COUNT(*) FROM notices WHERE status = 'pending'").pluck().get()).toBe(0);
  });

  it('in the service: the next pass finishes the listings the lock cut off, although their source is not due for 15 min', async () => {
    lockAfterThirdArticle();
    const errors: unknown[] = [];
    let paused = false;
    const scheduler = startScheduler(ctx, [source], { tickCron: '0 0 1 1 *', onError: (e) => errors.push(e), paused: () => paused });
    try {
      expect(await scheduler.tick()).toEqual([]);
      expect(errors).toMatchObject([{ code: 'SQLITE_BUSY' }]);
      // While the service knows the database is locked, passes are skipped.
      paused = true;
      expect(await scheduler.tick()).toEqual([]);
      expect(listingRows().filter((l) => l.status === 'done')).toHaveLength(2);
      other!.exec('COMMIT');
      app.db.pragma('busy_timeout = 5000');
      paused = false;
      await scheduler.tick();
      expect(listingRows().map((l) => [l.status, l.attempts])).toEqual(Array.from({ length: 6 }, () => ['done', 1]));
      expect(errors).toHaveLength(1);
    } finally {
      await scheduler.stop();
    }
  });

  it('alerts a notice taken up again after its changes were recorded once, with its change sets only', async () => {
    // The first attempt records the entity listing's change sets and is cut off before the notice is marked done.
    const key = 'MOFCOM-2026-95';
    app.db.exec(`CREATE TEMP TRIGGER cut_off BEFORE UPDATE OF status ON notices WHEN NEW.key = '${key}' AND NEW.status != 'pending'
                 BEGIN SELECT RAISE(ABORT, 'cut off'); END`);
    await pollSource(ctx, source);
    const changeSets = app.db.prepare('SELECT id FROM change_sets WHERE notice_key = ?').pluck().all(key) as number[];
    expect(changeSets.length).toBeGreaterThan(0);
    expect(app.db.prepare('SELECT status FROM notices WHERE key = ?').pluck().get(key)).toBe('pending');
    const before = eventIds();
    expect(before).toEqual(expect.arrayContaining(changeSets.map((id) => `changes:${id}`)));

    app.db.exec('DROP TRIGGER cut_off');
    await processPending(ctx, 'exportcontrol');
    expect(app.db.prepare('SELECT status FROM notices WHERE key = ?').pluck().get(key)).toBe('applied');
    // Its changes were alerted the first time; it is not alerted again as "a notice that changed nothing".
    expect(eventIds()).toEqual(before);
  });
});
