// Helpers shared by the discovery modules: titles, URLs, article-like links, list-row dates, dedupe,
// and reading a JSON answer through the HTTP client.

import type { CheerioAPI, Cheerio, contains } from 'cheerio';
import { isoDate } from '../../domain/head-block.js';
import { decodeEntities } from '../../domain/html-entities.js';

export { decodeEntities };
import { SourceError, type FetchRequest, type FetchResult, type HttpClient } from '../http/types.js';
import type { Listing } from '../types.js';

/** Collapses every kind of whitespace (NBSP, en/em space, ideographic space, newlines) to one space. */
export function normaliseSpace(text: string): string {
  return text.replace(/[\s\u00a0\u2000-\u200b\u3000\ufeff]+/g, ' ').trim();
}

/** A title as shown in lists: entities decoded, whitespace normalised. */
export function normaliseTitle(text: string): string {
  return normaliseSpace(decodeEntities(text));
}

/** An absolute http(s) URL without its fragment, or null for `javascript:`, `mailto:`, `#…` and unparseable links. */
export function resolveUrl(href: string | undefined | null, base: string): string | null {
  const h = decodeEntities(href ?? '').trim();
  if (!h || h.startsWith('#') || /^(?:javascript|mailto|tel|data):/i.test(h)) return null;
  try {
    const url = new URL(h, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/**
 * The "site" a host belongs to, for deciding whether a link stays on the publisher's sites:
 * `aqygzj.mofcom.gov.cn` and `www.mofcom.gov.cn` → `mofcom.gov.cn`; `example.com` → `example.com`;
 * IP addresses and `localhost` stand for themselves.
 */
export function hostFamily(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (/^[\d.]+$/.test(h) || h.includes(':') || !h.includes('.')) return h;
  const labels = h.split('.');
  // Two-letter country code under a generic second level (gov.cn, com.cn, co.uk …): keep three labels.
  const keep = labels.length >= 3 && /^[a-z]{2}$/.test(labels.at(-1)!) && /^(?:gov|com|org|net|edu|ac|co)$/.test(labels.at(-2)!) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

export function inFamily(url: string, families: ReadonlySet<string>): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    for (const family of families) if (host === family || host.endsWith(`.${family}`)) return true;
    return false;
  } catch {
    return false;
  }
}

/** The host families of the given URLs (unparseable ones are ignored). */
export function familiesOf(...urls: string[]): Set<string> {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      out.add(hostFamily(new URL(u).hostname));
    } catch {
      // not a URL: no family
    }
  }
  return out;
}

/**
 * Whether a link looks like an article rather than navigation: an `.html`/`.htm`/`.shtml` page that is
 * not an index or list page (`index.html`, `index_2.html`, `list.html`), under `/art/` or `/article/`
 * or with digits in its file name (`12345.html`, `art_<hex>.html`, `20190102822434.shtml`).
 */
