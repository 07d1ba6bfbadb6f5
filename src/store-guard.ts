// The service's watch over its database (`exportwatch serve`). The scheduler, the outbox worker and the digests report
// their errors here; storage faults among them are told apart from the rest:
//
// - a locked database (another process holding the write lock longer than the busy timeout) is transient: one log line
//   when it starts, one when writes go through again (a probe every second meanwhile). Meanwhile the work is paused and
//   a write fails at once instead of waiting the busy timeout (which blocks the whole process: /healthz, Slack's
//   3-second acknowledgements); the cut-off work resumes when the lock goes;
// - a full, read-only, failing or corrupt database is not: `fatal` resolves with the fault and the service stops, exit
//   status 1, with a line naming the database and the cause. Nothing recorded is lost: every write is a transaction.
import type { App } from './app.js';
import { isTransientFault, probeWritable, toStorageFaultError, type StorageFaultError } from '../storage/faults.js';

export interface StoreGuard {
  /** Reports an error of the service's work; false when it is no storage fault (the caller reports it itself). */
  report(err: unknown): boolean;
  /** Resolves with the first fault the service cannot work through. Never rejects. */
  readonly fatal: Promise<StorageFaultError>;
  /** True from a write failing on another process's lock until writes go through again: the work waits meanwhile. */
  locked(): boolean;
  /** Runs `fn` each time the database takes writes again after a lock. */
  onRecovered(fn: () => void): void;
  /** At start: throws a fault that stops the service (e.g. read-only); a lock is reported and waited out. */
  checkAtStart(): void;
  stop(): void;
}

export interface StoreGuardOptions {
  /** How often a locked database is probed (default 1000 ms). */
  probeEveryMs?: number;
  now?: () => number;
}

export function createStoreGuard(app: App, path: string, log: (line: string) => void, options: StoreGuardOptions = {}): StoreGuard {
  const probeEveryMs = options.probeEveryMs ?? 1000;
  const now = options.now ?? (() => Date.now());
  const recovered: Array<() => void> = [];
  let lockedSince: number | null = null;
  let busyTimeout: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let fatalFault: StorageFaultError | null = null;
  let resolveFatal: (fault: StorageFaultError) => void = () => undefined;
  const fatal = new Promise<StorageFaultError>((resolve) => (resolveFatal = resolve));

  function stopWatching(): void {
    if (timer) clearInterval(timer);
    timer = null;
    // Writes wait for other writers again.
    if (busyTimeout !== null && app.db.open) app.db.pragma(`busy_timeout = ${busyTimeout}`);
    busyTimeout = null;
  }

  function watchLock(): void {
    if (timer) return;
    timer = setInterval(() => {
      if (fatalFault) return stopWatching();
      let probe;
      try {
        probe = probeWritable(app.db, 50);
      } catch (err) {
        report(err);
        return;
      }
      if (!probe.writable) {
        if (probe.kind && !isTransientFault(probe.kind)) report(probe.cause);
        return;
      }
      stopWatching();
      const seconds = Math.max(1, Math.round((now() - (lockedSince ?? now())) / 1000));
      lockedSince = null;
      log(`database writable again: ${path}; the work goes on (it waited about ${seconds} s)`);
      for (const fn of recovered) {
        try {
          fn();
        } catch (err) {
          report(err);
        }
      }
    }, probeEveryMs);
    timer.unref();
  }

  function report(err: unknown): boolean {
    const fault = toStorageFaultError(path, err);
    if (fault === null) return false;
    if (isTransientFault(fault.kind)) {
      if (lockedSince === null && !fatalFault) {
        lockedSince = now();
        log(fault.message);
        busyTimeout = app.db.pragma('busy_timeout', { simple: true }) as number;
        app.db.pragma('busy_timeout = 0');
        watchLock();
      }
      return true;
    }
    if (!fatalFault) {
      fatalFault = fault;
      stopWatching();
      resolveFatal(fault);
    }
    return true;
  }

  return {
    report,
    fatal,
    locked: () => lockedSince !== null,
    onRecovered: (fn) => void recovered.push(fn),
    checkAtStart() {
      const probe = probeWritable(app.db, 0);
      if (probe.writable) return;
      const fault = toStorageFaultError(path, probe.cause)!;
      if (!isTransientFault(fault.kind)) throw fault;
      report(fault);
    },
    stop: stopWatching,
  };
}
