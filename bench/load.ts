// `npm run test:load` (issue 7 §2): load against the real service, started as a child process (`exportwatch serve
// --port 0`) on loopback, with a temporary database seeded with the demo catalogue, a quiet fake MOFCOM as its only
// source, the fake Slack Web API and a fake Bot Connector. Nothing leaves 127.0.0.1.
//
//   1. burst: 200 concurrent signed Slack slash commands `/exportwatch check <query>` (English, Chinese, codes), each on
//      a new connection, the first requests the service gets (signed beforehand, then all sent at once);
//   2. Slack, sustained: 50 commands per second for --duration seconds (default 60);
//   3. Teams, sustained: 20 message activities per second for the same duration (dev mode, TEAMS_ALLOW_UNAUTHENTICATED).
//
// Each Slack command's response_url points at a receiver run by this script; each Teams activity's serviceUrl points
// at the fake Bot Connector. For every request: the time to the HTTP answer (the ack, must be < 3 s) and the time until
// the answer arrives (end to end), both from just before the request is issued. Requests go out over node:http (cheaper
// than fetch for this script, which shares the machine with the service), and the script runs its own request path
// against its own receiver before the service starts, so that its first-time compilation does not hold back the burst.
// Errors: transport failures, non-2xx answers, acks over 3 s, and answers still missing after a grace period. The
// child's resident memory (VmRSS from /proc/<pid>/status) is read before and after.
//
// Targets: zero errors, p99 under 300 ms both for the ack (request sent → HTTP answer received) and end to end (request
// sent → answer received at the response_url or the connector), every ack under 3 s, memory growth at most 20%. Missed
// targets are reported, not a failure: the script exits 0 when it ran and 1 only when the run could not complete (the
// service did not start, or a fake could not be set up).
//
// Options: --duration seconds (60) --burst n (200) --slack-rate per s (50) --teams-rate per s (20) --grace ms (10000)
//          --child-node-options '…' (NODE_OPTIONS for the service only, e.g. --max-old-space-size=96 to tell a leak from
//          garbage not yet collected)  --child-node-args '…' (node arguments for the service only, e.g. --cpu-prof
//          --cpu-prof-dir=/tmp/prof, which NODE_OPTIONS does not allow)
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openApp } from '../src/app.js';
import { replayTimeline } from '../src/demo.js';
import { startFakeBotConnector, type FakeBotConnector } from '../test/fakes/botconnector.js';
import { startFakeMofcom, type FakeMofcom } from '../test/fakes/mofcom.js';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../test/fakes/slack.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    burst: { type: 'string', default: '200' },
    'slack-rate': { type: 'string', default: '50' },
    'teams-rate': { type: 'string', default: '20' },
    grace: { type: 'string', default: '10000' },
    'child-node-options': { type: 'string', default: '' },
    'child-node-args': { type: 'string', default: '' },
  },
});
const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${name} must be a positive number\n`);
    process.exit(2);
  }
  return n;
};
const DURATION_S = Math.min(positive('duration', args.duration), 600);
const BURST = Math.round(positive('burst', args.burst));
const SLACK_RATE = positive('slack-rate', args['slack-rate']);
const TEAMS_RATE = positive('teams-rate', args['teams-rate']);
const GRACE_MS = positive('grace', args.grace);
const ACK_LIMIT_MS = 3000;
const ACK_P99_TARGET_MS = 300;
const E2E_P99_TARGET_MS = 300;
const MEMORY_GROWTH_TARGET = 0.2;

const SIGNING_SECRET = 'load-signing-secret-5c1d7e9a';
const WS: FakeWorkspace = { teamId: 'T0LOAD', teamName: 'exportwatch-load', botToken: 'xoxb-9999-8888-loadbottoken', botUserId: 'U0BOT', botId: 'B0BOT' };
const CHANNEL = 'C0LOAD';
const TENANT = '5b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const BOT = { id: '28:exportwatch-load-bot', name: 'ExportWatch' };

/** Queries for `check`: English terms, Chinese terms, catalogue codes, and a few that find nothing. */
const QUERIES = [
  'NdFeB magnet',
  'rare earth',
  'rare earth extraction',
  'samarium cobalt',
  'gallium',
  'germanium',
  'graphite',
  'lithium battery cathode',
  'drone',
  'laser radar',
  'gene editing',
  'crop breeding',
  'silkworm',
  'traditional Chinese medicine',
  'speech recognition',
  'antimony',
  'superhard materials',
  '稀土',
  '钕铁硼',
  '稀土萃取分离工艺技术',
  '钐钴',
  '镓',
  '锗',
  '石墨',
  '激光雷达',
  '无人机',
  '蚕类品种',
  '中药',
  '基因',
  '语音',
  '050304J',
  '053301J',
  '053302J',
  '053401X',
  '053707X',
  '083915X',
  '086501X',
  '203912X',
  '206503X',
  '0533',
  'unobtainium widget',
  '不存在的技术',
];

// ---- measurement ---------------------------------------------------------------------------------------------------

interface Sample {
  sentAt: number;
  status: number | null;
  ackMs: number | null;
  e2eMs: number | null;
  error: string | null;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const ms = (n: number): string => (Number.isNaN(n) ? '—' : `${n.toFixed(1)} ms`);

interface PhaseReport {
  name: string;
  sent: number;
  wallS: number;
  ack: number[];
  e2e: number[];
  non2xx: number;
  transport: number;
  slowAcks: number;
  missing: number;
  errorSamples: string[];
}

function summarise(name: string, samples: Sample[], wallS: number): PhaseReport {
  const ack = samples.flatMap((s) => (s.ackMs === null ? [] : [s.ackMs])).sort((a, b) => a - b);
  const e2e = samples.flatMap((s) => (s.e2eMs === null ? [] : [s.e2eMs])).sort((a, b) => a - b);
  const errorSamples = [...new Set(samples.flatMap((s) => (s.error ? [s.error] : [])))].slice(0, 3);
  return {
    name,
    sent: samples.length,
    wallS,
    ack,
    e2e,
    non2xx: samples.filter((s) => s.status !== null && (s.status < 200 || s.status > 299)).length,
    transport: samples.filter((s) => s.status === null).length,
    slowAcks: samples.filter((s) => s.ackMs !== null && s.ackMs >= ACK_LIMIT_MS).length,
    missing: samples.filter((s) => s.status !== null && s.status >= 200 && s.status <= 299 && s.e2eMs === null).length,
    errorSamples,
  };
}

const errorsOf = (r: PhaseReport): number => r.non2xx + r.transport + r.slowAcks + r.missing;

function printPhase(r: PhaseReport): void {
  const line = (label: string, v: number[]) =>
    `  ${label.padEnd(12)} p50 ${ms(percentile(v, 50))} · p95 ${ms(percentile(v, 95))} · p99 ${ms(percentile(v, 99))} · max ${ms(v.at(-1) ?? Number.NaN)}  (n=${v.length})`;
  console.log(`\n## ${r.name}: ${r.sent} requests in ${r.wallS.toFixed(1)} s (${(r.sent / r.wallS).toFixed(1)}/s offered)`);
  console.log(line('ack', r.ack));
  console.log(line('end to end', r.e2e));
  console.log(
    `  errors ${errorsOf(r)}: non-2xx ${r.non2xx} · transport ${r.transport} · acks ≥ 3 s ${r.slowAcks} · answers missing after ${GRACE_MS / 1000} s ${r.missing}`,
  );
  for (const e of r.errorSamples) console.log(`    e.g. ${e}`);
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