export function isArticleUrl(url: string): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (!/\.s?html?$/i.test(file)) return false;
  if (/^(?:index|list|default|more|home)(?:[_-]\d+)?\.s?html?$/i.test(file)) return false;
  if (/\/art\//i.test(path)) return true;
  if (/\/article\//i.test(path) && /\d/.test(path)) return true;
  return /\d/.test(file);
}

/** Merges listings with the same URL (the first wins; a missing date or title is filled from later ones). */
export function dedupeListings(listings: Listing[]): Listing[] {
  const byUrl = new Map<string, Listing>();
  for (const listing of listings) {
    const seen = byUrl.get(listing.url);
    if (!seen) byUrl.set(listing.url, { ...listing });
    else {
      if (!seen.publishedAt && listing.publishedAt) seen.publishedAt = listing.publishedAt;
      if (!seen.title && listing.title) seen.title = listing.title;
    }
  }
  return [...byUrl.values()];
}

/** YYYY-MM-DD from `2025-10-09 10:30:00`, `[2025-04-04]`, `2025年04月04日`, or null. */
export function listDate(text: string | null | undefined): string | null {
  return text ? isoDate(text) : null;
}

const ROW = 'li, tr, dd, dt, p';

/** A node of cheerio's DOM (domhandler's AnyNode, named without depending on domhandler directly). */
type DomNode = Parameters<typeof contains>[0];

/**
 * The date shown next to a link in a list row: the siblings after the link (up to the next link),
 * then those before it, then the rest of the row (`li`, `tr`, …) when the row holds only this link.
 * The link's own text is never read, so a date inside a title is not mistaken for the posting date.
 */
export function dateNearLink($: CheerioAPI, a: Cheerio<DomNode>): string | null {
  const scan = (nodes: Cheerio<DomNode>): string | null => {
    for (const el of nodes.toArray()) {
      const node = $(el);
      if (node.is('a') || node.find('a').length > 0) break;
      const d = listDate(node.text());
      if (d) return d;
    }
    return null;
  };
  const after = scan(a.nextAll());
  if (after) return after;
  // Text nodes next to the link (`<a>…</a> [2025-04-04]`) are not elements: read the parent's own text.
  const parent = a.parent();
  if (parent.length && parent.find('a').length === 1) {
    const own = parent
      .contents()
      .toArray()
      .filter((n) => (n as { type?: string }).type === 'text')
      .map((n) => (n as { data?: string }).data ?? '')
      .join(' ');
    const d = listDate(own);
    if (d) return d;
  }
  const before = scan($(a.prevAll().toArray().reverse()));
  if (before) return before;
  const row = a.closest(ROW);
  if (row.length && row.find('a').length === 1) {
    const clone = row.clone();
    clone.find('a').remove();
    return listDate(clone.text());
  }
  return null;
}

/**
 * Reads list rows from HTML: every `<a href>` that resolves (against `base`) to an article-like URL on
 * one of `families`, with its title (the `title` attribute, else the link text) and the date next to it.
 */
export function listingsFromHtml($: CheerioAPI, base: string, families: ReadonlySet<string>, sourceId: string): Listing[] {
  const out: Listing[] = [];
  $('a[href]').each((_, el) => {
    const a = $(el);
    const url = resolveUrl(a.attr('href'), base);
    if (!url || !inFamily(url, families) || !isArticleUrl(url)) return;
    const title = normaliseTitle(a.attr('title') || a.text());
    if (!title) return;
    out.push({ url, title, publishedAt: dateNearLink($, a), sourceId });
  });
  return dedupeListings(out);
}

/** Fetches through the client and checks the status (a client may hand back a non-2xx answer). */
export async function fetchChecked(http: HttpClient, request: FetchRequest): Promise<FetchResult> {
  const result = await http.fetch(request);
  if (!result.notModified && (result.status < 200 || result.status >= 300)) {
    throw new SourceError('http-status', `HTTP ${result.status} from ${request.url}`, request.url, result.status);
  }
  return result;
}

/** Parses a JSON answer; anything that is not JSON is a changed shape. */
export function parseJson(result: FetchResult, url: string): unknown {
  try {
    return JSON.parse(result.text.replace(/^\ufeff/, ''));
  } catch {
    const start = normaliseSpace(result.text.slice(0, 80));
    throw new SourceError('bad-shape', `expected JSON from ${url}, got ${start ? JSON.stringify(start) : 'an empty body'}`, url, result.status);
  }
}

/** A short description of a zod failure for error messages. */
export function shapeProblem(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const first = issues[0];
  if (!first) return 'unexpected shape';
  const path = first.path.map(String).join('.');
  return path ? `${path}: ${first.message}` : first.message;
}

/** The year in Beijing (UTC+8), where MOFCOM's annual indexes roll over. */
export function beijingYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear();
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** The `?` answer: titles with runs of question marks and not one Chinese character. */
export function questionMarkMojibake(titles: readonly string[]): boolean {
  const all = titles.join('\n');
  return all.length > 0 && !CJK.test(all) && /\?{2,}/.test(all);
}

/** Throws a `mojibake` source error when every title came back as question marks. */
export function checkTitles(listings: readonly Listing[], url: string, status: number): void {
  if (questionMarkMojibake(listings.map((l) => l.title))) {
    throw new SourceError('mojibake', `every Chinese character came back as "?" from ${url}`, url, status);
  }
}
