// The polite HTTP client every source fetches through: one request at a time per host with a gap
// between them, connect and total timeouts, retries with full-jitter backoff for resets, timeouts and
// 5xx (never for other 4xx), conditional GET, a size limit that also bounds decompression, charset
// decoding and detection of the answers that only look fine. Built on node:http/node:https; it logs
// nothing, every failure is a SourceError carrying url, reason and status.

import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { assertPublicUrl, parseAllowlist, UrlGuardError, type Allowlist, type LookupAll, type ResolvedAddress } from '../../alerts/url-guard.js';
import { decodeBody } from './charset.js';
import { detectProblem } from './problems.js';
import { SourceError, type FetchRequest, type FetchResult, type HttpClient, type SourceErrorReason, type ValidatorStore } from './types.js';

export interface HttpClientOptions {
  /** Descriptive, e.g. 'ExportWatch/0.1 (+https://github.com/…; compliance monitoring)'. */
  userAgent: string;
  /** Time allowed to establish the connection (TCP, and TLS for https). Default 10 000. */
  connectTimeoutMs: number;
  /** Total time allowed per attempt, until the whole body is read. Default 30 000. */
  timeoutMs: number;
  /** Minimum gap between the end of one request and the start of the next to the same host. Default 1000. */
  perHostDelayMs: number;
  /** Extra attempts for network errors, timeouts, 5xx and 429; never for other 4xx. Default 3. */
  retries: number;
  /** Backoff base: before retry n (0-based) wait `random() * retryBaseMs * 2 ** n`, or Retry-After if longer. Default 1000. */
  retryBaseMs: number;
  /** Response size limit in bytes, compressed and decompressed. Default 10 MiB. */
  maxBytes: number;
  /** Redirects followed (301/302/303/307/308) before giving up. Default 5. */
  maxRedirects: number;
  /** Conditional-GET validators, kept between runs. */
  validators?: ValidatorStore;
  /**
   * URL_ALLOWLIST: hosts, addresses or CIDRs that `publicOnly` requests may reach although not public ('' for none).
   * Setting it (watch.ts always does, from the configuration) turns the SSRF guard of `publicOnly` requests on; a
   * client built without it (unit tests against fake servers on 127.0.0.1) does not guard.
   */
  urlAllowlist?: readonly string[] | string;
  /** DNS lookup for `publicOnly` requests (tests). */
  lookup?: LookupAll;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable jitter source, [0, 1). */
  random?: () => number;
}

export const DEFAULT_HTTP_CLIENT_OPTIONS = {
  connectTimeoutMs: 10_000,
  timeoutMs: 30_000,
  perHostDelayMs: 1000,
  retries: 3,
  retryBaseMs: 1000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
} as const;

/** A Retry-After longer than this is cut to it (waiting within a fetch). */
export const MAX_RETRY_AFTER_MS = 60_000;
/** A Retry-After longer than this is cut to it when reported with the failure (for the next poll). */
export const MAX_REPORTED_RETRY_AFTER_MS = 24 * 3600_000;
/** No single backoff wait is longer than this. */
export const MAX_BACKOFF_MS = 60_000;
/** A redirect's own body is read (and thrown away) up to this size, then the connection is dropped. */
const REDIRECT_BODY_LIMIT = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Why one attempt failed, and whether another attempt may help. */
class AttemptFailure extends Error {
  constructor(
    readonly reason: SourceErrorReason,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AttemptFailure';
  }
}

interface RawResponse {
  url: URL;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Decompressed body; empty for redirects. */
  body: Buffer;
}

interface SendOptions {
  target: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: Buffer | undefined;
  limit: number;
  /** For `publicOnly` requests: the vetted addresses of the target's host, the only ones connected to. */
  pinned?: ResolvedAddress[];
}

/** A DNS lookup that answers only the vetted addresses (no second lookup between the check and the connection). */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const first = addresses[0]!;
    if (options?.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  }) as unknown as LookupFunction;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function networkFailure(error: unknown): AttemptFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = errorMessage(error);
  const retryable = (code !== undefined && RETRYABLE_CODES.has(code)) || /socket hang up|aborted/i.test(message);
  const detail = code && !message.includes(code) ? `${code} ${message}` : message;
  return new AttemptFailure(code === 'ETIMEDOUT' ? 'timeout' : 'network', detail, retryable);
}

