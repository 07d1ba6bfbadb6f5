// exportcontrol.mofcom.gov.cn: the column list API.
//
//   POST {baseUrl}/edi_ecms_web_front/front/column/getColumnList   form: pageNumber=N&columnID=C
//   → {pageInfo:{rows:[{id,title,url,content,publishTimeStr,source,columnName}],total,maxPageNum}}
//
// One request per configured column for page `ctx.page ?? 1`, with the browser-like headers the API
// needs (without them it answers 200 with every Chinese character replaced by `?`, detected here too
// as a `mojibake` source error). A different shape is `bad-shape`; zero rows on page 1 is `empty`
// (zero rows on a later page is the end of the list). Pagination has been reported broken — the
// same rows on every page — so for page N > 1 page N-1 is read as well, and a repeat is `bad-shape`.

import { z } from 'zod';
import type { SourceConfig } from '../config.js';
import { SourceError } from '../http/types.js';
import type { Listing } from '../types.js';
import { dedupeListings, fetchChecked, listDate, normaliseTitle, parseJson, questionMarkMojibake, resolveUrl, shapeProblem } from './common.js';
import type { DiscoveryContext, DiscoveryModule } from './index.js';

export { questionMarkMojibake } from './common.js';

type Source = Extract<SourceConfig, { kind: 'export-control-columns' }>;

export const COLUMN_LIST_PATH = '/edi_ecms_web_front/front/column/getColumnList';

/** The headers without which the API garbles every Chinese character. */
export const COLUMN_API_HEADERS: Readonly<Record<string, string>> = {
  'X-Requested-With': 'XMLHttpRequest',
  Accept: 'application/json;charset=utf-8',
  'Accept-Language': 'zh-CN',
  'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
};

const count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const optionalText = z.string().nullish();

const answerSchema = z.object({
  pageInfo: z.object({
    rows: z.array(
      z.object({
        id: z.union([z.string(), z.number()]),
        title: z.string(),
        url: z.string(),
        content: optionalText,
        publishTimeStr: z.string().nullable(),
        source: optionalText,
        columnName: optionalText,
      }),
    ),
    total: count,
    maxPageNum: count,
  }),
});

/** True when two pages of a list carry the same rows in the same order (broken pagination). */
export function samePage(a: readonly Pick<Listing, 'url'>[], b: readonly Pick<Listing, 'url'>[]): boolean {
  return a.length > 0 && a.length === b.length && a.every((row, i) => row.url === b[i]!.url);
}

interface Page {
  listings: Listing[];
  rows: number;
}

async function readPage(source: Source, ctx: DiscoveryContext, column: number, page: number): Promise<Page> {
  const url = `${source.baseUrl}${COLUMN_LIST_PATH}`;
  const result = await fetchChecked(ctx.http, {
    url,
    method: 'POST',
    headers: COLUMN_API_HEADERS,
    body: new URLSearchParams({ pageNumber: String(page), columnID: String(column) }).toString(),
    expect: 'json',
  });
  const parsed = answerSchema.safeParse(parseJson(result, url));
  if (!parsed.success) {
    throw new SourceError('bad-shape', `column ${column} page ${page}: unexpected answer shape (${shapeProblem(parsed.error.issues)})`, url, result.status);
  }
  const rows = parsed.data.pageInfo.rows;
  if (questionMarkMojibake(rows.map((r) => r.title))) {
    throw new SourceError(
      'mojibake',
      `column ${column} page ${page}: every Chinese character came back as "?" (browser-like headers refused?)`,
      url,
      result.status,
    );
  }
  const base = `${source.baseUrl}/`;
  const listings: Listing[] = [];
  for (const row of rows) {
    const articleUrl = resolveUrl(row.url, base);
    if (!articleUrl) continue;
    listings.push({
      url: articleUrl,
      title: normaliseTitle(row.title.replace(/<[^>]*>/g, '')),
      publishedAt: listDate(row.publishTimeStr),
      sourceId: source.id,
    });
  }
  if (rows.length > 0 && listings.length === 0) {
    throw new SourceError('bad-shape', `column ${column} page ${page}: no row has a usable url`, url, result.status);
  }
  return { listings, rows: rows.length };
}

async function discoverColumns(source: Source, ctx: DiscoveryContext): Promise<Listing[]> {
  const page = Math.max(1, Math.floor(ctx.page ?? 1));
  const all: Listing[] = [];
  for (const column of source.columns) {
    const current = await readPage(source, ctx, column, page);
    if (current.rows === 0) {
      if (page === 1) {
        throw new SourceError('empty', `column ${column}: the list answered with zero rows`, `${source.baseUrl}${COLUMN_LIST_PATH}`);
      }
      continue; // past the last page
    }
    if (page > 1) {
      const previous = await readPage(source, ctx, column, page - 1);
      if (samePage(previous.listings, current.listings)) {
        throw new SourceError(
          'bad-shape',
          `column ${column}: pagination returns the same rows on page ${page} as on page ${page - 1}`,
          `${source.baseUrl}${COLUMN_LIST_PATH}`,
        );
      }
    }
    all.push(...current.listings);
  }
  return dedupeListings(all);
}

export const exportControlColumns: DiscoveryModule<Source> = {
  kind: 'export-control-columns',
  discover: discoverColumns,
};
