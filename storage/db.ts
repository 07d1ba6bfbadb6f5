// Opens the SQLite database (better-sqlite3), sets WAL and foreign keys, and applies numbered migrations.
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packagePath } from '../src/paths.js';
import { toStorageFaultError } from './faults.js';

export type Db = Database.Database;

const MIGRATIONS_DIR = packagePath('storage', 'migrations');
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort()
    .map((name) => ({ version: Number(MIGRATION_FILE.exec(name)![1]), name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/** Applies migrations not yet recorded in `schema_migrations`, each in its own transaction. Returns the names applied. */
export function migrate(db: Db, migrations = loadMigrations()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    done.push(m.name);
  }
  return done;
}

export class DatabaseOpenError extends Error {}

/** Opens (creating if needed) the database at `path` and brings its schema up to date. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    // A new database file is created owner-only (SQLite gives its -wal and -shm files the same mode):
    // it holds encrypted tokens, subscriptions and the audit trail.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw openError(path, err);
  }
  try {
    // Set first: switching to WAL and migrating wait for another process's write lock like any write.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (err) {
    db.close();
    throw openError(path, err);
  }
  return db;
}

/**
 * A read-only mount or a file the service user may not write shows first here (SQLite says "unable to open database
 * file" or "attempt to write a readonly database"): the message names the database and the cause, e.g.
 * `database is read-only: /srv/data/exportwatch.db: the file system is read-only (EROFS); SQLite said: …`.
 */
function openError(path: string, err: unknown): Error {
  const fault = toStorageFaultError(path, err);
  if (fault === null) return new DatabaseOpenError(`cannot open database ${path}: ${(err as Error).message}`, { cause: err });
  return new DatabaseOpenError(fault.message, { cause: fault });
}
