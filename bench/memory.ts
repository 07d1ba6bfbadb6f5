// `npm run bench` (memory): resident memory of the real service, `exportwatch serve` started as a child process the way
// `npm start` runs it (the bundle, bench/entry.ts), read from /proc/<pid>/status: VmRSS once the service has done its
// work, and VmHWM, the peak so far. Target: under 200 MB (issue 7 §5). Five runs, each on its own copy of a database:
//
//   idle            the demo catalogue only (replayTimeline, as test/system/kill.test.ts seeds it), no subscription,
//                   alerts to the console: read once the first poll pass is done;
//   loaded          the same plus 10,000 notices and 100,000 news items, and two digest subscriptions (daily, weekly)
//                   that are due at start-up. The service queues both digests before it says it is ready (reading the
//                   period's events, the flagged notices and the news), sends them to the console, polls (the MOFCOM
//                   column lists one new notice; the feed lists 30 items, 20 of them already stored, so dedupe runs
//                   against the 100,000), and answers /healthz and /metrics 20 times each; read after all of that;
//   … with Slack and Teams configured: the same two, with the fake Slack Web API and Teams in its unauthenticated
//                   development mode, so Bolt and botbuilder are loaded as in a real deployment;
//   idle through tsx: the first run again, started as bin/exportwatch.js (development, tests), for comparison.
//
// Seeding goes through the project's own storage in one transaction: saveNotice (titles, bodies of 800–4,000
// characters, 5% flagged), storeNewsItems in hourly batches over a year as feed polls store them (titles, canonical
// links, GUIDs, 200–500 character summaries, topics), and the pipeline's emitter for the alert events. Events are
// recorded for the last 10 days only: the service reads events by time for the digest periods (at most 8 days back)
// and nothing older, and recording all 110,000 takes a minute more and 300 MB more disk (--all-events does it).
// Loopback only; the databases live in a temporary directory.
//
// Options: --notices N (10000) --news N (100000) --settle ms (1000, wait before the last reading)
//          --all-events  --keep (keep the temporary directory, to look at the databases)
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openApp, type App } from '../src/app.js';
import { replayTimeline } from '../src/demo.js';
import { makeEmitter, newsEvent, noticeEvent } from '../src/alerts/events.js';
import { buildNoticeMessage } from '../src/alerts/notice-message.js';
import { topicsOf } from '../src/domain/topics.js';
import { newsItemId } from '../src/sources/feeds/dedupe.js';
import type { NewsItem } from '../src/sources/feeds/types.js';
import { saveNotice, type NoticeStatus } from '../storage/notices.js';
import { storeNewsItems } from '../storage/news.js';
import { saveSubscription } from '../storage/subscriptions.js';
import { articlePage, startFakeMofcom, type FakeMofcom } from '../test/fakes/mofcom.js';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../test/fakes/slack.js';
import { ENTRY_LABEL, prepareBundle, rebuiltOnStart, serveArgs, type ServeEntry } from './entry.js';
import { reportRows } from './summary.js';

