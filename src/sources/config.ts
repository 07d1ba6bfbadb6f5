// The sources file (`SOURCES_FILE`, default `config/sources.yaml`; `.json` with the same structure
// works too): which list pages and list APIs are polled, how often, and at which base URL — every URL
// can point at a proxy, a mirror or the tests' fake server. Invalid entries are refused at start-up,
// each with its id (or `#N`, its 1-based position, when it has no usable id) and the reason.
//
//   sources:
//     - id: exportcontrol
//       kind: export-control-columns
//       baseUrl: https://exportcontrol.mofcom.gov.cn
//       columns: [9, 13, 14, 15]
//       every: 15m
//
// Unknown keys are refused too (a misspelt `colums` must not silently mean "no columns").

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export type SourceConfig =
  | { id: string; kind: 'export-control-columns'; baseUrl: string; columns: number[]; every: string; everyMs: number; pages: number }
  | { id: string; kind: 'jpaas-list'; baseUrl: string; params: Record<string, string>; pageSize: number; every: string; everyMs: number }
  | { id: string; kind: 'html-index'; url: string; baseUrl: string; every: string; everyMs: number }
  | { id: string; kind: 'feed'; url: string; every: string; everyMs: number; name?: string };

export type SourceKind = SourceConfig['kind'];

export const SOURCE_KINDS: readonly SourceKind[] = ['export-control-columns', 'jpaas-list', 'html-index', 'feed'];

export class SourcesError extends Error {
  constructor(
    message: string,
    /** One line per refused entry (`source exportcontrol: columns: …`), without the file name. */
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'SourcesError';
  }
}

const MIN_INTERVAL_MS = 30_000;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `1h`, `1d` → milliseconds. Anything else, or less than 30 seconds, throws a SourcesError. */
export function parseInterval(text: string): number {
  const m = typeof text === 'string' ? /^\s*(\d{1,6})\s*([smhd])\s*$/.exec(text) : null;
  if (!m) throw new SourcesError(`invalid interval ${JSON.stringify(text)}: expected a whole number and a unit s, m, h or d (30s, 15m, 1h, 1d)`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms < MIN_INTERVAL_MS) throw new SourcesError(`interval ${JSON.stringify(text)} is shorter than the minimum of 30s`);
  return ms;
}

/** The year placeholder allowed in `html-index` urls. */
export const YEAR_PLACEHOLDER = '{year}';

/** An html-index url with `{year}` substituted. */
export function urlForYear(url: string, year: number): string {
  return url.split(YEAR_PLACEHOLDER).join(String(year));
}

function httpUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http(s) URL, not ${url.protocol}`;
  if (url.username || url.password) return 'must not carry credentials';
  return null;
}

const id = z
  .string()
  .trim()
  .min(1, 'id is blank')
  .max(64, 'id is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'id may contain only letters, digits, ".", "_" and "-"');

const every = z.string().superRefine((value, ctx) => {
  try {
    parseInterval(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const baseUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = httpUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    else if (value.includes(YEAR_PLACEHOLDER)) ctx.addIssue({ code: 'custom', message: `${YEAR_PLACEHOLDER} is only allowed in an html-index url` });
    else if (new URL(value).search) ctx.addIssue({ code: 'custom', message: 'a base URL has no query string' });
  })
  .transform((value) => value.replace(/\/+$/, ''));

const pageUrl = (allowYear: boolean) =>
  z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      if (!allowYear && value.includes(YEAR_PLACEHOLDER)) {
        ctx.addIssue({ code: 'custom', message: `${YEAR_PLACEHOLDER} is only allowed in an html-index url` });
        return;
      }
      const problem = httpUrlProblem(urlForYear(value, 2000));
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const paramValue = z.union([z.string(), z.number()]).transform((v) => String(v).trim());

const RESERVED_PARAMS = new Set(['pageNo', 'pageSize']);
const REQUIRED_PARAMS = ['webId', 'pageId', 'tplSetId'];

const schemas = {
  'export-control-columns': z.strictObject({
    id,
    kind: z.literal('export-control-columns'),
    baseUrl,
    columns: z
      .array(z.number().int('a column is a whole number').positive('a column is a positive number'))
      .min(1, 'at least one column')
      .refine((cols) => new Set(cols).size === cols.length, 'a column is listed twice'),
    every,
    pages: z.number().int().min(1).max(100).default(1),
  }),
  'jpaas-list': z.strictObject({
    id,
    kind: z.literal('jpaas-list'),
    baseUrl,
    params: z.record(z.string(), paramValue).superRefine((params, ctx) => {
      for (const name of REQUIRED_PARAMS) {
        if (!params[name]) ctx.addIssue({ code: 'custom', message: `${name} is required`, path: [name] });
      }
      for (const name of Object.keys(params)) {
        if (RESERVED_PARAMS.has(name)) ctx.addIssue({ code: 'custom', message: `${name} is set by the poller (use pageSize on the source)`, path: [name] });
      }
    }),
    pageSize: z.number().int().min(1).max(1000).default(20),
    every,
  }),
  'html-index': z.strictObject({
    id,
    kind: z.literal('html-index'),
    url: pageUrl(true),
    baseUrl: baseUrl.optional(),
    every,
  }),
  feed: z.strictObject({
    id,
    kind: z.literal('feed'),
    url: pageUrl(false),
    every,
    name: z.string().trim().min(1).max(200).optional(),
  }),
} as const;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      else if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

function entryName(entry: unknown, index: number): string {
  const value = entry && typeof entry === 'object' ? (entry as Record<string, unknown>).id : undefined;
  return typeof value === 'string' && value.trim() && value.length <= 64 ? value.trim() : `#${index + 1}`;
}

