// Fake Microsoft endpoints for tests, on 127.0.0.1 (port 0), so that nothing reaches Microsoft:
//
// - the Bot Connector (the `serviceUrl` of activities): POST /v3/conversations/{id}/activities (a new message) and
//   POST /v3/conversations/{id}/activities/{activityId} (a reply) are captured and answered 201 {"id": …};
//   fail(match, { status, retryAfter, code, times }) answers errors on demand (429 with Retry-After, 403
//   BotNotInConversationRoster, 404, 5xx), for one conversation or all; `delayMs` holds the answer (a client that has
//   timed out by then gets nothing, and the post is not captured) and `reset` destroys the connection unanswered;
// - the Bot Framework's OpenID metadata and signing keys (GET /openid, GET /keys, key endorsed for `msteams`), and
//   sign(claims) to make channel tokens with that key (or with another key, to forge a bad one);
// - a Teams Workflows webhook receiver over HTTPS (a self-signed certificate for 127.0.0.1, given to the adapter as
//   its `ca`), capturing posts and answering 202 (or what respond() says).
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface CapturedActivity {
  conversationId: string;
  /** Set for replies (POST …/activities/{replyToId}). */
  replyToId: string | null;
  activity: Record<string, unknown>;
  authorization: string | undefined;
  /** The id the fake answered with. */
  id: string;
  at: number;
}

export interface ConnectorFailure {
  /** The error status answered (default 500; none with `reset`). */
  status?: number;
  retryAfter?: number;
  code?: string;
  message?: string;
  /** How many requests fail (default 1). */
  times?: number;
  /** Hold the request this long first; with no `status` and no `reset` it is then served normally (if the client is still there). */
  delayMs?: number;
  /** Destroy the connection without an answer (after `delayMs`). */
  reset?: boolean;
}

