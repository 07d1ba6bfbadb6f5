// `check`: is something on a list? English or Chinese in, ranked entries out; no match is not a clearance.
import { expandQuery, type QueryExpansion } from '../domain/glossary.js';
import type { EntryVersion } from '../../storage/registers.js';
import { searchEntries } from '../../storage/search.js';
import type { App } from '../app.js';
import { registerModule } from '../registers/index.js';
import { cleanQuery, keysInQuery } from './input.js';

export interface CheckResult {
  register: string;
  key: string;
  name: string;
  status: string;
  validFrom: string;
  gloss: string | null;
  /** The control point that matched, when the match was not on the name. */
  matched: { controlPoint: number; text: string } | null;
}

export interface CheckAnswer {
  query: string;
  /** The terms searched for after glossary expansion. */
  searchedFor: string[];
  results: CheckResult[];
  /** More entries matched than are listed: refine the query. */
  more: boolean;
  note: string;
}

export const NO_CLEARANCE_NOTE = 'No match is not a clearance: the lists are published in Chinese and change often.';

/** Candidates fetched before ranking; bounds the work per query whatever the register size. */
export const CANDIDATES = 100;

/** One candidate after ranking: the current version found, its name, and the control point that matched, if any. */
export interface RankedHit {
  version: EntryVersion;
  name: string;
  matched: CheckResult['matched'];
}

/** A query's candidates, ranked; what check() and the chat reply are built from. */
export interface CheckRanking {
  query: string;
  expansion: QueryExpansion;
  searchedFor: string[];
  /** At most CANDIDATES. */
  hits: RankedHit[];
}

/** Cleans and expands the query, fetches at most CANDIDATES current entries and ranks them. */
export function rankCheck(app: App, rawQuery: string): CheckRanking {
  const query = cleanQuery(rawQuery);
  const keys = keysInQuery(query);
  const expansion = expandQuery(app.glossary, query);
  const codeWords = new Set(keys.map((k) => k.toLowerCase()));
  const terms = [...new Set([...expansion.zh, ...expansion.en.filter((w) => !codeWords.has(w.toLowerCase()))])];
  const hits = searchEntries(app.db, { keys, terms, limit: CANDIDATES });
  const lowerTerms = terms.map((t) => t.toLowerCase()).filter((t) => t !== '');
  const found = (text: string): number => {
    const lower = text.toLowerCase();
    return lowerTerms.filter((t) => lower.includes(t)).length;
  };
  // Rank on the entries' own text (the query was expanded into Chinese); gloss only what is shown.
  const ranked = hits.map((hit, order) => {
    const fields = hit.version.fields;
    const name = typeof fields.name === 'string' ? fields.name : '';
    const points = Array.isArray(fields.controlPoints) ? fields.controlPoints : [];
    const onName = found(name);
    let index = -1;
    let onPoint = 0;
    if (hit.via !== 'key' && onName === 0) {
      for (let i = 0; i < points.length && onPoint === 0; i++) {
        onPoint = found(points[i]!);
        if (onPoint > 0) index = i;
      }
    }
    // Exact keys first, then names (more matched terms first; a name found only through its gloss
    // counts as one term), then control points.
    const nameHit = hit.via === 'name-all' || hit.via === 'name';
    const score = hit.via === 'key' ? 0 : onName > 0 ? 1000 - onName : nameHit ? 1999 : 2000 - onPoint;
    return { hit, name, points, index, score, order };
  });
  ranked.sort((a, b) => a.score - b.score || a.order - b.order);
  return {
    query,
    expansion,
    searchedFor: terms,
    hits: ranked.map(({ hit, name, points, index }) => ({
      version: hit.version,
      name,
      matched: index >= 0 ? { controlPoint: index + 1, text: points[index]! } : null,
    })),
  };
}

/** A ranked hit as check() reports it: with its status and the glossary's English for its name. */
export function checkResult(app: App, hit: RankedHit): CheckResult {
  const v = hit.version;
  return {
    register: v.register,
    key: v.key,
    name: hit.name,
    status: registerModule(v.register).statusOf(v.fields),
    validFrom: v.validFrom,
    gloss: hit.name ? app.gloss(hit.name) : null,
    matched: hit.matched,
  };
}

export function check(app: App, rawQuery: string, limit = 20): CheckAnswer {
  const ranking = rankCheck(app, rawQuery);
  return {
    query: ranking.query,
    searchedFor: ranking.searchedFor,
    results: ranking.hits.slice(0, limit).map((hit) => checkResult(app, hit)),
    more: ranking.hits.length > limit,
    note: NO_CLEARANCE_NOTE,
  };
}