const { values: args } = parseArgs({
  options: {
    notices: { type: 'string', default: '10000' },
    news: { type: 'string', default: '100000' },
    settle: { type: 'string', default: '1000' },
    'all-events': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const NOTICES = Number(args.notices);
const NEWS = Number(args.news);
const SETTLE_MS = Number(args.settle);
const ALL_EVENTS = args['all-events'] ?? false;
/** Events are recorded for what was seen in the last EVENT_DAYS days (or for everything, with --all-events). */
const EVENT_DAYS = 10;
for (const [name, n] of [
  ['notices', NOTICES],
  ['news', NEWS],
  ['settle', SETTLE_MS],
] as const) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0`);
}
const TARGET_MB = 200;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

// ---- deterministic synthetic data ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pickFrom =
  (rand: () => number) =>
  <T>(list: readonly T[]): T =>
    list[Math.floor(rand() * list.length)]!;

const ZH_ITEMS = ['镓', '锗', '锑', '石墨', '稀土', '钨', '铟', '铋', '钼', '锂电池正极材料', '无人机', '高性能计算芯片', '激光雷达', '超硬材料', '稀土永磁'];
const ZH_PHRASES = [
  '根据《中华人民共和国出口管制法》《中华人民共和国对外贸易法》《中华人民共和国海关法》有关规定',
  '为维护国家安全和利益、履行防扩散等国际义务',
  '经国务院批准，决定对下列物项实施出口管制',
  '出口经营者应当按照有关规定办理出口许可手续',
  '未经许可，不得出口',
  '出口经营者应当向商务部申请许可，并如实提交最终用户和最终用途证明文件',
  '本公告自发布之日起正式实施',
  '对违反本公告规定的，依法追究法律责任',
  '以上物项的海关商品编号如下',
  '两用物项出口管制清单相应调整',
  '将下列实体列入出口管制管控名单',
  '禁止向上述实体出口两用物项，正在开展的相关出口活动应当立即停止',
  '特殊情况下确需出口的，出口经营者应当向商务部提出申请',
];
const EN_SUBJECTS = [
  'China',
  'Beijing',
  'MOFCOM',
  "China's commerce ministry",
  'Chinese regulators',
  'Exporters',
  'Chip makers',
  'Battery makers',
  'EU officials',
  'US lawmakers',
];
const EN_VERBS = ['tightens', 'expands', 'eases', 'suspends', 'adds', 'reviews', 'warns over', 'extends', 'clarifies', 'confirms'];
const EN_OBJECTS = [
  'export controls on gallium and germanium',
  'curbs on rare earth processing technology',
  'licensing for graphite anode materials',
  'the unreliable entity list',
  'controls on antimony shipments',
  'rules for lithium battery cathode technology',
  'restrictions on drone components',
  'the dual-use items list',
  'checks on tungsten and indium exports',
  'controls on superhard materials',
];
const EN_TAILS = ['as talks stall', 'amid supply fears', 'ahead of trade talks', 'after a review', 'from next month', 'in a notice on Friday', '', ''];
const EN_SENTENCES = [
  'The ministry said the measures would take effect immediately and apply to all exporters.',
  'Analysts said the move could tighten supply of critical minerals used in semiconductors and batteries.',
  'Exporters must apply for a licence and provide end-user and end-use certificates.',
  'Prices of the affected metals rose sharply in early trading in Shanghai and Rotterdam.',
  'Industry groups asked for clarification on how existing contracts would be treated.',
  'The announcement follows similar measures on rare earth technologies earlier in the year.',
  'Officials said the controls were consistent with international practice and non-proliferation obligations.',
  'Buyers in Europe and Japan said they were reviewing their inventories and alternative sources.',
  'Customs data showed shipments had already fallen in the previous quarter.',
  'A spokesperson declined to say whether further items would be added to the list.',
];
const FEEDS = [
  'trade-wire',
  'metals-daily',
  'asia-markets',
  'policy-watch',
  'chips-weekly',
  'battery-news',
  'customs-monitor',
  'eu-trade',
  'us-china',
  'commodities',
];

function zhBody(rand: () => number, chars: number): string {
  const pick = pickFrom(rand);
  const parts: string[] = [];
  let n = 0;
  let clause = 1;
  while (n < chars) {
    const p = `${clause % 7 === 1 ? `${'一二三四五六七八九十'[Math.floor(clause / 7) % 10]}、` : ''}${pick(ZH_PHRASES)}，${pick(ZH_ITEMS)}（海关商品编号${2800000000 + Math.floor(rand() * 99999999)}）。`;
    parts.push(p);
    n += p.length;
    clause += 1;
  }
  return parts.join('');
}

function enSummary(rand: () => number, chars: number): string {
  const pick = pickFrom(rand);
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    const s = pick(EN_SENTENCES);
    parts.push(s);
    n += s.length + 1;
  }
  const text = parts.join(' ');
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

// Topic tagging (glossary matching) costs 0.5 ms for a news item and several ms for a notice body; the synthetic texts
// are made of a few hundred distinct phrases, so the topics are those of each phrase, computed once (the union is what
// tagging the whole text finds, unless a term spans two phrases).
const topicMemo = new Map<string, string[]>();
function topicsOfParts(app: App, parts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const part of parts) {
    let topics = topicMemo.get(part);
    if (!topics) topicMemo.set(part, (topics = topicsOf(app.topics, part)));
    for (const t of topics) found.add(t);
  }
  return [...found].sort();
}

/** A news item as the feed parser yields it (topics from title and summary, id from its dedupe identity). */
function newsItem(app: App, i: number, seenAt: Date, rand: () => number): NewsItem {
  const pick = pickFrom(rand);
  const feedId = FEEDS[i % FEEDS.length]!;
  const title = `${pick(EN_SUBJECTS)} ${pick(EN_VERBS)} ${pick(EN_OBJECTS)} ${pick(EN_TAILS)}`.trim() + ` (${i})`;
  const published = new Date(seenAt.getTime() - Math.floor(rand() * 6 * HOUR_MS));
  const ymd = published.toISOString().slice(0, 10).replaceAll('-', '/');
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  const link = `https://${feedId}.example.com/${ymd}/${slug}-${i}?utm_source=rss&utm_medium=feed`;
  const r = rand();
  // Most feeds give a URI GUID; some a bare number (only unique within the feed); some none.
  const guid = r < 0.6 ? `https://${feedId}.example.com/p/${i}` : r < 0.8 ? String(100000 + i) : null;
  const summary = enSummary(rand, 200 + Math.floor(rand() * 300));
  const topics = topicsOfParts(app, [title.replace(/ \(\d+\)$/, ''), ...summary.split(/(?<=\.) /)]);
  const item = { feedId, title, link, guid, published: published.toISOString(), publishedKnown: true, summary, topics };
  return { id: newsItemId(item), ...item };
}

interface Seeded {
  notices: number;
  news: number;
  events: number;
  subscriptions: number;
  /** Stored items a feed document should list again (dedupe work for the service's poll). */
  repeat: NewsItem[];
  seconds: number;
  bytes: number;
}

/**
 * Seeding speed only, in this process: formatDetected (src/alerts/message.ts), which every alert message calls, builds
 * two Intl.DateTimeFormat objects per call, about 1 ms; here formatters with the same arguments are reused while
 * seeding, which gives the same strings. The service under measurement is not affected.
 */
function withCachedDateTimeFormat<T>(fn: () => T): T {
  const native = Intl.DateTimeFormat;
  const cache = new Map<string, Intl.DateTimeFormat>();
  const cached = (argArray: unknown[]): Intl.DateTimeFormat => {
    const key = JSON.stringify(argArray);
    let f = cache.get(key);
    if (!f) cache.set(key, (f = new native(...(argArray as ConstructorParameters<typeof native>))));
    return f;
  };
  Intl.DateTimeFormat = new Proxy(native, { construct: (_t, argArray) => cached(argArray), apply: (_t, _this, argArray) => cached(argArray) });
  try {
    return fn();
  } finally {
    Intl.DateTimeFormat = native;
  }
}

/** Adds notices, news and their events, and two due digest subscriptions, in one transaction. */
function seedLoaded(dbPath: string, now: Date): Seeded {
  const t0 = performance.now();
  const app = openApp({ databasePath: dbPath });
  // One large transaction: a bigger page cache for this connection keeps SQLite from spilling pages to the WAL as it goes.
  app.db.pragma('cache_size = -262144');
  const emit = makeEmitter(app, { operatorDestinations: [], fallbackDestination: null });
  const rand = rng(2026);
  const pick = pickFrom(rand);
  const repeat: NewsItem[] = [];
  let news = 0;
  const created = new Date(now.getTime() - 10 * DAY_MS);
  const base = { topics: [], keywords: [], minSeverity: 'info' as const, digestHour: 8, digestMinute: 0, timezone: 'UTC', emptyDigest: true };
  saveSubscription(app.db, { ...base, destination: 'console:digest-daily', mode: 'daily', digestDay: 1 }, created);
  saveSubscription(app.db, { ...base, destination: 'console:digest-weekly', mode: 'weekly', digestDay: (now.getUTCDay() + 5) % 7 }, created);
  withCachedDateTimeFormat(() =>
    app.db.transaction(() => {
      // Notices: published over ten years, recorded (watched or backfilled) over the last year; 5% flagged.
      const kinds = ['dual-use', 'entity-listing', 'tech-catalogue-adjustment', 'lifecycle', 'other'];
      for (let i = 0; i < NOTICES; i++) {
        const year = 2016 + Math.floor((i * 11) / Math.max(1, NOTICES));
        const number = 100 + (i % 1000);
        const recordedAt = new Date(now.getTime() - 365 * DAY_MS + Math.floor(((i + rand()) * 365 * DAY_MS) / Math.max(1, NOTICES)));
        const flagged = rand() < 0.05;
        const status: NoticeStatus = flagged ? 'flagged' : rand() < 0.9 ? 'applied' : 'manual';
        const flags = flagged ? [`dual-use: clause ${1 + Math.floor(rand() * 9)} not applied (no item code found)`] : [];
        const title = `商务部公告${year}年第${number}号 关于对${pick(ZH_ITEMS)}相关物项实施出口管制的公告`;
        const body = zhBody(rand, 800 + Math.floor(rand() * 3200));
        const key = `MOFCOM-${year}-${number}`;
        const publishedAt = `${year}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
        const stored = saveNotice(app.db, {
          key,
          registerId: null,
          title,
          issuer: '商务部',
          number: `商务部公告${year}年第${number}号`,
          publishedAt,
          effectiveAt: rand() < 0.5 ? publishedAt : null,
          urls: [`https://www.mofcom.gov.cn/zwgk/zcfb/art/${year}/art_${createHash('sha1').update(key).digest('hex').slice(0, 32)}.html`],
          textHash: createHash('sha256').update(body).digest('hex'),
          status,
          kind: pick(kinds),
          flags,
          body,
          recordedAt: recordedAt.toISOString(),
        });
        const at = recordedAt.toISOString();
        if (!ALL_EVENTS && now.getTime() - recordedAt.getTime() > EVENT_DAYS * DAY_MS) continue;
        // The pipeline's notice event; its topics (tagging title and body) from the memo, its text with the body.
        const event = noticeEvent({ noticeKey: key, title, body: '', flagged, message: buildNoticeMessage(stored, flags, at), topics: app.topics, at });
        emit({
          ...event,
          text: `${title}\n${body}`.slice(0, 20_000),
          topics: topicsOfParts(
            app,
            [title, ...body.split(/[，。（）]/)].map((t) => t.replace(/\d+/g, '')),
          ),
        });
      }
      // News: first seen over the last year, in hourly polls (about 11 items an hour), each with its news event.
      const hours = 365 * 24;
      const start = now.getTime() - hours * HOUR_MS;
      let i = 0;
      for (let h = 0; h < hours && i < NEWS; h++) {
        const seenAt = new Date(start + h * HOUR_MS);
        const batch: NewsItem[] = [];
        const count = Math.round(((h + 1) * NEWS) / hours) - i;
        for (let k = 0; k < count; k++) batch.push(newsItem(app, i++, seenAt, rand));
        const fresh = storeNewsItems(app.db, batch, { now: seenAt });
        news += fresh.length;
        const at = seenAt.toISOString();
        if (!ALL_EVENTS && now.getTime() - seenAt.getTime() > EVENT_DAYS * DAY_MS) continue;
        for (const item of fresh) {
          emit(newsEvent(item, item.feedId, at));
        }
        if (h >= hours - 2) repeat.push(...fresh);
      }
    })(),
  );
  const count = (sql: string): number => app.db.prepare(sql).pluck().get() as number;
  const seeded = {
    notices: count('SELECT COUNT(*) FROM notices'),
    news: count('SELECT COUNT(*) FROM news_items'),
    events: count('SELECT COUNT(*) FROM events'),
    subscriptions: count('SELECT COUNT(*) FROM subscriptions'),
  };
  app.db.pragma('wal_checkpoint(TRUNCATE)');
  app.close();
  if (news !== NEWS) throw new Error(`seeding stored ${news} of ${NEWS} news items (dedupe dropped some)`);
  return { ...seeded, repeat: repeat.slice(-20), seconds: (performance.now() - t0) / 1000, bytes: statSync(dbPath).size };
}

