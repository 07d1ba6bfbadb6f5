// `npm run bench` (fanout): fan-out of ONE event to 1,000 webhook destinations through the outbox worker and the
// webhook adapter, against a local receiver that enforces 1 message per second per destination and a global limit,
// and fails 5% of the requests it admits. Prints the time until every delivery is marked sent against the theoretical
// minimum (target ≤ 1.2×), and checks that every delivery arrived exactly once. Exits non-zero only on losses or
// duplicates: it prints figures, it is not a test. Headline rows go to bench/index.ts's summary table.
// Alone: node --import tsx bench/fanout.ts [options]
//
// The receiver (127.0.0.1:0, in this process) takes each request in order:
//   1. 401 unless the X-ExportWatch-Signature verifies (and the body's deliveryId is the header's key);
//   2. 429 (Retry-After: 1) when the destination — the path /hook/<n> — was admitted less than 1 s ago;
//   3. 429 (Retry-After: 1) when the global token bucket (G per second, burst B) is empty;
//   4. otherwise the request is admitted (it uses the destination's second and a global token) and fails with 500
//      when a seeded roll on (destination, admitted attempt number) is below 5%, else is answered 200 {"id"}.
// Every answer leaves after a simulated network/service latency L. The worker has no requests-per-second setting, only
// a concurrency C, so C sets its rate (Little's law: C / (L + per-request overhead)); C defaults to round(1.2 × G × L),
// the overhead on this machine being about a fifth of L = 20 ms.
//
// Because the failures depend only on (destination, attempt) and not on timing, the work is known in advance:
// A = 1,000 + the injected failures admitted requests, and k_max = the most consecutive failures of one destination.
// Theoretical minimum: T_min = max((A − B) / G, k_max × 1 s) + L — the last of A admissions cannot come before the
// bucket has refilled A − B tokens, and a destination that fails k times needs k one-second gaps before its success.
// That bound knows the failures in advance; the script also simulates the best schedule that does not (see idealOnline).
//
// Options: --global G (250) --burst B (25) --latency L ms (20) --concurrency C (round(1.2 × G × L)) --failure-rate (0.05)
//          --seed (1) --retry-base ms (100) --destinations (1000)
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createWebhookAdapter, verifyWebhookSignature } from '../adapters/webhook/index.js';
import { createOutboxWorker } from '../src/alerts/outbox.js';
import type { AlertEvent } from '../src/alerts/types.js';
import { openDatabase } from '../storage/db.js';
import { deliveryCounts, listDeliveries, nextDueAt, recordEvent } from '../storage/outbox.js';
import { reportRows } from './summary.js';

