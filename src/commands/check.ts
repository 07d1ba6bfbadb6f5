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
  note: string;
}

export const NO_CLEARANCE_NOTE = 'No match is not a clearance: the lists are published in Chinese and change often.';

export function check(app: App, rawQuery: string, limit = 20): CheckAnswer {
  const query = cleanQuery(rawQuery);
  const keys = keysInQuery(query);
  const expansion = expandQuery(app.glossary, query);
  const codeWords = new Set(keys.map((k) => k.toLowerCase()));
  const terms = [...new Set([...expansion.zh, ...expansion.en.filter((w) => !codeWords.has(w.toLowerCase()))])];
  const hits = searchEntries(app.db, { keys, terms, limit });
  const lowerTerms = terms.map((t) => t.toLowerCase());
  const contains = (text: string): boolean => {
    const lower = text.toLowerCase();
    return lowerTerms.some((t) => t !== '' && lower.includes(t));
  };
  const results = hits.map((hit, order) => {
    const fields = hit.version.fields;
    const name = typeof fields.name === 'string' ? fields.name : '';
    const gloss = name ? app.gloss(name) : null;
    const points = Array.isArray(fields.controlPoints) ? fields.controlPoints : [];
    const onName = contains(name) || (gloss !== null && contains(gloss));
    const index = hit.via === 'key' || onName ? -1 : points.findIndex((p) => contains(p) || contains(app.gloss(p) ?? ''));
    const tier = hit.via === 'key' ? 0 : onName ? 1 : 2;
    const result: CheckResult = {
      register: hit.version.register,
      key: hit.version.key,
      name,
      status: registerModule(hit.version.register).statusOf(fields),
      validFrom: hit.version.validFrom,
      gloss,
      matched: index >= 0 ? { controlPoint: index + 1, text: points[index]! } : null,
    };
    return { result, tier, order };
  });
  results.sort((a, b) => a.tier - b.tier || a.order - b.order);
  return { query, searchedFor: terms, results: results.map((r) => r.result), note: NO_CLEARANCE_NOTE };
}
