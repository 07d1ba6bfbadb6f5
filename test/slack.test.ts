// Issue 5 end to end, over real HTTP on 127.0.0.1: the Slack app served on the service's own port next to /healthz,
// driven with requests signed like Slack's, against a fake Slack Web API and fake response_url receivers.
// Every subcommand through /slack/events, signature failures, the 3-second ack with a slow database, sharing in the
// channel, an alert from a poll against the fake MOFCOM reaching a subscribed channel exactly once, a digest, the OAuth
// install and an uninstall pausing deliveries, 429 handling, and every rendered real message within Slack's limits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createConnection, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { openApp, type App } from '../src/app.js';
import { loadConfig, ConfigError, type Config } from '../src/config.js';
import { replayTimeline } from '../src/demo.js';
import { createMetrics } from '../src/metrics.js';
import { startHttp, type HttpService } from '../src/server.js';
import { makeWatcher } from '../src/watch.js';
import { pollSource } from '../src/pipeline/poll.js';
import { buildChangeMessage } from '../src/alerts/change-message.js';
import { queueDueDigests } from '../src/alerts/digest-runner.js';
import { createKeywordMatcher } from '../src/alerts/routing.js';
import { createOutboxWorker } from '../src/alerts/outbox.js';
import { DeliveryError, type AlertEvent } from '../src/alerts/types.js';
import type { Message } from '../src/alerts/message.js';
import { createAdapters } from '../adapters/registry.js';
import { parse as parseYaml } from 'yaml';
import { BOT_SCOPES, startSlackService, type SlackService } from '../adapters/slack/index.js';
import { renderMessage, type SlackPayload } from '../adapters/slack/blocks.js';
import { payloadProblems } from '../adapters/slack/validate.js';
import { listSubscriptions } from '../storage/subscriptions.js';
import { listDeliveries, recordEvent } from '../storage/outbox.js';
import { loadInstallation, teamKey, workspaceState } from '../storage/slack.js';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from './fakes/slack.js';
import { fakeMofcomDay } from './fakes/mofcom-day.js';
import { tempDir } from './helpers.js';

const SIGNING_SECRET = 'signing-secret-8f3a9c2e71d4';
const WS: FakeWorkspace = { teamId: 'T0EXPORT', teamName: 'exportwatch-test', botToken: 'xoxb-1111-2222-fakebottoken', botUserId: 'U0BOT', botId: 'B0BOT' };
const WS2: FakeWorkspace = { teamId: 'T0SECOND', teamName: 'second-co', botToken: 'xoxb-3333-4444-secondtoken', botUserId: 'U0BOT2', botId: 'B0BOT2' };
const MEMBER = 'U0MEMBER';
const OUTSIDER = 'U0OUTSIDER';
const ALERTS = 'C0ALERTS';

let dir: ReturnType<typeof tempDir>;
let slackApi: FakeSlack;
let app: App;
let clock: Date | null;
let env: NodeJS.ProcessEnv;
let config: Config;
let service: SlackService | undefined;
let http: HttpService | undefined;
let logs: string[];
let seq = 0;

async function start(extraEnv: NodeJS.ProcessEnv = {}, hooks: Parameters<typeof startSlackService>[0]['hooks'] = {}): Promise<void> {
  env = { ...env, ...extraEnv };
  config = loadConfig(env);
  service = await startSlackService({
    app,
    config: config.slack!,
    sources: [],
    log: (level, message) => logs.push(`${level} ${message}`),
    hooks,
  });
  http = await startHttp(app, [], createMetrics(), 0, '127.0.0.1', { handlers: [service.handle] });
}

function port(): number {
  if (!http) throw new Error('the service is not running');
  return http.port;
}

beforeEach(async () => {
  dir = tempDir();
  clock = null;
  logs = [];
  const dbPath = join(dir.path, 'slack.db');
  app = openApp({ databasePath: dbPath, now: () => clock ?? new Date() });
  replayTimeline(app);
  slackApi = await startFakeSlack();
  slackApi.addWorkspace(WS);
  slackApi.addWorkspace(WS2);
  slackApi.addChannel({ id: ALERTS, name: 'trade-compliance', members: [MEMBER, 'U0ADMIN', WS.botUserId] });
  slackApi.addChannel({ id: 'C0BETA', name: 'beta', members: ['U0BETA', WS2.botUserId] });
  env = {
    DATABASE_PATH: dbPath,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    HTTP_TIMEOUT_MS: '2000',
    DELIVERY_RETRY_BASE_MS: '1',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: WS.botToken,
    SLACK_API_URL: slackApi.apiUrl,
    SLACK_TIMEOUT_MS: '1000',
  };
});

afterEach(async () => {
  await http?.close();
  await service?.stop();
  http = undefined;
  service = undefined;
  await slackApi.close();
  app.close();
  dir.remove();
});