/** CPU time (user + system) the process has used, in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The child's V8 heap (used, total) in kB from its own /metrics (prom-client's default metrics), to tell a leak from heap sizing. */
async function heapKb(port: number): Promise<{ used: number; total: number }> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const value = (name: string) => Number(new RegExp(`^exportwatch_process_${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024;
    return { used: value('nodejs_heap_size_used_bytes'), total: value('nodejs_heap_size_total_bytes') };
  } catch {
    return { used: Number.NaN, total: Number.NaN };
  }
}

// ---- the response_url receiver -------------------------------------------------------------------------------------

interface Receiver {
  base: string;
  url: (id: string) => string;
  /** Resolves with the arrival time when the answer to `id` arrives. */
  expect: (id: string) => Promise<number>;
  close: () => Promise<void>;
  count: () => number;
}

async function startReceiver(): Promise<Receiver> {
  const waiting = new Map<string, (at: number) => void>();
  const arrived = new Map<string, number>();
  let received = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      if ((req.url ?? '').startsWith('/warmup')) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      const id = decodeURIComponent((req.url ?? '/').replace(/^\/respond\//, '').split('?')[0] ?? '');
      received += 1;
      let ok = false;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown; blocks?: unknown };
        ok = typeof body.text === 'string' || Array.isArray(body.blocks);
      } catch {
        ok = false;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (!ok || arrived.has(id)) return;
      arrived.set(id, at);
      waiting.get(id)?.(at);
      waiting.delete(id);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: (id) => `${base}/respond/${encodeURIComponent(id)}`,
    expect: (id) => {
      const at = arrived.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((done) => waiting.set(id, done));
    },
    count: () => received,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// ---- requests ------------------------------------------------------------------------------------------------------

function withTimeout<T>(p: Promise<T>, timeoutMs: number): Promise<T | null> {
  return Promise.race([p, sleep(timeoutMs, null, { ref: false })]);
}

// Requests go out over node:http with a keep-alive agent (a new connection for each request in flight, as fetch's pool
// does) rather than through fetch, which costs this script one to two milliseconds of CPU per request: on a 2-CPU
// machine that is taken from the service, and in a burst it holds back the requests themselves. An idle connection is
// closed after 4 s, before the service's 5 s keep-alive timeout: otherwise the service may close one just as this
// script sends on it (a transport error that is the script's, not the service's).
const agent = new HttpAgent({ keepAlive: true, timeout: 4000 });

function post(url: URL, contentType: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        timeout: ACK_LIMIT_MS + GRACE_MS,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the script's own request path (signing, node:http) against its own receiver, so that the burst measures the service, not this script's first-time compilation. The service sees none of it. */
async function warmUp(receiver: Receiver): Promise<void> {
  const url = new URL(`${receiver.base}/warmup`);
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const body = new URLSearchParams({ text: `check ${QUERIES[i % QUERIES.length]}`, n: String(i) }).toString();
        const signature = createHmac('sha256', SIGNING_SECRET).update(`v0:${Date.now()}:${body}`).digest('hex');
        return post(url, 'application/x-www-form-urlencoded', body, { 'x-slack-signature': `v0=${signature}` });
      }),
    );
  }
}

let seq = 0;

interface SlashCommand {
  id: string;
  query: string;
  body: string;
  headers: Record<string, string>;
  answered: Promise<number>;
}

/** A signed `/exportwatch check <query>` as Slack sends it, with its own response_url on the receiver. */
function signedCheck(receiver: Receiver, query: string): SlashCommand {
  const id = `s${++seq}`;
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: WS.teamId,
    team_domain: WS.teamName,
    channel_id: CHANNEL,
    channel_name: 'trade-compliance',
    user_id: 'U0MEMBER',
    user_name: 'mei',
    command: '/exportwatch',
    text: `check ${query}`,
    api_app_id: 'A0FAKEAPP',
    is_enterprise_install: 'false',
    response_url: receiver.url(id),
    trigger_id: `trigger-${id}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { id, query, body, headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, answered: receiver.expect(id) };
}

/** Sends the command; the sample runs from just before the request is issued to its HTTP answer (ack), and to the answer at the response_url. */
async function sendCheck(port: number, command: SlashCommand, deadline: () => number): Promise<Sample> {
  const { query } = command;
  const sample: Sample = { sentAt: performance.now(), status: null, ackMs: null, e2eMs: null, error: null };
  try {
    const status = await post(new URL(`http://127.0.0.1:${port}/slack/events`), 'application/x-www-form-urlencoded', command.body, command.headers);
    sample.ackMs = performance.now() - sample.sentAt;
    sample.status = status;
    if (status < 200 || status > 299) {
      sample.error = `Slack ${query}: HTTP ${status}`;
      return sample;
    }
  } catch (err) {
    sample.error = `Slack ${query}: ${(err as Error).message}`;
    return sample;
  }
  const at = await withTimeout(command.answered, Math.max(0, deadline() - performance.now()));
  if (at === null) sample.error = `Slack ${query}: no answer at the response_url within the grace period`;
  else sample.e2eMs = at - sample.sentAt;
  return sample;
}

interface TeamsWatcher {
  expect: (activityId: string) => Promise<number>;
  stop: () => void;
}

/** Follows the fake connector's captured activities (a cursor polled every 2 ms) and resolves replies by replyToId. */
function watchConnector(connector: FakeBotConnector): TeamsWatcher {
  const waiting = new Map<string, (at: number) => void>();
  const arrived = new Map<string, number>();
  let cursor = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    for (; cursor < connector.activities.length; cursor++) {
      const a = connector.activities[cursor]!;
      if (!a.replyToId || arrived.has(a.replyToId)) continue;
      // `at` is the fake's Date.now(); convert it to this clock (both are in this process).
      const at = now - Math.max(0, Date.now() - a.at);
      arrived.set(a.replyToId, at);
      waiting.get(a.replyToId)?.(at);
      waiting.delete(a.replyToId);
    }
  }, 2);
  return {
    expect: (id) => {
      const at = arrived.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((done) => waiting.set(id, done));
    },
    stop: () => clearInterval(timer),
  };
}

