// `item` and `history`: one entry in full with every version it has had and the changes between them.
import type { FieldValue } from '../domain/types.js';
import { changesForKey, type RecordedChange } from '../../storage/changes.js';
import { getNotices } from '../../storage/notices.js';
import { keyHistory, type EntryVersion } from '../../storage/registers.js';
import type { App } from '../app.js';
import { REGISTERS } from '../registers/index.js';
import { UsageError } from './input.js';

export class NotFoundError extends Error {}

export interface ItemVersion {
  validFrom: string;
  validTo: string | null;
  createdByNotice: string | null;
  endedByNotice: string | null;
  status: string;
  /** For a suspended measure, item or entity: the date the suspension ends. */
  suspendedUntil?: string;
  fields: Record<string, FieldValue>;
}

export interface ItemAnswer {
  register: string;
  key: string;
  /** The version in force on the requested date (today by default), or null if none was. */
  current: (ItemVersion & { asOf: string }) | null;
  history: ItemVersion[];
}

function compactUpper(input: string): string {
  return input.normalize('NFKC').replace(/\s+/g, '').toUpperCase().slice(0, 64);
}

/**
 * Which register a typed key belongs to, and the key as stored: codes and notice keys by their
 * shape (`053302j` → 053302J, `1e902.A` → 1E902.a), entity names by their normalised form when
 * such an entity has ever been listed.
 */
function resolveKey(app: App, input: string): { register: string; key: string } {
  const upper = compactUpper(input);
  for (const module of Object.values(REGISTERS)) {
    if (module.keyPattern.test(upper)) return { register: module.id, key: module.normaliseKey ? module.normaliseKey(input.trim()) : upper };
  }
  for (const module of Object.values(REGISTERS)) {
    if (!module.normaliseKey) continue;
    const key = module.normaliseKey(input.trim().slice(0, 300));
    if (key && keyHistory(app.db, module.id, key).length > 0) return { register: module.id, key };
  }
  throw new UsageError(`"${input.slice(0, 64)}" is not a key of any register (e.g. 053302J, 1E902.a, MOFCOM-2025-61, or a listed entity's name)`);
}

function toItemVersion(v: EntryVersion): ItemVersion {
  const module = REGISTERS[v.register];
  return {
    validFrom: v.validFrom,
    validTo: v.validTo,
    createdByNotice: v.createdByNotice,
    endedByNotice: v.endedByNotice,
    status: module ? module.statusOf(v.fields) : 'listed',
    ...(typeof v.fields.suspendedUntil === 'string' && v.fields.suspendedUntil ? { suspendedUntil: v.fields.suspendedUntil } : {}),
    fields: v.fields,
  };
}

export function item(app: App, rawKey: string, asOf?: string): ItemAnswer {
  const { register, key } = resolveKey(app, rawKey);
  const versions = keyHistory(app.db, register, key);
  if (versions.length === 0) throw new NotFoundError(`${key} is not in the ${register} register and never was`);
  const date = asOf ?? app.now().toISOString().slice(0, 10);
  const inForce = versions.find((v) => v.validFrom <= date && (v.validTo === null || v.validTo > date));
  return {
    register,
    key,
    current: inForce ? { ...toItemVersion(inForce), asOf: date } : null,
    history: versions.map(toItemVersion),
  };
}

export interface HistoryEntry extends RecordedChange {
  noticeTitle: string | null;
  noticeNumber: string | null;
  noticeUrl: string | null;
}

export interface HistoryAnswer {
  register: string;
  key: string;
  changes: HistoryEntry[];
}

export function history(app: App, rawKey: string): HistoryAnswer {
  const { register, key } = resolveKey(app, rawKey);
  const changes = changesForKey(app.db, register, key);
  if (changes.length === 0) throw new NotFoundError(`${key} has no recorded history in the ${register} register`);
  const notices = getNotices(
    app.db,
    changes.map((c) => c.noticeKey).filter((k): k is string => k !== null),
  );
  return {
    register,
    key,
    changes: changes.map((c) => {
      const n = c.noticeKey ? notices.get(c.noticeKey) : undefined;
      return { ...c, noticeTitle: n?.title || null, noticeNumber: n?.number || null, noticeUrl: n?.urls[0] ?? null };
    }),
  };
}
