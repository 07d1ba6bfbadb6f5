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
  fields: Record<string, FieldValue>;
}

export interface ItemAnswer {
  register: string;
  key: string;
  /** The version in force on the requested date (today by default), or null if none was. */
  current: (ItemVersion & { asOf: string }) | null;
  history: ItemVersion[];
}

function registerOfKey(key: string): string {
  const match = Object.values(REGISTERS).find((r) => r.keyPattern.test(key));
  if (!match) throw new UsageError(`"${key}" is not a key of any register (technology codes look like 053302J)`);
  return match.id;
}

function normaliseKey(input: string): string {
  return input.normalize('NFKC').replace(/\s+/g, '').toUpperCase().slice(0, 64);
}

function toItemVersion(v: EntryVersion): ItemVersion {
  const module = REGISTERS[v.register];
  return {
    validFrom: v.validFrom,
    validTo: v.validTo,
    createdByNotice: v.createdByNotice,
    endedByNotice: v.endedByNotice,
    status: module ? module.statusOf(v.fields) : 'listed',
    fields: v.fields,
  };
}

export function item(app: App, rawKey: string, asOf?: string): ItemAnswer {
  const key = normaliseKey(rawKey);
  const register = registerOfKey(key);
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
  const key = normaliseKey(rawKey);
  const register = registerOfKey(key);
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
