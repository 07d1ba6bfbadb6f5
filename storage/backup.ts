// Online backup and restore of the database, with SQLite's backup API (safe while the service runs).
import Database from 'better-sqlite3';
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import type { Db } from './db.js';

export class BackupError extends Error {}

/** Copies the live database to `file` page by page; `onProgress` gets the share done (0–1). */
export async function backupDatabase(db: Db, file: string, onProgress?: (done: number) => void): Promise<{ pages: number }> {
  if (existsSync(file)) throw new BackupError(`${file} already exists; choose a new file name`);
  const result = await db.backup(file, {
    progress: ({ totalPages, remainingPages }) => {
      onProgress?.(totalPages === 0 ? 1 : (totalPages - remainingPages) / totalPages);
      return 200;
    },
  });
  return { pages: result.totalPages };
}

/** Checks a backup: readable, intact, and an ExportWatch database (it has recorded migrations). */
export function checkBackup(file: string): { migrations: number } {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  let db: Db | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged: ${String(integrity)}`);
    const migrations = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get() as number;
    if (migrations === 0) throw new BackupError(`${file} is not an ExportWatch database`);
    return { migrations: db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get() as number };
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file} cannot be read as a database: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

/**
 * Replaces the database at `target` with the backup `file` (the service must be stopped). The backup is
 * checked first and copied to a temporary file beside the target, which then replaces it in one rename.
 */
export async function restoreDatabase(file: string, target: string): Promise<{ migrations: number }> {
  const checked = checkBackup(file);
  const temporary = `${target}.restoring`;
  rmSync(temporary, { force: true });
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await source.backup(temporary);
  } finally {
    source.close();
  }
  chmodSync(temporary, 0o600);
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(temporary, target);
  return checked;
}
