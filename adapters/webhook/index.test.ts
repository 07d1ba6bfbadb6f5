import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError } from '../../src/alerts/types.js';
import { createWebhookAdapter, parseRetryAfter, signWebhook, verifyWebhookSignature, type WebhookBody } from './index.js';

const SECRET = 'test-secret';
const message: Message = {
  title: 'Technology catalogue: 2 changes',
  severity: 'critical',
  subtitle: 'MOFCOM 2025 No.61',
  links: [{ label: 'MOFCOM notice', url: 'https://www.mofcom.gov.cn/a' }],
  sections: [{ heading: 'Added', items: [{ code: '053302J', text: '稀土萃取分离工艺技术', gloss: 'rare earth', details: [] }] }],
  omitted: 0,
  context: ['notice MOFCOM-2025-61'],
};

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const routes: Record<string, Handler> = {
  '/ok': (_req, res) => res.writeHead(200).end('ok'),
  '/ok-id': (_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"msg-42"}'),
  '/fail': (_req, res) => res.writeHead(500).end('database on fire'),
  '/busy': (_req, res) => res.writeHead(429, { 'retry-after': '2' }).end(),
  '/unavailable': (_req, res) => res.writeHead(503, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end(),
  '/gone': (_req, res) => res.writeHead(404).end('no such hook'),
  '/redirect': (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end(),
  '/slow': (_req, res) => setTimeout(() => res.writeHead(200).end(), 500),
};

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      (routes[req.url ?? ''] ?? routes['/gone']!)(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const adapter = createWebhookAdapter({ secret: SECRET, allowlist: ['127.0.0.1'], timeoutMs: 200 });
const send = (path: string, key = 'k'.repeat(64)) => adapter.send({ platform: 'webhook', address: `${base}${path}` }, message, { idempotencyKey: key });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as DeliveryError,
  );

describe('webhook adapter', () => {
  it('POSTs the signed message with the delivery key', async () => {
    const key = 'a'.repeat(64);
    expect(await send('/ok', key)).toEqual({ messageId: key });
    const req = seen.at(-1)!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^ExportWatch-Webhook\//);
    expect(req.headers['x-exportwatch-delivery']).toBe(key);
    const ts = req.headers['x-exportwatch-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    expect(req.headers['x-exportwatch-signature']).toBe(signWebhook(SECRET, ts, req.body));
    expect(verifyWebhookSignature(SECRET, ts, req.body, req.headers['x-exportwatch-signature'] as string, new Date())).toBe(true);
    const body = JSON.parse(req.body) as WebhookBody;
    expect(body.deliveryId).toBe(key);
    expect(body.message).toEqual(message);
    expect(body.text).toContain('Technology catalogue: 2 changes');
    expect(body.text).toContain('053302J 稀土萃取分离工艺技术 (gloss: rare earth)');
  });

  it('takes the message id from the answer when it has one', async () => {
    expect(await send('/ok-id')).toEqual({ messageId: 'msg-42' });
  });

  it('classifies failures', async () => {
    const e500 = await failure(send('/fail'));
    expect(e500).toBeInstanceOf(DeliveryError);
    expect(e500).toMatchObject({ retryable: true, retryAfterMs: undefined, message: `webhook ${new URL(base).host} answered 500: database on fire` });
    expect(await failure(send('/busy'))).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    const e503 = await failure(send('/unavailable'));
    expect(e503).toMatchObject({ retryable: true });
    expect(e503!.retryAfterMs).toBeGreaterThan(25_000);
    expect(await failure(send('/gone'))).toMatchObject({ retryable: false, message: expect.stringContaining('answered 404: no such hook') });
    const before = seen.length;
    expect(await failure(send('/redirect'))).toMatchObject({ retryable: false, message: expect.stringContaining('redirects are not followed') });
    expect(seen.length).toBe(before + 1);
    expect(await failure(send('/slow'))).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within 0.2 s') });
  });

  it('treats a refused connection as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = await failure(adapter.send({ platform: 'webhook', address: `http://127.0.0.1:${port}/x` }, message, { idempotencyKey: 'k' }));
    expect(e).toMatchObject({ retryable: true, message: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses loopback and private targets without an allowlist, permanently', async () => {
    const strict = createWebhookAdapter({ secret: SECRET });
    const before = seen.length;
    const e = await failure(strict.send({ platform: 'webhook', address: `${base}/ok` }, message, { idempotencyKey: 'k' }));
    expect(e).toMatchObject({ retryable: false, message: expect.stringContaining('loopback address') });
    const named = createWebhookAdapter({ secret: SECRET, lookup: async () => [{ address: '192.168.1.20', family: 4 }] });
    expect(await failure(named.send({ platform: 'webhook', address: 'https://hooks.example.org/x' }, message, { idempotencyKey: 'k' }))).toMatchObject({
      retryable: false,
      message: expect.stringContaining('hooks.example.org (192.168.1.20): private address'),
    });
    expect(seen.length).toBe(before);
  });

  it('connects to the vetted address of an allowlisted host name', async () => {
    const port = new URL(base).port;
    const named = createWebhookAdapter({ secret: SECRET, allowlist: 'receiver.test', lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect(await named.send({ platform: 'webhook', address: `http://receiver.test:${port}/ok-id` }, message, { idempotencyKey: 'k' })).toEqual({
      messageId: 'msg-42',
    });
    expect(seen.at(-1)!.headers.host).toBe(`receiver.test:${port}`);
  });

  it('needs a secret', () => {
    expect(() => createWebhookAdapter({ secret: '' })).toThrow(/WEBHOOK_SECRET/);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"deliveryId":"x"}';
  const now = new Date('2026-05-04T10:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);
  const good = signWebhook(SECRET, ts, body);

  it('accepts a good signature, also among several', () => {
    expect(good).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, ts, body, good, now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, String(ts), body, `v1=${'0'.repeat(64)}, ${good}`, now)).toBe(true);
  });

  it('refuses a bad signature, another secret or a changed body', () => {
    expect(verifyWebhookSignature(SECRET, ts, body, `v1=${'0'.repeat(64)}`, now)).toBe(false);
    expect(verifyWebhookSignature('other', ts, body, good, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, `${body} `, good, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, good.slice(0, -2), now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, good.replace('v1=', 'v0='), now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, '', now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, `${ts}.5`, body, good, now)).toBe(false);
  });

  it('refuses stale and future timestamps beyond the tolerance', () => {
    const stale = ts - 301;
    expect(verifyWebhookSignature(SECRET, stale, body, signWebhook(SECRET, stale, body), now)).toBe(false);
    const future = ts + 301;
    expect(verifyWebhookSignature(SECRET, future, body, signWebhook(SECRET, future, body), now)).toBe(false);
    const edge = ts - 300;
    expect(verifyWebhookSignature(SECRET, edge, body, signWebhook(SECRET, edge, body), now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, stale, body, signWebhook(SECRET, stale, body), now, 600)).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-05-04T10:00:00Z');
  it('reads seconds and dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 04 May 2026 10:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 04 May 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
