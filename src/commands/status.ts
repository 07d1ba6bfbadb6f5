// `status`: each source's health, last and next poll; each register's size and last change.
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { App } from '../app.js';
import type { SourceConfig } from '../sources/config.js';
import { REGISTERS } from '../registers/index.js';
import { allHealth, getHealth } from '../../storage/sources.js';
import { countCurrent } from '../../storage/registers.js';
import { listQuarantine } from '../../storage/quarantine.js';
import { probeWritable, type StorageFaultKind } from '../../storage/faults.js';

export interface SourceStatus {
  id: string;
  kind: string;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorReason: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  nextPollAt: string | null;
  healthy: boolean;
}

export interface RegisterStatus {
  id: string;
  entries: number;
  lastChangeAt: string | null;
}

export interface StoreStatus {
  /** The database file. */
  path: string;
  /** Whether a write could start now (the write lock taken and given back at once). */
  writable: boolean;
  /** Why not: `locked` (another process holds the write lock), `read-only`, … */
  fault?: StorageFaultKind;
  /** SQLite's words and code, e.g. "database is locked (SQLITE_BUSY)". */
  error?: string;
  /** Space left for the service on the database's file system (bytes), or null when unknown. A full disk shows here. */
  freeBytes: number | null;
}

function freeBytes(path: string): number | null {
  if (path === '' || path === ':memory:') return null;
  try {
    const fs = statfsSync(dirname(path));
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

export interface StatusAnswer {
  store: StoreStatus;
  sources: SourceStatus[];
  registers: RegisterStatus[];
  quarantinePending: number;
}

export function status(app: App, sources: readonly SourceConfig[]): StatusAnswer {
  const configured = new Set(sources.map((s) => s.id));
  const known = [
    ...sources.map((s) => ({ id: s.id, kind: s.kind as string })),
    ...allHealth(app.db)
      .filter((h) => !configured.has(h.sourceId))
      .map((h) => ({ id: h.sourceId, kind: 'removed' })),
  ];
  const lastChange = app.db.prepare('SELECT MAX(detected_at) FROM changes WHERE register_id = ?').pluck();
  // Waits up to a second for a writer: a command's write takes milliseconds, a lock held longer is worth telling.
  const probe = probeWritable(app.db, 1000);
  return {
    store: {
      path: app.db.name,
      writable: probe.writable,
      ...(probe.writable ? {} : { fault: probe.kind, error: probe.error }),
      freeBytes: freeBytes(app.db.name),
    },
    sources: known.map(({ id, kind }) => {
      const h = getHealth(app.db, id);
      return {
        id,
        kind,
        lastSuccessAt: h.lastSuccessAt,
        lastError: h.lastError,
        lastErrorReason: h.lastErrorReason,
        consecutiveFailures: h.consecutiveFailures,
        failingSince: h.failingSince,
        nextPollAt: h.nextPollAt,
        healthy: h.consecutiveFailures === 0,
      };
    }),
    registers: Object.keys(REGISTERS).map((id) => ({ id, entries: countCurrent(app.db, id), lastChangeAt: (lastChange.get(id) as string | null) ?? null })),
    quarantinePending: listQuarantine(app.db, 'pending').length,
  };
}
