// Issue 6 end to end, over real HTTP on 127.0.0.1: the Teams bot on /api/messages of the service's own port next to
// /healthz, driven with Bot Framework activities, answering through a fake Bot Connector; and Workflows webhooks
// posted to a fake receiver over HTTPS. Nothing reaches Microsoft: signing keys, tokens and connectors are fakes.
// Install, every command (with and without an @mention), a poll's alert reaching the subscribed channel exactly once,
// a digest, removal pausing deliveries, 429/403 handling, authentication (401s, a good token, production refusing an
// empty app id), the Workflows envelope and size bound — and every card any of it produced validated with Microsoft's
// adaptivecards library.
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { openApp, type App } from '../src/app.js';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { replayTimeline } from '../src/demo.js';
import { createMetrics } from '../src/metrics.js';
import { startHttp, type HttpService } from '../src/server.js';
import { makeOutboxWorker } from '../src/delivery.js';
import { makeWatcher } from '../src/watch.js';
import { pollSource } from '../src/pipeline/poll.js';
import { queueDueDigests } from '../src/alerts/digest-runner.js';
import { createKeywordMatcher } from '../src/alerts/routing.js';
import { createOutboxWorker } from '../src/alerts/outbox.js';
import { DeliveryError, type AlertEvent } from '../src/alerts/types.js';
import type { Message } from '../src/alerts/message.js';
import { createAdapters } from '../adapters/registry.js';
import { startTeamsService, type TeamsService, type TeamsTesting } from '../adapters/teams/index.js';
import { cardProblems } from '../adapters/teams/validate.test-support.js';
import { listSubscriptions } from '../storage/subscriptions.js';
import { listDeliveries, recordEvent } from '../storage/outbox.js';
import { getConversation } from '../storage/teams.js';
import { startFakeBotConnector, startFakeWorkflowReceiver, type FakeBotConnector, type FakeWorkflowReceiver } from './fakes/botconnector.js';
import { fakeMofcomDay } from './fakes/mofcom-day.js';
import { runCli, tempDir } from './helpers.js';
import { buildTeamsPackage, pngSize } from '../scripts/teams-package.js';
import { colorIcon, outlineIcon } from '../scripts/teams-icons.js';

const TENANT = '5b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const APP_ID = '0b5c7a1e-2d3f-4e5a-8b6c-7d8e9f0a1b2c';
const APP_PASSWORD = 'client-secret-value-9f8e7d6c5b4a';
const BOT = { id: `28:${APP_ID}`, name: 'ExportWatch' };
const USER = { id: '29:1mei-lin-teams-user', name: 'Mei Lin', aadObjectId: '6f1c1d5e-0000-4000-8000-00000000aaaa' };
const TEAM = '19:general-trade-compliance@thread.tacv2';
const CHANNEL = '19:export-alerts@thread.tacv2';
const GROUP = '19:compliance-group-chat@thread.v2';
const PERSONAL = 'a:1personal-chat-with-mei';

let dir: ReturnType<typeof tempDir>;
let connector: FakeBotConnector;
let app: App;
let clock: Date | null;
let env: NodeJS.ProcessEnv;
let config: Config;
let service: TeamsService | null;
let http: HttpService | null;
let logs: string[];
/** Cards from outside the connector (Workflows posts) to validate after each test. */
let extraCards: unknown[];
let seq = 0;

async function start(extraEnv: NodeJS.ProcessEnv = {}, testing?: TeamsTesting): Promise<void> {
  env = { ...env, ...extraEnv };
  config = loadConfig(env);
  service = startTeamsService({
    app,
    config: config.teams!,
    sources: [],
    log: (level, message) => logs.push(`${level} ${message}`),
    ...(testing ? { testing } : {}),
  });
  http = await startHttp(app, [], createMetrics(), 0, '127.0.0.1', { handlers: [service.handle] });
}

beforeEach(async () => {
  dir = tempDir();
  clock = null;
  logs = [];
  extraCards = [];
  service = null;
  http = null;
  const dbPath = join(dir.path, 'teams.db');
  app = openApp({ databasePath: dbPath, now: () => clock ?? new Date() });
  replayTimeline(app);
  connector = await startFakeBotConnector();
  env = {
    DATABASE_PATH: dbPath,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    HTTP_TIMEOUT_MS: '2000',
    DELIVERY_RETRY_BASE_MS: '1',
    TEAMS_ALLOW_UNAUTHENTICATED: 'true',
    TEAMS_TIMEOUT_MS: '2000',
  };
});

