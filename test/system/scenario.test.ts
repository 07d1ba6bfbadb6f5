// Whole-system fault suite (issue 7 §1): ten simulated days compressed into about a minute, with the real
// `exportwatch serve` SIGKILLed at seeded pseudo-random moments and restarted on the same database.
//
// The world: the fake MOFCOM publishes the six notices of test/fixtures/mofcom-day over several days (a rare-earth
// technology control, the 2025 suspension of six measures until 10 November 2026, a catalogue adjustment, an entity
// listing, a dual-use control and its suspension) and a news feed grows by a few items; the simulated clock
// (EXPORTWATCH_NOW, EXPORTWATCH_CLOCK_RATE, EXPORTWATCH_CLOCK_ANCHOR) runs one simulated hour per real second, and
// each restart starts half a simulated day after the previous one (never before the time the killed process had
// reached), so the scenario covers the same days however slow the machine, and the suspension's end date passes. Destinations: a signed webhook (every alert, immediately), a second
// webhook with a daily digest at 09:00 Beijing time, a Slack channel (fake Slack Web API) and a Teams personal chat
// (fake Bot Connector), both subscribed by chat command. Slash commands and Teams messages arrive throughout.
//
// Then: 20 kills (every fourth during start-up), an undisturbed run to the end of the scenario, and the checks —
// every alert and every digest reached every destination (webhooks exactly once by idempotency key; Slack and Teams
// at least once, and more than once only for a send a kill cut off between the platform's answer and its record,
// which those platforms give no way to deduplicate — counted, bounded by the number of kills, and printed); the
// registers, changes and alert events equal those of an uninterrupted `poll --once`; a digest was queued once per day
// and the one after 10 November reports the suspension as ended; chat commands answered while the service was up were
// answered correctly; and no secret (signing secret, bot token, webhook secret, the webhook URL's token) appears in any
// line the service or the CLI printed.
//
// SCENARIO_SEED=<n> reproduces a run's kill moments (process timing still varies a little from run to run).
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMofcom, type FakeListing, type FakeMofcom } from '../fakes/mofcom.js';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from '../fakes/slack.js';
import { startFakeBotConnector, type FakeBotConnector } from '../fakes/botconnector.js';
import { runCli, tempDir } from '../helpers.js';
import { DAY, expected, readDb, seedCatalogue, seededRandom, startReceiver, startService, type Receiver, type Service } from './service-process.js';

const SEED = Number(process.env.SCENARIO_SEED ?? process.env.KILL_SEED ?? 20261102);
const KILLS = 20;
/** Every fourth kill lands in start-up (this long after the spawn, before "serving on port"); tsx needs about 1 s. */
const STARTUP_KILL_MS = [50, 900] as const;
/** The others land this long after the service is up: polls, deliveries and chat traffic fall in here. */
const RUNNING_KILL_MS = [0, 1100] as const;

// The simulated timeline (UTC). Beijing is UTC+8: 01:00Z is 09:00 there, when the daily digest is due.
const START = '2026-11-01T22:00:00Z';
const RATE = 3600;
/** Simulated time between the starts of two successive processes. */
const STEP_MS = 12 * 3_600_000;
/** The reference run sees everything published by then; the undisturbed run starts after it. */
const END = '2026-11-12T04:00:00Z';
/** When each notice appears on the fake MOFCOM (by fixture index) and each news item in the feed. */
const NOTICE_AT = [
  '2026-11-02T12:00:00Z',
  '2026-11-02T12:00:00Z',
  '2026-11-03T02:00:00Z',
  '2026-11-03T02:00:00Z',
  '2026-11-04T02:00:00Z',
  '2026-11-04T02:00:00Z',
];
const NEWS = [
  { at: '2026-11-02T12:00:00Z', title: 'Rare earth magnet makers weigh China export licence delays', slug: 'magnet-licences' },
  { at: '2026-11-03T06:00:00Z', title: 'Gallium prices climb after new export checks', slug: 'gallium-prices' },
  { at: '2026-11-05T06:00:00Z', title: 'Scandium suppliers brace for China controls', slug: 'scandium-suppliers' },
  { at: '2026-11-08T06:00:00Z', title: 'Rare earth exporters await end of suspension on 10 November', slug: 'suspension-end' },
];