function sign(body: string, ts = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET): Record<string, string> {
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` };
}

async function post(body: string, headers: Record<string, string>, contentType = 'application/x-www-form-urlencoded') {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port()}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

function slashBody(text: string, opts: { user?: string; channel?: string; team?: string; id?: string } = {}): { body: string; id: string } {
  const id = opts.id ?? `r${++seq}`;
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: opts.team ?? WS.teamId,
    team_domain: 'exportwatch-test',
    channel_id: opts.channel ?? ALERTS,
    channel_name: 'trade-compliance',
    user_id: opts.user ?? MEMBER,
    user_name: 'mei',
    command: '/exportwatch',
    text,
    api_app_id: 'A0FAKEAPP',
    is_enterprise_install: 'false',
    response_url: slackApi.responseUrl(id),
    trigger_id: `trigger-${id}`,
  }).toString();
  return { body, id };
}

/** Sends `/exportwatch <text>` signed, and waits for the answer posted to its response_url. */
async function slash(text: string, opts: Parameters<typeof slashBody>[1] = {}) {
  const { body, id } = slashBody(text, opts);
  const res = await post(body, sign(body));
  expect(res.status).toBe(200);
  const answer = await slackApi.waitFor(() => slackApi.responsesTo(id)[0]);
  return { ...res, id, answer: answer.body as unknown as SlackPayload & { response_type?: string } };
}

function eventBody(event: Record<string, unknown>, team = WS.teamId): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: team,
    api_app_id: 'A0FAKEAPP',
    event,
    type: 'event_callback',
    event_id: `Ev${++seq}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: team, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
  });
}

const flat = (p: unknown): string => JSON.stringify(p);
/** Slack adapter settings for tests: no gap between thread replies, log lines kept. */
const fast = { retryBaseMs: 1, perDestinationIntervalMs: { slack: 0 } };
const quiet = { threadSpacingMs: 0, log: (level: string, message: string) => void logs.push(`${level} ${message}`) };

function expectWithinLimits(p: SlackPayload, allowMentions = false): void {
  expect(payloadProblems(p, { allowMentions })).toEqual([]);
}