afterEach(async () => {
  await http?.close();
  await service?.stop();
  await connector.close();
  app.close();
  dir.remove();
  // Every card the tests produced — answers, alerts, digests, Workflows posts — is a valid Adaptive Card 1.5.
  const cards = [...connector.cards(), ...extraCards];
  for (const card of cards) expect(cardProblems(card), JSON.stringify(card).slice(0, 300)).toEqual([]);
});

// ---- activities ---------------------------------------------------------------------------------------------------

function base(conversation: Record<string, unknown>, channelData: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `f:act-${++seq}`,
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    timestamp: new Date().toISOString(),
    locale: 'en-GB',
    from: USER,
    recipient: BOT,
    conversation: { tenantId: TENANT, ...conversation },
    channelData: { tenant: { id: TENANT }, ...channelData },
  };
}

const teamData = (extra: Record<string, unknown> = {}) => ({ team: { id: TEAM, name: 'Trade Compliance' }, ...extra });

function installInTeam(): Record<string, unknown> {
  return {
    ...base({ id: TEAM, conversationType: 'channel', isGroup: true }, teamData({ eventType: 'teamMemberAdded' })),
    type: 'conversationUpdate',
    membersAdded: [{ id: BOT.id }],
  };
}

function channelMessage(text: string, opts: { mention?: boolean; channel?: string } = {}): Record<string, unknown> {
  const channel = opts.channel ?? CHANNEL;
  const a = base({ conversationType: 'channel', isGroup: true }, teamData({ channel: { id: channel } }));
  const mention = opts.mention ?? true;
  return {
    ...a,
    type: 'message',
    conversation: { ...(a.conversation as object), id: `${channel};messageid=${String(a.id).slice(2)}` },
    text: mention ? `<at>ExportWatch</at> ${text}` : text,
    textFormat: 'plain',
    entities: mention ? [{ type: 'mention', text: '<at>ExportWatch</at>', mentioned: { id: BOT.id, name: BOT.name } }] : [],
  };
}

function personalMessage(text: string): Record<string, unknown> {
  return { ...base({ id: PERSONAL, conversationType: 'personal' }), type: 'message', text, textFormat: 'plain' };
}

async function post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${http!.port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  return { status: res.status, text: await res.text() };
}

/** Sends a message activity and returns the card the bot answered with (in the message's thread). */
async function ask(activity: Record<string, unknown>): Promise<{ card: unknown; json: string; reply: FakeBotConnector['activities'][number] }> {
  const before = connector.activities.length;
  const res = await post(activity);
  expect(res.status).toBe(200);
  const reply = await connector.waitFor(() => connector.activities.slice(before).find((a) => a.replyToId === activity.id));
  const [attachment] = reply.activity.attachments as Array<{ contentType: string; content: unknown }>;
  expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return { card: attachment!.content, json: JSON.stringify(attachment!.content), reply };
}

const flat = (v: unknown): string => JSON.stringify(v);

// ---- installation -------------------------------------------------------------------------------------------------

