// Text helpers shared by the notice parsers of the dual-use list, the entity lists and the measures:
// entity decoding, full-width folding, dates and the lines of a notice.
import { decodeEntities } from '../../domain/html-entities.js';
import type { NoticeDocument } from '../types.js';

export { decodeEntities };

/**
 * Folds full-width ASCII (`（`, `：`, `１２`, `Ａ`) to half-width and every space-like character to a
 * space, one UTF-16 unit for one, so positions in the folded text are positions in the original.
 */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000 || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x202f || c === 0x205f || c === 0xfeff || c === 0x09) out += ' ';
    else out += text[i];
  }
  return out;
}

/** Decoded, folded and without any whitespace: the form markers and numbers are matched in. */
export function compact(text: string): string {
  return fold(decodeEntities(text)).replace(/\s+/g, '');
}

/** Decoded, folded, runs of spaces collapsed, trimmed. */
export function tidy(text: string): string {
  return fold(decodeEntities(text)).replace(/\s+/g, ' ').trim();
}

/** Decoded text with spaces collapsed but the printed width kept (Chinese names and descriptions). */
export function printed(text: string): string {
  return decodeEntities(text)
    .replace(/[\s\u3000\u00a0\u2000-\u200b\u202f\u205f\ufeff]+/g, ' ')
    .trim();
}

/** A valid calendar date as YYYY-MM-DD, or null. */
export function isoFromParts(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** `2026年11月10日` (in compact text) at the start of `text`, as YYYY-MM-DD. */
export function dateAt(text: string): string | null {
  const m = /^(\d{4})年(\d{1,2})月(\d{1,2})日/.exec(text);
  return m ? isoFromParts(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

/**
 * The date a notice takes effect, from its own words: `自2025年4月4日起正式实施` gives that date,
 * `自发布之日起实施` gives `publishedAt`; null when the text says neither.
 */
export function effectiveDateInText(text: string, publishedAt: string | null): string | null {
  const t = compact(text.slice(0, 200_000));
  const dated = /自(\d{4})年(\d{1,2})月(\d{1,2})日起(?:正式)?(?:实施|施行|执行|生效)/.exec(t);
  if (dated) return isoFromParts(Number(dated[1]), Number(dated[2]), Number(dated[3]));
  if (/自(?:发布|公布|印发)之日起(?:正式)?(?:实施|施行|执行|生效)/.test(t)) return publishedAt;
  return null;
}

/** The effective date of a notice: as given by the caller, else from its text, else its publication date. */
export function effectiveDateOf(notice: Pick<NoticeDocument, 'text' | 'publishedAt' | 'effectiveAt'>): string | null {
  return notice.effectiveAt ?? effectiveDateInText(notice.text, notice.publishedAt) ?? notice.publishedAt;
}

/** A labelled line of a notice: where it comes from (`text` or `attachment N`) and its 1-based line number. */
export interface NoticeLine {
  source: string;
  line: number;
  text: string;
}

/** Most text read from one notice (body plus attachments); the rest is ignored. */
export const MAX_NOTICE_CHARS = 2_000_000;

/** The non-empty lines of the body and of every attachment, decoded, in order. */
export function noticeLines(notice: Pick<NoticeDocument, 'text' | 'attachmentTexts'>): NoticeLine[] {
  const out: NoticeLine[] = [];
  let budget = MAX_NOTICE_CHARS;
  const sources: Array<[string, string]> = [['text', notice.text], ...notice.attachmentTexts.map((t, i): [string, string] => [`attachment ${i + 1}`, t])];
  for (const [source, text] of sources) {
    if (budget <= 0) break;
    const slice = text.slice(0, budget);
    budget -= slice.length;
    slice.split(/\r\n|\r|\n|\u2028|\u2029/).forEach((raw, i) => {
      const line = decodeEntities(raw);
      if (line.trim() !== '') out.push({ source, line: i + 1, text: line });
    });
  }
  return out;
}

/** A readable label for a line in unparsed clauses: `line 12`, `attachment 1 line 3`. */
export function lineLabel(l: Pick<NoticeLine, 'source' | 'line'>): string {
  return l.source === 'text' ? `line ${l.line}` : `${l.source} line ${l.line}`;
}

/** Shortens a text for messages. */
export function excerpt(text: string, max = 120): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const SPACE = /\s/;

/** Strips the given characters (and whitespace) from both ends; linear, unlike a `[…]+$` regex on long runs. */
export function trimSet(text: string, chars: string, ends: 'both' | 'start' | 'end' = 'both'): string {
  const strip = (c: string): boolean => chars.includes(c) || SPACE.test(c);
  let start = 0;
  let end = text.length;
  if (ends !== 'end') while (start < end && strip(text[start]!)) start++;
  if (ends !== 'start') while (end > start && strip(text[end - 1]!)) end--;
  return text.slice(start, end);
}
