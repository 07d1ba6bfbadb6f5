import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createLogger, slackErrorCode, toDeliveryError } from './client.js';

// A Web API stand-in answering each call with the next queued answer (status 200 unless given).
const answers: Array<{ status?: number; body: string; headers?: Record<string, string> }> = [];
let server: Server;
let apiUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answers.shift() ?? { body: '{"ok":true,"ts":"1.000001"}' };
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function failureOf(answer: (typeof answers)[number]) {
  answers.push(answer);
  const client = createClient('xoxb-1-2-unit', { apiUrl, timeoutMs: 2000, retries: 0, logger: createLogger(() => undefined) });
  try {
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
  } catch (err) {
    return { code: slackErrorCode(err), error: toDeliveryError(err, 'slack T1/C1') };
  }
  throw new Error('the call did not fail');
}

describe('toDeliveryError', () => {
  it('retries an answer that is not Slack JSON (cut short, an HTML page) without echoing it, and has no error code for it', async () => {
    for (const body of ['{"ok":tru', '<html><body><h1>502 Bad Gateway</h1></body></html>']) {
      const { code, error } = await failureOf({ body });
      expect(code, body).toBeNull();
      expect(error.retryable, body).toBe(true);
      expect(error.message, body).toBe('slack T1/C1: Slack answered with a body that is not a Web API answer');
    }
  });

  it('keeps Slack error codes: permanent ones fail, temporary ones retry, 429 carries Retry-After', async () => {
    const refused = await failureOf({ body: '{"ok":false,"error":"not_in_channel"}' });
    expect(refused.code).toBe('not_in_channel');
    expect(refused.error).toMatchObject({ retryable: false, message: 'slack T1/C1: Slack answered not_in_channel' });
    const busy = await failureOf({ body: '{"ok":false,"error":"ratelimited"}' });
    expect(busy.error.retryable).toBe(true);
    const limited = await failureOf({ status: 429, body: '{"ok":false,"error":"ratelimited"}', headers: { 'retry-after': '3' } });
    expect(limited.error).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    const down = await failureOf({ status: 503, body: 'upstream down' });
    expect(down.error.retryable).toBe(true);
  });
});