function seedCatalogue(dbPath: string): void {
  const app = openApp({ databasePath: dbPath });
  try {
    replayTimeline(app);
  } finally {
    app.close();
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An RSS 2.0 document listing `items` again (already stored) and ten new ones. */
function feedDocument(items: readonly NewsItem[], now: Date): string {
  const entry = (title: string, link: string, guid: string | null, published: string, summary: string): string =>
    `<item><title>${escapeXml(title)}</title><link>${escapeXml(link)}</link>${guid === null ? '' : `<guid isPermaLink="false">${escapeXml(guid)}</guid>`}` +
    `<pubDate>${new Date(published).toUTCString()}</pubDate><description>${escapeXml(summary)}</description></item>`;
  const rand = rng(7);
  const fresh = Array.from({ length: 10 }, (_, k) =>
    entry(
      `China adds ${ZH_ITEMS.length + k} items to the export control list (bench ${k})`,
      `https://trade-wire.example.com/new/${k}`,
      `https://trade-wire.example.com/p/new-${k}`,
      now.toISOString(),
      enSummary(rand, 300),
    ),
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench trade news</title><link>https://trade-wire.example.com/</link>` +
    `<description>bench</description>${[...items.map((n) => entry(n.title, n.link, n.guid, n.published, n.summary)), ...fresh].join('')}</channel></rss>`
  );
}

// ---- the service ----

interface ProcMemory {
  rssKb: number;
  hwmKb: number;
  anonKb: number;
  fileKb: number;
}

function procMemory(pid: number): ProcMemory {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), anonKb: kb('RssAnon'), fileKb: kb('RssFile') };
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

interface Running {
  child: ChildProcess;
  /** When it was spawned (ISO). */
  startedAt: string;
  port: number;
  readyMs: number;
  stderr: () => string;
  stdout: () => string;
}

async function startService(cwd: string, env: NodeJS.ProcessEnv, entry: ServeEntry): Promise<Running> {
  if (entry === 'start') prepareBundle();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const child = spawn(process.execPath, serveArgs(entry), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout = (stdout + c.toString()).slice(-200_000)));
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-200_000)));
  const until = performance.now() + 60_000;
  for (;;) {
    const port = Number(/serving on port (\d+)/.exec(stderr)?.[1] ?? 0);
    if (port) return { child, startedAt, port, readyMs: performance.now() - started, stderr: () => stderr, stdout: () => stdout };
    if (child.exitCode !== null || child.signalCode !== null || performance.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start (exit ${child.exitCode ?? child.signalCode ?? 'none, timed out'}):\n${stderr.slice(-2000)}`);
    }
    await sleep(10);
  }
}

async function stopService(running: Running): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(50);
  }
  return performance.now() - t0;
}

/** True once every configured source has been polled (successfully or not) since `since` (ISO time). */
async function firstPassDone(port: number, since: string): Promise<boolean> {
  const { status, text } = await get(port, '/healthz');
  if (status !== 200) return false;
  const body = JSON.parse(text) as { sources: Array<{ id: string; lastSuccessAt: string | null; lastError: string | null; consecutiveFailures: number }> };
  const failing = body.sources.filter((s) => s.consecutiveFailures > 0);
  if (failing.length > 0) throw new Error(`sources failed: ${failing.map((s) => `${s.id}: ${s.lastError}`).join('; ')}`);
  return body.sources.length > 0 && body.sources.every((s) => s.lastSuccessAt !== null && s.lastSuccessAt >= since);
}

function digestCounts(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM deliveries WHERE kind = 'digest' GROUP BY status`).all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  } finally {
    db.close();
  }
}

