// Slack Web API clients with every setting explicit (the defaults retry ten times over half an hour with no timeout,
// and a 429 pauses the client's whole queue), Slack errors mapped to the outbox's DeliveryError, and log redaction.
import { webApi, type Logger, LogLevel } from '@slack/bolt';
import { DeliveryError } from '../../src/alerts/types.js';

export type WebClient = InstanceType<typeof webApi.WebClient>;

/** Errors a send will not overcome by trying again: the outbox fails the delivery and reports it. */
export const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'not_in_channel',
  'channel_not_found',
  'account_inactive',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'not_authed',
  'is_archived',
  'channel_is_archived',
  'missing_scope',
  'no_permission',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'team_access_not_granted',
  'ekm_access_denied',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'org_login_required',
  'app_missing_action_url',
]);

/** Errors Slack itself calls temporary. */
export const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

const TOKEN_PATTERN = /\b(xox[abposre]|xapp)-[A-Za-z0-9-]+/g;

/** Replaces Slack tokens and the given secrets with `[redacted]`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(TOKEN_PATTERN, '[redacted]');
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('[redacted]');
  return out;
}

export interface LogSink {
  (level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** A Bolt/Web API logger writing redacted lines to `sink`; debug lines are dropped below LogLevel.DEBUG. */
export function createLogger(sink: LogSink, secrets: readonly string[] = [], level: LogLevel = LogLevel.INFO): Logger {
  let current = level;
  let name = 'slack';
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  const emit =
    (at: LogLevel, as: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]): void => {
      if (order.indexOf(at) < order.indexOf(current)) return;
      const text = msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : safeJson(m))).join(' ');
      sink(as, redact(`${name}: ${text}`, secrets));
    };
  return {
    debug: emit(LogLevel.DEBUG, 'debug'),
    info: emit(LogLevel.INFO, 'info'),
    warn: emit(LogLevel.WARN, 'warn'),
    error: emit(LogLevel.ERROR, 'error'),
    setLevel: (l: LogLevel) => {
      current = l;
    },
    getLevel: () => current,
    setName: (n: string) => {
      name = n;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export interface ClientSettings {
  /** Web API base URL with its trailing slash (SLACK_API_URL). */
  apiUrl: string;
  /** Per-call timeout in milliseconds. */
  timeoutMs: number;
  /** Retries by the client itself: 0 for deliveries (the outbox owns retries); a couple for interactive calls. */
  retries: number;
  logger: Logger;
}

/** Web API client options: explicit retries and timeout; a 429 is an error to handle, not a pause of the queue. */
export function clientOptions(settings: ClientSettings) {
  return {
    slackApiUrl: settings.apiUrl,
    timeout: settings.timeoutMs,
    retryConfig: settings.retries === 0 ? { retries: 0 } : { retries: settings.retries, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true },
    rejectRateLimitedCalls: true,
    allowAbsoluteUrls: false,
    logger: settings.logger,
    logLevel: settings.logger.getLevel(),
  };
}

export function createClient(token: string | undefined, settings: ClientSettings): WebClient {
  return new webApi.WebClient(token, clientOptions(settings));
}

/** What Slack's error codes look like; anything else in `error` is a body that was not Slack's JSON. */
const ERROR_CODE = /^[a-z][a-z0-9_]{0,79}$/;

/**
 * The Slack error code of a failed call (`not_in_channel`, `ratelimited`…), if it is a platform error. The Web API
 * client puts a body that is not JSON (a proxy's error page, an answer cut short) in `error` as it came: that is no
 * code (null).
 */
export function slackErrorCode(err: unknown): string | null {
  const e = err as { code?: string; data?: { error?: unknown } };
  if (e?.code === webApi.ErrorCode.PlatformError && typeof e.data?.error === 'string' && ERROR_CODE.test(e.data.error)) return e.data.error;
  return null;
}

function retryAfterOf(err: unknown): number | undefined {
  const e = err as { retryAfter?: unknown; headers?: Record<string, string>; data?: { response_metadata?: { retryAfter?: unknown } } };
  const seconds = typeof e.retryAfter === 'number' ? e.retryAfter : Number(e.headers?.['retry-after'] ?? e.data?.response_metadata?.retryAfter ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 24 * 3600) * 1000 : undefined;
}

/**
 * A failed Web API call as the outbox sees it: 429 → retryable with Retry-After; `ratelimited`, 5xx, network errors,
 * timeouts and answers that are not Slack's JSON → retryable; `not_in_channel`, `channel_not_found`, `account_inactive`,
 * `invalid_auth`, `token_revoked` and other client errors → permanent. Messages carry no token and no answer body.
 */
export function toDeliveryError(err: unknown, what: string): DeliveryError {
  const e = err as {
    code?: string;
    statusCode?: number;
    message?: string;
    original?: { name?: string; message?: string; code?: string; cause?: { code?: string } };
  };
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError: {
      const after = retryAfterOf(err);
      return new DeliveryError(`${what}: rate limited by Slack (429${after !== undefined ? `, retry after ${after / 1000} s` : ''})`, true, after);
    }
    case webApi.ErrorCode.PlatformError: {
      const code = slackErrorCode(err);
      // An answer that is not Slack's (malformed JSON, an HTML page with status 200) says nothing final: try again.
      if (code === null) return new DeliveryError(`${what}: Slack answered with a body that is not a Web API answer`, true);
      if (RETRYABLE_ERRORS.has(code)) return new DeliveryError(`${what}: Slack answered ${code}`, true, retryAfterOf(err));
      return new DeliveryError(`${what}: Slack answered ${code}${PERMANENT_ERRORS.has(code) ? '' : ' (not retried)'}`, false);
    }
    case webApi.ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      const retryable = status === 429 || status === 408 || status >= 500;
      return new DeliveryError(`${what}: Slack answered HTTP ${status}`, retryable, retryable ? retryAfterOf(err) : undefined);
    }
    case webApi.ErrorCode.RequestError: {
      const o = e.original;
      const reason = o?.name === 'TimeoutError' || o?.name === 'AbortError' ? 'timed out' : (o?.cause?.code ?? o?.code ?? o?.message ?? 'network error');
      return new DeliveryError(`${what}: ${redact(String(reason))}`, true);
    }
    default:
      return new DeliveryError(`${what}: ${redact(e?.message ?? String(err))}`, true);
  }
}
