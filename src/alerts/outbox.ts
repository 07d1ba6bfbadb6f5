// The outbox worker: sends due deliveries through their platform's adapter, one lane per destination.
//
// Exactly once, as far as the platform allows. A delivery is claimed (status `sending`, with a lease) in the store
// before it is sent, and marked sent — with the platform's message id — after. A crash (or kill -9) between the two
// leaves the row `sending`; once its lease expires it is due again and is sent again with the SAME idempotency key,
// which adapters pass on where the platform supports it (the webhook's X-ExportWatch-Delivery header), so receivers
// can drop the repeat. Nothing is lost; a duplicate is possible only for a send that the platform accepted in the
// instant before the crash, and then it carries the key the platform (or receiver) needs to discard it.
//
// Rate limits are per destination: each destination is a lane that waits its own spacing (Slack about one message
// per second per channel) and its own Retry-After pause, while at most `concurrency` sends are in flight overall.
// A slow or rate-limited destination never holds up another. Run one worker per database.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../storage/db.js';
import { isTransientFault, storageFault } from '../../storage/faults.js';
import { claimDue, dueDestinations, markFailed, markRetry, markSent, type Delivery } from '../../storage/outbox.js';
import { parseDestination } from './destination.js';
import { DeliveryError, type DeliveryAdapter, type Destination, type Platform } from './types.js';

export const DEFAULT_RETRY_BASE_MS = 5000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 3600_000;
export const DEFAULT_MAX_AGE_MS = 24 * 3600_000;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_POLL_INTERVAL_MS = 1000;
export const DEFAULT_DESTINATION_INTERVAL_MS: Readonly<Record<Platform, number>> = { console: 0, webhook: 0, slack: 1000, teams: 0, 'teams-workflow': 0 };

export interface DeliveryFailure {
  delivery: Delivery;
  error: string;
  /** `expired`: still undelivered at the maximum age; `permanent`: the platform refused it for good. */
  reason: 'expired' | 'permanent';
}

export interface OutboxWorkerOptions {
  db: Db;
  /** Platform → adapter (adapters/registry.ts); a platform without one keeps its deliveries pending until the maximum age. */
  adapters: Partial<Record<Platform, DeliveryAdapter | undefined>>;
  now?: () => Date;
  /** First retry delay (DELIVERY_RETRY_BASE_MS, default 5000); doubled for each further attempt, with ±25 % jitter. */
  retryBaseMs?: number;
  /** Longest retry delay (default 1 h). */
  maxRetryDelayMs?: number;
  /** A delivery still undelivered this long after it was queued is failed and reported through onFailed (default 24 h). */
  maxAgeMs?: number;
  /** Least time between two sends to one destination, per platform (default: Slack 1000 ms, others 0). */
  perDestinationIntervalMs?: Partial<Record<Platform, number>>;
  /** How long a claim lasts before another run may take the delivery over (default 60 s); longer than any send. */
  leaseMs?: number;
  /** Sends in flight at once, across destinations (default 4). */
  concurrency?: number;
  /** How often `start()` looks for due deliveries (default 1 s). */
  pollIntervalMs?: number;
  /** Called once per delivery given up, for operator alerts. */
  onFailed?: (failure: DeliveryFailure) => void;
  onSent?: (delivery: Delivery, messageId: string) => void;
  /**
   * Errors of the polling loop itself (e.g. the database is locked); the loop goes on. Also told of each failed try at
   * recording a send's outcome in a locked database (the record is tried again until it is written).
   */
  onError?: (err: unknown) => void;
  /** Random numbers in [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
  /**
   * True while the worker should not touch the database (the service knows it is locked by another process): polling
   * passes are skipped and a record waiting to be retried waits, instead of each blocking for the busy timeout.
   */
  paused?: () => boolean;
}

export interface RunResult {
  sent: number;
  retried: number;
  failed: number;
}

export interface OutboxWorker {
  /** Sends everything due now, respecting per-destination spacing; deliveries rescheduled for later are left for later runs. */
  runOnce(): Promise<RunResult>;
  /** Polls for due deliveries every `pollIntervalMs` until stopped. */
  start(): void;
  /** Stops polling and waits for sends in flight to be recorded. */
  stop(): Promise<void>;
}

/** DELIVERY_RETRY_BASE_MS from the environment (whole milliseconds, 1 to 3 600 000), else 5000. */
export function retryBaseFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.DELIVERY_RETRY_BASE_MS?.trim();
  const n = text ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 3600_000 ? n : DEFAULT_RETRY_BASE_MS;
}