describe('installation', () => {
  it('stores the conversation reference on install, welcomes the team, and refreshes the service URL on every activity', async () => {
    await start();
    const install = installInTeam();
    expect((await post(install)).status).toBe(200);
    const team = getConversation(app.db, TEAM);
    expect(team).toMatchObject({
      conversationType: 'channel',
      tenantId: TENANT,
      teamId: TEAM,
      teamName: 'Trade Compliance',
      status: 'active',
      serviceUrl: connector.serviceUrl,
    });
    expect(team?.installedAt).not.toBeNull();
    expect(team?.reference).toEqual({
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      conversation: { id: TEAM, conversationType: 'channel', tenantId: TENANT, isGroup: true },
      bot: BOT,
      locale: 'en-GB',
    });
    const welcome = connector.to(TEAM);
    expect(welcome).toHaveLength(1);
    expect(flat(welcome[0]!.activity)).toMatch(/ExportWatch is here/);

    // A channel created later is announced and stored under the team.
    const created = {
      ...base(
        { id: TEAM, conversationType: 'channel', isGroup: true },
        teamData({ eventType: 'channelCreated', channel: { id: CHANNEL, name: 'export-alerts' } }),
      ),
      type: 'conversationUpdate',
    };
    expect((await post(created)).status).toBe(200);
    expect(getConversation(app.db, CHANNEL)).toMatchObject({ teamId: TEAM, channelName: 'export-alerts', reference: { conversation: { id: CHANNEL } } });

    // A personal chat installs with installationUpdate; its activities move the service URL (and the tenant's other rows).
    expect((await post({ ...base({ id: PERSONAL, conversationType: 'personal' }), type: 'installationUpdate', action: 'add' })).status).toBe(200);
    expect(getConversation(app.db, PERSONAL)).toMatchObject({ conversationType: 'personal', teamId: null, status: 'active' });
    const moved = `${connector.serviceUrl}amer/`;
    expect((await post({ ...personalMessage('help'), serviceUrl: moved })).status).toBe(200);
    for (const id of [PERSONAL, TEAM, CHANNEL]) {
      expect(getConversation(app.db, id)?.serviceUrl, id).toBe(moved);
      expect(getConversation(app.db, id)?.reference.serviceUrl, id).toBe(moved);
    }
    // The answer went to the new service URL.
    expect(connector.requests.at(-1)?.path).toMatch(/^\/amer\/v3\/conversations\//);
  });
});

// ---- commands -----------------------------------------------------------------------------------------------------

describe('commands', () => {
  const cases: Array<[string, RegExp]> = [
    ['help', /subscribe/],
    ['check 稀土', /053302J|稀土/],
    ['lookup 稀土', /053302J|稀土/],
    ['item 053302J', /053302J/],
    ['recent 90', /change/i],
    ['topics', /rare-earths/],
    ['status', /register|source/i],
    ['subscribe rare-earths', /rare-earths/],
    ['subscriptions', /rare-earths/],
    ['digest', /ExportWatch|digest/i],
    ['mute 1d', /mute/i],
    ['unsubscribe rare-earths', /rare-earths|unsubscribed|removed/i],
    ['frobnicate the widgets', /help|commands|subscribe/i],
    ['', /help|commands|subscribe/i],
  ];

  it('answers every command in a channel after an @mention, in the message’s thread, for the channel', async () => {
    await start();
    await post(installInTeam());
    for (const [text, pattern] of cases) {
      const activity = channelMessage(text);
      const { json, reply } = await ask(activity);
      expect(json, text).toMatch(pattern);
      expect(reply.conversationId).toBe(`${CHANNEL};messageid=${String(activity.id).slice(2)}`);
      expect(reply.activity).toMatchObject({ type: 'message', replyToId: activity.id, from: { id: BOT.id } });
      if (text === 'subscribe rare-earths') {
        expect(listSubscriptions(app.db, { destination: `teams:${CHANNEL}` }).map((s) => s.topics)).toEqual([['rare-earths']]);
      }
    }
    expect(listSubscriptions(app.db, { destination: `teams:${CHANNEL}` })).toEqual([]);
    // The channel is stored under its own id (no ;messageid=), in its team.
    expect(getConversation(app.db, CHANNEL)).toMatchObject({ teamId: TEAM, conversationType: 'channel' });
  });

  it('answers every command in a personal chat without a mention, and the mention anywhere in the text in a group chat', async () => {
    await start();
    for (const [text, pattern] of cases) {
      const { json } = await ask(personalMessage(text));
      expect(json, text).toMatch(pattern);
    }
    // Mentions of others stay as names; HTML and entities from Teams are read as text.
    const group = (text: string) => ({
      ...base({ id: GROUP, conversationType: 'groupChat', isGroup: true }),
      type: 'message',
      text,
      entities: [{ type: 'mention', text: '<at>ExportWatch</at>', mentioned: { id: BOT.id, name: BOT.name } }],
    });
    expect((await ask(group('subscribe <at>ExportWatch</at> rare-earths'))).json).toMatch(/rare-earths/);
    expect((await ask(group('<p><at>ExportWatch</at>&nbsp;check&nbsp;稀土</p>'))).json).toMatch(/053302J|稀土/);
    expect(listSubscriptions(app.db, { destination: `teams:${GROUP}` }).map((s) => s.topics)).toEqual([['rare-earths']]);
  });

  it('lets only TEAMS_ADMIN_USERS change subscriptions when it is set', async () => {
    await start({ TEAMS_ADMIN_USERS: '11111111-2222-4333-8444-555555555555' });
    expect((await ask(channelMessage('subscribe rare-earths'))).json).toMatch(/Only ExportWatch admins/);
    expect(listSubscriptions(app.db)).toEqual([]);
    await ask({ ...channelMessage('subscribe rare-earths'), from: { ...USER, aadObjectId: '11111111-2222-4333-8444-555555555555' } });
    expect(listSubscriptions(app.db)).toHaveLength(1);
  });
});

// ---- alerts and digests ---------------------------------------------------------------------------------------------

function event(id: string, message: Message): AlertEvent {
  return {
    id,
    kind: 'notice',
    severity: 'high',
    topics: [],
    text: '',
    register: null,
    noticeKey: null,
    operator: false,
    message,
    occurredAt: new Date().toISOString(),
  };
}

const notice = (title: string): Message => ({ title, severity: 'high', subtitle: 'MOFCOM 2026 No.96', links: [], sections: [], omitted: 0, context: [] });

describe('alerts and digests', () => {
  it('delivers a poll’s rare-earth change to the subscribed channel exactly once, through the outbox, as a new post', async () => {
    const { fake, sourcesFile } = await fakeMofcomDay(dir.path, 4001);
    try {
      await start({ SOURCES_FILE: sourcesFile });
      await post(installInTeam());
      await ask(channelMessage('subscribe rare-earths'));
      const answered = connector.activities.length;
      const cfg = loadConfig(env);
      const watcher = makeWatcher(app, cfg);
      const stdout = new PassThrough();
      stdout.resume();
      const worker = makeOutboxWorker(app, cfg, { stdout, env });
      const run = async () => {
        for (const source of watcher.sources) await pollSource(watcher.context, source);
        for (let i = 0; i < 5; i++) if ((await worker.runOnce()).retried === 0) break;
      };
      await run();
      const alerts = () => connector.activities.slice(answered).filter((a) => a.conversationId === CHANNEL);
      const posts = alerts();
      expect(posts.length).toBeGreaterThanOrEqual(1);
      expect(posts.map((p) => flat(p.activity)).join('\n')).toMatch(/Technology export catalogue changed/);
      for (const p of posts) {
        // A new post in the channel (POST /v3/conversations/{channel}/activities), not a reply, from the bot.
        expect(p.replyToId).toBeNull();
        expect(p.activity).toMatchObject({ type: 'message', from: { id: BOT.id }, conversation: { id: CHANNEL } });
        expect(typeof p.activity.summary).toBe('string');
      }
      const toTeams = listDeliveries(app.db).filter((d) => d.destination === `teams:${CHANNEL}`);
      expect(toTeams.length).toBe(posts.length);
      expect(toTeams.every((d) => d.status === 'sent')).toBe(true);
      expect(toTeams.map((d) => d.platformMessageId).sort()).toEqual(posts.map((p) => p.id).sort());
      // Polling again finds nothing new and posts nothing new.
      await run();
      expect(alerts().length).toBe(posts.length);
    } finally {
      await fake.close();
    }
  }, 30_000);

  it('sends the weekly digest to the channel as a card', async () => {
    clock = new Date('2026-11-25T10:00:00Z');
    await start();
    await post(installInTeam());
    await ask(channelMessage('subscribe rare-earths weekly'));
    const answered = connector.activities.length;
    clock = new Date('2026-11-30T09:30:00Z');
    expect(queueDueDigests(app, { keywordMatcher: createKeywordMatcher(app.glossary), maxNews: 10 })).toBe(1);
    const worker = createOutboxWorker({ db: app.db, adapters: createAdapters({ env, db: app.db }), now: () => app.now(), retryBaseMs: 1 });
    expect((await worker.runOnce()).sent).toBe(1);
    const [digest] = connector.activities.slice(answered);
    expect(digest?.conversationId).toBe(CHANNEL);
    expect(flat(digest?.activity)).toMatch(/ExportWatch weekly/);
  });
});

// ---- removal and connector errors ---------------------------------------------------------------------------------

describe('removal', () => {
  it('pauses deliveries when the app is removed from the team, and resumes them when it is added again', async () => {
    await start();
    await post(installInTeam());
    await ask(channelMessage('subscribe everything'));
    const destination = `teams:${CHANNEL}`;
    const worker = createOutboxWorker({ db: app.db, adapters: createAdapters({ env, db: app.db, teams: { pausedRetryMs: 1 } }), retryBaseMs: 1 });
    recordEvent(app.db, event('notice:one', notice('🟠 New MOFCOM notice one')), [{ destination, subscriptionId: null }]);
    expect((await worker.runOnce()).sent).toBe(1);

    const removal = {
      ...base({ id: TEAM, conversationType: 'channel', isGroup: true }, teamData({ eventType: 'teamMemberRemoved' })),
      type: 'conversationUpdate',
      membersRemoved: [{ id: BOT.id }],
    };
    expect((await post(removal)).status).toBe(200);
    expect(getConversation(app.db, TEAM)).toMatchObject({ status: 'paused', pausedReason: 'app removed' });
    expect(getConversation(app.db, CHANNEL)).toMatchObject({ status: 'paused', pausedReason: 'app removed' });
    const posted = connector.activities.length;
    recordEvent(app.db, event('notice:two', notice('🟠 New MOFCOM notice two')), [{ destination, subscriptionId: null }]);
    expect(await worker.runOnce()).toMatchObject({ sent: 0, failed: 0, retried: 1 });
    expect(connector.activities.length).toBe(posted);
    const held = listDeliveries(app.db).find((d) => d.eventId === 'notice:two');
    expect(held).toMatchObject({ status: 'pending' });
    expect(held?.lastError).toMatch(/paused \(app removed\)/);
    expect(logs.join('\n')).toMatch(/app removed in team 19:general-trade-compliance@thread.tacv2: deliveries to its 2 known channel\(s\) paused/);

    // Added again: the team's channels resume and the held alert goes out.
    await post(installInTeam());
    expect(getConversation(app.db, CHANNEL)?.status).toBe('active');
    await new Promise((r) => setTimeout(r, 5));
    expect((await worker.runOnce()).sent).toBe(1);
    expect(flat(connector.to(CHANNEL).at(-1)?.activity)).toMatch(/notice two/);
  });

  it('pauses a personal chat on installationUpdate remove', async () => {
    await start();
    await post({ ...base({ id: PERSONAL, conversationType: 'personal' }), type: 'installationUpdate', action: 'add' });
    await post({ ...base({ id: PERSONAL, conversationType: 'personal' }), type: 'installationUpdate', action: 'remove' });
    expect(getConversation(app.db, PERSONAL)).toMatchObject({ status: 'paused', pausedReason: 'app removed' });
  });
});

describe('the teams delivery adapter', () => {
  const message = notice('🔴 Test alert');
  const dest = { platform: 'teams' as const, address: CHANNEL };

  async function attempt(): Promise<DeliveryError | { messageId: string }> {
    const adapter = createAdapters({ env, db: app.db }).teams!;
    try {
      return await adapter.send(dest, message, { idempotencyKey: 'k1' });
    } catch (err) {
      expect(err).toBeInstanceOf(DeliveryError);
      return err as DeliveryError;
    }
  }

  it('maps 429 to retryable with Retry-After, 5xx and timeouts to retryable, 403/404 to permanent (pausing), without retrying inside botbuilder', async () => {
    await start();
    await post(installInTeam());
    await ask(channelMessage('help'));
    const before = connector.requests.length;
    const cases: Array<[Parameters<FakeBotConnector['fail']>[1], boolean, number | undefined]> = [
      [{ status: 429, retryAfter: 7, code: 'Throttled' }, true, 7000],
      [{ status: 500 }, true, undefined],
      [{ status: 503, retryAfter: 3 }, true, 3000],
      [{ status: 400, code: 'BadArgument' }, false, undefined],
      [{ status: 401, code: 'Unauthorized' }, false, undefined],
    ];
    for (const [failure, retryable, retryAfterMs] of cases) {
      connector.fail(CHANNEL, failure);
      const e = (await attempt()) as DeliveryError;
      expect(e, String(failure.status)).toBeInstanceOf(DeliveryError);
      expect(e.retryable, String(failure.status)).toBe(retryable);
      expect(e.retryAfterMs, String(failure.status)).toBe(retryAfterMs);
    }
    // One request per attempt: botbuilder's pipeline did not retry 429 or 5xx by itself.
    expect(connector.requests.length - before).toBe(cases.length);
    expect(await attempt()).toEqual({ messageId: expect.stringMatching(/^1800000000\d{3}$/) });

    for (const status of [403, 404]) {
      connector.fail(CHANNEL, { status, code: status === 403 ? 'BotNotInConversationRoster' : 'ConversationNotFound' });
      const e = (await attempt()) as DeliveryError;
      expect(e.retryable).toBe(false);
      expect(e.message).toMatch(/removed/);
      expect(getConversation(app.db, CHANNEL)).toMatchObject({ status: 'paused', pausedReason: expect.stringMatching(new RegExp(`Teams answered ${status}`)) });
      // Paused now: held, not sent.
      const held = (await attempt()) as DeliveryError;
      expect(held.retryable).toBe(true);
      await post(channelMessage('help'));
      expect(getConversation(app.db, CHANNEL)?.status).toBe('active');
    }
    // A conversation the bot was never in fails for good, saying what to do.
    const unknown = createAdapters({ env, db: app.db }).teams!;
    await expect(unknown.send({ platform: 'teams', address: '19:never-seen@thread.tacv2' }, message, { idempotencyKey: 'k2' })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/no conversation reference.*add the app/),
    });
  });

  it('lets the outbox honour Retry-After and deliver once after a 429', async () => {
    await start();
    await post(installInTeam());
    const before = connector.to(TEAM).length;
    connector.fail(TEAM, { status: 429, retryAfter: 1 });
    recordEvent(app.db, event('notice:x', message), [{ destination: `teams:${TEAM}`, subscriptionId: null }]);
    const worker = createOutboxWorker({ db: app.db, adapters: createAdapters({ env, db: app.db }), retryBaseMs: 1 });
    expect(await worker.runOnce()).toMatchObject({ sent: 0, retried: 1 });
    expect(await worker.runOnce()).toMatchObject({ sent: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(listDeliveries(app.db)[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(connector.to(TEAM).length - before).toBe(1);
  });
});

// ---- authentication and configuration -----------------------------------------------------------------------------

describe('authentication', () => {
  const authEnv = {
    TEAMS_ALLOW_UNAUTHENTICATED: undefined,
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: APP_PASSWORD,
    MICROSOFT_APP_TENANT_ID: TENANT,
    MICROSOFT_APP_TYPE: 'SingleTenant',
  };

  it('with an app id, refuses requests without a token or with a bad one (401), and serves a valid one', async () => {
    const outboundToken = 'outbound-token-from-the-fake-login-3c1d';
    // botbuilder prints some rejected tokens with console.error itself; keep the test output clean.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    onTestFinished(() => quiet.mockRestore());
    await start(authEnv, { openIdMetadataUrl: connector.openIdMetadataUrl, outboundToken, allowLoopbackServiceUrl: true });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: connector.serviceUrl, nbf: now - 60, exp: now + 3600 };
    const activity = personalMessage('help');
    const cases: Array<[string, Record<string, string>]> = [
      ['no token', {}],
      ['not a JWT', { authorization: 'Bearer not-a-token' }],
      ['wrong scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
      ['signed with another key', { authorization: `Bearer ${connector.sign(claims, { wrongKey: true })}` }],
      ['for another app', { authorization: `Bearer ${connector.sign({ ...claims, aud: '99999999-9999-4999-8999-999999999999' })}` }],
      ['another service URL', { authorization: `Bearer ${connector.sign({ ...claims, serviceurl: 'https://evil.example/' })}` }],
      ['expired', { authorization: `Bearer ${connector.sign({ ...claims, nbf: now - 7200, exp: now - 3600 })}` }],
      ['untrusted issuer', { authorization: `Bearer ${connector.sign({ ...claims, iss: 'https://evil.example/' })}` }],
    ];
    for (const [name, headers] of cases) {
      const res = await post(activity, headers);
      expect(res.status, name).toBe(401);
    }
    expect(getConversation(app.db, PERSONAL)).toBeNull();
    expect(connector.activities).toEqual([]);
    expect(logs.filter((l) => l.includes('rejected POST /api/messages'))).toHaveLength(cases.length);

    // A token signed with the (fake) Bot Framework key, for this app and this service URL: served, answered with our token.
    const good = await post(activity, { authorization: `Bearer ${connector.sign(claims)}` });
    expect(good.status).toBe(200);
    expect(getConversation(app.db, PERSONAL)).not.toBeNull();
    const [reply] = connector.activities;
    expect(reply?.authorization).toBe(`Bearer ${outboundToken}`);
    expect(flat(reply?.activity)).toMatch(/subscribe/);
    // Activities from another tenant are ignored, even with a valid token.
    const foreign = {
      ...personalMessage('help'),
      conversation: { id: 'a:1foreign', conversationType: 'personal', tenantId: '00000000-1111-4222-8333-444444444444' },
    };
    expect((await post(foreign, { authorization: `Bearer ${connector.sign(claims)}` })).status).toBe(200);
    expect(getConversation(app.db, 'a:1foreign')).toBeNull();
    const all = logs.join('\n');
    expect(all).not.toContain(APP_PASSWORD);
    expect(all).not.toContain(outboundToken);
  });

  it('refuses to start in production with an empty app id, and refuses inconsistent settings, with a clear message', async () => {
    const refused: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ TEAMS_ALLOW_UNAUTHENTICATED: 'true', NODE_ENV: 'production' }, /refusing to start: MICROSOFT_APP_ID is empty with NODE_ENV=production/],
      [{ MICROSOFT_APP_PASSWORD: APP_PASSWORD }, /MICROSOFT_APP_ID is empty .*TEAMS_ALLOW_UNAUTHENTICATED=true/],
      [{ TEAMS_ALLOW_UNAUTHENTICATED: 'yes' }, /must be true or false/],
      [{ MICROSOFT_APP_ID: 'my-bot' }, /must be the bot's Microsoft App ID, a GUID/],
      [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TENANT_ID: TENANT }, /SingleTenant needs MICROSOFT_APP_PASSWORD/],
      [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD }, /needs MICROSOFT_APP_TENANT_ID/],
      [
        { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'MultiTenant' },
        /MultiTenant is not supported/,
      ],
      [
        { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'UserAssignedMSI' },
        /leave MICROSOFT_APP_PASSWORD unset/,
      ],
    ];
    for (const [e, message] of refused) {
      let error: unknown;
      try {
        loadConfig(e);
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(e)).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(APP_PASSWORD);
    }
    expect(loadConfig({}).teams).toBeNull();
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'true', NODE_ENV: 'development' }).teams).toMatchObject({ appId: '', authenticated: false });
    expect(loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'UserAssignedMSI' }).teams).toMatchObject({
      appType: 'UserAssignedMSI',
      authenticated: true,
    });
    const c = loadConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANT });
    expect(c.teams).toMatchObject({ appId: APP_ID, tenantId: TENANT, appType: 'SingleTenant', authenticated: true });
    expect(JSON.stringify(c)).not.toContain(APP_PASSWORD);

    // `serve` itself refuses to start.
    const r = await runCli(['serve', '--port', '0'], { ...env, TEAMS_ALLOW_UNAUTHENTICATED: 'true', NODE_ENV: 'production' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to start: MICROSOFT_APP_ID is empty with NODE_ENV=production/);
  });
});

