// Pure text helpers for feed items: HTML to plain text, bounded summaries, links (resolution and the
// canonical form used for dedupe), the normalised-title hash and feed dates.
import { createHash } from 'node:crypto';
import { load } from 'cheerio';

/** Default summary bound, in characters (code points), the ellipsis included. */
export const DEFAULT_MAX_SUMMARY = 500;
/** Titles are bounded too: a feed can put a whole article in one. */
export const MAX_TITLE = 300;

const ELLIPSIS = '…';

/** Query parameters that only track the reader: removed from canonical links (compared case-insensitively). */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  'ref',
  'ref_src',
  'ref_url',
  'referrer',
  'spm',
  'scm',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  'wt.mc_id',
  'cmpid',
  'ocid',
  'ncid',
  'sr_share',
  '__twitter_impression',
]);
/** Prefixes of tracking parameter names: utm_source, utm_medium, …, also Piwik/Matomo campaign parameters. */
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_'];

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The form of a link used for dedupe: tracking parameters removed (utm_*, fbclid, gclid, mc_cid, mc_eid,
 * ref, spm, …), host lower-cased, fragment and default port dropped, remaining query parameters sorted
 * by name (stable for repeated names). Anything that is not an absolute http(s) URL comes back trimmed.
 */
export function canonicalLink(link: string): string {
  const trimmed = link.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return trimmed;
  url.hash = '';
  // URL already lower-cases the scheme and host and drops the scheme's default port.
  const params = new URLSearchParams(url.search);
  for (const name of [...new Set(params.keys())]) if (isTrackingParam(name)) params.delete(name);
  params.sort();
  const query = params.toString();
  url.search = query === '' ? '' : `?${query}`;
  return url.href;
}

/** The normalised form of a title that titleHash hashes: NFKC, lower case, punctuation and whitespace runs as one space. */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Sc}]+/gu, ' ')
    .trim();
}

/** sha256 (hex) of the normalised title, so "Rare Earths: China's move" and "rare earths — China’s move!" meet. */
export function titleHash(title: string): string {
  return createHash('sha256').update(normaliseTitle(title), 'utf8').digest('hex');
}

/** Whitespace (including no-break and ideographic spaces) collapsed to single spaces, zero-width characters dropped, trimmed. */
export function collapseWhitespace(text: string): string {
  return text
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Tags whose boundaries separate words: a space is put before each so "<p>a</p><p>b</p>" reads "a b". */
const BLOCK_TAG =
  /<(\/?)(address|article|aside|blockquote|br|caption|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|img|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|script|style|noscript|template|iframe|object|svg)\b/gi;

/** Text that is still HTML after one decoding: the description was escaped twice (Reddit's feeds do that). */
const STILL_HTML = /<(?:!--|\/?(?:p|div|span|a|br|img|b|i|em|strong|ul|ol|li|table|tr|td|h[1-6])\b[^<>]*>)/i;

function htmlPass(html: string): string {
  if (!/[<&]/.test(html)) return collapseWhitespace(html);
  const $ = load(html.replace(BLOCK_TAG, ' <$1$2'), null, false);
  $('script, style, noscript, template, iframe, object, svg').remove();
  return collapseWhitespace($.root().text());
}

/**
 * Plain text of an HTML fragment: tags removed (scripts and styles with their content), entities
 * decoded, whitespace collapsed. Text that is still HTML after that (escaped twice) is decoded once more.
 */
export function htmlToText(html: string): string {
  const text = htmlPass(html);
  return STILL_HTML.test(text) ? htmlPass(text) : text;
}

/** Scripts written without spaces between words: a cut may fall between any two of their characters. */
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}'’]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch) && !NO_SPACE_SCRIPT.test(ch);
}

/**
 * Text bounded to `max` characters (code points), the '…' included: cut before a word that would be
 * split (unless that loses more than half), trailing spaces and separators dropped. Shorter text is
 * returned as is.
 */
export function boundText(text: string, max: number = DEFAULT_MAX_SUMMARY): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return max === 1 ? ELLIPSIS : '';
  let cut = max - 1;
  if (isWordChar(chars[cut - 1]) && isWordChar(chars[cut])) {
    let start = cut - 1;
    while (start > 0 && isWordChar(chars[start - 1])) start--;
    if (start >= Math.floor(max / 2)) cut = start;
  }
  const head = chars
    .slice(0, cut)
    .join('')
    .replace(/[\s,;:\-–—/|]+$/u, '');
  return `${head}${ELLIPSIS}`;
}

/**
 * An absolute http(s) URL for a feed link: trimmed, resolved against `base` when relative. Null for
 * anything else (javascript:, mailto:, a relative link without a base, garbage).
 */
export function resolveHttpLink(link: string, base?: string | null): string | null {
  const trimmed = link.trim();
  if (trimmed === '') return null;
  let url: URL;
  try {
    url = base ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** Zone abbreviations V8 does not know, with unambiguous offsets (CST, IST and the like are left alone). */
const EXTRA_ZONES: Readonly<Record<string, string>> = {
  CET: '+0100',
  CEST: '+0200',
  EET: '+0200',
  EEST: '+0300',
  WET: '+0000',
  WEST: '+0100',
  BST: '+0100',
  MSK: '+0300',
  JST: '+0900',
  KST: '+0900',
  HKT: '+0800',
  SGT: '+0800',
  AEST: '+1000',
  AEDT: '+1100',
};

const NUMERIC_ZONE = /\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})(?!\d)/i;
const NAMED_ZONE = /\b(?:UTC|UT|GMT|[ECMP][SD]T)\b/;
const ISO_LOCAL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** Dates before this are treated as placeholders (the Unix epoch and the like). */
const EARLIEST_MS = Date.UTC(1990, 0, 1);

/**
 * A feed date (RFC 822 as in RSS, RFC 3339 as in Atom, and the usual sloppy variants) as an ISO string,
 * or null when it does not parse or is implausible (before 1990). A date without a time zone is read as
 * UTC, so results never depend on the machine's zone.
 */
export function parseFeedDate(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  let text = collapseWhitespace(raw);
  if (text === '') return null;
  const zone = /\s([A-Z]{3,4})$/.exec(text)?.[1];
  if (zone !== undefined && EXTRA_ZONES[zone] !== undefined) text = `${text.slice(0, -zone.length)}${EXTRA_ZONES[zone]}`;
  const isoLocal = ISO_LOCAL.exec(text);
  if (isoLocal) text = `${isoLocal[1]}T${isoLocal[2]}Z`;
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(text) && !NUMERIC_ZONE.test(text) && !NAMED_ZONE.test(text) && !/\dZ$/i.test(text)) text = `${text} UTC`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < EARLIEST_MS) return null;
  return new Date(ms).toISOString();
}
