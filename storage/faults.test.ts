import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp } from '../src/app.js';
import { tempDir } from '../test/helpers.js';
import { openDatabase, type Db } from './db.js';
import { describeStorageFault, isTransientFault, probeWritable, storageFault, toStorageFaultError } from './faults.js';

let dir: ReturnType<typeof tempDir>;
let path: string;
let other: Db | null;

beforeEach(() => {
  dir = tempDir('exportwatch-faults-');
  path = join(dir.path, 'store.db');
  other = null;
});

afterEach(() => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  dir.remove();
});

/** Another connection (as another process would) holding the write lock. */
function lockFromElsewhere(): Db {
  other = new Database(path);
  other.exec('BEGIN EXCLUSIVE');
  return other;
}

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storageFault', () => {
  it('tells storage faults from other SQLite errors and from other errors', () => {
    expect(storageFault(sqliteError('SQLITE_BUSY', 'database is locked'))).toBe('locked');
    expect(storageFault(sqliteError('SQLITE_BUSY_SNAPSHOT', 'x'))).toBe('locked');
    expect(storageFault(sqliteError('SQLITE_LOCKED', 'x'))).toBe('locked');
    expect(storageFault(sqliteError('SQLITE_FULL', 'database or disk is full'))).toBe('full');
    expect(storageFault(sqliteError('SQLITE_READONLY_DIRECTORY', 'x'))).toBe('read-only');
    expect(storageFault(sqliteError('SQLITE_IOERR_WRITE', 'x'))).toBe('io');
    expect(storageFault(sqliteError('SQLITE_CORRUPT', 'x'))).toBe('corrupt');
    expect(storageFault(sqliteError('SQLITE_NOTADB', 'x'))).toBe('corrupt');
    expect(storageFault(sqliteError('SQLITE_CANTOPEN', 'x'))).toBe('cannot-open');
    expect(storageFault(sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'x'))).toBeNull();
    expect(storageFault(sqliteError('SQLITE_BUSYNESS', 'x'))).toBeNull();
    expect(storageFault(new Error('database is locked'))).toBeNull();
    expect(storageFault(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBeNull();
    expect(storageFault(null)).toBeNull();
    expect(isTransientFault('locked')).toBe(true);
    expect(isTransientFault('full')).toBe(false);
  });

  it('classifies a real full database (SQLite page limit) as full, with one line naming the database', () => {
    const db = openDatabase(path);
    try {
      db.exec('CREATE TABLE filler (b BLOB)');
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      let caught: unknown;
      try {
        db.prepare('INSERT INTO filler VALUES (zeroblob(100000))').run();
      } catch (err) {
        caught = err;
      }
      expect(storageFault(caught)).toBe('full');
      expect(describeStorageFault(path, caught)).toBe(
        `database full: ${path}: database or disk is full (SQLITE_FULL); free space on its file system, then start the service again; nothing already recorded is lost`,
      );
      const fault = toStorageFaultError(path, caught)!;
      expect(fault).toMatchObject({ name: 'StorageFaultError', kind: 'full', path, code: 'SQLITE_FULL' });
      expect(toStorageFaultError(path, new Error('not a storage fault'))).toBeNull();
      // Nothing was half-written.
      expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('describes a locked database as transient, naming the database and what happens', () => {
    expect(describeStorageFault(path, sqliteError('SQLITE_BUSY', 'database is locked'))).toBe(
      `database locked: ${path}: database is locked (SQLITE_BUSY); another process holds the write lock; the work waits and is retried`,
    );
  });
});

describe('probeWritable', () => {
  it('reports another process holding the write lock within its timeout, writes nothing, and restores the busy timeout', () => {
    const db = openDatabase(path);
    try {
      expect(probeWritable(db, 0)).toEqual({ writable: true });
      const lock = lockFromElsewhere();
      const started = Date.now();
      const probe = probeWritable(db, 100);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(probe).toMatchObject({ writable: false, kind: 'locked', error: 'database is locked (SQLITE_BUSY)' });
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      lock.exec('COMMIT');
      expect(probeWritable(db, 100)).toEqual({ writable: true });
      expect(db.inTransaction).toBe(false);
    } finally {
      db.close();
    }
  });

  it('reports a read-only connection as read-only', () => {
    openDatabase(path).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(probeWritable(db, 0)).toMatchObject({ writable: false, kind: 'read-only' });
    } finally {
      db.close();
    }
  });
});

describe('opening the store while another process holds the write lock', () => {
  it('needs no write (reads go on in WAL mode): a command that only reads is not held up by the lock', () => {
    openApp({ databasePath: path }).close();
    lockFromElsewhere();
    const started = Date.now();
    const app = openApp({ databasePath: path });
    try {
      // Well under the 5 s busy timeout a write would wait.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(app.db.prepare('SELECT COUNT(*) FROM registers').pluck().get()).toBeGreaterThan(0);
    } finally {
      app.close();
    }
  });
});
