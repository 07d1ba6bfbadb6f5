// Topics (data/topics.json): named sets of glossary terms plus optional extra words, used to tag news
// items and changes. Pure apart from loadTopics reading the file. A text has a topic when an English
// or Chinese form of one of the topic's glossary terms occurs in it (the glossary's own matching:
// English case-insensitive on word boundaries with plurals folded, Chinese as substrings), or one of
// the topic's extra words does (English: case-insensitive, whole words, an optional plural s/es;
// Chinese: substring).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { packagePath } from '../paths.js';
import { findTerms, type Glossary } from './glossary.js';

export interface Topic {
  id: string;
  name: string;
  /** Glossary term ids. */
  terms: string[];
  /** Extra English or Chinese words. */
  words: string[];
}

export interface Topics {
  list: readonly Topic[];
  byId: ReadonlyMap<string, Topic>;
  glossary: Glossary;
  /** Topic ids by glossary term id. */
  byTerm: ReadonlyMap<string, readonly string[]>;
  /** Extra-word matchers. */
  words: readonly { topic: string; test: (normalisedText: string) => boolean }[];
}

const HAN = /\p{Script=Han}/u;

const topicSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id must be lower-case kebab-case'),
  name: z.string().trim().min(1, 'name is blank'),
  terms: z.array(z.string().min(1, 'empty term id')),
  words: z
    .array(
      z
        .string()
        .min(1, 'empty word')
        .refine((s) => s.trim() === s, 'word has surrounding whitespace')
        .refine((s) => /[\p{L}\p{N}]/u.test(s), 'word has no letters or digits'),
    )
    .optional(),
});

const topicsSchema = z.strictObject({
  version: z.literal(1),
  note: z.string().optional(),
  topics: z.array(topicSchema).min(1, 'no topics'),
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A matcher for one extra word over NFKC-normalised text. */
function wordMatcher(word: string): (text: string) => boolean {
  const form = word.normalize('NFKC');
  if (HAN.test(form)) return (text) => text.includes(form);
  // Words of a phrase may be separated by any run of spaces or hyphens; the last may take a plural.
  const body = form
    .split(/[\s\-‐‑–]+/u)
    .filter((part) => part !== '')
    .map(escapeRegExp)
    .join('[\\s\\-‐‑–]+');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${body}(?:s|es)?(?![\\p{L}\\p{N}\\p{M}])`, 'iu');
  return (text) => pattern.test(text);
}

function describeTopic(json: unknown, index: number): string {
  const topics = (json as { topics?: unknown } | null)?.topics;
  const raw = Array.isArray(topics) ? (topics[index] as { id?: unknown } | undefined) : undefined;
  const id = raw !== null && typeof raw === 'object' && typeof raw.id === 'string' ? ` "${raw.id}"` : '';
  return `topic #${index}${id}`;
}

/** Validates topics JSON against the glossary (every term id must exist) and indexes it. Throws naming the offending topic. */
export function parseTopics(glossary: Glossary, json: unknown): Topics {
  const result = topicsSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => {
      const [head, index, ...rest] = issue.path;
      if (head === 'topics' && typeof index === 'number') {
        const where = rest
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '');
        return `${describeTopic(json, index)}${where ? ` ${where}` : ''}: ${issue.message}`;
      }
      return `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
    });
    const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
    throw new Error(`Invalid topics: ${problems.join('; ')}${more}`);
  }

  const list: Topic[] = [];
  const byId = new Map<string, Topic>();
  const byTerm = new Map<string, string[]>();
  const words: { topic: string; test: (text: string) => boolean }[] = [];
  const problems: string[] = [];

  result.data.topics.forEach((raw, index) => {
    const where = `topic #${index} "${raw.id}"`;
    if (byId.has(raw.id)) problems.push(`${where}: duplicate topic id`);
    const unknown = raw.terms.filter((id) => !glossary.byId.has(id));
    if (unknown.length > 0) problems.push(`${where}: unknown glossary term${unknown.length === 1 ? '' : 's'} ${unknown.map((id) => `"${id}"`).join(', ')}`);
    const topic: Topic = { id: raw.id, name: raw.name, terms: [...new Set(raw.terms)], words: [...new Set(raw.words ?? [])] };
    if (topic.terms.length === 0 && topic.words.length === 0) problems.push(`${where}: neither terms nor words`);
    list.push(topic);
    byId.set(topic.id, topic);
    for (const term of topic.terms) {
      const topics = byTerm.get(term) ?? [];
      if (!topics.includes(topic.id)) topics.push(topic.id);
      byTerm.set(term, topics);
    }
    for (const word of topic.words) words.push({ topic: topic.id, test: wordMatcher(word) });
  });
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new Error(`Invalid topics: ${problems.slice(0, 5).join('; ')}${more}`);
  }
  return { list, byId, glossary, byTerm, words };
}

const DEFAULT_PATH = packagePath('data', 'topics.json');

/** Reads and validates the topics file (default: data/topics.json of this repository) against the glossary. */
export function loadTopics(glossary: Glossary, path: string = DEFAULT_PATH): Topics {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read topics ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    return parseTopics(glossary, json);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Every topic id, in file order. */
export function topicIds(topics: Topics): string[] {
  return topics.list.map((t) => t.id);
}

/** The ids of the topics the text mentions, sorted and without repeats. */
export function topicsOf(topics: Topics, text: string): string[] {
  if (text === '') return [];
  const norm = text.normalize('NFKC');
  const found = new Set<string>();
  for (const term of findTerms(topics.glossary, norm)) {
    for (const topic of topics.byTerm.get(term.id) ?? []) found.add(topic);
  }
  for (const word of topics.words) {
    if (!found.has(word.topic) && word.test(norm)) found.add(word.topic);
  }
  return [...found].sort();
}

/** Topics implied by a register, whatever a change's text says. */
const REGISTER_TOPICS: Readonly<Record<string, readonly string[]>> = {
  'tech-catalogue': ['technology-catalogue'],
  'dual-use': ['dual-use'],
  'export-control-list': ['entity-lists'],
  'watch-list': ['entity-lists'],
  'unreliable-entity-list': ['entity-lists'],
  measures: [],
};

/** The topics every change of a register carries (tech-catalogue → technology-catalogue, entity lists → entity-lists, …); [] for others. */
export function topicsForRegister(register: string): string[] {
  return Object.hasOwn(REGISTER_TOPICS, register) ? [...(REGISTER_TOPICS[register] ?? [])] : [];
}
