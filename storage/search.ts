// Full-text search over current entries: exact keys first, then names, then details (control points).
import { allExpression, matchExpression } from '../src/domain/search-text.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { toVersion, type EntryVersion, type VersionRow } from './registers.js';

export interface SearchHit {
  version: EntryVersion;
  /** How the hit was found: its key, all terms in its name, some terms in its name, or its details. */
  via: 'key' | 'name-all' | 'name' | 'details';
}

function toHit(row: VersionRow, via: SearchHit['via']): SearchHit {
  return { via, version: toVersion(row) };
}

export interface SearchRequest {
  /** Keys or key prefixes typed by the user (already validated as key-like). */
  keys: readonly string[];
  /** Terms to look for in names and control points (Chinese or English). */
  terms: readonly string[];
  /** Most candidates returned; the caller ranks them. */
  limit: number;
}

interface Statements {
  byKey: Statement;
  byText: Statement;
}

/** Prepared once per connection: preparing costs more than running these queries over a small register. */
const prepared = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let s = prepared.get(db);
  if (s === undefined) {
    s = {
      byKey: db.prepare('SELECT * FROM entry_versions WHERE valid_to IS NULL AND key >= ? AND key < ? ORDER BY key LIMIT ?'),
      byText: db.prepare(
        `SELECT v.* FROM entry_search JOIN entry_versions v ON v.id = entry_search.version_id
     WHERE entry_search MATCH ? LIMIT ?`,
      ),
    };
    prepared.set(db, s);
  }
  return s;
}

/**
 * Candidates for a query, in stages: exact keys and key prefixes, names containing every term,
 * names containing any term, details containing any term. Each stage asks FTS5 for at most
 * `limit` rows without ordering, so cost does not grow with the number of matching entries.
 */
export function searchEntries(db: Db, request: SearchRequest): SearchHit[] {
  const hits: SearchHit[] = [];
  const seen = new Set<number>();
  const add = (rows: VersionRow[], via: SearchHit['via']): void => {
    for (const row of rows) {
      if (hits.length >= request.limit) return;
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      hits.push(toHit(row, via));
    }
  };
  const { byKey, byText } = statements(db);
  for (const key of request.keys) {
    const upper = key.toUpperCase();
    add(byKey.all(upper, `${upper}\uffff`, request.limit) as VersionRow[], 'key');
  }
  const all = allExpression(request.terms);
  const any = matchExpression(request.terms);
  const stages: Array<[string | null, SearchHit['via']]> = [
    [all && request.terms.length > 1 ? `name_text : (${all})` : null, 'name-all'],
    [any ? `name_text : (${any})` : null, 'name'],
    [any ? `point_text : (${any})` : null, 'details'],
  ];
  for (const [expression, via] of stages) {
    if (expression === null || hits.length >= request.limit) continue;
    add(byText.all(expression, request.limit) as VersionRow[], via);
  }
  return hits;
}
