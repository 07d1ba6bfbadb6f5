// www.mofcom.gov.cn and aqygzj.mofcom.gov.cn: the JPaaS list API behind their JavaScript list pages.
//
//   GET {baseUrl}/api-gateway/jpaas-publish-server/front/page/build/unit
//       ?webId=…&pageId=…&tplSetId=…&tagId=…&pageNo=N&pageSize=…&parseType=bulidstatic   (sic)
//   → {success: true, data: {html: "<li><a href=… title=…>…</a><span>[2025-04-04]</span></li>…"}}
//
// The ids come from the source's `params` (they change when the site is redesigned, so the answer's
// shape is validated: `success: false` or another shape is `bad-shape`). `parseType` may be
// overridden in params. Rows are read from the HTML like any list; zero rows on page 1 is `empty`.

import * as cheerio from 'cheerio';
import { z } from 'zod';
import type { SourceConfig } from '../config.js';
import { SourceError } from '../http/types.js';
import type { Listing } from '../types.js';
import { checkTitles, familiesOf, fetchChecked, listingsFromHtml, parseJson, shapeProblem } from './common.js';
import type { DiscoveryContext, DiscoveryModule } from './index.js';

type Source = Extract<SourceConfig, { kind: 'jpaas-list' }>;

export const JPAAS_UNIT_PATH = '/api-gateway/jpaas-publish-server/front/page/build/unit';

const answerSchema = z.object({
  success: z.literal(true),
  data: z.object({ html: z.string() }),
});

/** The build/unit URL for one page of a source. */
export function jpaasUrl(source: Source, page: number): string {
  const query = new URLSearchParams();
  for (const name of ['webId', 'pageId', 'tplSetId', 'tagId']) {
    const value = source.params[name];
    if (value !== undefined) query.set(name, value);
  }
  for (const [name, value] of Object.entries(source.params)) {
    if (!query.has(name) && name !== 'parseType') query.set(name, value);
  }
  query.set('pageNo', String(page));
  query.set('pageSize', String(source.pageSize));
  query.set('parseType', source.params.parseType ?? 'bulidstatic');
  return `${source.baseUrl}${JPAAS_UNIT_PATH}?${query.toString()}`;
}

async function discoverJpaas(source: Source, ctx: DiscoveryContext): Promise<Listing[]> {
  const page = Math.max(1, Math.floor(ctx.page ?? 1));
  const url = jpaasUrl(source, page);
  const result = await fetchChecked(ctx.http, {
    url,
    headers: { Accept: 'application/json, text/javascript, */*; q=0.01', 'Accept-Language': 'zh-CN', 'X-Requested-With': 'XMLHttpRequest' },
    expect: 'json',
    ...(ctx.conditional ? { conditional: true } : {}),
  });
  if (result.notModified) return [];
  const raw = parseJson(result, url);
  const parsed = answerSchema.safeParse(raw);
  if (!parsed.success) {
    const message =
      raw && typeof raw === 'object' && (raw as { success?: unknown }).success === false
        ? 'the API answered success: false (ids changed?)'
        : shapeProblem(parsed.error.issues);
    throw new SourceError('bad-shape', `page ${page}: unexpected answer shape (${message})`, url, result.status);
  }
  const $ = cheerio.load(parsed.data.data.html);
  const listings = listingsFromHtml($, `${source.baseUrl}/`, familiesOf(source.baseUrl), source.id);
  if (listings.length === 0 && page === 1) throw new SourceError('empty', 'the list answered with zero rows', url, result.status);
  checkTitles(listings, url, result.status);
  return listings;
}

export const jpaasList: DiscoveryModule<Source> = {
  kind: 'jpaas-list',
  discover: discoverJpaas,
};