/** Exponential backoff: base × 2^(attempts − 1) for the attempts made so far (1 → base), ±25 % jitter, capped. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 30);
  const delay = Math.min(baseMs * 2 ** exp, maxMs);
  return Math.max(1, Math.round(Math.min(delay * (0.75 + 0.5 * random()), maxMs)));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function humanMs(ms: number): string {
  if (ms % 3600_000 === 0) return `${ms / 3600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

class Semaphore {
  private waiting: Array<() => void> = [];
  private free: number;
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, adapters } = options;
  const now = options.now ?? (() => new Date());
  const retryBaseMs = options.retryBaseMs ?? retryBaseFromEnv(process.env);
  const maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const intervals: Record<Platform, number> = { ...DEFAULT_DESTINATION_INTERVAL_MS, ...options.perDestinationIntervalMs };
  const random = options.random ?? Math.random;
  const semaphore = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
  // Per destination, on the monotonic clock (spacing and pauses must advance even when `now` is a fixed test clock).
  const nextSendAt = new Map<string, number>();
  const pausedUntil = new Map<string, number>();
  const mono = (): number => performance.now();

  let chain: Promise<unknown> = Promise.resolve();
  let stopping = false;
  let abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let looping = false;

  /**
   * Records the outcome of a send. A locked database is waited out and the record tried again: the send happened, and a
   * delivery left `sending` would be sent again once its lease expires. Other errors (a full or read-only database) are
   * thrown, and the delivery is then sent again, with its idempotency key, by the next run that can record it.
   */
  async function record<T>(write: () => T): Promise<T> {
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        return write();
      } catch (err) {
        const fault = storageFault(err);
        if (fault === null || !isTransientFault(fault) || stopping) throw err;
        options.onError?.(err);
        await sleep(wait);
        while (options.paused?.() && !stopping) await sleep(200);
      }
    }
  }

  async function fail(d: Delivery, error: string, reason: DeliveryFailure['reason'], result: RunResult): Promise<void> {
    if (!(await record(() => markFailed(db, d.id, error, now())))) return;
    result.failed += 1;
    try {
      options.onFailed?.({ delivery: d, error, reason });
    } catch (err) {
      options.onError?.(err);
    }
  }

  function expiredMessage(attempts: number, last: string | null): string {
    return `undelivered after ${humanMs(maxAgeMs)} (${attempts} attempt${attempts === 1 ? '' : 's'})${last ? `; last error: ${last}` : ''}`;
  }

  async function handle(d: Delivery, result: RunResult): Promise<void> {
    const created = Date.parse(d.createdAt);
    const deadline = created + maxAgeMs;
    // this claim counted as an attempt but sends nothing
    if (now().getTime() > deadline) return fail(d, expiredMessage(d.attempts - 1, d.lastError), 'expired', result);

    let destination: Destination;
    try {
      destination = parseDestination(d.destination);
    } catch (err) {
      return fail(d, `invalid destination: ${describe(err)}`, 'permanent', result);
    }

    let outcome: { messageId: string } | { error: DeliveryError };
    const adapter = adapters[destination.platform];
    if (adapter === undefined) {
      outcome = { error: new DeliveryError(`no ${destination.platform} adapter is configured`, true) };
    } else {
      await semaphore.acquire();
      try {
        outcome = await adapter.send(destination, d.message, { idempotencyKey: d.idempotencyKey });
      } catch (err) {
        outcome = { error: err instanceof DeliveryError ? err : new DeliveryError(describe(err), true) };
      } finally {
        semaphore.release();
        nextSendAt.set(d.destination, mono() + intervals[destination.platform]);
      }
    }

    if ('messageId' in outcome) {
      const messageId = outcome.messageId;
      await record(() => markSent(db, d.id, messageId, now()));
      result.sent += 1;
      try {
        options.onSent?.(d, outcome.messageId);
      } catch (err) {
        options.onError?.(err);
      }
      return;
    }
    const error = outcome.error;
    if (!error.retryable) return fail(d, error.message, 'permanent', result);
    if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) pausedUntil.set(d.destination, mono() + error.retryAfterMs);
    const at = now().getTime();
    if (at >= deadline) return fail(d, expiredMessage(d.attempts, error.message), 'expired', result);
    const delay = error.retryAfterMs ?? retryDelay(d.attempts, retryBaseMs, maxRetryDelayMs, random);
    if (await record(() => markRetry(db, d.id, error.message, new Date(Math.min(at + delay, deadline))))) result.retried += 1;
  }

  function paused(destination: string): boolean {
    return (pausedUntil.get(destination) ?? 0) > mono();
  }

  async function lane(destination: string, result: RunResult): Promise<void> {
    const signal = abort.signal;
    // Every destination lane waiting out its spacing listens on this one signal: no listener cap.
    setMaxListeners(0, signal);
    while (!stopping && !paused(destination) && !options.paused?.()) {
      const wait = (nextSendAt.get(destination) ?? 0) - mono();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          return;
        }
        if (stopping || paused(destination)) return;
      }
      let claimed: Delivery[];
      try {
        claimed = claimDue(db, now(), 1, leaseMs, { destination });
      } catch (err) {
        // Told at once, not when every lane has ended: the other lanes then see the database paused instead of each
        // waiting out the busy timeout, which blocks the whole process (and the sends in flight with it).
        if (storageFault(err) !== null) options.onError?.(err);
        throw err;
      }
      const [d] = claimed;
      if (d === undefined) return;
      await handle(d, result);
    }
  }

  async function drain(): Promise<RunResult> {
    const result: RunResult = { sent: 0, retried: 0, failed: 0 };
    const destinations = dueDestinations(db, now()).filter((d) => !paused(d));
    // Every lane ends before the run does (a lane failing, e.g. on a locked database, must not leave others running
    // into the next run); then the first failure is thrown.
    const lanes = await Promise.allSettled(destinations.map((d) => lane(d, result)));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return result;
  }

  function runOnce(): Promise<RunResult> {
    const run = chain.then(drain);
    chain = run.catch(() => undefined);
    return run;
  }

  async function tick(): Promise<void> {
    timer = null;
    try {
      if (!options.paused?.()) await runOnce();
    } catch (err) {
      options.onError?.(err);
    }
    if (looping && !stopping) timer = setTimeout(() => void tick(), pollIntervalMs);
  }

  return {
    runOnce,
    start() {
      if (looping) return;
      looping = true;
      stopping = false;
      abort = new AbortController();
      timer = setTimeout(() => void tick(), 0);
    },
    async stop() {
      stopping = true;
      looping = false;
      if (timer) clearTimeout(timer);
      timer = null;
      abort.abort();
      await chain;
      stopping = false;
      abort = new AbortController();
    },
  };
}