function tooLarge(limit: number, detail: string): AttemptFailure {
  return new AttemptFailure('too-large', `answer larger than the ${limit}-byte limit (${detail})`, false);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** `x-requested-with` → `X-Requested-With`, for the defaults we add (caller's names are sent as given). */
function canonicalName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Decodes Content-Encoding layers (last applied first), never producing more than `limit` bytes. */
async function decompress(body: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  if (!contentEncoding || body.length === 0) return body;
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  let data = body;
  for (const coding of codings) {
    const options = { maxOutputLength: Math.max(1, limit) };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') data = await gunzip(data, options);
      else if (coding === 'br') data = await brotliDecompress(data, options);
      else if (coding === 'deflate') {
        // "deflate" should be zlib-wrapped, but some servers send a raw deflate stream.
        try {
          data = await inflate(data, options);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
          data = await inflateRaw(data, options);
        }
      } else throw new AttemptFailure('decode', `unsupported Content-Encoding ${JSON.stringify(coding)}`, false);
    } catch (error) {
      if (error instanceof AttemptFailure) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw tooLarge(limit, `after ${coding} decompression`);
      }
      throw new AttemptFailure('decode', `could not decompress the ${coding} body: ${errorMessage(error)}`, false);
    }
    if (data.length > limit) throw tooLarge(limit, `after ${coding} decompression`);
  }
  return data;
}

/** Milliseconds asked for by a Retry-After header (delta-seconds or an HTTP date), capped; 0 when absent or invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now(), capMs = MAX_RETRY_AFTER_MS): number {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return 0;
    ms = date - nowMs;
  }
  return Math.min(Math.max(0, ms), capMs);
}

/** One request at a time per host, with a minimum gap after the end of each. */
class HostQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastEnd = new Map<string, number>();

  constructor(
    private readonly delayMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(host) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(host, tail);
    await previous;
    try {
      const last = this.lastEnd.get(host);
      if (last !== undefined && this.delayMs > 0) {
        const wait = last + this.delayMs - performance.now();
        if (wait > 0) await this.sleep(Math.ceil(wait));
      }
      return await task();
    } finally {
      this.lastEnd.set(host, performance.now());
      release();
      if (this.tails.get(host) === tail) this.tails.delete(host);
    }
  }
}

class PoliteHttpClient implements HttpClient {
  private readonly options: HttpClientOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly queue: HostQueue;
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  /** Separate pools for `publicOnly` requests: their sockets only ever connect to vetted addresses. */
  private readonly publicHttpAgent = new http.Agent({ keepAlive: true });
  private readonly publicHttpsAgent = new https.Agent({ keepAlive: true });
  private readonly allowlist: Allowlist | null;
  /** Sockets that finished connecting: a reused keep-alive socket needs no connect timeout. */
  private readonly connected = new WeakSet<Socket>();