// ---- Workflows ------------------------------------------------------------------------------------------------------

describe('Workflows webhooks', () => {
  let receiver: FakeWorkflowReceiver;
  beforeEach(async () => {
    receiver = await startFakeWorkflowReceiver();
  });
  afterEach(async () => {
    for (const p of receiver.posts) extraCards.push(...((p.body as { attachments?: Array<{ content: unknown }> })?.attachments ?? []).map((a) => a.content));
    await receiver.close();
  });

  it('delivers a subscribed alert as the message envelope within 28 KB, with the URL masked everywhere it is shown', async () => {
    const sig = 'wf-signature-5a4b3c2d1e0f';
    const url = `${receiver.baseUrl}/powerautomate/automations/direct/workflows/0a1b/triggers/manual/paths/invoke?api-version=1&sig=${sig}`;
    const cliEnv = { ...env, URL_ALLOWLIST: '127.0.0.1' };
    const sub = await runCli(['subscribe', '--to', `teams-workflow:${url}`, '--topics', 'rare-earths'], cliEnv);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('sig=…');
    expect(sub.stdout).not.toContain(sig);
    // An alert for every subscription of the destination, and a huge one that must be summarised.
    const items = Array.from({ length: 300 }, (_, i) => ({
      code: `05${i}J`,
      text: `稀土永磁材料制备技术${i}`,
      gloss: 'rare-earth magnets',
      details: [`control point 1: 旧${i} → 新${i}`],
    }));
    const big: Message = {
      ...notice('🔴 Technology export catalogue changed — 300 prohibitions added'),
      severity: 'critical',
      sections: [{ heading: 'ADDED — prohibited', items }],
    };
    const destination = listSubscriptions(app.db)[0]!.destination;
    recordEvent(app.db, event('notice:wf', notice('🟠 New MOFCOM notice')), [{ destination, subscriptionId: null }]);
    recordEvent(app.db, event('notice:wf-big', big), [{ destination, subscriptionId: null }]);
    const worker = createOutboxWorker({
      db: app.db,
      adapters: createAdapters({ env: cliEnv, db: app.db, teamsWorkflow: { ca: receiver.ca } }),
      retryBaseMs: 1,
    });
    expect((await worker.runOnce()).sent).toBe(2);
    expect(receiver.posts).toHaveLength(2);
    for (const p of receiver.posts) {
      expect(p.query).toContain(`sig=${sig}`);
      expect(p.bytes).toBeLessThanOrEqual(28 * 1024);
      const body = p.body as { type: string; attachments: Array<{ contentType: string; content: { type: string; version: string } }> };
      expect(body.type).toBe('message');
      expect(body.attachments.map((a) => a.contentType)).toEqual(['application/vnd.microsoft.card.adaptive']);
      expect(body.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    }
    expect(flat(receiver.posts[1]!.body)).toMatch(/more changes not listed here/);
    expect(listDeliveries(app.db).every((d) => d.status === 'sent' && /^08584\d{6}CU00$/.test(d.platformMessageId ?? ''))).toBe(true);

    // A refused post fails for good and is reported with the URL masked.
    receiver.respond({ status: 400, body: '{"error":{"code":"TriggerInputSchemaMismatch"}}' });
    recordEvent(app.db, event('notice:wf-bad', notice('🟠 Another notice')), [{ destination, subscriptionId: null }]);
    expect((await worker.runOnce()).failed).toBe(1);
    const failed = listDeliveries(app.db).find((d) => d.eventId === 'notice:wf-bad');
    expect(failed?.lastError).toMatch(/answered 400.*TriggerInputSchemaMismatch/);
    expect(flat(listDeliveries(app.db).map((d) => d.lastError))).not.toContain(sig);
  });
});

// ---- the app package ----------------------------------------------------------------------------------------------

/** Reads a zip's entries through its central directory, checking each entry's CRC-32. */
function unzip(data: Buffer): Map<string, Buffer> {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = data.readUInt16LE(end + 10);
  let p = data.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(data.readUInt32LE(p)).toBe(0x02014b50);
    const method = data.readUInt16LE(p + 10);
    const crc = data.readUInt32LE(p + 16);
    const size = data.readUInt32LE(p + 20);
    const nameLength = data.readUInt16LE(p + 28);
    const extra = data.readUInt16LE(p + 30);
    const comment = data.readUInt16LE(p + 32);
    const local = data.readUInt32LE(p + 42);
    const name = data.toString('utf8', p + 46, p + 46 + nameLength);
    expect(data.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const body = data.subarray(start, start + size);
    const content = method === 8 ? inflateRawSync(body) : body;
    expect(crc32(content) >>> 0, name).toBe(crc);
    out.set(name, content);
    p += 46 + nameLength + extra + comment;
  }
  return out;
}

describe('the Teams app package', () => {
  it('zips the manifest with the app id filled in and both icons at the root', () => {
    const { zip } = buildTeamsPackage({ appId: APP_ID, validDomains: ['exportwatch.contoso.com'] });
    const files = unzip(zip);
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({ manifestVersion: expect.stringMatching(/^1\.\d+$/), id: APP_ID, validDomains: ['exportwatch.contoso.com'] });
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    const [bot] = manifest.bots;
    expect(bot.botId).toBe(APP_ID);
    expect(bot.scopes).toEqual(['team', 'groupChat', 'personal']);
    expect(bot.commandLists.flatMap((l: { scopes: string[] }) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) expect(list.commands.length).toBeLessThanOrEqual(10);
    expect(pngSize(files.get('color.png')!)).toEqual({ width: 192, height: 192 });
    expect(pngSize(files.get('outline.png')!)).toEqual({ width: 32, height: 32 });
    expect(files.get('color.png')).toEqual(colorIcon());
    expect(files.get('outline.png')).toEqual(outlineIcon());
    // Without valid domains the placeholder is dropped; without a real app id there is no package.
    expect(buildTeamsPackage({ appId: APP_ID }).manifest.validDomains).toEqual([]);
    expect(() => buildTeamsPackage({ appId: '00000000-0000-0000-0000-000000000000' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => buildTeamsPackage({ appId: '' })).toThrow(/MICROSOFT_APP_ID/);
  });
});
