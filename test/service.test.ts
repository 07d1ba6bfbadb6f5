// The service side of watching: backfill (resumable), the scheduler's persisted next-poll times,
// /healthz and /metrics, and `serve` as a real process.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createMetrics } from '../src/metrics.js';
import { backfill } from '../src/pipeline/backfill.js';
import { DEFAULT_WATCH_SETTINGS, pollSource, type PollContext } from '../src/pipeline/poll.js';
import { makeEmitter } from '../src/alerts/events.js';
import { isDue, startScheduler } from '../src/scheduler.js';
import { startHttp } from '../src/server.js';
import { loadSourcesFile, type SourceConfig } from '../src/sources/config.js';
import type { HttpClient } from '../src/sources/http/types.js';
import { makeHttpClient } from '../src/watch.js';
import { getHealth, pendingListings, rememberListings } from '../storage/sources.js';
import { articlePage, COLUMN_API_PATH, startFakeMofcom, type FakeMofcom } from './fakes/mofcom.js';
import { tempDir } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let app: App;
let sources: SourceConfig[];
let sourcesFile: string;
let clock: Date;

/** `count` press releases (classified "other"), one every 20 days back from 2026-11-20, newest first. */
function pressReleases(count: number) {
  const listings = [];
  const documents = [];
  for (let i = 0; i < count; i++) {
    const date = new Date(Date.UTC(2026, 10, 20) - i * 20 * 86_400_000).toISOString().slice(0, 10);
    const path = `/article/gndt/${date.slice(0, 7).replace('-', '')}/${5000 - i}.html`;
    const title = `商务部新闻发言人就出口管制有关问题答记者问（${date}）`;
    listings.push({ title, path, date, column: 9 });
    documents.push({
      path,
      html: articlePage({ title, issuer: '新闻办公室', number: '', date, paragraphs: ['问：请介绍有关情况。', '答：商务部将依法依规开展出口管制工作。'] }),
    });
  }
  return { listings, documents };
}

function context(http: HttpClient): PollContext {
  return {
    app,
    http,
    emit: makeEmitter(app, { operatorDestinations: ['console:operator'], fallbackDestination: 'console:alerts' }),
    settings: DEFAULT_WATCH_SETTINGS,
  };
}

beforeEach(async () => {
  dir = tempDir();
  fake = await startFakeMofcom(pressReleases(45));
  sourcesFile = join(dir.path, 'sources.yaml');
  writeFileSync(
    sourcesFile,
    `sources:\n  - id: exportcontrol\n    kind: export-control-columns\n    baseUrl: ${fake.baseUrl}\n    columns: [9]\n    every: 15m\n`,
  );
  sources = loadSourcesFile(sourcesFile);
  clock = new Date('2026-11-29T08:00:00Z');
  app = openApp({ databasePath: join(dir.path, 'service.db'), now: () => clock });
});

afterEach(async () => {
  app.close();
  await fake.close();
  dir.remove();
});

const config = () => loadConfig({ HTTP_DELAY_MS: '0', HTTP_RETRIES: '0', HTTP_TIMEOUT_MS: '2000' });
const pagesAsked = () => fake.requests.filter((r) => r.path.startsWith(COLUMN_API_PATH)).map((r) => Number(/pageNumber=(\d+)/.exec(r.body)?.[1]));

describe('backfill', () => {
  it('walks pages back to the year asked for and processes every listing', async () => {
    const [outcome] = await backfill(context(makeHttpClient(app, config())), sources, { since: 2026, maxPages: 10 });
    // 20 rows a page, one every 20 days: page 1 reaches back to 2025-12, so page 1 is enough for 2026.
    expect(outcome).toMatchObject({ source: 'exportcontrol', stoppedBy: 'since', pages: 1, listings: 20 });
    expect(outcome!.notices).toHaveLength(20);
    expect(outcome!.notices.every((n) => n.outcome === 'applied' || n.outcome === 'flagged')).toBe(true);
  });

  it('resumes after an interruption at the page where it stopped', async () => {
    const real = makeHttpClient(app, config());
    let apiCalls = 0;
    const failing: HttpClient = {
      fetch: (req) => {
        if (req.url.includes(COLUMN_API_PATH) && ++apiCalls > 2) return Promise.reject(new Error('connection lost'));
        return real.fetch(req);
      },
    };
    const [first] = await backfill(context(failing), sources, { since: 2024, maxPages: 10 });
    expect(first).toMatchObject({ stoppedBy: 'error', pages: 1 });
    fake.requests.length = 0;
    const [second] = await backfill(context(real), sources, { since: 2024, maxPages: 10 });
    expect(second!.stoppedBy).toBe('end');
    // It did not start again from page 1: page 1 is only fetched to check page 2 against it.
    expect(pagesAsked()[0]).toBe(2);
    expect(second!.notices.length + first!.notices.length).toBe(45);
  });
});