export interface FakeBotConnector {
  /** http://127.0.0.1:PORT/ — the serviceUrl to put in activities. */
  serviceUrl: string;
  openIdMetadataUrl: string;
  /** Successful posts, in order. */
  activities: CapturedActivity[];
  /** Every request to /v3/…, answered with an error or not (status 0: reset, or dropped after a client timeout). */
  requests: Array<{ method: string; path: string; status: number; at: number; retryAfter?: number }>;
  /** Makes the next posts to a conversation (or to any, with `*`) fail. */
  fail(conversationId: string | '*', failure: ConnectorFailure): void;
  /** Posts to one conversation. */
  to(conversationId: string): CapturedActivity[];
  /** Adaptive Cards of every captured post. */
  cards(): unknown[];
  /** A channel token (RS256) signed with the fake's key, or with a key the fake does not publish. */
  sign(claims: Record<string, unknown>, opts?: { wrongKey?: boolean }): string;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64url({ alg: 'RS256', typ: 'JWT', kid, x5t: kid });
  const body = b64url(claims);
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
  return `${head}.${body}.${signature}`;
}

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const good = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'exportwatch-test-key';
  const activities: CapturedActivity[] = [];
  const requests: FakeBotConnector['requests'] = [];
  const failures: Array<{ match: string; failure: ConnectorFailure; left: number }> = [];
  let seq = 0;
  let base = '';

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      if (req.method === 'GET' && path === '/openid') {
        json(res, 200, { issuer: 'https://api.botframework.com', jwks_uri: `${base}keys`, id_token_signing_alg_values_supported: ['RS256'] });
        return;
      }
      if (req.method === 'GET' && path === '/keys') {
        json(res, 200, { keys: [{ ...good.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] });
        return;
      }
      const m = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
      if (req.method !== 'POST' || !m) {
        json(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${path}` } });
        return;
      }
      const body = await readBody(req);
      const at = Date.now();
      const conversationId = decodeURIComponent(m[1]!);
      const failing = failures.find((f) => f.left > 0 && (f.match === '*' || f.match === conversationId));
      let failure: ConnectorFailure | undefined;
      if (failing) {
        failing.left -= 1;
        failure = failing.failure;
      }
      const delayMs = failure?.delayMs ?? 0;
      if (delayMs > 0) {
        let gone = false;
        res.on('close', () => {
          if (!res.writableFinished) gone = true;
        });
        await new Promise((r) => setTimeout(r, delayMs));
        if (gone || res.destroyed) {
          requests.push({ method: req.method, path, status: 0, at });
          return;
        }
      }
      if (failure?.reset) {
        requests.push({ method: req.method, path, status: 0, at });
        req.socket.destroy();
        return;
      }
      if (failure && (failure.status !== undefined || delayMs === 0)) {
        const status = failure.status ?? 500;
        requests.push({ method: req.method, path, status, at, ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}) });
        json(
          res,
          status,
          { error: { code: failure.code ?? 'Error', message: failure.message ?? `fake failure ${status}` } },
          failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
        );
        return;
      }
      requests.push({ method: req.method, path, status: 201, at });
      const id = `1800000000${String(++seq).padStart(3, '0')}`;
      activities.push({
        conversationId,
        replyToId: m[2] ? decodeURIComponent(m[2]) : null,
        activity: JSON.parse(body) as Record<string, unknown>,
        authorization: req.headers.authorization,
        id,
        at: Date.now(),
      });
      json(res, 201, { id });
    })();
  });
  const port = await listen(server);
  base = `http://127.0.0.1:${port}/`;

  return {
    serviceUrl: base,
    openIdMetadataUrl: `${base}openid`,
    activities,
    requests,
    fail(match, failure) {
      failures.push({ match, failure, left: failure.times ?? 1 });
    },
    to: (conversationId) => activities.filter((a) => a.conversationId === conversationId),
    cards: () =>
      activities.flatMap((a) =>
        ((a.activity.attachments as Array<{ contentType?: string; content?: unknown }> | undefined) ?? [])
          .filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')
          .map((x) => x.content),
      ),
    sign: (claims, opts = {}) => signJwt(claims, (opts.wrongKey ? other : good).privateKey, kid),
    waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- Teams Workflows webhook receiver ------------------------------------------------------------------------------

/** A self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid until 2126): tests only. */
export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBuzCCAWGgAwIBAgIUZD6rf/auhSrB3Ahhu45i6Npv720wCgYIKoZIzj0EAwIw
JDEiMCAGA1UEAwwZZXhwb3J0d2F0Y2gtdGVzdC1yZWNlaXZlcjAgFw0yNjExMjkw
NjQ2NThaGA8yMTI2MTEwNTA2NDY1OFowJDEiMCAGA1UEAwwZZXhwb3J0d2F0Y2gt
dGVzdC1yZWNlaXZlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDqpDSdkcd5Q
IuwW4xY64nV+aLan2OMkLRzUv0JPBB5eR/oszhSd+NMmRxdCVqbmLwg+MhjbPXHZ
cx3uN4Z4eNujbzBtMB0GA1UdDgQWBBS6JP5QHGGwejXZB9qjbNcWK3spoDAfBgNV
HSMEGDAWgBS6JP5QHGGwejXZB9qjbNcWK3spoDAPBgNVHRMBAf8EBTADAQH/MBoG
A1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAKBggqhkjOPQQDAgNIADBFAiEAlwwr
S1/FBWFZj6wy2J6RbBHspJFhbJKQaRSmT8nXk1MCIHmZp3lfb3xv1Q6rSBvjE8uV
+7ps6kZ2kLpl92z9bWbO
-----END CERTIFICATE-----
`;
const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6Byz7lJZrbMeuq/7
4f7XDEoiyqKju2nS2ytIOInQRz6hRANCAAQ6qQ0nZHHeUCLsFuMWOuJ1fmi2p9jj
JC0c1L9CTwQeXkf6LM4UnfjTJkcXQlam5i8IPjIY2z1x2XMd7jeGeHjb
-----END PRIVATE KEY-----
`;

export interface WorkflowPost {
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  /** The parsed body, or null when it is not JSON. */
  body: unknown;
  at: number;
}

export interface FakeWorkflowReceiver {
  /** https://127.0.0.1:PORT — append a path and `?…&sig=…` like a real Workflows URL. */
  baseUrl: string;
  ca: string;
  posts: WorkflowPost[];
  /** The next `times` posts (default 1) get this answer instead of 202. */
  respond(answer: { status: number; retryAfter?: number; body?: string; runId?: string | null; times?: number }): void;
  close(): Promise<void>;
}

export async function startFakeWorkflowReceiver(): Promise<FakeWorkflowReceiver> {
  const posts: WorkflowPost[] = [];
  const answers: Array<{ status: number; retryAfter?: number; body?: string; runId?: string | null; left: number }> = [];
  let run = 0;
  const server = createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      posts.push({ path: url.pathname, query: url.search, headers: req.headers, bytes: Buffer.byteLength(raw), body, at: Date.now() });
      const answer = answers.find((a) => a.left > 0);
      if (answer) {
        answer.left -= 1;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (answer.retryAfter !== undefined) headers['retry-after'] = String(answer.retryAfter);
        if (answer.runId) headers['x-ms-workflow-run-id'] = answer.runId;
        res.writeHead(answer.status, headers).end(answer.body ?? '');
        return;
      }
      res.writeHead(202, { 'x-ms-workflow-run-id': `08584${String(++run).padStart(6, '0')}CU00` }).end();
    })();
  });
  const port = await listen(server as unknown as Server);
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    ca: TEST_TLS_CERT,
    posts,
    respond(answer) {
      answers.push({ ...answer, left: answer.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