async function heapMb(port: number): Promise<string> {
  const { text } = await get(port, '/metrics');
  const value = (name: string): number => Number(new RegExp(`^exportwatch_process_${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
  return `${value('nodejs_heap_size_used_bytes').toFixed(1)} / ${value('nodejs_heap_size_total_bytes').toFixed(1)} MB`;
}

interface Sample {
  readyMs: number;
  atReady: ProcMemory;
  after: ProcMemory;
  heap: string;
  notes: string[];
}

async function measure(
  dir: string,
  dbPath: string,
  sourcesFile: string,
  extraEnv: NodeJS.ProcessEnv,
  entry: ServeEntry,
  work: (running: Running) => Promise<string[]>,
): Promise<Sample> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_PATH: dbPath,
    SOURCES_FILE: sourcesFile,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    HTTP_TIMEOUT_MS: '5000',
    URL_ALLOWLIST: '127.0.0.1',
    ALERTS_FALLBACK_DESTINATION: 'none',
    ...extraEnv,
  };
  const running = await startService(dir, env, entry);
  try {
    const atReady = procMemory(running.child.pid!);
    const notes = await work(running);
    if (entry === 'start' && rebuiltOnStart(running.stderr())) notes.push('the bundle was rebuilt at start (a source changed meanwhile)');
    await sleep(SETTLE_MS);
    const after = procMemory(running.child.pid!);
    const heap = await heapMb(running.port);
    return { readyMs: running.readyMs, atReady, after, heap, notes };
  } finally {
    await stopService(running);
  }
}

// ---- the run ----

const WS: FakeWorkspace = { teamId: 'T0MEMORY', teamName: 'exportwatch-memory', botToken: 'xoxb-7777-6666-memorybottoken', botUserId: 'U0BOT', botId: 'B0BOT' };

/** What the loaded service must have done before its memory is read; also returns what it did, for the report. */
function loadedWork(dbPath: string, subscriptions: number): (running: Running) => Promise<string[]> {
  return async ({ port, startedAt }) => {
    const notes: string[] = [];
    const passMs = await waitFor('the first poll pass', 60_000, () => firstPassDone(port, startedAt));
    notes.push(`first poll pass done ${(passMs / 1000).toFixed(2)} s after ready`);
    const sentMs = await waitFor('both digests sent', 60_000, () => (digestCounts(dbPath).sent ?? 0) >= subscriptions);
    notes.push(`digests ${JSON.stringify(digestCounts(dbPath))} (${(sentMs / 1000).toFixed(2)} s after the pass)`);
    let bytes = 0;
    for (let i = 0; i < 20; i++) {
      bytes += (await get(port, '/healthz')).text.length;
      bytes += (await get(port, '/metrics')).text.length;
    }
    notes.push(`/healthz and /metrics 20 times each (${(bytes / 1024).toFixed(0)} kB answered)`);
    return notes;
  };
}

function countRows(dbPath: string, table: 'news_items' | 'notices'): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'exportwatch-bench-memory-'));
let fake: FakeMofcom | null = null;
let slack: FakeSlack | null = null;
let exitCode = 0;
try {
  const now = new Date();
  const idleDb = join(dir, 'idle.db');
  const loadedDb = join(dir, 'loaded.db');
  const chatDb = join(dir, 'loaded-chat.db');
  const idleChatDb = join(dir, 'idle-chat.db');
  const idleTsxDb = join(dir, 'idle-tsx.db');
  seedCatalogue(idleDb);
  copyFileSync(idleDb, idleChatDb);
  copyFileSync(idleDb, idleTsxDb);
  seedCatalogue(loadedDb);
  const seeded = seedLoaded(loadedDb, now);
  // The same data for the run with Slack and Teams configured (its digests must be due too).
  copyFileSync(loadedDb, chatDb);

  // The MOFCOM column lists one notice (an empty list is a source error: a broken page looks the same).
  const today = now.toISOString().slice(0, 10);
  const noticePath = `/article/gndt/${today.slice(0, 7).replace('-', '')}/1.html`;
  fake = await startFakeMofcom({
    listings: [{ title: `商务部公告${today.slice(0, 4)}年第1号 关于举办出口管制合规培训的通知`, path: noticePath, date: today, column: 9 }],
    documents: [
      {
        path: noticePath,
        html: articlePage({
          title: `商务部公告${today.slice(0, 4)}年第1号 关于举办出口管制合规培训的通知`,
          issuer: '商务部',
          number: `商务部公告${today.slice(0, 4)}年第1号`,
          date: today,
          paragraphs: ['为帮助出口经营者了解出口管制法律法规，商务部将举办出口管制合规培训。', '请有关单位按要求报名参加。', '特此通知。'],
        }),
      },
      { path: '/feeds/trade.xml', html: feedDocument(seeded.repeat, now), contentType: 'application/rss+xml; charset=utf-8' },
    ],
  });
  slack = await startFakeSlack();
  slack.addWorkspace(WS);
  const sourcesFile = join(dir, 'sources.json');
  writeFileSync(
    sourcesFile,
    JSON.stringify({
      sources: [
        { id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '24h' },
        { id: 'trade-news', kind: 'feed', url: `${fake.baseUrl}/feeds/trade.xml`, every: '24h', name: 'Trade news' },
      ],
    }),
  );
  // Slack (one workspace, the fake Web API) and Teams (its unauthenticated development mode): both adapters loaded.
  const chatEnv: NodeJS.ProcessEnv = {
    NODE_ENV: 'development',
    SLACK_SIGNING_SECRET: 'memory-signing-secret-0123456789',
    SLACK_BOT_TOKEN: WS.botToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_TIMEOUT_MS: '2000',
    TEAMS_ALLOW_UNAUTHENTICATED: 'true',
    MICROSOFT_APP_ID: '',
    TEAMS_TIMEOUT_MS: '2000',
  };

  console.log(`\n## memory: resident memory of exportwatch serve (VmRSS) — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}`);
  console.log(
    `  seeded: ${seeded.notices.toLocaleString('en')} notices, ${seeded.news.toLocaleString('en')} news items, ${seeded.events.toLocaleString('en')} events ` +
      `(${ALL_EVENTS ? 'every item' : `the last ${EVENT_DAYS} days`}), ${seeded.subscriptions} digest subscriptions in ${seeded.seconds.toFixed(1)} s ` +
      `(database ${(seeded.bytes / 1024 / 1024).toFixed(0)} MB)`,
  );

  const firstPass = async ({ port, startedAt }: Running): Promise<string[]> => {
    const ms = await waitFor('the first poll pass', 30_000, () => firstPassDone(port, startedAt));
    return [`first poll pass done ${(ms / 1000).toFixed(2)} s after ready`];
  };
  const idle = await measure(dir, idleDb, sourcesFile, {}, 'start', firstPass);
  const idleChat = await measure(dir, idleChatDb, sourcesFile, chatEnv, 'start', firstPass);
  const idleTsx = await measure(dir, idleTsxDb, sourcesFile, {}, 'tsx', firstPass);
  const loaded = await measure(dir, loadedDb, sourcesFile, {}, 'start', loadedWork(loadedDb, seeded.subscriptions));
  const chat = await measure(dir, chatDb, sourcesFile, chatEnv, 'start', loadedWork(chatDb, seeded.subscriptions));

  const line = (label: string, s: Sample): void => {
    console.log(`  ${label}: ready in ${(s.readyMs / 1000).toFixed(2)} s; ${s.notes.join('; ')}`);
    console.log(
      `    RSS at ready ${mb(s.atReady.rssKb)} · after the work (+${SETTLE_MS} ms) ${mb(s.after.rssKb)} (anonymous ${mb(s.after.anonKb)}, file-backed ${mb(s.after.fileKb)})`,
    );
    console.log(`    peak RSS (VmHWM) ${mb(s.after.hwmKb)} · V8 heap used / total ${s.heap}`);
  };
  line('idle (demo catalogue, no subscription, console only)', idle);
  line('idle, Slack and Teams configured', idleChat);
  line(`idle, started as ${ENTRY_LABEL.tsx} instead`, idleTsx);
  line('loaded (console only)', loaded);
  line('loaded, Slack and Teams configured', chat);
  for (const db of [loadedDb, chatDb]) {
    const fresh = countRows(db, 'news_items') - seeded.news;
    const notices = countRows(db, 'notices') - seeded.notices;
    if (fresh !== 10 || notices !== 1) {
      console.log(`  FAILED: the poll on ${db} stored ${fresh} new news items (10 expected) and ${notices} new notices (1 expected)`);
      exitCode = 1;
    }
  }
  if (exitCode === 0) {
    console.log('  first poll on the loaded databases: the listed notice stored; 10 news items stored of the 30 listed (20 already stored, found by dedupe)');
  }

  const rows = [
    { measure: 'RSS idle (demo catalogue, first poll done)', sample: idle },
    { measure: `RSS after ${(NOTICES / 1000).toFixed(0)}k notices + ${(NEWS / 1000).toFixed(0)}k news`, sample: loaded },
    { measure: 'RSS idle, Slack + Teams configured', sample: idleChat },
    { measure: `RSS after ${(NOTICES / 1000).toFixed(0)}k + ${(NEWS / 1000).toFixed(0)}k, Slack + Teams`, sample: chat },
  ];
  for (const { measure: label, sample } of rows) {
    const value = sample.after.rssKb / 1024;
    console.log(`  ${label}: ${value.toFixed(1)} MB (target < ${TARGET_MB} MB) ${value < TARGET_MB ? 'met' : 'MISSED'}`);
  }
  const figure = (sample: Sample): string => `${(sample.after.rssKb / 1024).toFixed(0)} MB (peak ${(sample.after.hwmKb / 1024).toFixed(0)} MB)`;
  console.log(`  idle through tsx, for comparison: ${(idleTsx.after.rssKb / 1024).toFixed(1)} MB`);
  reportRows([
    ...rows.map(({ measure: label, sample }) => ({
      measure: label,
      figure: figure(sample),
      target: `< ${TARGET_MB} MB`,
      met: sample.after.rssKb / 1024 < TARGET_MB && exitCode === 0,
    })),
    { measure: 'RSS idle, through tsx (dev)', figure: figure(idleTsx), target: '— (for comparison)', met: null },
  ]);
} finally {
  await fake?.close();
  await slack?.close();
  if (args.keep) console.log(`  kept ${dir} (idle*.db, loaded*.db, sources.json)`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exitCode = exitCode;
