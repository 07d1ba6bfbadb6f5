// `status`: each source's health, last and next poll; each register's size and last change.
import type { App } from '../app.js';
import type { SourceConfig } from '../sources/config.js';
import { REGISTERS } from '../registers/index.js';
import { allHealth, getHealth } from '../../storage/sources.js';
import { countCurrent } from '../../storage/registers.js';
import { listQuarantine } from '../../storage/quarantine.js';

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

export interface StatusAnswer {
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
  return {
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