/**
 * Validates a parsed sources file: `{ sources: [...] }` (a bare array is accepted too). Throws one
 * SourcesError listing every refused entry, each line `<origin>: source <id or #N>: <reason>`.
 */
export function parseSources(raw: unknown, origin: string): SourceConfig[] {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).sources : undefined;
  if (!Array.isArray(list)) throw new SourcesError(`${origin}: expected a "sources" list`);
  if (list.length === 0) throw new SourcesError(`${origin}: the "sources" list is empty`);

  const problems: string[] = [];
  const sources: SourceConfig[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    const name = entryName(entry, index);
    const fail = (reason: string) => problems.push(`source ${name}: ${reason}`);
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return fail('an entry is a mapping with id, kind and every');
    const kind = (entry as Record<string, unknown>).kind;
    if (typeof kind !== 'string' || !(kind in schemas)) {
      return fail(
        kind === undefined
          ? `kind is required (one of ${SOURCE_KINDS.join(', ')})`
          : `unknown kind ${JSON.stringify(kind)} (one of ${SOURCE_KINDS.join(', ')})`,
      );
    }
    const parsed = schemas[kind as SourceKind].safeParse(entry);
    if (!parsed.success) return fail(describeIssues(parsed.error));
    const source = finish(parsed.data);
    const earlier = seen.get(source.id);
    if (earlier !== undefined) return fail(`duplicate id (also entry #${earlier + 1})`);
    seen.set(source.id, index);
    sources.push(source);
  });
  if (problems.length > 0) {
    throw new SourcesError(problems.map((p) => `${origin}: ${p}`).join('\n'), problems);
  }
  return sources;
}

type Parsed = { [K in keyof typeof schemas]: z.output<(typeof schemas)[K]> }[keyof typeof schemas];

function finish(entry: Parsed): SourceConfig {
  const everyMs = parseInterval(entry.every);
  switch (entry.kind) {
    case 'export-control-columns':
      return { id: entry.id, kind: entry.kind, baseUrl: entry.baseUrl, columns: entry.columns, every: entry.every, everyMs, pages: entry.pages };
    case 'jpaas-list':
      return { id: entry.id, kind: entry.kind, baseUrl: entry.baseUrl, params: entry.params, pageSize: entry.pageSize, every: entry.every, everyMs };
    case 'html-index': {
      const base = entry.baseUrl ?? new URL(urlForYear(entry.url, 2000)).origin;
      return { id: entry.id, kind: entry.kind, url: entry.url, baseUrl: base, every: entry.every, everyMs };
    }
    case 'feed': {
      return { id: entry.id, kind: entry.kind, url: entry.url, every: entry.every, everyMs, ...(entry.name !== undefined ? { name: entry.name } : {}) };
    }
  }
}

/** Reads and validates a sources file: `.yaml`/`.yml` (YAML) or `.json`. Every error names the file. */
export function loadSourcesFile(path: string): SourceConfig[] {
  const ext = extname(path).toLowerCase();
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
    throw new SourcesError(`${path}: unsupported sources file type ${JSON.stringify(ext || '(none)')}: use .yaml, .yml or .json`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourcesError(`${path}: cannot read the sources file${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`);
  }
  let raw: unknown;
  try {
    raw = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new SourcesError(`${path}: invalid ${ext === '.json' ? 'JSON' : 'YAML'}: ${first}`);
  }
  return parseSources(raw, path);
}
