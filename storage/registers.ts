// Registers and their entries as versions: the state on any date, history of a key,
// and recording a new state together with the changes that led to it, in one transaction.
import type { Change, ChangeSummary, Entry, FieldValue, UnparsedClause } from '../src/domain/types.js';
import { searchTokens } from '../src/domain/search-text.js';
import type { Db } from './db.js';
import { readFields } from './json.js';

export interface EntryVersion {
  id: number;
  register: string;
  key: string;
  fields: Record<string, FieldValue>;
  validFrom: string;
  validTo: string | null;
  createdByNotice: string | null;
  endedByNotice: string | null;
}

export interface VersionRow {
  id: number;
  register_id: string;
  key: string;
  fields: string;
  valid_from: string;
  valid_to: string | null;
  created_by_notice: string | null;
  ended_by_notice: string | null;
}

export function toVersion(row: VersionRow): EntryVersion {
  return {
    id: row.id,
    register: row.register_id,
    key: row.key,
    fields: readFields(row.fields),
    validFrom: row.valid_from,
    validTo: row.valid_to,
    createdByNotice: row.created_by_notice,
    endedByNotice: row.ended_by_notice,
  };
}

export function ensureRegister(db: Db, id: string, name: string): void {
  // Read first: every command opens the store this way, and a read must not need the write lock (another process may
  // hold it for a while; in WAL mode reads go on meanwhile).
  if (db.prepare('SELECT 1 FROM registers WHERE id = ?').get(id) !== undefined) return;
  db.prepare('INSERT INTO registers (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING').run(id, name, new Date().toISOString());
}

/** Current versions of a register's entries, sorted by key. */
export function currentVersions(db: Db, register: string): EntryVersion[] {
  const rows = db.prepare('SELECT * FROM entry_versions WHERE register_id = ? AND valid_to IS NULL ORDER BY key').all(register) as VersionRow[];
  return rows.map(toVersion);
}

/** Versions in force on `date` (YYYY-MM-DD), sorted by key. */
export function versionsAsOf(db: Db, register: string, date: string): EntryVersion[] {
  const rows = db
    .prepare(
      `SELECT * FROM entry_versions WHERE register_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)
       ORDER BY key`,
    )
    .all(register, date, date) as VersionRow[];
  return rows.map(toVersion);
}

export function toEntries(versions: readonly EntryVersion[]): Entry[] {
  return versions.map((v) => ({ register: v.register, key: v.key, fields: v.fields }));
}

/** Every version a key has had, oldest first. */
export function keyHistory(db: Db, register: string, key: string): EntryVersion[] {
  const rows = db.prepare('SELECT * FROM entry_versions WHERE register_id = ? AND key = ? ORDER BY valid_from, id').all(register, key) as VersionRow[];
  return rows.map(toVersion);
}

/** The latest date a version of the register starts or ends on; a new state may not be dated before it. */
export function latestStateDate(db: Db, register: string): string | null {
  const row = db.prepare("SELECT MAX(MAX(valid_from), COALESCE(MAX(valid_to), '')) AS d FROM entry_versions WHERE register_id = ?").get(register) as {
    d: string | null;
  };
  return row.d;
}

export function countCurrent(db: Db, register: string): number {
  return (db.prepare('SELECT COUNT(*) FROM entry_versions WHERE register_id = ? AND valid_to IS NULL').pluck().get(register) as number) ?? 0;
}

export interface SearchText {
  name: string;
  points: string;
}

export interface NewState {
  register: string;
  changes: readonly Change[];
  summary: ChangeSummary;
  unparsed: readonly UnparsedClause[];
  asOf: string;
  noticeKey: string | null;
  source: 'import' | 'apply';
  detectedAt: string;
  flagged: boolean;
  /** Text indexed for search for an entry (name, gloss, control points). */
  searchText: (entry: Entry) => SearchText;
}

export class StateOrderError extends Error {}