describe('conditional GET', () => {
  it('costs a 304 when an index page has not changed, and finds nothing new', async () => {
    writeFileSync(sourcesFile, `sources:\n  - id: home\n    kind: html-index\n    url: ${fake.baseUrl}/\n    every: 1h\n`);
    const [home] = loadSourcesFile(sourcesFile);
    const http = makeHttpClient(app, config());
    const first = await pollSource(context(http), home!);
    expect(first).toMatchObject({ ok: true, listings: 45, newListings: 45 });
    fake.requests.length = 0;
    const second = await pollSource(context(http), home!);
    expect(second).toMatchObject({ ok: true, listings: 0, newListings: 0, notices: [] });
    const indexRequests = fake.requests.filter((r) => r.path === '/');
    expect(indexRequests).toHaveLength(1);
    expect(indexRequests[0]!.headers['if-none-match']).toBeDefined();
  });

  it('asks unconditionally after a poll that fetched the list but did not remember its listings', async () => {
    writeFileSync(sourcesFile, `sources:\n  - id: home\n    kind: html-index\n    url: ${fake.baseUrl}/\n    every: 1h\n`);
    const [home] = loadSourcesFile(sourcesFile);
    const http = makeHttpClient(app, config());
    expect(await pollSource(context(http), home!)).toMatchObject({ ok: true, newListings: 45 });
    // A new press release; a poll fetches the changed page (its new ETag is stored) and is cut off right after.
    const next = pressReleases(1);
    next.listings[0]!.path = '/article/gndt/202611/6000.html';
    next.documents[0]!.path = next.listings[0]!.path;
    fake.listings.unshift(next.listings[0]!);
    fake.documents.set(next.documents[0]!.path, next.documents[0]!);
    const cutOff: HttpClient = {
      fetch: async (req) => {
        await http.fetch(req);
        throw new Error('the process died here');
      },
    };
    expect(await pollSource(context(cutOff), home!)).toMatchObject({ ok: false });
    fake.requests.length = 0;
    const after = await pollSource(context(http), home!);
    expect(after).toMatchObject({ ok: true, newListings: 1 });
    expect(after.notices.map((n) => n.url)).toEqual([`${fake.baseUrl}/article/gndt/202611/6000.html`]);
    expect(fake.requests.find((r) => r.path === '/')!.headers['if-none-match']).toBeUndefined();
    // Once remembered, polls are conditional again.
    fake.requests.length = 0;
    expect(await pollSource(context(http), home!)).toMatchObject({ ok: true, newListings: 0 });
    expect(fake.requests.find((r) => r.path === '/')!.headers['if-none-match']).toBeDefined();
  });
});

describe('scheduler', () => {
  it('finishes, on its first pass after a restart, listings a crash cut off', async () => {
    const http = makeHttpClient(app, config());
    await pollSource(context(http), sources[0]!, { random: () => 0 });
    // A listing remembered just before a crash: new, not processed, and the source's next poll is not due.
    const listing = pressReleases(46).listings.at(-1)!;
    const document = pressReleases(46).documents.at(-1)!;
    fake.documents.set(document.path, document);
    rememberListings(
      app.db,
      [{ url: `${fake.baseUrl}${listing.path}`, title: listing.title, publishedAt: listing.date, sourceId: 'exportcontrol' }],
      clock.toISOString(),
    );
    const scheduler = startScheduler(context(http), sources, { tickCron: '0 0 1 1 *' });
    try {
      expect(await scheduler.tick()).toEqual([]);
      expect(pendingListings(app.db, 'exportcontrol', 3, clock)).toEqual([]);
      expect(app.db.prepare('SELECT status, attempts FROM listings WHERE url = ?').get(`${fake.baseUrl}${listing.path}`)).toEqual({
        status: 'done',
        attempts: 1,
      });
    } finally {
      await scheduler.stop();
    }
  });

  it('knows what is due from the stored next-poll time, so a restart neither floods nor forgets', async () => {
    expect(isDue(null, clock)).toBe(true);
    const http = makeHttpClient(app, config());
    await pollSource(context(http), sources[0]!, { random: () => 0 });
    const next = getHealth(app.db, 'exportcontrol').nextPollAt!;
    expect(next).toBe('2026-11-29T08:15:00.000Z');
    expect(isDue(next, clock)).toBe(false);

    // A "restarted" scheduler over the same store: nothing is due yet…
    const scheduler = startScheduler(context(http), sources, { tickCron: '0 0 1 1 *' });
    try {
      fake.requests.length = 0;
      expect(await scheduler.tick()).toEqual([]);
      expect(fake.requests).toEqual([]);
      // …and once the time has come, the source is polled again.
      clock = new Date('2026-11-29T08:16:00Z');
      const outcomes = await scheduler.tick();
      expect(outcomes.map((o) => o.sourceId)).toEqual(['exportcontrol']);
      expect(getHealth(app.db, 'exportcontrol').nextPollAt! > '2026-11-29T08:16:00.000Z').toBe(true);
    } finally {
      await scheduler.stop();
    }
  });
});

