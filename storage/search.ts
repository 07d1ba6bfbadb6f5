// Full-text search over current entries: exact keys first, then FTS5 ranked by bm25 (names weigh more).
import { matchExpression } from '../src/domain/search-text.js';
import type { Db } from './db.js';
import { readFields } from './json.js';
import type { EntryVersion } from './registers.js';

export interface SearchHit {
  version: EntryVersion;
  /** How the hit was found: the key itself, or text. */
  via: 'key' | 'text';
  rank: number;
}

interface HitRow {
  id: number;
  register_id: string;
  key: string;
  fields: string;
  valid_from: string;
  valid_to: string | null;
  created_by_notice: string | null;
  ended_by_notice: string | null;
  rank: number;
}

function toHit(row: HitRow, via: SearchHit['via']): SearchHit {
  return {
    via,
    rank: row.rank,
    version: {
      id: row.id,
      register: row.register_id,
      key: row.key,
      fields: readFields(row.fields),
      validFrom: row.valid_from,
      validTo: row.valid_to,
      createdByNotice: row.created_by_notice,
      endedByNotice: row.ended_by_notice,
    },
  };
}

export interface SearchRequest {
  /** Keys or key prefixes typed by the user (already validated as key-like). */
  keys: readonly string[];
  /** Terms to look for in names and control points (Chinese or English). */
  terms: readonly string[];
  limit: number;
}

export function searchEntries(db: Db, request: SearchRequest): SearchHit[] {
  const hits: SearchHit[] = [];
  const seen = new Set<number>();
  const byKey = db.prepare(
    `SELECT *, 0 AS rank FROM entry_versions WHERE valid_to IS NULL AND key >= ? AND key < ? ORDER BY key LIMIT ?`,
  );
  for (const key of request.keys) {
    const upper = key.toUpperCase();
    for (const row of byKey.all(upper, `${upper}\uffff`, request.limit) as HitRow[]) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      hits.push(toHit(row, 'key'));
    }
  }
  const match = matchExpression(request.terms);
  if (match !== null && hits.length < request.limit) {
    const rows = db
      .prepare(
        `SELECT v.*, bm25(entry_search, 0, 0, 0, 10.0, 1.0) AS rank
         FROM entry_search JOIN entry_versions v ON v.id = entry_search.version_id
         WHERE entry_search MATCH ? ORDER BY rank LIMIT ?`,
      )
      .all(match, request.limit) as HitRow[];
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      hits.push(toHit(row, 'text'));
    }
  }
  return hits.slice(0, request.limit);
}