/**
 * Records the changes as new entry versions and change rows in one transaction, and keeps the search
 * index in step. Returns the change set id. Refuses a date before the register's latest recorded date.
 */
export function recordChanges(db: Db, state: NewState): number {
  const run = db.transaction((): number => {
    const latest = latestStateDate(db, state.register);
    if (latest && state.asOf < latest) {
      throw new StateOrderError(`the ${state.register} register already has a state dated ${latest}; a new state cannot be dated ${state.asOf}`);
    }
    const end = db.prepare('UPDATE entry_versions SET valid_to = ?, ended_by_notice = ? WHERE register_id = ? AND key = ? AND valid_to IS NULL RETURNING id');
    const insert = db.prepare(
      `INSERT INTO entry_versions (register_id, key, fields, valid_from, created_by_notice, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const unindex = db.prepare('DELETE FROM entry_search WHERE version_id = ?');
    const index = db.prepare('INSERT INTO entry_search (register_id, key, version_id, name_text, point_text) VALUES (?, ?, ?, ?, ?)');
    const endVersion = (key: string): void => {
      const ended = end.get(state.asOf, state.noticeKey, state.register, key) as { id: number } | undefined;
      if (!ended) throw new Error(`${state.register} has no current entry ${key} to change`);
      unindex.run(ended.id);
    };
    const startVersion = (key: string, fields: Record<string, FieldValue>): void => {
      const info = insert.run(state.register, key, JSON.stringify(fields), state.asOf, state.noticeKey, state.detectedAt);
      const text = state.searchText({ register: state.register, key, fields });
      index.run(state.register, key, info.lastInsertRowid, `${key} ${searchTokens(text.name)}`, searchTokens(text.points));
    };
    for (const c of state.changes) {
      // suspended / resumed / ended are modifications of a status (refined by the register): a new version.
      const edits = c.kind === 'modified' || c.kind === 'suspended' || c.kind === 'resumed' || c.kind === 'ended';
      if (c.kind === 'removed' || edits) endVersion(c.key);
      if (c.kind === 'moved') endVersion(c.fromKey ?? c.key);
      if ((c.kind === 'added' || c.kind === 'moved' || edits) && c.after) startVersion(c.key, c.after);
    }
    const set = db
      .prepare(
        `INSERT INTO change_sets (register_id, notice_key, source, as_of, detected_at, summary, unparsed, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        state.register,
        state.noticeKey,
        state.source,
        state.asOf,
        state.detectedAt,
        JSON.stringify(state.summary),
        JSON.stringify(state.unparsed),
        state.flagged ? 'flagged' : 'recorded',
      );
    const changeSetId = Number(set.lastInsertRowid);
    const addChange = db.prepare(
      `INSERT INTO changes (change_set_id, register_id, key, from_key, kind, before, after, field_changes, severity, notice_key, valid_from, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of state.changes) {
      addChange.run(
        changeSetId,
        c.register,
        c.key,
        c.fromKey ?? null,
        c.kind,
        c.before ? JSON.stringify(c.before) : null,
        c.after ? JSON.stringify(c.after) : null,
        JSON.stringify(c.fieldChanges),
        c.severity,
        state.noticeKey,
        state.asOf,
        state.detectedAt,
      );
    }
    return changeSetId;
  });
  return run.immediate();
}

/** Rebuilds the search index of a register's current entries (after a glossary update). */
export function reindex(db: Db, register: string, searchText: (entry: Entry) => SearchText): number {
  return db.transaction((): number => {
    db.prepare('DELETE FROM entry_search WHERE register_id = ?').run(register);
    const index = db.prepare('INSERT INTO entry_search (register_id, key, version_id, name_text, point_text) VALUES (?, ?, ?, ?, ?)');
    const versions = currentVersions(db, register);
    for (const v of versions) {
      const text = searchText({ register: v.register, key: v.key, fields: v.fields });
      index.run(v.register, v.key, v.id, `${v.key} ${searchTokens(text.name)}`, searchTokens(text.points));
    }
    return versions.length;
  })();
}