describe('the slash command', () => {
  it('answers every subcommand through /slack/events at the response_url, ephemeral unless it changes the channel', async () => {
    await start();
    const cases: Array<[string, RegExp, 'ephemeral' | 'in_channel']> = [
      ['help', /subscribe/, 'ephemeral'],
      ['check 稀土', /053302J|稀土/, 'ephemeral'],
      ['lookup 稀土', /053302J|稀土/, 'ephemeral'],
      ['item 053302J', /053302J/, 'ephemeral'],
      ['recent 90', /change/i, 'ephemeral'],
      ['topics', /rare-earths/, 'ephemeral'],
      ['status', /register|source/i, 'ephemeral'],
      ['subscribe rare-earths', /rare-earths/, 'in_channel'],
      ['subscriptions', /rare-earths/, 'ephemeral'],
      ['digest', /ExportWatch|digest/i, 'ephemeral'],
      ['mute 1d', /mute/i, 'in_channel'],
      ['unsubscribe rare-earths', /rare-earths|unsubscribed|removed/i, 'in_channel'],
      ['frobnicate the widgets', /help|commands|subscribe/i, 'ephemeral'],
      ['', /help|commands|subscribe/i, 'ephemeral'],
    ];
    for (const [text, pattern, visibility] of cases) {
      const { answer, ms } = await slash(text);
      expect(ms, text).toBeLessThan(2500);
      expect(answer.response_type, text).toBe(visibility);
      expect(flat(answer.blocks), text).toMatch(pattern);
      expectWithinLimits(answer, true);
      if (text === 'subscribe rare-earths') {
        expect(listSubscriptions(app.db, { destination: `slack:${WS.teamId}/${ALERTS}` }).map((s) => s.topics)).toEqual([['rare-earths']]);
      }
      if (text.startsWith('check') || text.startsWith('lookup')) {
        expect(flat(answer.blocks)).toContain('exportwatch_share');
      } else {
        expect(flat(answer.blocks), text).not.toContain('exportwatch_share');
      }
    }
    expect(listSubscriptions(app.db, { destination: `slack:${WS.teamId}/${ALERTS}` })).toEqual([]);
    // Membership was asked of Slack, with the bot token.
    expect(slackApi.callsOf('conversations.members').every((c) => c.token === WS.botToken)).toBe(true);
  });

  it('lets only channel members (and, when configured, admins) change subscriptions', async () => {
    await start({ SLACK_ADMIN_USERS: 'U0ADMIN' });
    const outsider = await slash('subscribe rare-earths', { user: OUTSIDER });
    expect(outsider.answer.response_type).toBe('ephemeral');
    expect(listSubscriptions(app.db)).toEqual([]);
    const member = await slash('subscribe rare-earths', { user: MEMBER });
    expect(member.answer.response_type).toBe('ephemeral');
    expect(listSubscriptions(app.db)).toEqual([]);
    const admin = await slash('subscribe rare-earths', { user: 'U0ADMIN' });
    expect(admin.answer.response_type).toBe('in_channel');
    expect(listSubscriptions(app.db)).toHaveLength(1);
  });

  it('acks within 3 seconds while the database is slow, and answers through respond() afterwards', async () => {
    await start({}, { beforeCommand: (info) => (info.text.startsWith('status') ? new Promise((r) => setTimeout(r, 3500)) : undefined) });
    const { body, id } = slashBody('status');
    const sent = Date.now();
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    expect(slackApi.responsesTo(id)).toEqual([]);
    const answer = await slackApi.waitFor(() => slackApi.responsesTo(id)[0], 8000);
    expect(answer.at - sent).toBeGreaterThanOrEqual(3400);
    expect(flat(answer.body)).toMatch(/register|source/i);
  });

  it('acknowledges a burst of commands before working through it, and a command arriving meanwhile between two', async () => {
    // Each command's work holds the event loop for 40 ms (as a slow synchronous query would). Six commands arrive
    // together, on new connections (the event loop accepts one new connection per pass): all six are acknowledged before
    // any work starts. While the first is worked on, a seventh arrives: it is acknowledged after at most one more
    // command's work, not after the other five. Work goes one command per pass of the event loop, in arrival order.
    const worked: string[] = [];
    const ackedAfter = new Map<string, number>();
    let late: Socket | undefined;
    let lateRequest = '';
    const busy = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    await start(
      {},
      {
        beforeCommand: (info) => {
          worked.push(info.text);
          if (worked.length === 1) late!.write(lateRequest);
          busy(40);
        },
      },
    );
    // Watches the acks on the same service: an extra header names the request (it is not part of the signature).
    const watched = await startHttp(app, [], createMetrics(), 0, '127.0.0.1', {
      handlers: [
        (req, res) => {
          const id = req.headers['x-test-id'];
          if (typeof id === 'string') {
            // When the answer is written ('finish' comes later, once the socket has taken it).
            const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => typeof res;
            res.writeHead = ((...a: unknown[]) => {
              ackedAfter.set(id, worked.length);
              return writeHead(...a);
            }) as typeof res.writeHead;
          }
          return false;
        },
        service!.handle,
      ],
    });
    try {
      const connect = () =>
        new Promise<Socket>((done, fail) => {
          const socket = createConnection(watched.port, '127.0.0.1', () => done(socket));
          socket.on('error', fail);
        });
      const rawRequest = (testId: string, text: string): { raw: string; id: string } => {
        const { body, id } = slashBody(text);
        const headers = { ...sign(body), 'x-test-id': testId };
        const head = Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        const raw = `POST /slack/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${head}connection: close\r\n\r\n${body}`;
        return { raw, id };
      };
      const statusOf = (socket: Socket) =>
        new Promise<number>((done) => {
          let text = '';
          socket.on('data', (c: Buffer) => (text += c.toString()));
          socket.on('close', () => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
        });
      const burst = await Promise.all(Array.from({ length: 6 }, () => connect()));
      late = await connect();
      const queries = ['稀土', 'gallium', '053302J', 'drone', '钐钴', 'graphite'];
      const requests = queries.map((q, i) => rawRequest(`A${i + 1}`, `check ${q}`));
      const lateOne = rawRequest('B', 'check 激光雷达');
      lateRequest = lateOne.raw;
      const statuses = [...burst, late].map(statusOf);
      // All six written at once, before the service reads any of them.
      burst.forEach((socket, i) => socket.write(requests[i]!.raw));
      expect(await Promise.all(statuses)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      for (const { id } of [...requests, lateOne]) await slackApi.waitFor(() => slackApi.responsesTo(id)[0]);
      // The six were acknowledged before any work; the late one after the first command's work, at most one more.
      for (let i = 1; i <= 6; i++) expect(ackedAfter.get(`A${i}`), `A${i}`).toBe(0);
      expect(ackedAfter.get('B')).toBeGreaterThanOrEqual(1);
      expect(ackedAfter.get('B')).toBeLessThanOrEqual(2);
      // Worked through in arrival order, each answered once with its own result.
      expect(worked).toEqual([...queries.map((q) => `check ${q}`), 'check 激光雷达']);
      for (const { id } of [...requests, lateOne]) expect(slackApi.responsesTo(id)).toHaveLength(1);
      expect(flat(slackApi.responsesTo(requests[2]!.id)[0]!.body)).toContain('053302J');
    } finally {
      await watched.close();
    }
  });

  it('answers each of many concurrent commands once, with its own answer', async () => {
    await start();
    const queries = ['稀土', 'gallium', '053302J', 'drone', '钐钴', 'graphite', 'unobtainium widget', '0533', 'laser radar', '中药'];
    const sent = Array.from({ length: 40 }, (_, i) => slashBody(`check ${queries[i % queries.length]}`));
    const acks = await Promise.all(sent.map(({ body }) => post(body, sign(body))));
    expect(acks.map((a) => a.status)).toEqual(sent.map(() => 200));
    // The ack is an empty 200: the answer goes to the response_url.
    expect(acks.every((a) => a.text === '')).toBe(true);
    await slackApi.waitFor(() => sent.every(({ id }) => slackApi.responsesTo(id).length > 0), 10_000);
    await new Promise((r) => setTimeout(r, 100));
    for (const [i, { id }] of sent.entries()) {
      const answers = slackApi.responsesTo(id);
      expect(answers, id).toHaveLength(1);
      const answer = answers[0]!.body as unknown as SlackPayload & { response_type?: string };
      expect(answer.response_type).toBe('ephemeral');
      expectWithinLimits(answer, true);
      const q = queries[i % queries.length]!;
      expect(answer.text, q).toContain(`for "${q}"`);
    }
  });

  it('logs an answer the response_url refuses (expired), without the URL, and still acknowledges the command', async () => {
    await start();
    slackApi.failResponses(404);
    const { body, id } = slashBody('check 稀土');
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    const line = await slackApi.waitFor(() => logs.find((l) => l.includes('could not answer through response_url')));
    expect(line).toMatch(/^warn slack: could not answer through response_url: the response_url answered 404/);
    expect(line).not.toContain('/respond/');
    // Posted once (the fake records it before refusing it), not retried.
    expect(slackApi.responsesTo(id)).toHaveLength(1);
  });

  it('shares a check result in the channel from the button', async () => {
    await start();
    const { answer } = await slash('check 稀土');
    const actions = answer.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value?: string }> };
    const button = actions.elements.find((e) => e.action_id === 'exportwatch_share')!;
    const responseId = `share-${++seq}`;
    const payload = {
      type: 'block_actions',
      team: { id: WS.teamId, domain: 'exportwatch-test' },
      user: { id: MEMBER, username: 'mei', name: 'mei', team_id: WS.teamId },
      api_app_id: 'A0FAKEAPP',
      token: 'legacy',
      container: { type: 'message', message_ts: '1800000000.000001', channel_id: ALERTS, is_ephemeral: true },
      trigger_id: 'trigger-share',
      channel: { id: ALERTS, name: 'trade-compliance' },
      response_url: slackApi.responseUrl(responseId),
      actions: [{ type: 'button', action_id: 'exportwatch_share', block_id: 'b1', value: button.value, action_ts: '1800000001.000001' }],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    const shared = await slackApi.waitFor(() => slackApi.responsesTo(responseId)[0]);
    expect(shared.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(flat(shared.body)).toContain(`Shared by <@${MEMBER}>`);
    expect(flat(shared.body)).not.toContain('exportwatch_share');
    expectWithinLimits(shared.body as unknown as SlackPayload, true);
  });
});

describe('request verification', () => {
  it('rejects bad, stale, future and missing signatures with 401, logged without the body', async () => {
    await start();
    const now = Math.floor(Date.now() / 1000);
    const marker = 'check BODY-MARKER-7731';
    const cases: Array<[string, (body: string) => Record<string, string>]> = [
      ['bad signature', (b) => sign(b, now, 'not-the-secret')],
      ['stale', (b) => sign(b, now - 301)],
      ['future', (b) => sign(b, now + 301)],
      ['missing headers', () => ({})],
      ['missing signature', (b) => ({ 'x-slack-request-timestamp': sign(b)['x-slack-request-timestamp']! })],
      ['garbled timestamp', (b) => ({ ...sign(b), 'x-slack-request-timestamp': 'yesterday' })],
    ];
    for (const [name, headers] of cases) {
      const { body, id } = slashBody(marker);
      const res = await post(body, headers(body));
      expect(res.status, name).toBe(401);
      await new Promise((r) => setTimeout(r, 20));
      expect(slackApi.responsesTo(id), name).toEqual([]);
    }
    // Within five minutes either way is fine.
    for (const ts of [now - 200, now + 200]) {
      const { body, id } = slashBody('help');
      expect((await post(body, sign(body, ts))).status).toBe(200);
      await slackApi.waitFor(() => slackApi.responsesTo(id)[0]);
    }
    const rejected = logs.filter((l) => /rejected POST \/slack\/events/.test(l));
    expect(rejected).toHaveLength(cases.length);
    expect(rejected.join('\n')).toMatch(/signature mismatch[\s\S]*stale[\s\S]*in the future[\s\S]*missing/);
    const all = logs.join('\n');
    expect(all).not.toContain('BODY-MARKER');
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain(WS.botToken);
  });
});

describe('configuration', () => {
  it('selects Socket Mode with SLACK_APP_TOKEN and refuses inconsistent settings with a clear message', () => {
    const base = { SLACK_BOT_TOKEN: WS.botToken };
    expect(loadConfig({ ...base, SLACK_APP_TOKEN: 'xapp-1-A0-123-abcdef' }).slack).toMatchObject({ mode: 'socket', auth: 'single' });
    expect(loadConfig({ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET }).slack).toMatchObject({
      mode: 'http',
      auth: 'single',
      apiUrl: 'https://slack.com/api/',
    });
    expect(loadConfig({ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: 'http://127.0.0.1:9/api' }).slack?.apiUrl).toBe(
      'http://127.0.0.1:9/api/',
    );
    expect(loadConfig({}).slack).toBeNull();
    const refused: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ SLACK_BOT_TOKEN: WS.botToken }, /SLACK_SIGNING_SECRET/],
      [{ SLACK_SIGNING_SECRET: SIGNING_SECRET }, /SLACK_BOT_TOKEN/],
      [{ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_CLIENT_ID: '1.2' }, /missing SLACK_CLIENT_SECRET, SLACK_STATE_SECRET/],
      [
        {
          ...base,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_CLIENT_ID: '1.2',
          SLACK_CLIENT_SECRET: 'client-secret-x',
          SLACK_STATE_SECRET: 'state-secret-0123456789',
        },
        /not both/,
      ],
      [
        { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'client-secret-x', SLACK_STATE_SECRET: 'state-secret-0123456789' },
        /SLACK_TOKEN_ENCRYPTION_KEY/,
      ],
      [{ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_TOKEN_ENCRYPTION_KEY: 'short' }, /SLACK_TOKEN_ENCRYPTION_KEY must be 32/],
      [{ SLACK_BOT_TOKEN: 'xoxp-user-token-secretvalue', SLACK_SIGNING_SECRET: SIGNING_SECRET }, /starts with xoxb-/],
      [{ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_ADMIN_USERS: 'U0ADMIN, bob' }, /SLACK_ADMIN_USERS/],
      [{ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: 'ftp://x' }, /SLACK_API_URL/],
    ];
    for (const [e, message] of refused) {
      let error: unknown;
      try {
        loadConfig(e);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      for (const value of Object.values(e)) if (value && value.length > 8 && value !== '1.2') expect((error as Error).message).not.toContain(value);
    }
    // Secrets do not leak through JSON or inspection of the configuration.
    const c = loadConfig({ ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(JSON.stringify(c)).not.toContain(WS.botToken);
    expect(JSON.stringify(c)).not.toContain(SIGNING_SECRET);
  });

  it('ships a manifest that matches what the app serves and asks for', () => {
    const manifest = parseYaml(readFileSync(join(import.meta.dirname, '..', 'slack', 'manifest.yaml'), 'utf8')) as {
      features: { slash_commands: Array<{ command: string; url: string }>; app_home: { home_tab_enabled: boolean } };
      oauth_config: { scopes: { bot: string[] }; redirect_urls: string[] };
      settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
    };
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/exportwatch']);
    expect(manifest.features.slash_commands[0]!.url).toMatch(/\/slack\/events$/);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    expect(manifest.oauth_config.redirect_urls[0]).toMatch(/\/slack\/oauth_redirect$/);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked']);
    expect(manifest.settings.interactivity).toMatchObject({ is_enabled: true, request_url: expect.stringMatching(/\/slack\/events$/) });
  });

  it('refuses to start with a token Slack rejects, without printing it', async () => {
    slackApi.revoke(WS.botToken);
    await expect(start({ SLACK_BOT_TOKEN: WS.botToken })).rejects.toThrow(/Slack refused the bot token \(token_revoked\)/);
    expect(logs.join('\n')).not.toContain(WS.botToken);
  });
});

/** A MOFCOM day with a rare-earth technology change, as in the alerts test. */

describe('alerts and digests in Slack', () => {
  it('delivers a poll’s rare-earth change to the subscribed channel exactly once, through the outbox', async () => {
    const { fake, sourcesFile } = await fakeMofcomDay(dir.path, 3001);
    try {
      await start({ SLACK_BOT_TOKEN: WS.botToken, SOURCES_FILE: sourcesFile });
      expect((await slash('subscribe rare-earths')).answer.response_type).toBe('in_channel');
      const cfg = loadConfig(env);
      const watcher = makeWatcher(app, cfg);
      const stdout = new PassThrough();
      stdout.resume();
      // The outbox as serve runs it, with the registry's adapters (the serve test below covers the wiring itself);
      // no spacing between sends to one channel, to keep the test quick.
      const worker = createOutboxWorker({ db: app.db, adapters: createAdapters({ env, stdout, db: app.db, slack: quiet }), ...fast });
      const run = async () => {
        for (const source of watcher.sources) await pollSource(watcher.context, source);
        for (let i = 0; i < 5; i++) if ((await worker.runOnce()).retried === 0) break;
      };
      await run();
      const mainPosts = () => slackApi.callsOf('chat.postMessage').filter((c) => c.args.channel === ALERTS && c.args.thread_ts === undefined);
      const posts = mainPosts();
      expect(posts.length).toBeGreaterThanOrEqual(1);
      expect(posts.map((p) => flat(p.args.blocks)).join('\n')).toMatch(/Technology export catalogue changed/);
      for (const p of posts) {
        expect(p.token).toBe(WS.botToken);
        expect(p.args).toMatchObject({ unfurl_links: false, unfurl_media: false });
        expect(typeof p.args.text).toBe('string');
        expectWithinLimits(p.args as unknown as SlackPayload);
      }
      // Each delivery once: distinct idempotency keys, one post per sent delivery, the message id is the ts.
      const keys = posts.map((p) => (p.args.metadata as { event_payload: { delivery_id: string } }).event_payload.delivery_id);
      expect(new Set(keys).size).toBe(keys.length);
      const toSlack = listDeliveries(app.db).filter((d) => d.destination === `slack:${WS.teamId}/${ALERTS}`);
      expect(toSlack.length).toBe(posts.length);
      expect(toSlack.every((d) => d.status === 'sent' && /^\d+\.\d+$/.test(d.platformMessageId ?? ''))).toBe(true);
      // Polling again finds nothing new and posts nothing new.
      await run();
      expect(mainPosts().length).toBe(posts.length);
      // Every message recorded for the day renders within Slack's limits, with and without a thread.
      const events = app.db.prepare('SELECT message FROM events').pluck().all() as string[];
      expect(events.length).toBeGreaterThan(0);
      for (const m of events) {
        const r = renderMessage(JSON.parse(m) as Message, { thread: true });
        expectWithinLimits(r.main);
        for (const t of r.thread) expectWithinLimits(t);
      }
    } finally {
      await fake.close();
    }
  }, 30_000);

  it('sends the weekly digest to the channel in its own layout', async () => {
    clock = new Date('2026-11-25T10:00:00Z');
    await start({ SLACK_BOT_TOKEN: WS.botToken });
    expect((await slash('subscribe rare-earths weekly')).answer.response_type).toBe('in_channel');
    clock = new Date('2026-11-30T09:30:00Z');
    expect(queueDueDigests(app, { keywordMatcher: createKeywordMatcher(app.glossary), maxNews: 10 })).toBe(1);
    const adapters = createAdapters({ env, db: app.db, slack: quiet });
    const result = await createOutboxWorker({ db: app.db, adapters, now: () => app.now(), ...fast }).runOnce();
    expect(result.sent).toBe(1);
    const [digest] = slackApi.callsOf('chat.postMessage');
    expect(digest?.args.channel).toBe(ALERTS);
    expect(flat(digest?.args.blocks)).toMatch(/ExportWatch weekly/);
    expect((digest?.args.blocks as Array<{ type: string }>)[0]?.type).toBe('header');
    expectWithinLimits(digest!.args as unknown as SlackPayload);
  });

  it('shows the user’s channels’ subscriptions and the latest changes in the App Home', async () => {
    await start({ SLACK_BOT_TOKEN: WS.botToken });
    await slash('subscribe rare-earths');
    const body = eventBody({ type: 'app_home_opened', user: MEMBER, channel: 'D0HOME', tab: 'home', event_ts: '1800000000.000100' });
    expect((await post(body, sign(body), 'application/json')).status).toBe(200);
    const publish = await slackApi.waitFor(() => slackApi.callsOf('views.publish')[0]);
    expect(publish.args.user_id).toBe(MEMBER);
    const view = publish.args.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(flat(view.blocks)).toContain(`<#${ALERTS}>`);
    expect(flat(view.blocks)).toContain('rare-earths');
    expect(flat(view.blocks)).toMatch(/Latest changes/);
  });
});

describe('npm start with Slack variables', () => {
  it('serves the slash command next to /healthz and posts alerts to Slack', async () => {
    const { fake, sourcesFile } = await fakeMofcomDay(dir.path, 3001);
    const bin = resolve(import.meta.dirname, '..', 'bin', 'exportwatch.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      cwd: dir.path,
      env: {
        ...process.env,
        ...env,
        DATABASE_PATH: join(dir.path, 'serve.db'),
        SOURCES_FILE: sourcesFile,
        ALERTS_FALLBACK_DESTINATION: `slack:${WS.teamId}/${ALERTS}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const port = await slackApi.waitFor(() => Number(/serving on port (\d+)/.exec(stderr)?.[1] ?? 0), 20_000);
      expect(stderr).toMatch(/Slack: \/slack\/events \(workspace T0EXPORT\)/);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const { body, id } = slashBody('topics');
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body, ts) },
        body,
      });
      expect(res.status).toBe(200);
      const answer = await slackApi.waitFor(() => slackApi.responsesTo(id)[0], 10_000);
      expect(flat(answer.body)).toContain('rare-earths');
      // The first poll's alerts go to the fallback destination: the Slack channel.
      const alert = await slackApi.waitFor(() => slackApi.callsOf('chat.postMessage').find((c) => c.args.channel === ALERTS), 15_000);
      expect(alert.token).toBe(WS.botToken);
      expect(stderr).not.toContain(WS.botToken);
      expect(stderr).not.toContain(SIGNING_SECRET);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      await fake.close();
    }
  }, 30_000);
});

describe('installing and uninstalling', () => {
  it('installs through OAuth with encrypted tokens, and an uninstall removes them and pauses deliveries', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    await start({
      SLACK_BOT_TOKEN: '',
      SLACK_CLIENT_ID: '1111.2222',
      SLACK_CLIENT_SECRET: 'client-secret-4411',
      SLACK_STATE_SECRET: 'state-secret-9a8b7c6d5e',
      SLACK_TOKEN_ENCRYPTION_KEY: key,
    });
    // /slack/install sets the state cookie and links to Slack's authorize page with the same state.
    const install = await fetch(`http://127.0.0.1:${port()}/slack/install`, { redirect: 'manual' });
    expect(install.status).toBe(200);
    const page = await install.text();
    const state = /state=([^&"]+)/.exec(page)?.[1];
    expect(state).toBeDefined();
    expect(page).toContain('scope=commands%2Cchat%3Awrite');
    const cookie = (install.headers.get('set-cookie') ?? '').split(';')[0]!;
    slackApi.addOAuthCode('code-42', WS2, 'U0BETA');
    const done = await fetch(`http://127.0.0.1:${port()}/slack/oauth_redirect?code=code-42&state=${state}`, { headers: { cookie } });
    expect(done.status).toBe(200);
    expect(slackApi.callsOf('oauth.v2.access')).toHaveLength(1);
    // Stored encrypted: the token is nowhere in the row, and decrypts with the key.
    const row = app.db.prepare('SELECT * FROM slack_installations WHERE install_key = ?').get(teamKey(WS2.teamId)) as Record<string, unknown>;
    expect(flat(row)).not.toContain(WS2.botToken);
    expect(loadInstallation(app.db, Buffer.from(key, 'base64'), teamKey(WS2.teamId))?.bot?.token).toBe(WS2.botToken);

    // The installed workspace uses the app: a subscription, then an alert delivered with its own token.
    const sub = await slash('subscribe everything', { team: WS2.teamId, channel: 'C0BETA', user: 'U0BETA' });
    expect(sub.answer.response_type).toBe('in_channel');
    const destination = `slack:${WS2.teamId}/C0BETA`;
    const event = (id: string): AlertEvent => ({
      id,
      kind: 'notice',
      severity: 'high',
      topics: [],
      text: '',
      register: null,
      noticeKey: null,
      operator: false,
      message: { title: `🟠 New MOFCOM notice ${id}`, severity: 'high', subtitle: null, links: [], sections: [], omitted: 0, context: [] },
      occurredAt: new Date().toISOString(),
    });
    recordEvent(app.db, event('notice:one'), [{ destination, subscriptionId: null }]);
    const adapters = createAdapters({ env, db: app.db, slack: quiet });
    const worker = createOutboxWorker({ db: app.db, adapters, ...fast });
    expect((await worker.runOnce()).sent).toBe(1);
    expect(slackApi.callsOf('chat.postMessage').map((c) => c.token)).toEqual([WS2.botToken]);

    // Uninstalled: tokens gone, the workspace paused, its deliveries held (not sent, not failed).
    const uninstall = eventBody({ type: 'app_uninstalled', event_ts: '1800000000.000200' }, WS2.teamId);
    expect((await post(uninstall, sign(uninstall), 'application/json')).status).toBe(200);
    await slackApi.waitFor(() => workspaceState(app.db, WS2.teamId)?.status === 'paused');
    expect(workspaceState(app.db, WS2.teamId)).toMatchObject({ status: 'paused', installed: false, pausedReason: 'app uninstalled' });
    expect(loadInstallation(app.db, Buffer.from(key, 'base64'), teamKey(WS2.teamId))).toBeNull();
    recordEvent(app.db, event('notice:two'), [{ destination, subscriptionId: null }]);
    const held = await worker.runOnce();
    expect(held).toMatchObject({ sent: 0, failed: 0, retried: 1 });
    expect(slackApi.callsOf('chat.postMessage')).toHaveLength(1);
    const pending = listDeliveries(app.db).find((d) => d.eventId === 'notice:two');
    expect(pending).toMatchObject({ status: 'pending' });
    expect(pending?.lastError).toMatch(/paused \(app uninstalled\)/);
    expect(logs.join('\n')).toMatch(/uninstalled from workspace T0SECOND/);
    expect(logs.join('\n')).not.toContain(WS2.botToken);
  });
  it('pauses a single-workspace install when its bot token is revoked, and resumes when a working token starts', async () => {
    await start();
    const revoked = eventBody({ type: 'tokens_revoked', tokens: { bot: [WS.botUserId] }, event_ts: '1800000000.000300' });
    expect((await post(revoked, sign(revoked), 'application/json')).status).toBe(200);
    await slackApi.waitFor(() => workspaceState(app.db, WS.teamId)?.status === 'paused');
    const adapter = createAdapters({ env, db: app.db, slack: quiet }).slack!;
    const message: Message = { title: 'x', severity: 'high', subtitle: null, links: [], sections: [], omitted: 0, context: [] };
    await expect(adapter.send({ platform: 'slack', address: `${WS.teamId}/${ALERTS}` }, message, { idempotencyKey: 'k' })).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 15 * 60_000,
      message: expect.stringMatching(/paused \(bot token revoked\)/),
    });
    expect(slackApi.callsOf('chat.postMessage')).toEqual([]);
    await http?.close();
    await start();
    expect(workspaceState(app.db, WS.teamId)?.status).toBe('active');
  });
});

describe('the delivery adapter', () => {
  const message: Message = { title: '🔴 Test alert', severity: 'critical', subtitle: 'MOFCOM 2026 No.96', links: [], sections: [], omitted: 0, context: [] };
  const dest = { platform: 'slack' as const, address: `${WS.teamId}/${ALERTS}` };

  async function attempt(): Promise<DeliveryError | { messageId: string }> {
    const adapter = createAdapters({ env: { ...env, SLACK_BOT_TOKEN: WS.botToken }, db: app.db, slack: quiet }).slack!;
    try {
      return await adapter.send(dest, message, { idempotencyKey: 'k1' });
    } catch (err) {
      expect(err).toBeInstanceOf(DeliveryError);
      return err as DeliveryError;
    }
  }

  it('maps 429 to a retryable error with Retry-After, without retrying inside the client', async () => {
    slackApi.fail('chat.postMessage', { status: 429, retryAfter: 7 });
    const e = (await attempt()) as DeliveryError;
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(slackApi.callsOf('chat.postMessage')).toHaveLength(1);
    const ok = await attempt();
    expect(ok).toMatchObject({ messageId: expect.stringMatching(/^\d+\.\d+$/) });
  });

  it('retries ratelimited, 5xx, network errors and timeouts; fails not_in_channel, channel_not_found and revoked tokens for good', async () => {
    const expectations: Array<[Parameters<FakeSlack['fail']>[1], boolean]> = [
      [{ error: 'ratelimited' }, true],
      [{ status: 503 }, true],
      [{ status: 500 }, true],
      [{ delayMs: 1500 }, true],
      [{ error: 'not_in_channel' }, false],
      [{ error: 'channel_not_found' }, false],
      [{ error: 'account_inactive' }, false],
      [{ error: 'invalid_auth' }, false],
      [{ error: 'token_revoked' }, false],
    ];
    for (const [failure, retryable] of expectations) {
      slackApi.fail('chat.postMessage', failure);
      const e = await attempt();
      expect(e, flat(failure)).toBeInstanceOf(DeliveryError);
      expect((e as DeliveryError).retryable, flat(failure)).toBe(retryable);
      expect((e as DeliveryError).message).not.toContain(WS.botToken);
    }
    expect(slackApi.callsOf('chat.postMessage')).toHaveLength(expectations.length);
    // No Slack at all: retryable.
    const down = createAdapters({ env: { ...env, SLACK_BOT_TOKEN: WS.botToken, SLACK_API_URL: 'http://127.0.0.1:9/api/' }, db: app.db, slack: quiet }).slack!;
    await expect(down.send(dest, message, { idempotencyKey: 'k2' })).rejects.toMatchObject({ retryable: true });
  });

  it('lets the outbox honour Retry-After and deliver once after a 429', async () => {
    slackApi.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    recordEvent(
      app.db,
      {
        ...({} as AlertEvent),
        id: 'notice:x',
        kind: 'notice',
        severity: 'high',
        topics: [],
        text: '',
        register: null,
        noticeKey: null,
        operator: false,
        message,
        occurredAt: new Date().toISOString(),
      },
      [{ destination: `slack:${WS.teamId}/${ALERTS}`, subscriptionId: null }],
    );
    const adapters = createAdapters({ env: { ...env, SLACK_BOT_TOKEN: WS.botToken }, db: app.db, slack: quiet });
    const worker = createOutboxWorker({ db: app.db, adapters, ...fast });
    expect(await worker.runOnce()).toMatchObject({ sent: 0, retried: 1 });
    expect(await worker.runOnce()).toMatchObject({ sent: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    const [d] = listDeliveries(app.db);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(slackApi.callsOf('chat.postMessage').filter((c) => c.args.channel === ALERTS)).toHaveLength(2);
  });
});

describe('real change sets', () => {
  it('render within Slack’s limits, long ones with the detail in the thread', () => {
    const results = replayTimeline(openApp({ databasePath: join(dir.path, 'replay.db') }));
    let threaded = 0;
    for (const r of results) {
      for (const maxItems of [12, 10_000]) {
        const m = buildChangeMessage({ changes: r.changes, notice: r.notice, detectedAt: r.detectedAt, gloss: app.gloss, baseline: r.baseline, maxItems });
        const rendered = renderMessage(m, { thread: true });
        expectWithinLimits(rendered.main);
        for (const t of rendered.thread) expectWithinLimits(t);
        if (rendered.thread.length > 0) threaded += 1;
      }
    }
    expect(threaded).toBeGreaterThan(0);
  });
});
