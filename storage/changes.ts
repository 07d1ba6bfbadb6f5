// Reading recorded changes back: recent ones, the history of a key, and the whole audit trail.
import type { Change, ChangeKind, Severity } from '../src/domain/types.js';
import type { Db } from './db.js';
import { readFieldChanges, readOptionalFields } from './json.js';

export interface RecordedChange extends Change {
  id: number;
  changeSetId: number;
  noticeKey: string | null;
  validFrom: string;
  detectedAt: string;
}

interface ChangeRow {
  id: number;
  change_set_id: number;
  register_id: string;
  key: string;
  from_key: string | null;
  kind: ChangeKind;
  before: string | null;
  after: string | null;
  field_changes: string;
  severity: Severity;
  notice_key: string | null;
  valid_from: string;
  detected_at: string;
}

function toChange(row: ChangeRow): RecordedChange {
  const change: RecordedChange = {
    id: row.id,
    changeSetId: row.change_set_id,
    kind: row.kind,
    register: row.register_id,
    key: row.key,
    before: readOptionalFields(row.before),
    after: readOptionalFields(row.after),
    fieldChanges: readFieldChanges(row.field_changes),
    severity: row.severity,
    noticeKey: row.notice_key,
    validFrom: row.valid_from,
    detectedAt: row.detected_at,
  };
  if (row.from_key !== null) change.fromKey = row.from_key;
  return change;
}

/** Changes detected at or after `since` (ISO timestamp), newest first, at most `limit`. */
export function recentChanges(db: Db, since: string, limit = 500): RecordedChange[] {
  const rows = db.prepare('SELECT * FROM changes WHERE detected_at >= ? ORDER BY detected_at DESC, id LIMIT ?').all(since, limit) as ChangeRow[];
  return rows.map(toChange);
}

/** Every change that touched a key (under that key or moved from it), oldest first. */
export function changesForKey(db: Db, register: string, key: string): RecordedChange[] {
  const rows = db
    .prepare('SELECT * FROM changes WHERE register_id = ? AND (key = ? OR from_key = ?) ORDER BY valid_from, id')
    .all(register, key, key) as ChangeRow[];
  return rows.map(toChange);
}

/** The whole change history in recording order, for the audit-trail export. */
export function* allChanges(db: Db): Generator<RecordedChange> {
  const stmt = db.prepare('SELECT * FROM changes ORDER BY id');
  for (const row of stmt.iterate() as IterableIterator<ChangeRow>) yield toChange(row);
}

export function changesOfSet(db: Db, changeSetId: number): RecordedChange[] {
  const rows = db.prepare('SELECT * FROM changes WHERE change_set_id = ? ORDER BY id').all(changeSetId) as ChangeRow[];
  return rows.map(toChange);
}

export function countChanges(db: Db): number {
  return db.prepare('SELECT COUNT(*) FROM changes').pluck().get() as number;
}
