// A small key-value table for persistent bits of state (scheduler runs, backfill progress).
import type { Db } from './db.js';

export function getValue(db: Db, key: string): string | null {
  return (db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
}

export function setValue(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(key, value, new Date().toISOString());
}

export function deleteValue(db: Db, key: string): void {
  db.prepare('DELETE FROM kv WHERE key = ?').run(key);
}