async function teamsMessage(port: number, connector: FakeBotConnector, watcher: TeamsWatcher, query: string, deadline: () => number): Promise<Sample> {
  const n = ++seq;
  const id = `f:load-${n}`;
  const conversationId = `a:1load-personal-${n % 50}`;
  const activity = {
    id,
    type: 'message',
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    timestamp: new Date().toISOString(),
    locale: 'en-GB',
    from: { id: `29:load-user-${n % 50}`, name: 'Mei Lin', aadObjectId: '6f1c1d5e-0000-4000-8000-00000000aaaa' },
    recipient: BOT,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text: `check ${query}`,
    textFormat: 'plain',
  };
  const answered = watcher.expect(id);
  const body = JSON.stringify(activity);
  const sample: Sample = { sentAt: performance.now(), status: null, ackMs: null, e2eMs: null, error: null };
  try {
    const status = await post(new URL(`http://127.0.0.1:${port}/api/messages`), 'application/json', body);
    sample.ackMs = performance.now() - sample.sentAt;
    sample.status = status;
    if (status < 200 || status > 299) {
      sample.error = `Teams ${query}: HTTP ${status}`;
      return sample;
    }
  } catch (err) {
    sample.error = `Teams ${query}: ${(err as Error).message}`;
    return sample;
  }
  const at = await withTimeout(answered, Math.max(0, deadline() - performance.now()));
  if (at === null) sample.error = `Teams ${query}: no reply at the connector within the grace period`;
  else sample.e2eMs = at - sample.sentAt;
  return sample;
}