describe('/healthz and /metrics', () => {
  it('tell the truth about the store and the sources', async () => {
    const metrics = createMetrics();
    const http = await startHttp(app, sources, metrics, 0, '127.0.0.1');
    try {
      const ok = makeHttpClient(app, config());
      metrics.observe(await pollSource(context(ok), sources[0]!));
      expect(await (await fetch(`http://127.0.0.1:${http.port}/healthz`)).json()).toMatchObject({ ok: true, status: 'ok' });
      fake.misbehave('server-error');
      metrics.observe(await pollSource(context(ok), sources[0]!));
      const health = await fetch(`http://127.0.0.1:${http.port}/healthz`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as {
        ok: boolean;
        status: string;
        store: { ok: boolean };
        sources: Array<{ id: string; healthy: boolean; consecutiveFailures: number }>;
      };
      // Up (200, a restart would not help), but degraded: the failing source is named, with the reason.
      expect(body).toMatchObject({ ok: true, status: 'degraded', store: { ok: true } });
      expect(body.sources).toEqual([
        expect.objectContaining({
          id: 'exportcontrol',
          healthy: false,
          consecutiveFailures: 1,
          lastErrorReason: 'http-status',
          failingSince: expect.any(String),
        }),
      ]);
      const text = await (await fetch(`http://127.0.0.1:${http.port}/metrics`)).text();
      expect(text).toMatch(/exportwatch_polls_total\{source="exportcontrol",outcome="ok"\} 1/);
      expect(text).toMatch(/exportwatch_polls_total\{source="exportcontrol",outcome="error"\} 1/);
      expect(text).toMatch(/exportwatch_poll_errors_total\{source="exportcontrol",reason="http-status"\} 1/);
      expect(text).toMatch(
        /exportwatch_notices_total\{source="exportcontrol",outcome="flagged"\} 20|exportwatch_notices_total\{source="exportcontrol",outcome="applied"\} 20/,
      );
      expect((await fetch(`http://127.0.0.1:${http.port}/nope`)).status).toBe(404);
      app.close();
      const down = await fetch(`http://127.0.0.1:${http.port}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ ok: false, status: 'failing' });
      app = openApp({ databasePath: join(dir.path, 'service.db'), now: () => clock });
    } finally {
      await http.close();
    }
  });
});

describe('serve', () => {
  it('runs as a process: polls, answers /healthz, stops cleanly on SIGTERM', async () => {
    const bin = resolve(import.meta.dirname, '..', 'bin', 'exportwatch.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      cwd: dir.path,
      env: { ...process.env, DATABASE_PATH: join(dir.path, 'serve.db'), SOURCES_FILE: sourcesFile, HTTP_DELAY_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 20_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /serving on port (\d+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
    });
    try {
      // The first tick polls at once (nothing stored yet): wait until the source reports success.
      let healthy = false;
      for (let i = 0; i < 100 && !healthy; i++) {
        const body = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { sources: Array<{ lastSuccessAt: string | null }> };
        healthy = body.sources[0]?.lastSuccessAt !== null && body.sources[0]?.lastSuccessAt !== undefined;
        if (!healthy) await new Promise((r) => setTimeout(r, 100));
      }
      expect(healthy).toBe(true);
      // The outbox worker prints the recorded alerts (no subscriptions yet: the console fallback).
      for (let i = 0; i < 100 && !/New MOFCOM notice/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(stderr).toMatch(/Stopping/);
    expect(stdout).toMatch(/New MOFCOM notice/);
  }, 40_000);
});