const WEBHOOK_SECRET = 'scenario-webhook-secret-5e1d9a';
const SIGNING_SECRET = 'scenario-signing-secret-77c2b0e4';
const HOOK_TOKEN = 'hooktoken-0f9e8d7c6b5a';
const WS: FakeWorkspace = { teamId: 'T0SCENE', teamName: 'scenario', botToken: 'xoxb-9999-8888-scenariobottoken', botUserId: 'U0BOT', botId: 'B0BOT' };
const CHANNEL = 'C0TRADE';
const MEMBER = 'U0MEI';
const TENANT = '5b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const BOT = { id: '28:0b5c7a1e-2d3f-4e5a-8b6c-7d8e9f0a1b2c', name: 'ExportWatch' };
const TEAMS_USER = { id: '29:1mei-lin-teams-user', name: 'Mei Lin', aadObjectId: '6f1c1d5e-0000-4000-8000-00000000aaaa' };
const PERSONAL = 'a:1personal-chat-scenario';

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let slack: FakeSlack;
let connector: FakeBotConnector;
let receiver: Receiver;
let env: NodeJS.ProcessEnv;
let refEnv: NodeJS.ProcessEnv;
/** The sources file of the scenario proper (the set-up process watches the feed alone). */
let scenarioSources = '';
/** The simulated clock as the service sees it: it read `clockStart` at real time `anchor` and runs at `rate`. */
let clock = { start: Date.parse(START), anchor: 0, rate: 1 };
/** Every line any service process or CLI run printed, for the secrets check. */
const printed: string[] = [];
let seq = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const simulatedNow = (): number => Math.floor(clock.start + (Date.now() - clock.anchor) * clock.rate);

/**
 * Sets the clock of the processes started from now on: reading `at` (never earlier than the simulated time already
 * reached) now, running at `rate`.
 */
function setClock(rate: number, at = clock.start): void {
  const now = Date.now();
  const start = clock.anchor === 0 ? at : Math.max(at, simulatedNow() + 60_000);
  clock = { start, anchor: now, rate };
  Object.assign(env, { EXPORTWATCH_NOW: new Date(start).toISOString(), EXPORTWATCH_CLOCK_RATE: String(rate), EXPORTWATCH_CLOCK_ANCHOR: String(now) });
}

