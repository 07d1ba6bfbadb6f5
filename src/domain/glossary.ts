// The curated bilingual glossary (data/glossary.json) and the pure functions over it:
// expanding English or Chinese queries, glossing Chinese names for orientation, and finding the
// terms a text mentions (for topic tagging). Glosses are orientation aids, never official
// translations: callers must always show the Chinese original next to them.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { packagePath } from '../paths.js';

export interface GlossaryTerm {
  id: string;
  en: string[];
  zh: string[];
  category: string;
}

/** One Chinese form of a term, as indexed (NFKC-normalised). */
export interface ZhForm {
  form: string;
  term: GlossaryTerm;
}

/** One English form of a term, as indexed: its normalised word keys. */
export interface EnPhrase {
  keys: readonly string[];
  term: GlossaryTerm;
}

export interface Glossary {
  terms: GlossaryTerm[];
  /** Term by id. */
  byId: ReadonlyMap<string, GlossaryTerm>;
  /** Position of each term id in `terms`; the tie-breaker that keeps results stable. */
  order: ReadonlyMap<string, number>;
  /** Chinese forms by their first code point, longest form first. */
  zhIndex: ReadonlyMap<string, readonly ZhForm[]>;
  /** English forms by their first word key, longest phrase first. */
  enIndex: ReadonlyMap<string, readonly EnPhrase[]>;
}

export interface QueryExpansion {
  query: string;
  zh: string[];
  en: string[];
  terms: GlossaryTerm[];
}

