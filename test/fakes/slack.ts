// A fake Slack for tests, on 127.0.0.1 and a free port: the Web API methods ExportWatch calls (under /api/, as
// SLACK_API_URL = http://127.0.0.1:<port>/api/) and response_url receivers (/respond/<id>). Calls are recorded with
// their parsed arguments and the token used; failures are queued on demand per method: an HTTP status (429 with
// Retry-After, 500…), a Slack error (`not_in_channel`, `ratelimited`…), a malformed body, or a delay. A delayed call
// whose client has gone (timed out) by the end of the delay is dropped: not processed, nothing posted. Each call
// records how it was answered, so a test can count the posts that really happened.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  botToken: string;
  botUserId: string;
  botId: string;
}

export interface FakeCall {
  method: string;
  token: string | null;
  args: Record<string, unknown>;
  at: number;
  /** How the call was answered, once it was: the HTTP status and, for a well-formed answer, `ok` (and `ts` of a post). */
  answer?: { status: number; ok: boolean; ts?: string; retryAfter?: number };
  /** Set when the client had gone before the answer (a timeout): the call was not processed. */
  dropped?: boolean;
}

export interface FakeResponsePost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeFailure {
  /** An HTTP status to answer with (429 adds Retry-After when `retryAfter` is set). */
  status?: number;
  retryAfter?: number;
  /** A Slack error code answered as `{ ok: false, error }` with status 200. */
  error?: string;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
  /** A malformed answer: this text as the body, with status 200 (or `status`) and a JSON content type. */
  body?: string;
}

export interface FakeChannel {
  id: string;
  name: string;
  members: string[];
  isIm?: boolean;
  /** The other person of a direct message. */
  user?: string;
}

