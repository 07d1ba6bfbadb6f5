// Storage faults: SQLite errors that say the database itself cannot take a write (locked by another process, disk
// full, read-only, I/O error, corrupt), as opposed to errors of the data or of the code. They are never the fault of a
// listing, a source or a delivery, so the pipeline and the outbox must not count them as such: they stop the work
// (a locked database is waited out and retried; the others stop the service, see docs/operations.md).
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './db.js';

export type StorageFaultKind = 'locked' | 'full' | 'read-only' | 'io' | 'corrupt' | 'cannot-open';

const KINDS: ReadonlyArray<[RegExp, StorageFaultKind]> = [
  [/^SQLITE_(BUSY|LOCKED)(_|$)/, 'locked'],
  [/^SQLITE_FULL(_|$)/, 'full'],
  [/^SQLITE_READONLY(_|$)/, 'read-only'],
  [/^SQLITE_IOERR(_|$)/, 'io'],
  [/^SQLITE_(CORRUPT|NOTADB)(_|$)/, 'corrupt'],
  [/^SQLITE_CANTOPEN(_|$)/, 'cannot-open'],
];

const LABELS: Record<StorageFaultKind, string> = {
  locked: 'database locked',
  full: 'database full',
  'read-only': 'database is read-only',
  io: 'database I/O error',
  corrupt: 'database corrupt',
  'cannot-open': 'cannot open database',
};

/** The SQLite result code of an error (better-sqlite3's SqliteError carries it as `code`), or null. */
function sqliteCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/** What kind of storage fault an error is, or null when it is not one (a constraint, a bug, a network error…). */
export function storageFault(err: unknown): StorageFaultKind | null {
  const code = sqliteCode(err);
  if (code === null) return null;
  for (const [pattern, kind] of KINDS) if (pattern.test(code)) return kind;
  return null;
}

/** A locked database is waited out; the other faults do not go away by themselves. */
export function isTransientFault(kind: StorageFaultKind): boolean {
  return kind === 'locked';
}

/**
 * Why the process cannot write `path` as the file system sees it, e.g. "the file system is read-only (EROFS)", or null
 * when nothing is wrong there. SQLite needs to write the file and create its -wal and -shm files beside it.
 */
export function writeProblem(path: string): string | null {
  if (path === ':memory:' || path === '') return null;
  for (const [what, target] of [
    ['the directory', dirname(path)],
    ['the file', path],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'ENOENT') continue;
      if (code === 'EROFS') return `the file system is read-only (EROFS)`;
      const user = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
      return `the service user${user} may not write ${what} ${target} (${code})`;
    }
  }
  return null;
}

/** What to do about each fault, in the message the operator reads. */
const ADVICE: Record<StorageFaultKind, string> = {
  locked: 'another process holds the write lock; the work waits and is retried',
  full: 'free space on its file system, then start the service again; nothing already recorded is lost',
  'read-only': 'make it writable for the service user, then start the service again; nothing already recorded is lost',
  io: 'check the disk and the kernel log, then start the service again',
  corrupt: 'stop the service and restore the latest backup (docs/operations.md)',
  'cannot-open': 'check the path, the directory and their permissions, then start the service again',
};

/** Thrown (and printed by the CLI) when the database cannot take the service's writes. Carries no secret: path and SQLite's words only. */
export class StorageFaultError extends Error {
  constructor(
    readonly kind: StorageFaultKind,
    readonly path: string,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StorageFaultError';
  }
}

/**
 * One line naming the fault, the database and the cause, e.g. `database full: /srv/data/exportwatch.db: database or
 * disk is full (SQLITE_FULL); free space on its file system, …`. For a read-only or unopenable database the file
 * system is asked why (read-only mount, permissions).
 */
export function describeStorageFault(path: string, err: unknown, kind: StorageFaultKind = storageFault(err) ?? 'io'): string {
  const code = sqliteCode(err) ?? 'SQLITE_ERROR';
  const said = err instanceof Error ? err.message : String(err);
  const cause = kind === 'read-only' || kind === 'cannot-open' ? writeProblem(path) : null;
  // SQLite reports a read-only mount as "unable to open database file" (it cannot create the -shm file).
  const label = cause && kind === 'cannot-open' ? LABELS['read-only'] : LABELS[kind];
  const advice = cause && kind === 'cannot-open' ? ADVICE['read-only'] : ADVICE[kind];
  return `${label}: ${path}: ${cause ? `${cause}; SQLite said: ` : ''}${said} (${code}); ${advice}`;
}

/** A StorageFaultError for `err`, or null when `err` is not a storage fault. */
export function toStorageFaultError(path: string, err: unknown): StorageFaultError | null {
  if (err instanceof StorageFaultError) return err;
  const kind = storageFault(err);
  if (kind === null) return null;
  return new StorageFaultError(kind, path, sqliteCode(err) ?? 'SQLITE_ERROR', describeStorageFault(path, err, kind), { cause: err });
}

export interface WriteProbe {
  writable: boolean;
  /** The fault when not writable. */
  kind?: StorageFaultKind;
  /** SQLite's words and code, e.g. "database is locked (SQLITE_BUSY)". */
  error?: string;
  /** The error itself. */
  cause?: unknown;
}

/**
 * Whether a write could start now: takes the write lock (BEGIN IMMEDIATE), changes the database header to what it is
 * (a connection SQLite opened read-only refuses that) and rolls back, waiting at most `timeoutMs` for another writer.
 * Nothing reaches the file. A full disk shows only when a write needs space, not here.
 */
export function probeWritable(db: Db, timeoutMs = 1000): WriteProbe {
  // Inside a transaction this connection already holds what it needs (never the case between two statements here).
  if (db.inTransaction) return { writable: true };
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`);
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      db.pragma(`user_version = ${version}`);
    } finally {
      db.exec('ROLLBACK');
    }
    return { writable: true };
  } catch (err) {
    const kind = storageFault(err);
    if (kind === null) throw err;
    return { writable: false, kind, error: `${(err as Error).message} (${sqliteCode(err)})`, cause: err };
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}
