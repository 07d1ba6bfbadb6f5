// A fake webhook receiver for tests, on 127.0.0.1 and a free port: it verifies ExportWatch's signature, keeps every
// request with its X-ExportWatch-Delivery key and parsed body, and misbehaves on demand with queued failures (first
// in, first out, one per request):
//
//   { status, retryAfter }        answer that error status (not processed)
//   { reset: true }               destroy the connection without an answer (not processed)
//   { delayMs }                   hold the request; a client that has timed out by then gets nothing (not processed)
//   { delayMs, processLate: true } process the request, then answer 200 only after the delay (the sender has
//                                 usually given up by then: it does not know, and may legitimately send the key again)
//   { body }                      process it, answer 200 with this body (a malformed answer: not JSON, no `id`)
//   { truncated: true }           process it, answer 200 with a Content-Length larger than the body, then close
//
// A request is `processed` when the receiver accepted its alert, whatever became of the answer. A real receiver
// deduplicates on the key; `processedKeys()` is that view.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, type WebhookBody } from '../../adapters/webhook/index.js';

export interface WebhookFailure {
  status?: number;
  retryAfter?: number;
  reset?: boolean;
  delayMs?: number;
  processLate?: boolean;
  body?: string;
  truncated?: boolean;
}

export interface WebhookRequest {
  key: string;
  /** Whether the signature verified. */
  valid: boolean;
  at: number;
  body: WebhookBody | null;
  /** Accepted by the receiver (its alert stored), whatever became of the answer. */
  processed: boolean;
  /** What the sender was told: a status, or `none` (reset, dropped, or answered after it had gone). */
  answered: number | 'none';
  /** The Retry-After answered, in seconds. */
  retryAfter?: number;
}

export interface FakeWebhook {
  url: string;
  requests: WebhookRequest[];
  fail(...failures: WebhookFailure[]): void;
  /** Failures queued and not yet used. */
  pending(): number;
  /** Each processed key once, in the order first processed. */
  processedKeys(): string[];
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeWebhook(secret: string, path = '/hook'): Promise<FakeWebhook> {
  const requests: WebhookRequest[] = [];
  const failures: WebhookFailure[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const hold = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: WebhookBody | null = null;
        try {
          body = JSON.parse(text) as WebhookBody;
        } catch {
          body = null;
        }
        const valid = verifyWebhookSignature(
          secret,
          String(req.headers['x-exportwatch-timestamp']),
          text,
          String(req.headers['x-exportwatch-signature']),
          new Date(),
        );
        const failure = failures.shift();
        const record: WebhookRequest = { key: String(req.headers['x-exportwatch-delivery']), valid, at: Date.now(), body, processed: false, answered: 'none' };
        requests.push(record);
        let gone = false;
        res.on('close', () => {
          if (!res.writableFinished) gone = true;
        });
        const answer = (status: number, payload: string, headers: Record<string, string> = {}, r: ServerResponse = res) => {
          if (gone || r.destroyed) return;
          r.writeHead(status, { 'content-type': 'application/json', ...headers }).end(payload);
          record.answered = status;
        };
        if (failure?.processLate) record.processed = true;
        if (failure?.delayMs) await hold(failure.delayMs);
        if (failure?.reset) {
          req.socket.destroy();
          return;
        }
        if (failure?.status !== undefined) {
          if (failure.retryAfter !== undefined) record.retryAfter = failure.retryAfter;
          answer(
            failure.status,
            JSON.stringify({ error: `fake failure ${failure.status}` }),
            failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
          );
          return;
        }
        if (failure?.delayMs && !failure.processLate) {
          // Held past the sender's timeout: dropped, never processed.
          if (gone || res.destroyed) return;
        }
        record.processed = true;
        if (failure?.truncated) {
          const payload = JSON.stringify({ id: `rcv-${requests.length}`, note: 'this answer is cut short' });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(payload.length + 512) });
          res.write(payload.slice(0, 10), () => res.destroy());
          return;
        }
        if (failure?.body !== undefined) {
          answer(200, failure.body, { 'content-type': 'text/html' });
          return;
        }
        answer(200, JSON.stringify({ id: `rcv-${requests.length}` }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    requests,
    fail: (...f) => void failures.push(...f),
    pending: () => failures.length,
    processedKeys: () => [...new Set(requests.filter((r) => r.processed).map((r) => r.key))],
    async waitFor(probe, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() > until) throw new Error('timed out waiting for the fake webhook receiver');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