  constructor(options: Partial<HttpClientOptions> & { userAgent: string }) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULT_HTTP_CLIENT_OPTIONS, ...defined } as HttpClientOptions;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.queue = new HostQueue(this.options.perHostDelayMs, this.sleep);
    this.allowlist = this.options.urlAllowlist === undefined ? null : parseAllowlist(this.options.urlAllowlist);
  }

  /** The SSRF guard for `publicOnly` requests: the vetted addresses, or a SourceError naming the refused address. */
  private async vet(target: URL, requested: string, allowlist: Allowlist): Promise<ResolvedAddress[]> {
    try {
      return (await assertPublicUrl(target, { allowlist, ...(this.options.lookup ? { lookup: this.options.lookup } : {}) })).addresses;
    } catch (error) {
      if (error instanceof UrlGuardError) {
        const via = target.href === requested ? '' : ` (redirected from ${requested})`;
        throw new SourceError('network', `${target.href}${via}: ${error.message}`, target.href);
      }
      throw error;
    }
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    let target: URL;
    try {
      target = new URL(request.url);
    } catch {
      throw new SourceError('network', `not a valid URL: ${JSON.stringify(request.url)}`, request.url);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new SourceError('network', `${request.url}: only http and https URLs can be fetched`, request.url);
    }

    const limit = request.maxBytes ?? this.options.maxBytes;
    const expect = request.expect;
    const validators = this.options.validators;
    let method: 'GET' | 'POST' = request.method ?? 'GET';
    let body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers = this.buildHeaders(request, body);

    let raw: RawResponse;
    for (let redirects = 0; ; redirects++) {
      const pinned = request.publicOnly && this.allowlist ? await this.vet(target, request.url, this.allowlist) : undefined;
      raw = await this.sendWithRetries({ target, method, headers, body, limit, ...(pinned ? { pinned } : {}) });
      const location = raw.headers.location;
      if (!REDIRECT_STATUSES.has(raw.status) || location === undefined) break;
      if (redirects >= this.options.maxRedirects) {
        throw new SourceError(
          'http-status',
          `${method} ${request.url}: more than ${this.options.maxRedirects} redirects (last to ${location})`,
          target.href,
          raw.status,
        );
      }
      let next: URL;
      try {
        next = new URL(location, target);
      } catch {
        throw new SourceError(
          'http-status',
          `${method} ${target.href}: HTTP ${raw.status} with an invalid Location ${JSON.stringify(location)}`,
          target.href,
          raw.status,
        );
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new SourceError('http-status', `${method} ${target.href}: redirected to a non-HTTP URL ${next.href}`, target.href, raw.status);
      }
      // 303 always, and 301/302 after a POST (what browsers do), continue as a GET without the body.
      if (raw.status === 303 || ((raw.status === 301 || raw.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const name of Object.keys(headers)) {
          if (/^content-(type|length)$/i.test(name)) delete headers[name];
        }
      }
      target = next;
    }

    const base = { url: raw.url.href, status: raw.status, headers: raw.headers };

    if (raw.status === 304 && request.conditional) {
      if (validators && (raw.headers.etag !== undefined || raw.headers['last-modified'] !== undefined)) {
        const previous = validators.get(request.url);
        validators.set(request.url, {
          etag: raw.headers.etag ?? previous?.etag ?? null,
          lastModified: raw.headers['last-modified'] ?? previous?.lastModified ?? null,
        });
      }
      return { ...base, notModified: true, bytes: Buffer.alloc(0), text: '', charset: '' };
    }

    const decoded = expect === 'binary' ? { text: '', charset: '' } : decodeBody(raw.body, raw.headers['content-type']);
    const result: FetchResult = { ...base, notModified: false, bytes: raw.body, ...decoded };

    if (raw.status < 200 || raw.status >= 300) {
      if (raw.status === 403 || raw.status === 412) {
        const problem = detectProblem(result, expect === 'binary' ? undefined : expect);
        if (problem) throw problem;
      }
      const statusText = raw.statusText ? ` ${raw.statusText}` : '';
      throw new SourceError('http-status', `${method} ${raw.url.href}: HTTP ${raw.status}${statusText}`, raw.url.href, raw.status);
    }

    if (expect !== 'binary') {
      const problem = detectProblem(result, expect);
      if (problem) throw problem;
    }
    if (request.conditional && validators) {
      validators.set(request.url, { etag: raw.headers.etag ?? null, lastModified: raw.headers['last-modified'] ?? null });
    }
    return result;
  }

  private buildHeaders(request: FetchRequest, body: Buffer | undefined): Record<string, string> {
    const byLower = new Map<string, [string, string]>();
    const put = (name: string, value: string) => byLower.set(name.toLowerCase(), [name, value]);
    put('User-Agent', this.options.userAgent);
    put('Accept', '*/*');
    put('Accept-Encoding', 'gzip, deflate, br');
    for (const [name, value] of Object.entries(request.headers ?? {})) put(name, value);
    if (body !== undefined) {
      if (!byLower.has('content-type')) put('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
      put('Content-Length', String(body.length));
    }
    const validators = request.conditional ? this.options.validators?.get(request.url) : null;
    if (validators?.etag && !byLower.has('if-none-match')) put('If-None-Match', validators.etag);
    if (validators?.lastModified && !byLower.has('if-modified-since')) put('If-Modified-Since', validators.lastModified);
    const headers: Record<string, string> = {};
    for (const [name, value] of byLower.values()) headers[name === name.toLowerCase() ? canonicalName(name) : name] = value;
    return headers;
  }

  private async sendWithRetries(send: SendOptions): Promise<RawResponse> {
    const attempts = Math.max(0, Math.floor(this.options.retries)) + 1;
    let last: AttemptFailure | undefined;
    // The last answer's Retry-After, uncapped (but for a day), reported with the failure.
    let askedMs = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let retryAfterMs = 0;
      askedMs = 0;
      try {
        const raw = await this.queue.run(send.target.host, () => this.sendOnce(send));
        if (raw.status < 500 && raw.status !== 429) return raw;
        const statusText = raw.statusText ? ` ${raw.statusText}` : '';
        last = new AttemptFailure('http-status', `HTTP ${raw.status}${statusText}`, true, raw.status);
        if (raw.status === 429 || raw.status === 503) {
          retryAfterMs = parseRetryAfter(raw.headers['retry-after']);
          askedMs = parseRetryAfter(raw.headers['retry-after'], Date.now(), MAX_REPORTED_RETRY_AFTER_MS);
        }
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        if (!error.retryable) throw this.sourceError(send, error, attempt + 1);
        last = error;
      }
      if (attempt + 1 < attempts) {
        const backoff = Math.min(MAX_BACKOFF_MS, this.random() * this.options.retryBaseMs * 2 ** attempt);
        const wait = Math.max(backoff, retryAfterMs);
        if (wait > 0) await this.sleep(wait);
      }
    }
    throw this.sourceError(send, last ?? new AttemptFailure('network', 'no attempt was made', false), attempts, askedMs);
  }

  private sourceError(send: SendOptions, failure: AttemptFailure, attempts: number, retryAfterMs = 0): SourceError {
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    const asked = retryAfterMs > 0 ? ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)` : '';
    const message = `${send.method} ${send.target.href} failed after ${tries}: ${failure.message}${asked}`;
    return new SourceError(failure.reason, message, send.target.href, failure.status, retryAfterMs > 0 ? retryAfterMs : undefined);
  }

  private sendOnce({ target, method, headers, body, limit, pinned }: SendOptions): Promise<RawResponse> {
    const { connectTimeoutMs, timeoutMs } = this.options;
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      let request: http.ClientRequest | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = () => {
        settled = true;
        clearTimeout(totalTimer);
        clearTimeout(connectTimer);
      };
      const fail = (failure: AttemptFailure) => {
        if (settled) return;
        finish();
        request?.destroy();
        reject(failure);
      };
      const succeed = (raw: RawResponse) => {
        if (settled) return;
        finish();
        resolve(raw);
      };
      const totalTimer = setTimeout(() => fail(new AttemptFailure('timeout', `no complete answer within ${timeoutMs} ms`, true)), timeoutMs);

      const onResponse = (response: http.IncomingMessage) => {
        clearTimeout(connectTimer);
        const status = response.statusCode ?? 0;
        const responseHeaders = flattenHeaders(response.headers);
        const raw = { url: target, status, statusText: response.statusMessage ?? '', headers: responseHeaders };
        const redirect = REDIRECT_STATUSES.has(status) && responseHeaders.location !== undefined;
        const declared = Number(responseHeaders['content-length']);
        if (!redirect && Number.isFinite(declared) && declared > limit) {
          fail(tooLarge(limit, `Content-Length ${declared}`));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        let ended = false;
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          received += chunk.length;
          if (redirect) {
            if (received > REDIRECT_BODY_LIMIT) {
              succeed({ ...raw, body: Buffer.alloc(0) });
              request?.destroy();
            }
            return;
          }
          if (received > limit) {
            fail(tooLarge(limit, `more than ${limit} bytes received`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          ended = true;
          if (settled) return;
          if (redirect) {
            succeed({ ...raw, body: Buffer.alloc(0) });
            return;
          }
          decompress(Buffer.concat(chunks, received), responseHeaders['content-encoding'], limit).then(
            (decoded) => succeed({ ...raw, body: decoded }),
            (error: unknown) => fail(error instanceof AttemptFailure ? error : networkFailure(error)),
          );
        });
        response.on('error', (error) => fail(networkFailure(error)));
        response.on('close', () => {
          if (!ended) fail(new AttemptFailure('network', 'the connection closed before the answer was complete', true));
        });
      };

      try {
        const isHttps = target.protocol === 'https:';
        if (pinned) {
          const host = target.hostname.replace(/^\[|\]$/g, '');
          const options = {
            method,
            headers,
            agent: isHttps ? this.publicHttpsAgent : this.publicHttpAgent,
            lookup: pinnedLookup(pinned),
            // The certificate is checked against the URL's host name, not the vetted address.
            ...(isHttps && isIP(host) === 0 ? { servername: host } : {}),
          };
          request = (isHttps ? https : http).request(target, options, onResponse);
        } else {
          const agent = isHttps ? this.httpsAgent : this.httpAgent;
          request = (isHttps ? https : http).request(target, { method, headers, agent }, onResponse);
        }
      } catch (error) {
        finish();
        reject(new AttemptFailure('network', `could not send the request: ${errorMessage(error)}`, false));
        return;
      }
      request.on('socket', (socket: Socket) => {
        if (this.connected.has(socket)) return;
        connectTimer = setTimeout(() => fail(new AttemptFailure('timeout', `no connection within ${connectTimeoutMs} ms`, true)), connectTimeoutMs);
        socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
          this.connected.add(socket);
          clearTimeout(connectTimer);
        });
      });
      request.on('error', (error) => fail(networkFailure(error)));
      request.end(body);
    });
  }
}

/** The one HTTP client every source uses. Options not given take DEFAULT_HTTP_CLIENT_OPTIONS. */
export function createHttpClient(options: Partial<HttpClientOptions> & { userAgent: string }): HttpClient {
  return new PoliteHttpClient(options);
}
