// Verification of requests from Slack (https://api.slack.com/authentication/verifying-requests-from-slack):
// `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">` keyed with the signing secret, and
// `X-Slack-Request-Timestamp` no more than five minutes from now — in either direction (Bolt's own check rejects only
// stale timestamps). Every request to /slack/events goes through this before Bolt sees it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const MAX_SKEW_SECONDS = 300;

export type Verification = { ok: true } | { ok: false; reason: string };

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

export function verifySlackRequest(secret: string, req: IncomingMessage, body: Buffer, nowMs: number): Verification {
  const timestamp = header(req, 'x-slack-request-timestamp');
  const signature = header(req, 'x-slack-signature');
  if (timestamp === undefined || signature === undefined) {
    return {
      ok: false,
      reason: `missing ${[timestamp === undefined ? 'X-Slack-Request-Timestamp' : null, signature === undefined ? 'X-Slack-Signature' : null].filter(Boolean).join(' and ')}`,
    };
  }
  if (!/^\d{1,12}$/.test(timestamp.trim())) return { ok: false, reason: 'timestamp is not whole seconds' };
  const skew = Number(timestamp.trim()) - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > MAX_SKEW_SECONDS)
    return { ok: false, reason: `timestamp ${skew < 0 ? 'stale' : 'in the future'} by ${Math.abs(skew)} s (more than five minutes)` };
  const m = /^v0=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!m) return { ok: false, reason: 'signature is not a v0 HMAC-SHA256' };
  const expected = createHmac('sha256', secret).update(`v0:${timestamp.trim()}:`).update(body).digest();
  const given = Buffer.from(m[1]!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}

/** Reads a request body up to `limit` bytes; rejects with `too-large` beyond it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so that the 413 answer can still be sent.
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(Object.assign(new Error('request body too large'), { code: 'too-large' })) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * Remembers the signatures of verified requests until their timestamps fall out of the five-minute window, so that a
 * captured request replayed byte for byte within the window is refused instead of running its command again. Slack
 * signs each of its own retries afresh (new timestamp, new signature), so genuine traffic never repeats a signature.
 * In memory and per process: instances behind a load balancer do not share it.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** False when this signature was already used and is still within its window; otherwise records it and returns true. */
  firstUse(req: IncomingMessage, nowMs: number): boolean {
    const signature = header(req, 'x-slack-signature')?.trim().toLowerCase();
    const timestamp = Number(header(req, 'x-slack-request-timestamp')?.trim());
    if (signature === undefined || !Number.isFinite(timestamp)) return true;
    for (const [key, expires] of this.seen) {
      if (expires > nowMs && this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
    const expires = this.seen.get(signature);
    if (expires !== undefined && expires > nowMs) return false;
    // Valid until the timestamp is more than five minutes old; kept in insertion order, oldest first.
    this.seen.delete(signature);
    this.seen.set(signature, (timestamp + MAX_SKEW_SECONDS) * 1000 + 1000);
    return true;
  }
}