export interface FakeSlack {
  /** The Web API base, with its trailing slash. */
  apiUrl: string;
  baseUrl: string;
  calls: FakeCall[];
  responses: FakeResponsePost[];
  addWorkspace(ws: FakeWorkspace): void;
  addChannel(channel: FakeChannel): void;
  /** Queues failures for a method (first in, first out). */
  fail(method: string, ...failures: FakeFailure[]): void;
  /** A token Slack no longer accepts (`token_revoked`). */
  revoke(token: string): void;
  /** An OAuth code oauth.v2.access exchanges for the workspace's bot token. */
  addOAuthCode(code: string, ws: FakeWorkspace, installerUserId: string): void;
  /** A fresh response_url. */
  responseUrl(id: string): string;
  /** Makes posts to a response_url answer this status (e.g. 404 for an expired one). */
  failResponses(status: number): void;
  callsOf(method: string): FakeCall[];
  responsesTo(id: string): FakeResponsePost[];
  /** Resolves once `check` holds, polling every 10 ms; rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form fields, with the JSON-encoded ones (blocks, metadata, view) decoded as the Web API client sends them. */
function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (/^[[{]/.test(v)) {
      try {
        args[k] = JSON.parse(v);
        continue;
      } catch {
        // a plain string after all
      }
    }
    args[k] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return args;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const workspaces = new Map<string, FakeWorkspace>();
  const channels = new Map<string, FakeChannel>();
  const failures = new Map<string, FakeFailure[]>();
  const revoked = new Set<string>();
  const codes = new Map<string, { ws: FakeWorkspace; user: string }>();
  const calls: FakeCall[] = [];
  const responses: FakeResponsePost[] = [];
  let responseStatus = 200;
  let seq = 0;

  function answer(method: string, token: string | null, args: Record<string, unknown>): Record<string, unknown> {
    if (method === 'oauth.v2.access') {
      const grant = codes.get(String(args.code ?? ''));
      if (!grant) return { ok: false, error: 'invalid_code' };
      codes.delete(String(args.code));
      return {
        ok: true,
        access_token: grant.ws.botToken,
        token_type: 'bot',
        scope: 'commands,chat:write,chat:write.public,channels:read,groups:read,im:read,mpim:read',
        bot_user_id: grant.ws.botUserId,
        app_id: 'A0FAKEAPP',
        team: { id: grant.ws.teamId, name: grant.ws.teamName },
        enterprise: null,
        authed_user: { id: grant.user },
        is_enterprise_install: false,
      };
    }
    if (!token) return { ok: false, error: 'not_authed' };
    if (revoked.has(token)) return { ok: false, error: 'token_revoked' };
    const ws = [...workspaces.values()].find((w) => w.botToken === token);
    if (!ws) return { ok: false, error: 'invalid_auth' };
    const channel = typeof args.channel === 'string' ? channels.get(args.channel) : undefined;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: `https://${ws.teamName}.slack.com/`,
          team: ws.teamName,
          team_id: ws.teamId,
          user: 'exportwatch',
          user_id: ws.botUserId,
          bot_id: ws.botId,
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        seq += 1;
        const ts = `${1_800_000_000 + seq}.${String(seq).padStart(6, '0')}`;
        return { ok: true, channel: channel.id, ts, message: { text: args.text, ts } };
      }
      case 'chat.postEphemeral':
        if (!channel) return { ok: false, error: 'channel_not_found' };
        return { ok: true, message_ts: `${1_800_000_000 + ++seq}.000000` };
      case 'views.publish':
        return { ok: true, view: { id: 'V0FAKE', ...(args.view as object) } };
      case 'conversations.info':
        if (!channel) return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          channel: { id: channel.id, name: channel.name, is_member: channel.members.includes(ws.botUserId), is_im: channel.isIm === true, user: channel.user },
        };
      case 'conversations.members':
        if (!channel) return { ok: false, error: 'channel_not_found' };
        return { ok: true, members: channel.members, response_metadata: { next_cursor: '' } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith('/respond/')) {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(body) as Record<string, unknown>;
        } catch {
          parsed = { unparsable: body };
        }
        responses.push({ id: decodeURIComponent(path.slice('/respond/'.length)), body: parsed, at: Date.now() });
        res.writeHead(responseStatus, { 'content-type': 'text/plain' }).end(responseStatus === 200 ? 'ok' : 'expired_url');
        return;
      }
      const m = /^\/api\/([A-Za-z0-9.]+)$/.exec(path);
      if (!m || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const method = m[1]!;
      const args = parseArgs(body, String(req.headers['content-type'] ?? ''));
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : null;
      const call: FakeCall = { method, token, args, at: Date.now() };
      calls.push(call);
      const failure = failures.get(method)?.shift();
      let gone = false;
      res.on('close', () => {
        if (!res.writableFinished) gone = true;
      });
      if (failure?.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
      if (gone || res.destroyed) {
        call.dropped = true;
        return;
      }
      if (failure?.body !== undefined) {
        const status = failure.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(failure.body);
        call.answer = { status, ok: false };
        return;
      }
      if (failure?.status) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
        res.writeHead(failure.status, headers).end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'fatal_error' }));
        call.answer = { status: failure.status, ok: false, ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}) };
        return;
      }
      const result = failure?.error ? { ok: false, error: failure.error } : answer(method, token, args);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      call.answer = { status: 200, ok: result.ok === true, ...(typeof result.ts === 'string' ? { ts: result.ts } : {}) };
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    calls,
    responses,
    addWorkspace: (ws) => void workspaces.set(ws.teamId, ws),
    addChannel: (ch) => void channels.set(ch.id, ch),
    fail: (method, ...f) => void failures.set(method, [...(failures.get(method) ?? []), ...f]),
    revoke: (token) => void revoked.add(token),
    addOAuthCode: (code, ws, user) => void codes.set(code, { ws, user }),
    responseUrl: (id) => `${baseUrl}/respond/${encodeURIComponent(id)}`,
    failResponses: (status) => {
      responseStatus = status;
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    responsesTo: (id) => responses.filter((r) => r.id === id),
    async waitFor(check, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > until) throw new Error('timed out waiting for the fake Slack');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
