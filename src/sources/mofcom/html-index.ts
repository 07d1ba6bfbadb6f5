// Server-rendered list pages: MOFCOM's annual announcement index (`/zcfb/blgg/gg/{year}/index.html`)
// and the aqygzj homepage (`<li><a href=…>title</a><span>2026-09-24</span></li>`).
//
// `{year}` in the url is replaced by ctx.year, else the current year in Beijing. A new year's index
// does not exist until its first announcement: in January, when the current year's page is missing
// (404) or has no rows and no year was asked for, last year's index is read instead.
// Only article-like links on the source's sites are listings (see isArticleUrl); navigation is
// skipped. Zero article links is an `empty` source error.

import * as cheerio from 'cheerio';
import { urlForYear, YEAR_PLACEHOLDER, type SourceConfig } from '../config.js';
import { SourceError } from '../http/types.js';
import type { Listing } from '../types.js';
import { beijingYear, checkTitles, familiesOf, fetchChecked, listingsFromHtml } from './common.js';
import type { DiscoveryContext, DiscoveryModule } from './index.js';

type Source = Extract<SourceConfig, { kind: 'html-index' }>;

async function readIndex(source: Source, ctx: DiscoveryContext, url: string): Promise<Listing[]> {
  const result = await fetchChecked(ctx.http, { url, expect: 'html', ...(ctx.conditional ? { conditional: true } : {}) });
  if (result.notModified) return [];
  const $ = cheerio.load(result.text);
  const pageUrl = result.url || url;
  const baseHref = $('base[href]').attr('href');
  let base = pageUrl;
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl).href;
    } catch {
      // a broken <base>: resolve against the page
    }
  }
  const listings = listingsFromHtml($, base, familiesOf(url, pageUrl, source.baseUrl), source.id);
  if (listings.length === 0) throw new SourceError('empty', `no article links on ${url}`, url, result.status);
  checkTitles(listings, url, result.status);
  return listings;
}

async function discoverIndex(source: Source, ctx: DiscoveryContext): Promise<Listing[]> {
  const templated = source.url.includes(YEAR_PLACEHOLDER);
  const year = ctx.year ?? beijingYear(ctx.now);
  try {
    return await readIndex(source, ctx, urlForYear(source.url, year));
  } catch (err) {
    const inJanuary = new Date(ctx.now.getTime() + 8 * 3_600_000).getUTCMonth() === 0;
    const missing = err instanceof SourceError && (err.reason === 'empty' || (err.reason === 'http-status' && err.status === 404));
    if (!templated || ctx.year !== undefined || !inJanuary || !missing) throw err;
    return readIndex(source, ctx, urlForYear(source.url, year - 1));
  }
}

export const htmlIndex: DiscoveryModule<Source> = {
  kind: 'html-index',
  discover: discoverIndex,
};