// ---------------------------------------------------------------------------
// Text normalisation

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;
const HAN_RUN = /\p{Script=Han}+/gu;
/** A word: letters, digits and marks, with inner dots or apostrophes (`1E902.a`, `China's`). Han is blanked out first. */
const WORD = /[\p{L}\p{N}\p{M}]+(?:[.'’][\p{L}\p{N}\p{M}]+)*/gu;
/** What may stand between two words of one phrase: not Han, not sentence punctuation. */
const PHRASE_BREAK = /[\p{Script=Han}.;:!?。]/u;

/** Common English words dropped from query expansions when they are not part of a glossary phrase. */
const STOPWORDS = new Set([
  'a',
  'an',
  'and',
  'or',
  'of',
  'the',
  'for',
  'in',
  'on',
  'to',
  'with',
  'by',
  'from',
  'at',
  'as',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'it',
  'its',
  'this',
  'that',
  'these',
  'those',
  'any',
  'what',
  'which',
  'whether',
  'into',
  'about',
  'under',
  'than',
  'not',
  'no',
]);

function normalise(text: string): string {
  return text.normalize('NFKC');
}

/** Crude English singular: enough to make "magnets", "rare earths", "batteries" meet their glossary forms. */
function stem(word: string): string {
  if (word.length <= 3 || /[^a-z]/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (/(?:ss|us|is)$/.test(word)) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** Matching key of one English word: lower case, possessive dropped, singular. */
function wordKey(word: string): string {
  return stem(word.toLowerCase().replace(/['’]s$/, ''));
}

interface Token {
  raw: string;
  key: string;
  start: number;
  end: number;
}

/** English words of a (normalised) text, with offsets; Han characters separate words. */
function tokenize(text: string): Token[] {
  const blanked = HAN.test(text) ? text.replace(HAN_G, (m) => ' '.repeat(m.length)) : text;
  const tokens: Token[] = [];
  for (const m of blanked.matchAll(WORD)) {
    const start = m.index;
    const key = wordKey(m[0]);
    if (key === '') continue;
    tokens.push({ raw: m[0], key, start, end: start + m[0].length });
  }
  return tokens;
}

function firstCodePoint(s: string, i = 0): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

// ---------------------------------------------------------------------------
// Parsing and indexing

const enForm = z
  .string()
  .min(1, 'empty English form')
  .refine((s) => s.trim() === s, 'English form has surrounding whitespace')
  .refine((s) => !HAN.test(s), 'English form contains Chinese characters')
  .refine((s) => tokenize(normalise(s)).length > 0, 'English form has no letters or digits');

const zhForm = z
  .string()
  .min(1, 'empty Chinese form')
  .regex(/^\p{Script=Han}+(?:、\p{Script=Han}+)*$/u, 'Chinese form must consist of CJK characters (、 allowed between them)');

const termSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id must be lower-case kebab-case'),
  en: z.array(enForm).min(1, 'no English form'),
  zh: z.array(zhForm).min(1, 'no Chinese form'),
  category: z.string().regex(/^[a-z]+(?:-[a-z]+)*$/, 'category must be a lower-case word'),
});

const glossarySchema = z.object({
  version: z.literal(1),
  note: z.string().optional(),
  terms: z.array(termSchema).min(1, 'no terms'),
});

function describeTerm(json: unknown, index: number): string {
  const terms = (json as { terms?: unknown } | null)?.terms;
  const raw = Array.isArray(terms) ? (terms[index] as { id?: unknown } | undefined) : undefined;
  const id = raw !== null && typeof raw === 'object' && typeof raw.id === 'string' ? ` "${raw.id}"` : '';
  return `term #${index}${id}`;
}

/** Validates glossary JSON and builds its indexes. Throws an Error naming the offending term. */
export function parseGlossary(json: unknown): Glossary {
  const result = glossarySchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => {
      const [head, index, ...rest] = issue.path;
      if (head === 'terms' && typeof index === 'number') {
        const where = rest
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '');
        return `${describeTerm(json, index)}${where ? ` ${where}` : ''}: ${issue.message}`;
      }
      return `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
    });
    const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
    throw new Error(`Invalid glossary: ${problems.join('; ')}${more}`);
  }
  const terms: GlossaryTerm[] = result.data.terms.map((t) => ({ id: t.id, en: t.en, zh: t.zh, category: t.category }));
  return buildGlossary(terms);
}

function buildGlossary(terms: GlossaryTerm[]): Glossary {
  const byId = new Map<string, GlossaryTerm>();
  const order = new Map<string, number>();
  const zhIndex = new Map<string, ZhForm[]>();
  const enIndex = new Map<string, EnPhrase[]>();

  terms.forEach((term, i) => {
    const earlier = order.get(term.id);
    if (earlier !== undefined) {
      throw new Error(`Invalid glossary: duplicate term id "${term.id}" (terms #${earlier} and #${i})`);
    }
    byId.set(term.id, term);
    order.set(term.id, i);

    const zhSeen = new Set<string>();
    for (const raw of term.zh) {
      const form = normalise(raw);
      if (zhSeen.has(form)) continue;
      zhSeen.add(form);
      const key = firstCodePoint(form);
      const bucket = zhIndex.get(key) ?? [];
      bucket.push({ form, term });
      zhIndex.set(key, bucket);
    }

    const enSeen = new Set<string>();
    for (const raw of term.en) {
      const keys = tokenize(normalise(raw)).map((t) => t.key);
      const joined = keys.join(' ');
      const first = keys[0];
      if (first === undefined || enSeen.has(joined)) continue;
      enSeen.add(joined);
      const bucket = enIndex.get(first) ?? [];
      bucket.push({ keys, term });
      enIndex.set(first, bucket);
    }
  });

  // Longest first; Array.prototype.sort is stable, so equal lengths keep glossary order.
  for (const bucket of zhIndex.values()) bucket.sort((a, b) => b.form.length - a.form.length);
  for (const bucket of enIndex.values()) bucket.sort((a, b) => b.keys.length - a.keys.length);

  return { terms, byId, order, zhIndex, enIndex };
}

const DEFAULT_PATH = packagePath('data', 'glossary.json');

/** Reads and parses the glossary file (default: data/glossary.json of this repository). */
export function loadGlossary(path: string = DEFAULT_PATH): Glossary {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read glossary ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    return parseGlossary(json);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------
// Matching

interface Match {
  length: number;
  terms: GlossaryTerm[];
}

/** Every Chinese form that occurs at `i`, longest first. */
function zhFormsAt(g: Glossary, text: string, i: number): ZhForm[] {
  const bucket = g.zhIndex.get(firstCodePoint(text, i));
  if (bucket === undefined) return [];
  return bucket.filter((f) => text.startsWith(f.form, i));
}

/** The longest Chinese form at `i` (all terms sharing it), or null. */
function longestZhAt(g: Glossary, text: string, i: number): Match | null {
  const bucket = g.zhIndex.get(firstCodePoint(text, i));
  if (bucket === undefined) return null;
  let length = 0;
  const terms: GlossaryTerm[] = [];
  for (const f of bucket) {
    if (length > 0 && f.form.length < length) break;
    if (text.startsWith(f.form, i)) {
      length = f.form.length;
      if (!terms.includes(f.term)) terms.push(f.term);
    }
  }
  return length > 0 ? { length, terms } : null;
}

function phraseAt(text: string, tokens: readonly Token[], j: number, keys: readonly string[]): boolean {
  if (j + keys.length > tokens.length) return false;
  for (let k = 0; k < keys.length; k++) {
    const tok = tokens[j + k];
    if (tok === undefined || tok.key !== keys[k]) return false;
    if (k > 0) {
      const prev = tokens[j + k - 1];
      if (prev === undefined || PHRASE_BREAK.test(text.slice(prev.end, tok.start))) return false;
    }
  }
  return true;
}

/** Every English phrase that starts at token `j`, longest first. */
function enPhrasesAt(g: Glossary, text: string, tokens: readonly Token[], j: number): EnPhrase[] {
  const tok = tokens[j];
  const bucket = tok === undefined ? undefined : g.enIndex.get(tok.key);
  if (bucket === undefined) return [];
  return bucket.filter((p) => phraseAt(text, tokens, j, p.keys));
}

/** The longest English phrase starting at token `j` (length in tokens, all terms sharing it), or null. */
function longestEnAt(g: Glossary, text: string, tokens: readonly Token[], j: number): Match | null {
  const found = enPhrasesAt(g, text, tokens, j);
  const first = found[0];
  if (first === undefined) return null;
  const length = first.keys.length;
  const terms: GlossaryTerm[] = [];
  for (const p of found) if (p.keys.length === length && !terms.includes(p.term)) terms.push(p.term);
  return { length, terms };
}

function pushUnique(out: string[], seen: Set<string>, value: string, key = value): void {
  if (seen.has(key)) return;
  seen.add(key);
  out.push(value);
}

/**
 * Expands an English, Chinese or mixed query into the Chinese strings and English words to search for.
 * English: greedy longest-phrase match over normalised words (case, punctuation, hyphens and plurals
 * ignored); unmatched words are kept as typed, except common stopwords. Chinese: greedy longest match of
 * the glossary's Chinese forms; the query's own CJK runs always come first in `zh`.
 */
export function expandQuery(g: Glossary, query: string): QueryExpansion {
  const text = normalise(query);
  const hits: { pos: number; terms?: GlossaryTerm[]; word?: string }[] = [];

  const tokens = tokenize(text);
  for (let j = 0; j < tokens.length;) {
    const tok = tokens[j] as Token;
    const m = longestEnAt(g, text, tokens, j);
    if (m !== null) {
      hits.push({ pos: tok.start, terms: m.terms });
      j += m.length;
    } else {
      if (!STOPWORDS.has(tok.key)) hits.push({ pos: tok.start, word: tok.raw });
      j += 1;
    }
  }

  const runs: string[] = [];
  for (const run of text.matchAll(HAN_RUN)) {
    runs.push(run[0]);
    const end = run.index + run[0].length;
    for (let i = run.index; i < end;) {
      const m = longestZhAt(g, text, i);
      if (m !== null) {
        hits.push({ pos: i, terms: m.terms });
        i += m.length;
      } else {
        i += 1;
      }
    }
  }

  hits.sort((a, b) => a.pos - b.pos);

  const terms: GlossaryTerm[] = [];
  const en: string[] = [];
  const enSeen = new Set<string>();
  for (const hit of hits) {
    if (hit.word !== undefined) pushUnique(en, enSeen, hit.word, hit.word.toLowerCase());
    for (const term of hit.terms ?? []) {
      if (terms.includes(term)) continue;
      terms.push(term);
      for (const form of term.en) pushUnique(en, enSeen, form, form.toLowerCase());
    }
  }

  const zh: string[] = [];
  const zhSeen = new Set<string>();
  for (const run of runs) pushUnique(zh, zhSeen, run);
  for (const term of terms) for (const form of term.zh) pushUnique(zh, zhSeen, form);

  return { query, zh, en, terms };
}

/**
 * A short English orientation gloss of a Chinese name: greedy longest match of the glossary's Chinese
 * forms, each replaced by its term's first English form, joined with "; " (repeats dropped).
 * Characters no term covers are skipped. Null when nothing matched. Not a translation.
 */
export function glossChinese(g: Glossary, zh: string): string | null {
  const text = normalise(zh);
  const parts: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < text.length;) {
    const m = longestZhAt(g, text, i);
    const term = m?.terms[0];
    if (m === null || term === undefined) {
      i += 1;
      continue;
    }
    const gloss = term.en[0];
    if (gloss !== undefined) pushUnique(parts, seen, gloss);
    i += m.length;
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/**
 * Every term with a Chinese or English form occurring in the text (overlapping and nested occurrences
 * included, so 钕铁硼 yields ndfeb, neodymium and boron). Each term once, ordered by first occurrence,
 * ties in glossary order.
 */
export function findTerms(g: Glossary, text: string): GlossaryTerm[] {
  const norm = normalise(text);
  const found = new Map<string, { pos: number; term: GlossaryTerm }>();
  const note = (pos: number, term: GlossaryTerm): void => {
    const prev = found.get(term.id);
    if (prev === undefined || pos < prev.pos) found.set(term.id, { pos, term });
  };

  for (let i = 0; i < norm.length; i++) {
    for (const f of zhFormsAt(g, norm, i)) note(i, f.term);
  }
  const tokens = tokenize(norm);
  for (let j = 0; j < tokens.length; j++) {
    const start = (tokens[j] as Token).start;
    for (const p of enPhrasesAt(g, norm, tokens, j)) note(start, p.term);
  }

  const order = (t: GlossaryTerm): number => g.order.get(t.id) ?? 0;
  return [...found.values()].sort((a, b) => a.pos - b.pos || order(a.term) - order(b.term)).map((x) => x.term);
}
