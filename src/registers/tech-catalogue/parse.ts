// Entry point for reading a whole technology-catalogue document into entries.
// Three formats: labelled text (2008 layout), HTML tables (2023 layout), the project's JSON export.
// See parse-builder.ts (shared rules), parse-text.ts, parse-html.ts, parse-json.ts and
// parse-points.ts (how control points are split) for the details.

import type { CatalogueFormat, CatalogueParseResult, ParseProblem } from '../../domain/types.js';
import { CatalogueParseError, type BuildResult } from './parse-builder.js';
import { parseHtmlCatalogue } from './parse-html.js';
import { parseJsonCatalogue } from './parse-json.js';
import { parseTextCatalogue } from './parse-text.js';

export { CatalogueParseError } from './parse-builder.js';

const HTML_MARKERS = /<table[\s>]|<(?:html|body|p|div|h[1-6]|tr|td)(?:\s[^<>]*)?>|<br\s*\/?>/i;

function startsLikeJson(doc: string): boolean {
  const t = doc.replace(/^\ufeff/, '').trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

/**
 * Guesses the format: JSON when the trimmed document starts with `{` or `[` and parses as JSON;
 * HTML when it contains a `<table`, or an `<html>`, `<body>`, `<p>`, `<div>`, `<h1>`…`<h6>`,
 * `<tr>`, `<td>` or `<br>` tag; text otherwise.
 */
export function detectFormat(doc: string): CatalogueFormat {
  if (startsLikeJson(doc)) {
    try {
      JSON.parse(doc.replace(/^\ufeff/, ''));
      return 'json';
    } catch {
      // not JSON after all: fall through
    }
  }
  return HTML_MARKERS.test(doc) ? 'html' : 'text';
}

function describe(format: CatalogueFormat): string {
  return format === 'json' ? 'JSON' : format === 'html' ? 'HTML' : 'text';
}

function firstProblem(problems: readonly ParseProblem[]): string {
  const p = problems[0];
  if (p === undefined) return '';
  const where = p.line > 0 ? `line ${p.line}` : p.text;
  return ` (${problems.length} problem${problems.length === 1 ? '' : 's'}, the first at ${where}: ${p.reason})`;
}

/**
 * Parses a whole catalogue document. `opts.format` forces a format; otherwise it is detected.
 * Returns the entries (in document order) and every problem found. Throws CatalogueParseError
 * when the document yields no entries, is not a catalogue at all, or is invalid JSON.
 */
export function parseCatalogue(doc: string, opts?: { format?: CatalogueFormat }): CatalogueParseResult {
  if (typeof doc !== 'string') throw new CatalogueParseError('The catalogue document must be a string.');
  const format = opts?.format ?? detectFormat(doc);
  let result: BuildResult;
  switch (format) {
    case 'json':
      result = parseJsonCatalogue(doc);
      break;
    case 'html':
      result = parseHtmlCatalogue(doc);
      break;
    case 'text':
      result = parseTextCatalogue(doc);
      break;
    default:
      throw new CatalogueParseError(`Unknown catalogue format "${String(format)}"; expected json, html or text.`);
  }
  if (result.entries.length === 0) {
    if (format === 'text' && startsLikeJson(doc)) {
      let why = 'it does not parse';
      try {
        JSON.parse(doc.replace(/^\ufeff/, ''));
      } catch (err) {
        if (err instanceof Error) why = err.message.replace(/\.$/, '');
      }
      throw new CatalogueParseError(`The document starts like JSON but is not valid JSON (${why}).`, result.problems);
    }
    throw new CatalogueParseError(`The ${describe(format)} document contains no catalogue entries${firstProblem(result.problems)}.`, result.problems);
  }
  return { format, entries: result.entries, problems: result.problems };
}
