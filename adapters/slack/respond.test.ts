// Posting answers to a response_url: a JSON POST; non-2xx answers, timeouts and URLs that are not http(s) are errors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createResponseUrlPoster, ResponseUrlError } from './respond.js';

let server: Server | undefined;

async function receiver(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', () => done()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/respond/x`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

describe('createResponseUrlPoster', () => {
  it('posts the message as JSON and resolves on a 2xx answer', async () => {
    const seen: Array<{ method?: string; type?: string; body: unknown }> = [];
    const url = await receiver((req, body, res) => {
      seen.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    const post = createResponseUrlPoster({ timeoutMs: 2000 });
    const message = { response_type: 'ephemeral', text: '稀土 & <b>', blocks: [] };
    await post(url, message);
    await post(url, message);
    expect(seen).toEqual([
      { method: 'POST', type: 'application/json', body: message },
      { method: 'POST', type: 'application/json', body: message },
    ]);
  });

  it('sends again on a new connection when a kept-open one turns out closed', async () => {
    const perSocket = new WeakMap<object, number>();
    const received: unknown[] = [];
    const url = await receiver((req, body, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a connection: dropped without an answer, as by a server that closed it while idle.
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
    const post = createResponseUrlPoster({ timeoutMs: 2000 });
    await post(url, { text: 'first' });
    await post(url, { text: 'second' });
    expect(received).toEqual([{ text: 'first' }, { text: 'second' }]);
  });

  it('rejects an answer that is not 2xx (an expired response_url answers 404)', async () => {
    const url = await receiver((_req, _body, res) => res.writeHead(404).end('expired_url'));
    const err = await createResponseUrlPoster({ timeoutMs: 2000 })(url, { text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseUrlError);
    expect((err as ResponseUrlError).status).toBe(404);
    expect((err as Error).message).toMatch(/answered 404/);
    expect((err as Error).message).not.toContain('127.0.0.1');
  });

  it('gives up after the timeout when the response_url does not answer', async () => {
    const url = await receiver(() => undefined);
    const started = performance.now();
    await expect(createResponseUrlPoster({ timeoutMs: 200 })(url, { text: 'x' })).rejects.toThrow(/within 200 ms/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a response_url that is not an http(s) URL', async () => {
    const post = createResponseUrlPoster({ timeoutMs: 200 });
    await expect(post('not a url', { text: 'x' })).rejects.toThrow(/not a URL/);
    await expect(post('file:///etc/passwd', { text: 'x' })).rejects.toThrow(/not http\(s\)/);
  });
});