async function cliJson<T>(e: NodeJS.ProcessEnv, ...args: string[]): Promise<T> {
  const r = await runCli(args, e);
  printed.push(r.stdout, r.stderr);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

// ---- the world ----------------------------------------------------------------------------------------------------

const listingFor = (i: number): FakeListing => ({
  title: expected.notices[i]!.title,
  path: `/article/gndt/202611/${1001 + i}.html`,
  date: expected.notices[i]!.publishedAt,
  column: 9,
});

function feedXml(items: typeof NEWS): string {
  const entries = items
    .map(
      (n) => `<item><title>${n.title}</title><link>https://news.example.com/${n.slug}</link><guid>https://news.example.com/${n.slug}</guid>
<pubDate>${new Date(n.at).toUTCString()}</pubDate><description>${n.title}.</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Critical minerals wire</title><link>https://news.example.com/</link>
<description>test feed</description>${entries}</channel></rss>`;
}

/** Publishes what the simulated clock says is out by now: listings newest first, the feed with its items so far. */
function advanceWorld(at = simulatedNow()): void {
  const visible = NOTICE_AT.map((t, i) => (Date.parse(t) <= at ? i : -1)).filter((i) => i >= 0);
  fake.listings.splice(0, fake.listings.length, ...visible.map(listingFor).reverse());
  const news = NEWS.filter((n) => Date.parse(n.at) <= at);
  fake.documents.set('/feeds/minerals.xml', { path: '/feeds/minerals.xml', html: feedXml(news), contentType: 'application/rss+xml; charset=utf-8' });
}

// ---- chat traffic -------------------------------------------------------------------------------------------------

interface ChatOutcome {
  platform: 'slack' | 'teams';
  text: string;
  id: string;
  /** The HTTP status of the acknowledgement, or null when the connection failed (the service was killed). */
  status: number | null;
  sentAt: number;
}

function signSlack(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

async function slash(port: number, text: string): Promise<ChatOutcome> {
  const id = `s${++seq}`;
  const body = new URLSearchParams({
    team_id: WS.teamId,
    team_domain: 'scenario',
    channel_id: CHANNEL,
    channel_name: 'trade-compliance',
    user_id: MEMBER,
    user_name: 'mei',
    command: '/exportwatch',
    text,
    api_app_id: 'A0FAKEAPP',
    response_url: slack.responseUrl(id),
    trigger_id: `trigger-${id}`,
  }).toString();
  const sentAt = Date.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlack(body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    return { platform: 'slack', text, id, status: res.status, sentAt };
  } catch {
    return { platform: 'slack', text, id, status: null, sentAt };
  }
}

async function teamsMessage(port: number, text: string): Promise<ChatOutcome> {
  const id = `f:scene-${++seq}`;
  const activity = {
    id,
    type: 'message',
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    timestamp: new Date().toISOString(),
    locale: 'en-GB',
    from: TEAMS_USER,
    recipient: BOT,
    conversation: { id: PERSONAL, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text,
    textFormat: 'plain',
  };
  const sentAt = Date.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    return { platform: 'teams', text, id, status: res.status, sentAt };
  } catch {
    return { platform: 'teams', text, id, status: null, sentAt };
  }
}

/** The answer a chat command got: the response_url post (Slack) or the threaded reply (Teams), if any. */
function answersTo(o: ChatOutcome): string[] {
  if (o.platform === 'slack') return slack.responsesTo(o.id).map((r) => JSON.stringify(r.body));
  return connector.activities.filter((a) => a.replyToId === o.id).map((a) => JSON.stringify(a.activity));
}

const COMMANDS = ['check gallium', 'check 稀土', 'recent 30', 'status', 'item MOFCOM-2025-70', 'check scandium', 'subscriptions', 'topics'];

// ---- set-up -------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  dir = tempDir('exportwatch-scenario-');
  const db = join(dir.path, 'scenario.db');
  const ref = join(dir.path, 'reference.db');
  seedCatalogue(db);
  seedCatalogue(ref);
  const documents = expected.notices.map((n, i) => ({ path: listingFor(i).path, html: readFileSync(join(DAY, n.file), 'utf8') }));
  fake = await startFakeMofcom({ listings: [], documents });
  slack = await startFakeSlack();
  slack.addWorkspace(WS);
  slack.addChannel({ id: CHANNEL, name: 'trade-compliance', members: [MEMBER, WS.botUserId] });
  connector = await startFakeBotConnector();
  receiver = await startReceiver(WEBHOOK_SECRET);
  const mofcomSource = { id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '30s' };
  const sources = join(dir.path, 'sources.json');
  writeFileSync(
    sources,
    JSON.stringify({ sources: [mofcomSource, { id: 'minerals-wire', kind: 'feed', url: `${fake.baseUrl}/feeds/minerals.xml`, every: '30s' }] }),
  );
  // The set-up process watches only the (still empty) feed: the notices wait until every destination has subscribed.
  const setupSources = join(dir.path, 'setup-sources.json');
  writeFileSync(setupSources, JSON.stringify({ sources: [{ id: 'minerals-wire', kind: 'feed', url: `${fake.baseUrl}/feeds/minerals.xml`, every: '30s' }] }));
  scenarioSources = sources;
  const refSources = join(dir.path, 'reference-sources.json');
  writeFileSync(refSources, JSON.stringify({ sources: [mofcomSource] }));
  const common = {
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    HTTP_TIMEOUT_MS: '2000',
    WEBHOOK_SECRET,
    URL_ALLOWLIST: '127.0.0.1',
    DELIVERY_RETRY_BASE_MS: '20',
    DELIVERY_MAX_AGE_HOURS: '720',
    OPERATOR_DESTINATIONS: 'console:operator',
    POLL_TICK_SECONDS: '1',
  };
  env = {
    ...common,
    DATABASE_PATH: db,
    SOURCES_FILE: setupSources,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: WS.botToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_TIMEOUT_MS: '2000',
    TEAMS_ALLOW_UNAUTHENTICATED: 'true',
    TEAMS_TIMEOUT_MS: '2000',
  };
  refEnv = { ...common, DATABASE_PATH: ref, SOURCES_FILE: refSources };
}, 30_000);

afterAll(async () => {
  await fake?.close();
  await slack?.close();
  await connector?.close();
  await receiver?.close();
  dir?.remove();
});

interface DeliveryRow {
  idempotencyKey: string;
  destination: string;
  status: string;
  attempts: number;
  eventId: string | null;
  platformMessageId?: string | null;
}

describe('ten simulated days under repeated SIGKILL', () => {
  it('delivers every alert and digest, equals an uninterrupted run, answers chat correctly and prints no secret', async () => {
    // The uninterrupted reference: every notice published, one poll, its own database.
    advanceWorld(Date.parse(END));
    await cliJson(refEnv, 'poll', '--once', '--json');
    const refEvents = readDb(refEnv.DATABASE_PATH!, (db) =>
      db.prepare("SELECT id FROM events WHERE operator = 0 AND kind != 'news' ORDER BY id").pluck().all(),
    );
    expect(refEvents.length).toBeGreaterThan(0);

    // The scenario starts with an empty MOFCOM; the set-up runs on a simulated clock at real speed.
    setClock(1);
    advanceWorld();
    const hook = `${receiver.url}?token=${HOOK_TOKEN}`;
    const digestHook = `${receiver.url.replace(/\/hook$/, '/digest')}?token=${HOOK_TOKEN}`;
    expect((await cliJson<{ created: boolean }>(env, 'subscribe', '--to', `webhook:${hook}`, '--json')).created).toBe(true);
    expect(
      (await cliJson<{ created: boolean }>(env, 'subscribe', '--to', `webhook:${digestHook}`, '--mode', 'daily', '--digest', '09:00 Asia/Shanghai', '--json'))
        .created,
    ).toBe(true);

    // Chat subscriptions, with the service up.
    const outcomes: ChatOutcome[] = [];
    const services: Service[] = [];
    const first = startService(dir.path, env);
    services.push(first);
    const firstPort = await Promise.race([first.ready, sleep(20_000).then(() => -1)]);
    expect(firstPort, first.stderr()).toBeGreaterThan(0);
    const subscribedSlack = await slash(firstPort, 'subscribe everything');
    expect(subscribedSlack.status).toBe(200);
    await slack.waitFor(() => answersTo(subscribedSlack).length > 0, 10_000);
    const subscribedTeams = await teamsMessage(firstPort, 'subscribe everything');
    expect(subscribedTeams.status).toBe(200);
    await connector.waitFor(() => answersTo(subscribedTeams).length > 0, 10_000);
    expect(answersTo(subscribedSlack)[0]).toMatch(/everything|all/i);
    first.child.kill('SIGTERM');
    expect((await first.exited).code, first.stderr()).toBe(0);

    // From here on every process watches MOFCOM too; the scenario proper starts at 06:00 on 2 November in Beijing.
    env.SOURCES_FILE = scenarioSources;
    const scenarioStart = Date.parse(START);

    // The world moves on its own while processes come and go.
    const world = setInterval(() => advanceWorld(), 50);
    try {
      // The kills.
      const random = seededRandom(SEED);
      const timeline: string[] = [];
      let service: Service;
      for (let i = 0; i < KILLS; i++) {
        const startup = i % 4 === 3;
        const [lo, hi] = startup ? STARTUP_KILL_MS : RUNNING_KILL_MS;
        const delay = Math.round(lo + random() * (hi - lo));
        setClock(RATE, scenarioStart + i * STEP_MS);
        service = startService(dir.path, env);
        services.push(service);
        if (!startup) {
          const port = await Promise.race([service.ready, service.exited.then(() => -1), sleep(20_000).then(() => -1)]);
          expect(port, `restart ${i + 1} did not come up: ${service.stderr()}`).toBeGreaterThan(0);
          // Chat traffic while it runs: not awaited, the kill may cut it off.
          const text = COMMANDS[i % COMMANDS.length]!;
          void slash(port, text).then((o) => outcomes.push(o));
          void teamsMessage(port, text).then((o) => outcomes.push(o));
        }
        await sleep(delay);
        service.child.kill('SIGKILL');
        const exit = await service.exited;
        timeline.push(
          `#${i + 1} ${startup ? 'start-up' : 'running'} +${delay}ms ${exit.signal ?? exit.code} at ${new Date(simulatedNow()).toISOString()} up ${service.stderr().includes('serving on port')} arrivals ${receiver.arrivals.length} slack ${slack.callsOf('chat.postMessage').length} teams ${connector.activities.length}`,
        );
      }

      console.log(`seed ${SEED}, kills:\n${timeline.join('\n')}`);
      // The undisturbed run from the end of the scenario, with chat traffic that must all be answered.
      setClock(RATE, Date.parse(END));
      service = startService(dir.path, env);
      services.push(service);
      const port = await service.ready;
      const finalChat: ChatOutcome[] = [];
      for (const text of ['check scandium', 'status', 'check scandium', 'status']) {
        finalChat.push(await slash(port, text));
        finalChat.push(await teamsMessage(port, text));
      }
      // Then until every listing is done and the outbox is empty.
      const drainStart = Date.now();
      let state = { listingsOpen: -1, undelivered: -1, deliveries: 0 };
      while (Date.now() - drainStart < 60_000) {
        state = readDb(env.DATABASE_PATH!, (db) => ({
          listingsOpen: db.prepare("SELECT COUNT(*) FROM listings WHERE status != 'done'").pluck().get() as number,
          undelivered: db.prepare("SELECT COUNT(*) FROM deliveries WHERE status != 'sent'").pluck().get() as number,
          deliveries: db.prepare('SELECT COUNT(*) FROM deliveries').pluck().get() as number,
        }));
        if (state.listingsOpen === 0 && state.undelivered === 0) break;
        await sleep(200);
      }
      service.child.kill('SIGTERM');
      const stopped = await service.exited;
      expect(stopped.code, service.stderr()).toBe(0);
      for (const o of finalChat) expect(o.status, `${o.platform} ${o.text}`).toBe(200);
      await slack.waitFor(() => finalChat.every((o) => answersTo(o).length > 0), 10_000);
      await connector.waitFor(() => finalChat.every((o) => answersTo(o).length > 0), 10_000);
      for (const o of finalChat) {
        const [answer] = answersTo(o);
        if (o.text === 'check scandium') expect(answer, `${o.platform} check scandium`).toMatch(/钪|[Ss]candium/);
        if (o.text === 'status') expect(answer, `${o.platform} status`).toMatch(/exportcontrol/);
      }

      // ---- what every destination got ----
      const deliveries = (await cliJson<{ deliveries: DeliveryRow[] }>(env, 'export', '--what', 'deliveries', '--json')).deliveries;
      expect(deliveries.filter((d) => d.status !== 'sent')).toEqual([]);
      const byPlatform = (prefix: string) => deliveries.filter((d) => d.destination.startsWith(prefix));
      const kills = timeline.length;

      // Webhooks: exactly once by idempotency key, every signature valid.
      const webhookKeys = byPlatform('webhook:').map((d) => d.idempotencyKey);
      const arrivals = new Map<string, number>();
      for (const a of receiver.arrivals) arrivals.set(a.key, (arrivals.get(a.key) ?? 0) + 1);
      expect([...arrivals.keys()].sort()).toEqual([...webhookKeys].sort());
      expect(receiver.arrivals.filter((a) => !a.valid)).toEqual([]);
      const webhookResends = [...arrivals.values()].reduce((n, c) => n + c - 1, 0);

      // Slack: each delivery posted (its key in the message metadata), duplicates only from cut-off sends.
      const slackPosts = new Map<string, number>();
      for (const call of slack.callsOf('chat.postMessage')) {
        const key = (call.args.metadata as { event_payload?: { delivery_id?: string } } | undefined)?.event_payload?.delivery_id;
        if (key) slackPosts.set(key, (slackPosts.get(key) ?? 0) + 1);
      }
      const slackKeys = byPlatform('slack:').map((d) => d.idempotencyKey);
      expect([...slackPosts.keys()].sort()).toEqual([...slackKeys].sort());
      const slackResends = [...slackPosts.values()].reduce((n, c) => n + c - 1, 0);

      // Teams: one proactive card per delivery (answers are threaded replies), duplicates only from cut-off sends.
      const teamsDeliveries = byPlatform('teams:');
      const proactive = connector.to(PERSONAL).filter((a) => a.replyToId === null && JSON.stringify(a.activity).includes('adaptive'));
      expect(proactive.length).toBeGreaterThanOrEqual(teamsDeliveries.length);
      const teamsResends = proactive.length - teamsDeliveries.length;
      expect(slackResends + teamsResends, 'a kill can cut off at most one send per platform').toBeLessThanOrEqual(2 * kills);

      // Every destination got the same alerts: each event went to both webhooks' immediate one, Slack and Teams.
      const eventsTo = (prefix: string) =>
        new Set(
          byPlatform(prefix)
            .map((d) => d.eventId)
            .filter((e): e is string => e !== null),
        );
      const alertEvents = readDb(env.DATABASE_PATH!, (db) => db.prepare('SELECT id FROM events WHERE operator = 0 ORDER BY id').pluck().all() as string[]);
      for (const prefix of [`webhook:${receiver.url}`, 'slack:', 'teams:']) expect([...eventsTo(prefix)].sort(), prefix).toEqual(alertEvents);
      expect(alertEvents.filter((e) => e.startsWith('news:')).length).toBe(NEWS.length);

      // Digests: one per day from 3 to 11 November, each arrived; the last one reports the suspension as ended.
      const digests = byPlatform(`webhook:${receiver.url.replace(/\/hook$/, '/digest')}`);
      const digestArrivals = receiver.arrivals.filter((a) => a.path.startsWith('/digest'));
      const days = [...new Set(digestArrivals.map((a) => (JSON.parse(a.body) as { message: { title: string } }).message.title))];
      expect(digests.length).toBe(days.length);
      expect(digests.length).toBeGreaterThanOrEqual(8);
      const lastDigest = JSON.parse(digestArrivals.at(-1)!.body) as { text: string };
      const suspensionDigest = digestArrivals.map((a) => (JSON.parse(a.body) as { text: string }).text);
      expect(
        suspensionDigest.some((t) => /Suspension of 2025 No\.61 ends 2026-11-10 \(in \d+ days?\)/.test(t)),
        'a digest announces the end',
      ).toBe(true);
      expect(lastDigest.text).toMatch(/Suspension of 2025 No\.61 ended 2026-11-10/);

      console.log(
        [
          `seed ${SEED}: ${kills} kills, drained in ${Date.now() - drainStart} ms; final ${JSON.stringify(state)}`,
          `deliveries ${deliveries.length}: webhook ${webhookKeys.length} (re-sends of a key ${webhookResends}), slack ${slackKeys.length} (duplicates ${slackResends}), teams ${teamsDeliveries.length} (duplicates ${teamsResends}), digests ${digests.length}`,
          `chat: ${outcomes.length} during the kills (${outcomes.filter((o) => o.status === 200).length} acknowledged), ${finalChat.length} after`,
        ].join('\n'),
      );

      // ---- registers, changes, events: as an uninterrupted run ----
      type Status = { registers: Array<{ id: string; entries: number }> };
      const sizes = (s: Status) => Object.fromEntries(s.registers.map((r) => [r.id, r.entries]));
      expect(sizes(await cliJson<Status>(env, 'status', '--json'))).toEqual(sizes(await cliJson<Status>(refEnv, 'status', '--json')));
      expect(await cliJson(env, 'export', '--json')).toEqual(await cliJson(refEnv, 'export', '--json'));
      const changeRows = (path: string) =>
        readDb(path, (db) =>
          db.prepare('SELECT register_id, key, kind, notice_key FROM changes WHERE notice_key IS NOT NULL ORDER BY register_id, key, kind, notice_key').all(),
        );
      expect(changeRows(env.DATABASE_PATH!)).toEqual(changeRows(refEnv.DATABASE_PATH!));
      const events = readDb(env.DATABASE_PATH!, (db) => db.prepare("SELECT id FROM events WHERE operator = 0 AND kind != 'news' ORDER BY id").pluck().all());
      expect(events).toEqual(refEvents);

      // ---- chat during the kills: whatever was acknowledged was answered sensibly, nothing else went wrong ----
      for (const o of outcomes) {
        expect([200, null], `${o.platform} ${o.text}`).toContain(o.status);
        for (const answer of answersTo(o)) expect(answer, `${o.platform} ${o.text}`).not.toMatch(/something went wrong|internal error|stack/i);
      }

      // ---- no secret in anything printed ----
      for (const s of services) printed.push(s.stdout(), s.stderr());
      const all = printed.join('\n');
      for (const secret of [WEBHOOK_SECRET, SIGNING_SECRET, WS.botToken, HOOK_TOKEN])
        expect(all.includes(secret), `printed output contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(all.length).toBeGreaterThan(1000);
    } finally {
      clearInterval(world);
      for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
  }, 240_000);
});