/**
 * Open loop: starts request i at start + i / rate whether or not earlier ones have been answered, for `seconds`.
 * Each request's answer is awaited until its own send time + ack limit + grace.
 */
async function sustained(
  rate: number,
  seconds: number,
  fire: (i: number, deadline: () => number) => Promise<Sample>,
): Promise<{ samples: Sample[]; wallS: number }> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  const pending: Array<Promise<Sample>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = performance.now();
    pending.push(fire(i, () => sentAt + ACK_LIMIT_MS + GRACE_MS));
  }
  const wallS = (performance.now() - started) / 1000;
  return { samples: await Promise.all(pending), wallS };
}

// ---- the run -------------------------------------------------------------------------------------------------------

interface Running {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

async function startService(dir: string, env: NodeJS.ProcessEnv): Promise<Running> {
  const bin = resolve(import.meta.dirname, '..', 'bin', 'exportwatch.js');
  const nodeArgs = args['child-node-args'].split(/\s+/).filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
  });
  const until = performance.now() + 20_000;
  for (;;) {
    const port = Number(/serving on port (\d+)/.exec(stderr)?.[1] ?? 0);
    if (port) return { child, port, stderr: () => stderr };
    if (child.exitCode !== null || child.signalCode !== null || performance.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start (exit ${child.exitCode ?? child.signalCode ?? 'none, timed out'}):\n${stderr.slice(-2000)}`);
    }
    await sleep(20);
  }
}

async function stopService(running: Running | null): Promise<void> {
  const child = running?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  if ((await withTimeout(exited, 5000)) === null) {
    child.kill('SIGKILL');
    await withTimeout(exited, 2000);
  }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'exportwatch-load-'));
  let mofcom: FakeMofcom | null = null;
  let slack: FakeSlack | null = null;
  let connector: FakeBotConnector | null = null;
  let receiver: Receiver | null = null;
  let watcher: TeamsWatcher | null = null;
  let running: Running | null = null;
  try {
    const databasePath = join(dir, 'load.db');
    const seeded = openApp({ databasePath });
    replayTimeline(seeded);
    seeded.close();

    // A quiet MOFCOM: an empty column, polled once at start and then every 24 hours.
    mofcom = await startFakeMofcom({});
    const sourcesFile = join(dir, 'sources.json');
    writeFileSync(
      sourcesFile,
      JSON.stringify({ sources: [{ id: 'exportcontrol', kind: 'export-control-columns', baseUrl: mofcom.baseUrl, columns: [9], every: '24h' }] }),
    );
    slack = await startFakeSlack();
    slack.addWorkspace(WS);
    slack.addChannel({ id: CHANNEL, name: 'trade-compliance', members: ['U0MEMBER', WS.botUserId] });
    connector = await startFakeBotConnector();
    receiver = await startReceiver();
    watcher = watchConnector(connector);
    await warmUp(receiver);

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_PATH: databasePath,
      SOURCES_FILE: sourcesFile,
      ALERTS_FALLBACK_DESTINATION: 'console:alerts',
      HTTP_DELAY_MS: '10',
      HTTP_RETRIES: '0',
      HTTP_TIMEOUT_MS: '2000',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: WS.botToken,
      SLACK_API_URL: slack.apiUrl,
      SLACK_TIMEOUT_MS: '2000',
      TEAMS_ALLOW_UNAUTHENTICATED: 'true',
      MICROSOFT_APP_ID: '',
      TEAMS_TIMEOUT_MS: '2000',
      ...(args['child-node-options'] ? { NODE_OPTIONS: args['child-node-options'] } : {}),
    };
    const startedAt = performance.now();
    running = await startService(dir, env);
    const { port, child } = running;
    const pid = child.pid!;
    console.log(
      `# load: exportwatch serve on 127.0.0.1:${port} (pid ${pid}) — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}`,
    );
    console.log(`  ready in ${((performance.now() - startedAt) / 1000).toFixed(2)} s; demo catalogue seeded; sources: one quiet fake MOFCOM column`);
    // Let the first poll of the quiet source and the start-up work finish before measuring memory.
    await sleep(2000);
    const rssBefore = rssKb(pid);
    console.log(`  resident memory before: ${mb(rssBefore)}`);

    const reports: PhaseReport[] = [];
    const rss: Array<[string, number]> = [['idle after start', rssBefore]];
    const heaps: Array<[string, { used: number; total: number }]> = [['idle', await heapKb(port)]];

    // 1. burst: signed beforehand, then all sent at once
    {
      const commands = Array.from({ length: BURST }, (_, i) => signedCheck(receiver!, QUERIES[i % QUERIES.length]!));
      const started = performance.now();
      const startedWall = Date.now();
      const callsBefore = slack.calls.length;
      const cpuBefore = cpuMs(pid);
      const deadline = () => started + ACK_LIMIT_MS + GRACE_MS;
      const samples = await Promise.all(commands.map((command) => sendCheck(port, command, deadline)));
      reports.push(summarise(`Slack burst: ${BURST} concurrent /exportwatch check`, samples, (performance.now() - started) / 1000));
      printPhase(reports.at(-1)!);
      const cpu = cpuMs(pid) - cpuBefore;
      console.log(`  service CPU time during the burst: ${cpu.toFixed(0)} ms (${(cpu / BURST).toFixed(1)} ms per command, one event loop)`);
      // What the service asked the Slack Web API while answering the burst (the channel-membership lookup per command).
      const calls = slack.calls.slice(callsBefore);
      const byMethod = new Map<string, number[]>();
      for (const c of calls) byMethod.set(c.method, [...(byMethod.get(c.method) ?? []), c.at - startedWall]);
      for (const [method, at] of byMethod)
        console.log(`  Web API ${method}: ${at.length} calls, first at +${Math.min(...at)} ms, last at +${Math.max(...at)} ms`);
      rss.push(['after the burst', rssKb(pid)]);
      heaps.push(['after the burst', await heapKb(port)]);
    }
    // 2. Slack sustained
    {
      const cpuBefore = cpuMs(pid);
      const { samples, wallS } = await sustained(SLACK_RATE, DURATION_S, (i, deadline) =>
        sendCheck(port, signedCheck(receiver!, QUERIES[(i * 7) % QUERIES.length]!), deadline),
      );
      reports.push(summarise(`Slack sustained: ${SLACK_RATE}/s for ${DURATION_S} s`, samples, wallS));
      printPhase(reports.at(-1)!);
      const cpu = cpuMs(pid) - cpuBefore;
      console.log(`  service CPU: ${((cpu / 1000 / wallS) * 100).toFixed(0)}% of one core, ${(cpu / samples.length).toFixed(1)} ms per command`);
      rss.push(['after Slack sustained', rssKb(pid)]);
      heaps.push(['after Slack sustained', await heapKb(port)]);
    }
    // 3. Teams sustained
    {
      const cpuBefore = cpuMs(pid);
      const { samples, wallS } = await sustained(TEAMS_RATE, DURATION_S, (i, deadline) =>
        teamsMessage(port, connector!, watcher!, QUERIES[(i * 5) % QUERIES.length]!, deadline),
      );
      reports.push(summarise(`Teams sustained: ${TEAMS_RATE}/s for ${DURATION_S} s`, samples, wallS));
      printPhase(reports.at(-1)!);
      const cpu = cpuMs(pid) - cpuBefore;
      console.log(`  service CPU: ${((cpu / 1000 / wallS) * 100).toFixed(0)}% of one core, ${(cpu / samples.length).toFixed(1)} ms per message`);
    }
    await sleep(1000);
    const rssAfter = rssKb(pid);
    rss.push(['after Teams sustained (+1 s)', rssAfter]);
    heaps.push(['after Teams sustained', await heapKb(port)]);
    const growth = (rssAfter - rssBefore) / rssBefore;
    const warmed = rss[1]![1];
    console.log(`\n## resident memory (VmRSS of the child)`);
    console.log(`  ${rss.map(([label, kb]) => `${label} ${mb(kb)}`).join(' · ')}`);
    console.log(
      `  growth before → after: ${(growth * 100).toFixed(1)}% (from after the burst: ${(((rssAfter - warmed) / warmed) * 100).toFixed(1)}%); peak ${mb(Math.max(...rss.map(([, kb]) => kb)))}`,
    );
    console.log(`  V8 heap used / total: ${heaps.map(([label, h]) => `${label} ${mb(h.used)} / ${mb(h.total)}`).join(' · ')}`);
    console.log(`  answers received: response_url ${receiver.count()} · connector replies ${connector.activities.filter((a) => a.replyToId).length}`);

    const errors = reports.reduce((n, r) => n + errorsOf(r), 0);
    const worstP99 = Math.max(...reports.map((r) => percentile(r.e2e, 99)));
    const worstAck = Math.max(...reports.map((r) => r.ack.at(-1) ?? Number.NaN));
    const slowAcks = reports.reduce((n, r) => n + r.slowAcks, 0);
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`\n## targets`);
    console.log(`  zero errors: ${verdict(errors === 0)} (${errors})`);
    for (const r of reports)
      console.log(`  p99 ack < ${ACK_P99_TARGET_MS} ms, ${r.name}: ${verdict(percentile(r.ack, 99) < ACK_P99_TARGET_MS)} (${ms(percentile(r.ack, 99))})`);
    for (const r of reports)
      console.log(
        `  p99 end to end < ${E2E_P99_TARGET_MS} ms, ${r.name}: ${verdict(percentile(r.e2e, 99) < E2E_P99_TARGET_MS)} (${ms(percentile(r.e2e, 99))})`,
      );
    console.log(`  every ack < 3 s: ${verdict(slowAcks === 0 && worstAck < ACK_LIMIT_MS)} (slowest ${ms(worstAck)})`);
    console.log(`  memory growth ≤ 20%: ${verdict(growth <= MEMORY_GROWTH_TARGET)} (${(growth * 100).toFixed(1)}%)`);
    const worstAckP99 = Math.max(...reports.map((r) => percentile(r.ack, 99)));
    const allMet = errors === 0 && worstAckP99 < ACK_P99_TARGET_MS && worstP99 < E2E_P99_TARGET_MS && slowAcks === 0 && growth <= MEMORY_GROWTH_TARGET;
    console.log(`  overall: ${allMet ? 'all targets met' : 'targets missed (reported, not a failure of the run)'}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      console.error(`the service exited during the run (${child.exitCode ?? child.signalCode}):\n${running.stderr().slice(-2000)}`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(`load: the run could not complete: ${(err as Error).message}`);
    return 1;
  } finally {
    watcher?.stop();
    await stopService(running);
    await receiver?.close();
    await connector?.close();
    await slack?.close();
    await mofcom?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
