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
// A slow or rate-limited destination never holds up another. A lane takes its concurrency slot before it claims (the
// lease starts when the send can start, and a fan-out's first send does not wait for every lane's claim); a lane that
// has already sent in this run goes ahead of lanes still waiting for their first send (its retry is not queued behind
// a whole fan-out). While other lanes of the run are still at work, a lane waits out its Retry-After pause or retry
// delay and goes on; it never makes a run last longer than the others' work and its own spacing, and what it leaves
// is taken by a later run. An answer with Retry-After (rate limited, not failed) does not grow the backoff of a later
// real failure. Run one worker per database.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../storage/db.js';
import { isTransientFault, storageFault } from '../../storage/faults.js';
import { claimDue, dueDestinations, markFailed, markRetry, markSent, nextDueAt, onDeliveriesQueued, type Delivery } from '../../storage/outbox.js';
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
  /**
   * Sends everything due now, respecting per-destination spacing, and what becomes due on those destinations while the
   * run is at work anyway (a Retry-After pause or retry delay ending meanwhile); the rest is left for later runs.
   */
  runOnce(): Promise<RunResult>;
  /** Polls for due deliveries at once, then every `pollIntervalMs` and as soon as deliveries are queued in this process, until stopped. */
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

/** Bounded concurrency; `first` waiters are served before the others, each group in order. */
class Semaphore {
  private waiting: Array<() => void> = [];
  private waitingFirst: Array<() => void> = [];
  private free: number;
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  async acquire(first = false): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => (first ? this.waitingFirst : this.waiting).push(resolve));
  }
  release(): void {
    const next = this.waitingFirst.shift() ?? this.waiting.shift();
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
  // Per delivery, the tries answered with Retry-After (rate limited) since this process last saw it fail or succeed:
  // left out of the backoff's exponent. (`attempts` in the store still counts every try.)
  const rateLimitedTries = new Map<number, number>();
  const mono = (): number => performance.now();

  let chain: Promise<unknown> = Promise.resolve();
  let stopping = false;
  let abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let looping = false;
  // Deliveries were queued while a run was in progress: the next one starts as soon as it ends.
  let woken = false;
  let unsubscribe: (() => void) | null = null;

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

  /** Sends a claimed delivery and records the outcome; `release` gives the concurrency slot back once nothing is sent. */
  async function handle(d: Delivery, result: RunResult, release: () => void): Promise<void> {
    const created = Date.parse(d.createdAt);
    const deadline = created + maxAgeMs;
    // this claim counted as an attempt but sends nothing
    if (now().getTime() > deadline) {
      release();
      return fail(d, expiredMessage(d.attempts - 1, d.lastError), 'expired', result);
    }

    let destination: Destination;
    try {
      destination = parseDestination(d.destination);
    } catch (err) {
      release();
      return fail(d, `invalid destination: ${describe(err)}`, 'permanent', result);
    }

    let outcome: { messageId: string } | { error: DeliveryError };
    const adapter = adapters[destination.platform];
    if (adapter === undefined) {
      release();
      outcome = { error: new DeliveryError(`no ${destination.platform} adapter is configured`, true) };
    } else {
      try {
        outcome = await adapter.send(destination, d.message, { idempotencyKey: d.idempotencyKey });
      } catch (err) {
        outcome = { error: err instanceof DeliveryError ? err : new DeliveryError(describe(err), true) };
      } finally {
        release();
        nextSendAt.set(d.destination, mono() + intervals[destination.platform]);
      }
    }

    if ('messageId' in outcome) {
      rateLimitedTries.delete(d.id);
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
    const limited = rateLimitedTries.get(d.id) ?? 0;
    if (error.retryable && error.retryAfterMs !== undefined) rateLimitedTries.set(d.id, limited + 1);
    else rateLimitedTries.delete(d.id);
    if (!error.retryable) return fail(d, error.message, 'permanent', result);
    // Told when to come back (429, or 503 with Retry-After): rate limited, not failed. The pause is honoured; the
    // destination's spacing after it is at most the pause (the request was refused: it used none of the platform's
    // messages per destination); and a later real failure's backoff leaves these tries out.
    if (error.retryAfterMs !== undefined) {
      if (error.retryAfterMs > 0) pausedUntil.set(d.destination, mono() + error.retryAfterMs);
      if (adapter !== undefined) nextSendAt.set(d.destination, mono() + Math.min(error.retryAfterMs, intervals[destination.platform]));
    }
    const at = now().getTime();
    if (at >= deadline) {
      rateLimitedTries.delete(d.id);
      return fail(d, expiredMessage(d.attempts, error.message), 'expired', result);
    }
    const delay = error.retryAfterMs ?? retryDelay(d.attempts - limited, retryBaseMs, maxRetryDelayMs, random);
    if (await record(() => markRetry(db, d.id, error.message, new Date(Math.min(at + delay, deadline))))) result.retried += 1;
  }

  function paused(destination: string): boolean {
    return (pausedUntil.get(destination) ?? 0) > mono();
  }

  /** A lane's read or claim: a storage fault is told at once (see below) and ends the lane. */
  function query<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      // Told at once, not when every lane has ended: the other lanes then see the database paused instead of each
      // waiting out the busy timeout, which blocks the whole process (and the sends in flight with it).
      if (storageFault(err) !== null) options.onError?.(err);
      throw err;
    }
  }

  /** A run's lanes: how many are at work (sending, or waiting only for their spacing), and a signal once none is. */
  interface Run {
    result: RunResult;
    working: number;
    idle: AbortController;
  }

  function idleLane(run: Run): void {
    run.working -= 1;
    if (run.working === 0) run.idle.abort();
  }

  async function lane(destination: string, run: Run): Promise<void> {
    const signal = abort.signal;
    // Every destination lane waiting out its spacing listens on this one signal: no listener cap.
    setMaxListeners(0, signal);
    for (let first = true; !stopping && !options.paused?.(); first = false) {
      // After a send: when is the destination's next delivery due? Nothing left ends the lane now, not after its spacing.
      let dueIn = 0;
      if (!first) {
        const next = query(() => nextDueAt(db, { destination }));
        if (next === null) return;
        dueIn = Date.parse(next) - now().getTime();
      }
      // The spacing is always waited out. A pause or a retry delay beyond it is waited out only while other lanes are
      // at work, and left to a later run once none is. (`now` may be a fixed test clock: the due time is waited for
      // once, +1 ms as timers fire early, and the claim then decides.)
      for (;;) {
        const spacing = (nextSendAt.get(destination) ?? 0) - mono();
        const beyond = Math.max((pausedUntil.get(destination) ?? 0) - mono(), dueIn > 0 ? dueIn + 1 : 0);
        const wait = Math.max(spacing, beyond);
        if (wait <= 0) break;
        const onOthers = beyond > spacing;
        if (onOthers) idleLane(run);
        try {
          await sleep(wait, undefined, { signal: onOthers ? AbortSignal.any([signal, run.idle.signal]) : signal });
        } catch {
          return;
        } finally {
          if (onOthers) run.working += 1;
        }
        if (stopping || options.paused?.()) return;
        dueIn = 0;
      }
      // The slot first, then the claim: the lease starts when the send can, and a lane that has sent goes first.
      await semaphore.acquire(!first);
      let held = true;
      const release = (): void => {
        if (held) semaphore.release();
        held = false;
      };
      try {
        const [d] = query(() => claimDue(db, now(), 1, leaseMs, { destination }));
        if (d === undefined) return;
        await handle(d, run.result, release);
      } finally {
        release();
      }
    }
  }

  async function drain(): Promise<RunResult> {
    const destinations = dueDestinations(db, now()).filter((d) => !paused(d));
    const run: Run = { result: { sent: 0, retried: 0, failed: 0 }, working: destinations.length, idle: new AbortController() };
    setMaxListeners(0, run.idle.signal);
    // Every lane ends before the run does (a lane failing, e.g. on a locked database, must not leave others running
    // into the next run); then the first failure is thrown.
    const lanes = await Promise.allSettled(destinations.map((d) => lane(d, run).finally(() => idleLane(run))));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return run.result;
  }

  function runOnce(): Promise<RunResult> {
    const run = chain.then(drain);
    chain = run.catch(() => undefined);
    return run;
  }

  async function tick(): Promise<void> {
    timer = null;
    woken = false;
    try {
      if (!options.paused?.()) await runOnce();
    } catch (err) {
      options.onError?.(err);
    }
    if (looping && !stopping) timer = setTimeout(() => void tick(), woken ? 0 : pollIntervalMs);
  }

  /** Deliveries were queued in this process: run now (after the caller's transaction) rather than at the next poll. */
  function wake(queuedIn: Db): void {
    if (queuedIn !== db || !looping || stopping) return;
    if (timer === null) {
      woken = true; // a run is in progress: the next follows it at once
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), 0);
  }

  return {
    runOnce,
    start() {
      if (looping) return;
      looping = true;
      stopping = false;
      abort = new AbortController();
      unsubscribe = onDeliveriesQueued(wake);
      timer = setTimeout(() => void tick(), 0);
    },
    async stop() {
      stopping = true;
      looping = false;
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearTimeout(timer);
      timer = null;
      abort.abort();
      await chain;
      stopping = false;
      abort = new AbortController();
    },
  };
}
