// The generic webhook adapter: a signed JSON POST of the message to any http(s) URL that passes the SSRF guard.
//
// Body:    { "deliveryId": <idempotency key>, "message": <Message>, "text": <plain-text rendering> }
// Headers: Content-Type: application/json, User-Agent,
//          X-ExportWatch-Delivery: <idempotency key, identical on every retry — receivers deduplicate on it>,
//          X-ExportWatch-Timestamp: <Unix seconds>,
//          X-ExportWatch-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with WEBHOOK_SECRET>
// Answers: 2xx sent (message id: a JSON `id` in the answer, else the delivery id); 429/503 and other 5xx, 408,
// network errors and timeouts retryable (Retry-After honoured); 3xx (redirects are not followed) and other 4xx permanent.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError, type DeliveryAdapter, type Destination } from '../../src/alerts/types.js';
import { assertPublicUrl, parseAllowlist, UrlGuardError, type LookupAll, type VettedUrl } from '../../src/alerts/url-guard.js';
import { renderText } from '../console/render.js';
import { postToVettedUrl, type Answer } from '../vetted-post.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_USER_AGENT = 'ExportWatch-Webhook/0.1 (+https://github.com/exportwatch/exportwatch)';
/** Most of an answer read (for its `id`); the rest is discarded. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

export interface WebhookAdapterOptions {
  /** WEBHOOK_SECRET: the HMAC key receivers verify signatures with. */
  secret: string;
  /** URL_ALLOWLIST entries: hosts, addresses or CIDRs that may be called although not public. */
  allowlist?: readonly string[] | string;
  userAgent?: string;
  timeoutMs?: number;
  lookup?: LookupAll;
  now?: () => Date;
}

export interface WebhookBody {
  deliveryId: string;
  message: Message;
  text: string;
}

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * Verifies a webhook request as a receiver would: the timestamp is whole Unix seconds within `toleranceSec` of `now`
 * (past or future), and one of the header's comma-separated `v1=` signatures matches (compared in constant time).
 */
export function verifyWebhookSignature(secret: string, timestamp: string | number, body: string, header: string, now: Date, toleranceSec = 300): boolean {
  const ts = String(timestamp).trim();
  if (!/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(ts)) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body).slice(3), 'hex');
  let ok = false;
  for (const part of header.split(',')) {
    const m = /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part);
    if (!m) continue;
    const given = Buffer.from(m[1] ?? '', 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function snippet(text: string, max = 200): string {
  const clean = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function createWebhookAdapter(options: WebhookAdapterOptions): DeliveryAdapter {
  if (!options.secret) throw new Error('the webhook adapter needs WEBHOOK_SECRET');
  const allowlist = parseAllowlist(options.allowlist);
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const userAgent = options.userAgent ?? DEFAULT_WEBHOOK_USER_AGENT;
  const now = options.now ?? (() => new Date());
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

  function post(vetted: VettedUrl, body: string, headers: Record<string, string>): Promise<Answer> {
    return postToVettedUrl(vetted, body, {
      headers,
      timeoutMs,
      agent: vetted.url.protocol === 'https:' ? agents.https : agents.http,
      maxAnswerBytes: MAX_ANSWER_BYTES,
    });
  }

  return {
    platform: 'webhook',
    async send(destination: Destination, message: Message, meta: { idempotencyKey: string }) {
      if (destination.platform !== 'webhook') throw new DeliveryError(`the webhook adapter cannot send to ${destination.platform}`, false);
      let vetted: VettedUrl;
      try {
        vetted = await assertPublicUrl(destination.address, { allowlist, ...(options.lookup ? { lookup: options.lookup } : {}) });
      } catch (err) {
        if (err instanceof UrlGuardError) throw new DeliveryError(err.message, err.transient);
        throw err;
      }
      const host = vetted.url.host;
      const payload: WebhookBody = { deliveryId: meta.idempotencyKey, message, text: renderText(message) };
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(now().getTime() / 1000);
      let answer: Answer;
      try {
        answer = await post(vetted, body, {
          'Content-Type': 'application/json',
          'User-Agent': userAgent,
          'X-ExportWatch-Delivery': meta.idempotencyKey,
          'X-ExportWatch-Timestamp': String(timestamp),
          'X-ExportWatch-Signature': signWebhook(options.secret, timestamp, body),
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new DeliveryError(`webhook ${host}: ${e.code ?? e.message}`, true);
      }
      const { status } = answer;
      if (status >= 200 && status < 300) {
        let messageId = meta.idempotencyKey;
        try {
          const parsed: unknown = JSON.parse(answer.body);
          const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
          if ((typeof id === 'string' && id.trim() !== '') || typeof id === 'number') messageId = snippet(String(id), 256);
        } catch {
          // not JSON: the delivery id stands for the message
        }
        return { messageId };
      }
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], now());
      if (status >= 300 && status < 400) throw new DeliveryError(`webhook ${host} answered ${status} (redirects are not followed; use the final URL)`, false);
      if (status === 429 || status === 408 || status >= 500) {
        throw new DeliveryError(`webhook ${host} answered ${status}${answer.body ? `: ${snippet(answer.body)}` : ''}`, true, retryAfterMs);
      }
      throw new DeliveryError(`webhook ${host} answered ${status}${answer.body ? `: ${snippet(answer.body)}` : ''}`, false);
    },
  };
}
