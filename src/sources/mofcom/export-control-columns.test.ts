import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLUMN_API_PATH, startFakeMofcom, type FakeListing, type FakeMofcom } from '../../../test/fakes/mofcom.js';
import { plainClient, stubClient } from '../../../test/fakes/plain-client.js';
import { parseSources, type SourceConfig } from '../config.js';
import { SourceError } from '../http/types.js';
import { exportControlColumns, questionMarkMojibake, samePage } from './export-control-columns.js';

type Source = Extract<SourceConfig, { kind: 'export-control-columns' }>;

let fake: FakeMofcom;
beforeEach(async () => {
  fake = await startFakeMofcom();
});
afterEach(async () => {
  await fake.close();
});

function source(columns: number[] = [9], baseUrl = fake.baseUrl): Source {
  return parseSources({ sources: [{ id: 'ec', kind: 'export-control-columns', baseUrl, columns, every: '15m' }] }, 'test')[0] as Source;
}

function many(n: number, column: number): FakeListing[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `公告${column}-${n - i}`,
    path: `/article/gndt/2025${column}/${column * 1000 + n - i}.html`,
    date: '2025-10-09',
    column,
  }));
}

const now = new Date('2025-10-10T02:00:00Z');

describe('export-control-columns', () => {
  it('reads each column with the browser-like headers; relative urls resolved, dates as YYYY-MM-DD, titles tidied', async () => {
    fake.listings = [
      {
        title: '商务部公告2025年第61号&nbsp; 关于对境外相关稀土物项实施出口管制的决定',
        path: '/article/zcfg/gnzcfg/gzjgfxwj/202510/12345.html',
        date: '2025-10-09 10:30:00',
        column: 14,
      },
      { title: '  关于举办出口管制合规培训的通知\n ', path: '/article/gndt/202510/12344.html', date: '2025-10-08', column: 9 },
    ];
    const http = plainClient();
    const listings = await exportControlColumns.discover(source([9, 14]), { http, now });
    expect(listings).toEqual([
      { url: `${fake.baseUrl}/article/gndt/202510/12344.html`, title: '关于举办出口管制合规培训的通知', publishedAt: '2025-10-08', sourceId: 'ec' },
      {
        url: `${fake.baseUrl}/article/zcfg/gnzcfg/gzjgfxwj/202510/12345.html`,
        title: '商务部公告2025年第61号 关于对境外相关稀土物项实施出口管制的决定',
        publishedAt: '2025-10-09',
        sourceId: 'ec',
      },
    ]);
    const posts = fake.requests.filter((r) => r.path === COLUMN_API_PATH);
    expect(posts.map((r) => [r.method, r.body])).toEqual([
      ['POST', 'pageNumber=1&columnID=9'],
      ['POST', 'pageNumber=1&columnID=14'],
    ]);
    expect(posts[0]!.headers).toMatchObject({
      'x-requested-with': 'XMLHttpRequest',
      accept: 'application/json;charset=utf-8',
      'accept-language': 'zh-CN',
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
  });

  it('resolves against a base URL with a path, and keeps absolute urls', async () => {
    const http = stubClient(() => ({
      text: JSON.stringify({
        pageInfo: {
          rows: [
            { id: 1, title: '甲', url: '/article/gndt/202510/1.html', publishTimeStr: '2025-10-09' },
            { id: 2, title: '乙', url: 'https://exportcontrol.mofcom.gov.cn/article/gndt/202510/2.html', publishTimeStr: null },
            { id: 3, title: '丙', url: 'article/gndt/202510/3.html', publishTimeStr: 'bad' },
          ],
          total: 3,
          maxPageNum: 1,
        },
      }),
    }));
    const listings = await exportControlColumns.discover(source([9], 'http://proxy.example/mofcom/'), { http, now });
    expect(http.calls[0]!.url).toBe('http://proxy.example/mofcom/edi_ecms_web_front/front/column/getColumnList');
    expect(listings.map((l) => [l.url, l.publishedAt])).toEqual([
      ['http://proxy.example/article/gndt/202510/1.html', '2025-10-09'],
      ['https://exportcontrol.mofcom.gov.cn/article/gndt/202510/2.html', null],
      ['http://proxy.example/mofcom/article/gndt/202510/3.html', null],
    ]);
  });

  it('dedupes a notice listed in two columns', async () => {
    fake.listings = [{ title: '两栏同载', path: '/article/gndt/202510/7.html', date: '2025-10-01' }, ...many(2, 13)];
    const listings = await exportControlColumns.discover(source([9, 13]), { http: plainClient(), now });
    expect(listings.map((l) => l.title)).toEqual(['两栏同载', '公告13-2', '公告13-1']);
  });

  it('zero rows from a 200 on page 1 is an empty source error', async () => {
    fake.listings = many(3, 9);
    fake.misbehave('zero-rows');
    await expect(exportControlColumns.discover(source(), { http: plainClient(), now })).rejects.toMatchObject({ name: 'SourceError', reason: 'empty' });
  });

  it('a column without rows is an error too, even when another column has rows', async () => {
    fake.listings = many(3, 9);
    await expect(exportControlColumns.discover(source([9, 13]), { http: plainClient(), now })).rejects.toMatchObject({
      reason: 'empty',
      message: expect.stringContaining('column 13'),
    });
  });

  it('a new shape is bad-shape', async () => {
    fake.listings = many(3, 9);
    fake.misbehave('new-shape');
    const err = await exportControlColumns.discover(source(), { http: plainClient(), now }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ reason: 'bad-shape', message: expect.stringContaining('pageInfo') });
  });

  it.each([
    ['not JSON', '<html>…</html>'],
    ['rows not a list', JSON.stringify({ pageInfo: { rows: {}, total: 0, maxPageNum: 0 } })],
    ['row without url', JSON.stringify({ pageInfo: { rows: [{ id: 1, title: 'x', publishTimeStr: null }], total: 1, maxPageNum: 1 } })],
    [
      'no usable url',
      JSON.stringify({ pageInfo: { rows: [{ id: 1, title: '甲', url: 'javascript:void(0)', publishTimeStr: null }], total: 1, maxPageNum: 1 } }),
    ],
  ])('%s is bad-shape', async (_, text) => {
    await expect(exportControlColumns.discover(source(), { http: stubClient(() => ({ text })), now })).rejects.toMatchObject({ reason: 'bad-shape' });
  });

  it('the ? answer is a mojibake source error, even from a client that does not detect it', async () => {
    fake.listings = many(3, 9);
    fake.misbehave('mojibake');
    await expect(exportControlColumns.discover(source(), { http: plainClient(), now })).rejects.toMatchObject({ reason: 'mojibake' });
  });

  it('a non-2xx answer handed back by the client is an http-status error', async () => {
    await expect(exportControlColumns.discover(source(), { http: stubClient(() => ({ status: 502, text: 'bad gateway' })), now })).rejects.toMatchObject({
      reason: 'http-status',
      status: 502,
    });
  });

  it('client errors pass through', async () => {
    fake.misbehave('server-error');
    await expect(exportControlColumns.discover(source(), { http: plainClient(), now })).rejects.toMatchObject({ reason: 'http-status', status: 502 });
  });

  describe('pagination', () => {
    beforeEach(() => {
      fake.listings = many(45, 9);
    });

    it('reads the page asked for (20 rows a page); past the last page is no listings', async () => {
      const http = plainClient();
      const p2 = await exportControlColumns.discover(source(), { http, now, page: 2 });
      expect(p2).toHaveLength(20);
      expect(p2[0]!.title).toBe('公告9-25');
      const p3 = await exportControlColumns.discover(source(), { http, now, page: 3 });
      expect(p3.map((l) => l.title)).toEqual(['公告9-5', '公告9-4', '公告9-3', '公告9-2', '公告9-1']);
      expect(await exportControlColumns.discover(source(), { http, now, page: 4 })).toEqual([]);
    });

    it('page N repeating page N-1 is bad-shape (broken pagination)', async () => {
      fake.misbehave('same-page');
      await expect(exportControlColumns.discover(source(), { http: plainClient(), now, page: 2 })).rejects.toMatchObject({
        reason: 'bad-shape',
        message: expect.stringContaining('pagination returns the same rows on page 2 as on page 1'),
      });
    });
  });
});

describe('samePage', () => {
  const rows = (...urls: string[]) => urls.map((url) => ({ url }));
  it('compares urls in order', () => {
    expect(samePage(rows('a', 'b'), rows('a', 'b'))).toBe(true);
    expect(samePage(rows('a', 'b'), rows('b', 'a'))).toBe(false);
    expect(samePage(rows('a'), rows('a', 'b'))).toBe(false);
    expect(samePage([], [])).toBe(false);
  });
});

describe('questionMarkMojibake', () => {
  it('spots titles of question marks without Chinese', () => {
    expect(questionMarkMojibake(['??????2025?10?'])).toBe(true);
    expect(questionMarkMojibake(['商务部公告2025年第10号'])).toBe(false);
    expect(questionMarkMojibake(['What changed?'])).toBe(false);
    expect(questionMarkMojibake(['??', '商务部'])).toBe(false);
  });
});