const { values: args } = parseArgs({
  options: {
    global: { type: 'string', default: '250' },
    burst: { type: 'string', default: '25' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string' },
    'failure-rate': { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '1' },
    'retry-base': { type: 'string', default: '100' },
    destinations: { type: 'string', default: '1000' },
  },
});

function num(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${text}`);
  return n;
}

const N = Math.round(num('destinations', args.destinations, 1));
const G = num('global', args.global, 1);
const B = Math.max(1, num('burst', args.burst, 1));
const L = num('latency', args.latency, 0);
// Little's law with the ~20% per-request overhead measured on top of L (HTTP, signing, SQLite): C ≈ G × 1.2 L.
// (Measured at G = 250, L = 20 ms: C = 5 → ~200/s, 6 → ~230/s, 7 → ~260/s and global 429s.)
const C = args.concurrency === undefined ? Math.max(1, Math.round((G * 1.2 * L) / 1000)) : Math.round(num('concurrency', args.concurrency, 1));
const P = num('failure-rate', args['failure-rate'], 0);
const SEED = args.seed ?? '1';
const RETRY_BASE_MS = num('retry-base', args['retry-base'], 1);
const SPACING_MS = 1000;
const SECRET = 'bench-fanout-secret';
const GIVE_UP_MS = 50_000;

/** The seeded roll in [0, 1) for a destination's n-th admitted attempt: independent of timing and of the port. */
function roll(destination: number, attempt: number): number {
  return createHash('sha256').update(`${SEED}|${destination}|${attempt}`).digest().readUInt32BE(0) / 2 ** 32;
}

// The work known in advance: how many times each destination fails before it succeeds.
const failuresOf = Array.from({ length: N }, (_, n) => {
  let k = 0;
  while (roll(n, k + 1) < P && k < 20) k += 1;
  return k;
});
const injected = failuresOf.reduce((a, b) => a + b, 0);
const kMax = Math.max(...failuresOf);
const admissions = N + injected;
const throughputBound = Math.max(0, admissions - B) / G;
const retryBound = (kMax * SPACING_MS) / 1000;
const tMin = Math.max(throughputBound, retryBound) + L / 1000;

/**
 * The best a scheduler can do WITHOUT knowing which sends will fail: admissions exactly at the bucket's pace, a retry
 * sent the moment its destination's second is over (before any first try), first tries in the worker's order
 * (destinations sorted as strings, like dueDestinations). Failures in the last second then cost one more second
 * however good the worker is. Returns seconds.
 */
function idealOnline(): number {
  const order = Array.from({ length: N }, (_, n) => n).sort((a, b) => (`/hook/${a}` < `/hook/${b}` ? -1 : 1));
  const left = [...failuresOf];
  const retries: Array<{ n: number; at: number }> = [];
  let next = 0;
  let admitted = 0;
  let done = 0;
  let t = 0;
  let last = 0;
  while (done < N) {
    const slot = Math.max(t, (admitted + 1 - B) / G);
    retries.sort((a, b) => a.at - b.at);
    let n: number;
    if (retries.length > 0 && retries[0]!.at <= slot) n = retries.shift()!.n;
    else if (next < N) n = order[next++]!;
    else {
      t = retries[0]!.at;
      continue;
    }
    admitted += 1;
    t = slot;
    if (left[n]! > 0) {
      left[n]! -= 1;
      retries.push({ n, at: slot + SPACING_MS / 1000 });
    } else {
      done += 1;
      last = slot;
    }
  }
  return last + L / 1000;
}
const tOnline = idealOnline();

// ---- the receiver ----
const stats = { requests: 0, perDestination429: 0, global429: 0, injected500: 0, ok: 0, badSignature: 0, notFound: 0 };
const lastAdmitted = new Map<number, number>();
const admittedAttempts = new Map<number, number>();
const firstAdmitted = new Map<number, number>();
const received = new Map<string, { count: number; id: string }>();
const admittedAt: number[] = [];
let tokens = B;
let refilledAt = performance.now();
let firstRequestAt: number | null = null;
let lastOkAt = 0;
let t0 = 0;

function answer(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const send = (): void => void res.writeHead(status, headers).end(body);
  if (L > 0) setTimeout(send, L);
  else send();
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const at = performance.now();
  stats.requests += 1;
  firstRequestAt ??= at;
  const m = /^\/hook\/(\d+)$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !m) {
    stats.notFound += 1;
    return answer(res, 404, {}, 'not found');
  }
  const n = Number(m[1]);
  const key = String(req.headers['x-exportwatch-delivery'] ?? '');
  const ts = String(req.headers['x-exportwatch-timestamp'] ?? '');
  let sameKey = false;
  try {
    sameKey = (JSON.parse(body) as { deliveryId?: unknown }).deliveryId === key;
  } catch {
    sameKey = false;
  }
  if (!sameKey || !verifyWebhookSignature(SECRET, ts, body, String(req.headers['x-exportwatch-signature'] ?? ''), new Date())) {
    stats.badSignature += 1;
    return answer(res, 401, {}, 'bad signature');
  }
  const last = lastAdmitted.get(n);
  if (last !== undefined && at - last < SPACING_MS) {
    stats.perDestination429 += 1;
    return answer(res, 429, { 'retry-after': String(Math.ceil((SPACING_MS - (at - last)) / 1000)) }, 'one message per second per destination');
  }
  tokens = Math.min(B, tokens + ((at - refilledAt) * G) / 1000);
  refilledAt = at;
  if (tokens < 1) {
    stats.global429 += 1;
    return answer(res, 429, { 'retry-after': String(Math.max(1, Math.ceil((1 - tokens) / G))) }, 'global rate limit');
  }
  tokens -= 1;
  lastAdmitted.set(n, at);
  if (!firstAdmitted.has(n)) firstAdmitted.set(n, at);
  admittedAt.push(at);
  const attempt = (admittedAttempts.get(n) ?? 0) + 1;
  admittedAttempts.set(n, attempt);
  if (roll(n, attempt) < P) {
    stats.injected500 += 1;
    return answer(res, 500, {}, 'injected failure');
  }
  stats.ok += 1;
  const seen = received.get(key);
  if (seen) seen.count += 1;
  else received.set(key, { count: 1, id: `msg-${n}-${attempt}` });
  lastOkAt = at + L;
  answer(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ id: received.get(key)!.id }));
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const port = (server.address() as AddressInfo).port;

// ---- the event, its 1,000 deliveries, and the worker ----
const dir = mkdtempSync(join(tmpdir(), 'exportwatch-fanout-'));
const db = openDatabase(join(dir, 'fanout.db'));
let exitCode = 0;
try {
  const event: AlertEvent = {
    id: 'news:bench-fanout',
    kind: 'news',
    severity: 'high',
    topics: ['rare-earths'],
    text: '稀土 rare earths',
    register: null,
    noticeKey: null,
    operator: false,
    message: {
      title: 'Rare-earth export controls tightened (benchmark)',
      severity: 'high',
      subtitle: null,
      links: [{ label: 'MOFCOM', url: 'https://www.mofcom.gov.cn/' }],
      sections: [{ heading: 'Added', items: [{ code: '0533', text: '稀土分离技术', gloss: 'rare-earth separation technology', details: [] }] }],
      omitted: 0,
      context: ['benchmark fan-out'],
    },
    occurredAt: new Date().toISOString(),
  };
  const destinations = Array.from({ length: N }, (_, n) => ({ destination: `webhook:http://127.0.0.1:${port}/hook/${n}`, subscriptionId: null }));
  const recorded = recordEvent(db, event, destinations);

  const adapter = createWebhookAdapter({ secret: SECRET, allowlist: ['127.0.0.1'] });
  const errors: unknown[] = [];
  let sentCount = 0;
  let lastSentAt = 0;
  const worker = createOutboxWorker({
    db,
    adapters: { webhook: adapter },
    retryBaseMs: RETRY_BASE_MS,
    perDestinationIntervalMs: { webhook: SPACING_MS },
    concurrency: C,
    onError: (err) => errors.push(err),
    onSent: () => {
      sentCount += 1;
      lastSentAt = performance.now();
    },
  });

  const runs: Array<{ start: number; ms: number; sent: number; retried: number; failed: number }> = [];
  t0 = performance.now();
  let finished = false;
  while (performance.now() - t0 < GIVE_UP_MS) {
    const start = performance.now() - t0;
    const r = await worker.runOnce();
    runs.push({ start, ms: performance.now() - t0 - start, ...r });
    const counts = deliveryCounts(db);
    if (counts.pending === 0 && counts.sending === 0) {
      finished = true;
      break;
    }
    // Nothing due right now: wait until the next delivery is due (at most 20 ms, so polling adds little).
    const next = nextDueAt(db);
    const wait = next === null ? 20 : Math.min(20, Math.max(1, Date.parse(next) - Date.now()));
    await sleep(wait);
  }
  // Complete = the last delivery recorded as sent; the worker itself goes idle later (see "worker idle").
  const idle = (performance.now() - t0) / 1000;
  const elapsed = sentCount === N ? (lastSentAt - t0) / 1000 : idle;
  await worker.stop();

  // ---- checks ----
  const rows = listDeliveries(db).filter((d) => d.eventId === event.id);
  const keys = new Set(rows.map((d) => d.idempotencyKey));
  const duplicates = [...received.values()].filter((r) => r.count > 1).length;
  const lost = rows.filter((d) => !received.has(d.idempotencyKey));
  const losses = lost.length;
  const outstanding = lost.filter((d) => d.status === 'pending' || d.status === 'sending').length;
  const strangers = [...received.keys()].filter((k) => !keys.has(k)).length;
  const allSent = rows.length === N && rows.every((d) => d.status === 'sent' && d.platformMessageId !== null);
  const idsMatch = rows.every((d) => d.platformMessageId === received.get(d.idempotencyKey)?.id);
  const counts = deliveryCounts(db);

  // Admissions per second (receiver clock, from the first request), to see whether the global limit was used.
  const perSecond: number[] = [];
  for (const at of admittedAt) {
    const s = Math.floor((at - (firstRequestAt ?? at)) / 1000);
    perSecond[s] = (perSecond[s] ?? 0) + 1;
  }
  const attemptsHistogram = new Map<number, number>();
  for (const d of rows) attemptsHistogram.set(d.attempts, (attemptsHistogram.get(d.attempts) ?? 0) + 1);
  const ratio = elapsed / tMin;
  // Where the worker put each destination's first try fixes a floor no scheduler could beat from then on: a destination
  // first admitted at t that fails k times cannot succeed before t + k × 1 s (+ L).
  let chainFloor = 0;
  for (const [n, at] of firstAdmitted) chainFloor = Math.max(chainFloor, at - t0 + (failuresOf[n] ?? 0) * SPACING_MS + L);
  const f1 = (x: number): string => x.toFixed(1);
  const f2 = (x: number): string => x.toFixed(2);

  console.log(
    `\n## fan-out: one event to ${N.toLocaleString('en')} webhook destinations — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  );
  console.log(
    `  receiver: 1 msg/s per destination, global ${G}/s (burst ${B}), latency ${L} ms, ${P * 100}% injected 500s (seed ${SEED}); ` +
      `worker: concurrency ${C}, retry base ${RETRY_BASE_MS} ms, webhook spacing ${SPACING_MS} ms`,
  );
  console.log(`  recorded: ${recorded.deliveryIds.length} deliveries for one event`);
  console.log(
    `  theoretical minimum: max((A − B)/G, k_max × 1 s) + L = max((${admissions} − ${B})/${G}, ${kMax} × 1 s) + ${L} ms = ` +
      `max(${f2(throughputBound)}, ${f2(retryBound)}) + ${f2(L / 1000)} = ${f2(tMin)} s  (A = ${N} + ${injected} injected failures; 1000/G alone = ${f2(N / G)} s)`,
  );
  console.log(
    `  time to complete (last delivery marked sent): ${f2(elapsed)} s  (first request at +${f2(((firstRequestAt ?? t0) - t0) / 1000)} s, ` +
      `last 200 answered at +${f2((lastOkAt - t0) / 1000)} s, worker idle at +${f2(idle)} s)  ` +
      `ratio ${f2(ratio)}× (target ≤ 1.2×${ratio <= 1.2 ? ', met' : ', MISSED'})`,
  );
  console.log(
    `  ideal online schedule (failures not known in advance; exact pace G, retries first, same order): ${f2(tOnline)} s = ${f2(tOnline / tMin)}× the minimum; ` +
      `the worker took ${f2(elapsed / tOnline)}× that`,
  );
  console.log(`  retry-chain floor for the order the worker chose (max over destinations of first admission + k × 1 s + L): ${f2(chainFloor / 1000)} s`);
  console.log(
    `  sends attempted ${stats.requests} · 429s ${stats.perDestination429 + stats.global429} (per destination ${stats.perDestination429}, global ${stats.global429}) · ` +
      `500s injected ${stats.injected500} · 200s ${stats.ok} · bad signatures ${stats.badSignature} · other ${stats.notFound}`,
  );
  console.log(
    `  distinct keys received ${received.size} · duplicates ${duplicates} · losses ${losses} · unknown keys ${strangers} · ` +
      `every delivery 'sent' with a message id: ${allSent ? 'yes' : 'NO'} (ids match the receiver's: ${idsMatch ? 'yes' : 'no'}) · ${JSON.stringify(counts)}`,
  );
  console.log(
    `  attempts per delivery: ${[...attemptsHistogram.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([a, n]) => `${a}×${n}`)
      .join(' ')} · admitted per second: ${Array.from(perSecond, (n) => n ?? 0).join(' ')}`,
  );
  console.log(
    `  worker runs: ${runs.length} (${runs
      .slice(0, 6)
      .map((r) => `@${f1(r.start / 1000)}s ${f2(r.ms / 1000)}s sent ${r.sent} retried ${r.retried}`)
      .join('; ')}${runs.length > 6 ? '; …' : ''})` + (errors.length > 0 ? ` · worker errors ${errors.length}: ${String(errors[0])}` : ''),
  );
  reportRows([
    {
      measure: `fan-out: 1 event to ${N.toLocaleString('en')} webhooks`,
      figure: finished ? `${f2(elapsed)} s = ${f2(ratio)}× the minimum ${f2(tMin)} s` : `unfinished after ${GIVE_UP_MS / 1000} s (${outstanding} queued)`,
      target: '≤ 1.2× the minimum',
      met: finished && ratio <= 1.2,
    },
    {
      measure: 'fan-out: exactly once',
      figure: `${duplicates} duplicates, ${losses} losses, ${stats.badSignature} bad signatures`,
      target: '0, 0, 0',
      met: duplicates === 0 && losses === 0 && stats.badSignature === 0 && allSent,
    },
  ]);
  if (!finished) console.log(`  gave up after ${GIVE_UP_MS / 1000} s: ${outstanding} deliveries still queued (counted as losses below)`);
  if (losses > 0 || duplicates > 0) {
    console.log(`  FAILED: ${losses} not received (${outstanding} of them still queued in the outbox), ${duplicates} duplicated`);
    exitCode = 1;
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
process.exitCode = exitCode;
