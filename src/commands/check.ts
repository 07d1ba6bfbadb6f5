// `check`: is something on a list? English or Chinese in, ranked entries out; no match is not a clearance.
import { expandQuery } from '../domain/glossary.js';
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

export function check(app: App, rawQuery: string, limit = 20): CheckAnswer {
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
    searchedFor: terms,
    results: ranked.slice(0, limit).map(({ hit, name, points, index }): CheckResult => ({
      register: hit.version.register,
      key: hit.version.key,
      name,
      status: registerModule(hit.version.register).statusOf(hit.version.fields),
      validFrom: hit.version.validFrom,
      gloss: name ? app.gloss(name) : null,
      matched: index >= 0 ? { controlPoint: index + 1, text: points[index]! } : null,
    })),
    more: ranked.length > limit,
    note: NO_CLEARANCE_NOTE,
  };
}
