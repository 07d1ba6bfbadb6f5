// Small pure text helpers for reading MOFCOM documents: entity decoding, whitespace tidying,
// full-width → half-width folding and code normalisation. Shared by the catalogue parser and
// the adjustment-notice parser.
//
// Two levels are offered on purpose:
// - `tidyText` only decodes entities and normalises whitespace. Use it for text that is kept
//   "as printed" (names, control points): Chinese punctuation and full-width characters stay.
// - `normaliseText` additionally folds full-width digits, Latin letters, `．` and `：` to their
//   half-width forms. Use it to *recognise* things (labels, ordinals, codes), not to store text.
// `foldWidth` maps character for character (same length), so an index found in
// `foldWidth(s)` is valid in `s`: match on the folded text, slice the original.

import { decodeEntities } from '../../domain/html-entities.js';
import { CODE_PATTERN } from './entry.js';

export { decodeEntities };

// Horizontal white space of every width: tab, NBSP, en/em/thin spaces, narrow NBSP,
// medium mathematical space, ideographic space.
const SPACE_RUN = /[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g;
// Zero-width characters and the byte-order mark carry nothing a reader sees.
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Decodes entities and normalises white space without changing any printed character:
 * line breaks become `\n` (so line numbers are preserved), every run of spaces of any width
 * becomes one ASCII space, each line is trimmed, zero-width characters are removed.
 */
export function tidyText(s: string): string {
  return decodeEntities(s)
    .replace(INVISIBLE, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(SPACE_RUN, ' ').trim())
    .join('\n');
}

/**
 * Folds full-width characters that are safe to fold: digits `０-９`, Latin letters `Ａ-Ｚ`
 * `ａ-ｚ`, `．` → `.` and `：` → `:`. Chinese punctuation (`、` `，` `“”` `（）` `；` `。`) is kept.
 * The result has the same length as the input.
 */
export function foldWidth(s: string): string {
  return s.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0e\uff1a]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** `tidyText` followed by `foldWidth`: the form to match labels, ordinals and codes against. */
export function normaliseText(s: string): string {
  return foldWidth(tidyText(s));
}

/**
 * Normalises a catalogue code as printed (`０５０３０２Ｊ`, `0503 02j`, `050302J&nbsp;`) to
 * `050302J`; returns null unless the result is six digits followed by J or X.
 */
export function normaliseCode(s: string): string | null {
  const code = normaliseText(s).replace(/\s+/g, '').toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}

/** True for printable ASCII characters (not space, not CJK, not full-width forms or Chinese quotes). */
function isAsciiPrintable(c: string | undefined): boolean {
  return c !== undefined && c >= '!' && c <= '~';
}

/**
 * Joins a line that continues the previous one (a wrapped line): with a space only when both
 * sides are ASCII (`data` + `analysis`), directly otherwise (`稀土金属` + `生产技术`).
 */
export function joinContinuation(before: string, after: string): string {
  if (before === '') return after;
  if (after === '') return before;
  const sep = isAsciiPrintable(before.at(-1)) && isAsciiPrintable(after[0]) ? ' ' : '';
  return before + sep + after;
}

// Ideographs, CJK punctuation and full-width forms: a space between two of them is a layout
// artefact (a wrapped line, an `&nbsp;`, a PDF conversion), not part of the text.
const WIDE = '[\\u2e80-\\u2fff\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef]';
const SPACE_BETWEEN_WIDE = new RegExp(`(?<=${WIDE}) (?=${WIDE})`, 'g');

/**
 * Text kept as printed (a name, a sector, a control point): `tidyText`, then spaces between two
 * Chinese characters or full-width forms are removed. Nothing else changes; Chinese punctuation stays.
 */
export function cleanPrinted(s: string): string {
  return tidyText(s).replace(SPACE_BETWEEN_WIDE, '');
}
