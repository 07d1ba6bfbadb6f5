// Quarantined change sets: held back by a guard until an operator approves or rejects them.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Change, UnparsedClause } from '../src/domain/types.js';
import type { Db } from './db.js';
import { fieldsSchema, readUnparsed } from './json.js';
import { currentVersions } from './registers.js';

export interface QuarantineRecord {
  id: number;
  register: string;
  noticeKey: string | null;
  reason: string;
  stateHash: string;
  asOf: string;
  changes: Change[];
  unparsed: UnparsedClause[];
  status: 'pending' | 'approved' | 'rejected';
  createdAt: string;
  decidedAt: string | null;
}

interface Row {
  id: number;
  register_id: string;
  notice_key: string | null;
  reason: string;
  state_hash: string;
  as_of: string;
  changes: string;
  unparsed: string;
  status: QuarantineRecord['status'];
  created_at: string;
  decided_at: string | null;
}

const changeSchema = z.object({
  kind: z.enum(['added', 'removed', 'modified', 'moved', 'suspended', 'resumed', 'ended']),
  register: z.string(),
  key: z.string(),
  fromKey: z.string().optional(),
  before: fieldsSchema.nullable(),
  after: fieldsSchema.nullable(),
  fieldChanges: z.array(z.record(z.string(), z.unknown())),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
});

function toRecord(row: Row): QuarantineRecord {
  const changes = z.array(changeSchema).parse(JSON.parse(row.changes)) as unknown as Change[];
  return {
    id: row.id,
    register: row.register_id,
    noticeKey: row.notice_key,
    reason: row.reason,
    stateHash: row.state_hash,
    asOf: row.as_of,
    changes,
    unparsed: readUnparsed(row.unparsed),
    status: row.status,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

/** A fingerprint of a register's current state, to tell whether it moved since a change set was computed. */
export function stateHash(db: Db, register: string): string {
  const hash = createHash('sha256');
  for (const v of currentVersions(db, register)) hash.update(`${v.id}\u0000`);
  return hash.digest('hex');
}

export function quarantineChanges(
  db: Db,
  q: { register: string; noticeKey: string | null; reason: string; asOf: string; changes: readonly Change[]; unparsed: readonly UnparsedClause[]; at: string },
): number {
  const info = db
    .prepare(
      `INSERT INTO quarantine (register_id, notice_key, reason, state_hash, as_of, changes, unparsed, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    )
    .run(q.register, q.noticeKey, q.reason, stateHash(db, q.register), q.asOf, JSON.stringify(q.changes), JSON.stringify(q.unparsed), q.at);
  return Number(info.lastInsertRowid);
}

export function listQuarantine(db: Db, status?: QuarantineRecord['status']): QuarantineRecord[] {
  const rows = db.prepare('SELECT * FROM quarantine WHERE (? IS NULL OR status = ?) ORDER BY id').all(status ?? null, status ?? null) as Row[];
  return rows.map(toRecord);
}

export function getQuarantine(db: Db, id: number): QuarantineRecord | null {
  const row = db.prepare('SELECT * FROM quarantine WHERE id = ?').get(id) as Row | undefined;
  return row ? toRecord(row) : null;
}

export function decideQuarantine(db: Db, id: number, status: 'approved' | 'rejected', at: string): void {
  db.prepare("UPDATE quarantine SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(status, at, id);
}
