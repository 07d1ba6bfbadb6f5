import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JPAAS_API_PATH, startFakeMofcom, type FakeListing, type FakeMofcom } from '../../../test/fakes/mofcom.js';
import { plainClient, stubClient } from '../../../test/fakes/plain-client.js';
import { parseSources, type SourceConfig } from '../config.js';
import { jpaasList, jpaasUrl } from './jpaas-list.js';

type Source = Extract<SourceConfig, { kind: 'jpaas-list' }>;

let fake: FakeMofcom;
beforeEach(async () => {
  fake = await startFakeMofcom();
});
afterEach(async () => {
  await fake.close();
});

function source(extra: Record<string, unknown> = {}, baseUrl = fake.baseUrl): Source {
  const entry = { id: 'aq', kind: 'jpaas-list', baseUrl, params: { webId: 'w1', pageId: 'p1', tplSetId: 't1', tagId: '信息列表' }, every: '30m', ...extra };
  return parseSources({ sources: [entry] }, 'test')[0] as Source;
}

const now = new Date('2025-04-05T02:00:00Z');

function many(n: number): FakeListing[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `公告${n - i}`,
    path: `/zwgk/zcfb/art/2025/art_${(n - i).toString(16).padStart(32, 'a')}.html`,
    date: '2025-04-04',
  }));
}

const answer = (html: string) => ({ text: JSON.stringify({ success: true, data: { html } }) });

describe('jpaas-list', () => {
  it('builds the build/unit URL from the params (parseType=bulidstatic, sic)', () => {
    const url = new URL(jpaasUrl(source({}, 'https://aqygzj.mofcom.gov.cn'), 3));
    expect(url.origin + url.pathname).toBe(`https://aqygzj.mofcom.gov.cn${JPAAS_API_PATH}`);
    expect([...url.searchParams]).toEqual([
      ['webId', 'w1'],
      ['pageId', 'p1'],
      ['tplSetId', 't1'],
      ['tagId', '信息列表'],
      ['pageNo', '3'],
      ['pageSize', '20'],
      ['parseType', 'bulidstatic'],
    ]);
    const custom = new URL(jpaasUrl(source({ params: { webId: 'w', pageId: 'p', tplSetId: 't', parseType: 'buildstatic', siteId: 's' } }), 1));
    expect(custom.searchParams.get('parseType')).toBe('buildstatic');
    expect(custom.searchParams.get('siteId')).toBe('s');
    expect(custom.searchParams.has('tagId')).toBe(false);
  });

  it('reads rows from the returned HTML: title attribute, [date], relative urls resolved', async () => {
    fake.listings = [
      {
        title: '商务部 海关总署公告2025年第18号 关于对中重稀土相关物项实施出口管制的决定',
        path: '/zwgk/zcfb/art/2025/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html',
        date: '2025-04-04',
      },
      {
        title: '不可靠实体清单工作机制关于将11家美国实体列入不可靠实体清单的公告',
        path: '/zwgk/zcfb/art/2025/art_1a1b2c3d4e5f60718293a4b5c6d7e8f9.html',
        date: '2025-04-04',
      },
    ];
    const http = plainClient();
    const listings = await jpaasList.discover(source(), { http, now });
    expect(listings).toEqual([
      {
        url: `${fake.baseUrl}/zwgk/zcfb/art/2025/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html`,
        title: '商务部 海关总署公告2025年第18号 关于对中重稀土相关物项实施出口管制的决定',
        publishedAt: '2025-04-04',
        sourceId: 'aq',
      },
      {
        url: `${fake.baseUrl}/zwgk/zcfb/art/2025/art_1a1b2c3d4e5f60718293a4b5c6d7e8f9.html`,
        title: '不可靠实体清单工作机制关于将11家美国实体列入不可靠实体清单的公告',
        publishedAt: '2025-04-04',
        sourceId: 'aq',
      },
    ]);
    const request = fake.requests.find((r) => r.path.startsWith(JPAAS_API_PATH))!;
    expect(request.method).toBe('GET');
    expect(request.path).toContain('pageNo=1&pageSize=20&parseType=bulidstatic');
  });

  it('pages with pageNo and pageSize', async () => {
    fake.listings = many(25);
    const http = plainClient();
    const p1 = await jpaasList.discover(source({ pageSize: 10 }), { http, now });
    const p3 = await jpaasList.discover(source({ pageSize: 10 }), { http, now, page: 3 });
    expect(p1.map((l) => l.title)).toEqual(['公告25', '公告24', '公告23', '公告22', '公告21', '公告20', '公告19', '公告18', '公告17', '公告16']);
    expect(p3.map((l) => l.title)).toEqual(['公告5', '公告4', '公告3', '公告2', '公告1']);
    expect(await jpaasList.discover(source({ pageSize: 10 }), { http, now, page: 4 })).toEqual([]);
    expect(await jpaasList.discover(source({ pageSize: 1000 }), { http, now })).toHaveLength(25);
  });

  it('title from the text when there is no title attribute; dates with or without brackets; duplicates and navigation dropped', async () => {
    const html = [
      '<ul>',
      '<li><a href="/zwgk/zcfb/art/2025/art_aaaa.html">关于&nbsp;对部分  物项实施出口管制的公告</a><span>2025-04-04</span></li>',
      '<li><a href="/zwgk/zcfb/art/2025/art_aaaa.html" title="关于对部分物项实施出口管制的公告">关于对部分…</a><span>[2025-04-04]</span></li>',
      '<li><a href="https://www.mofcom.gov.cn/zcfb/blgg/art/2025/art_bbbb.html" title="公告乙">公告乙</a><span>2025年04月03日</span></li>',
      '<li><a href="https://evil.example/art/2025/art_cccc.html">外站</a><span>2025-04-03</span></li>',
      '<li><a href="/zwgk/zcfb/art/2025/art_dddd.html">公告丁</a></li>',
      '</ul><div class="page"><a href="javascript:;">下一页</a><a href="/zwgk/zcfb/index_2.html">2</a></div>',
    ].join('');
    const listings = await jpaasList.discover(source({}, 'https://aqygzj.mofcom.gov.cn'), { http: stubClient(() => answer(html)), now });
    expect(listings).toEqual([
      {
        url: 'https://aqygzj.mofcom.gov.cn/zwgk/zcfb/art/2025/art_aaaa.html',
        title: '关于 对部分 物项实施出口管制的公告',
        publishedAt: '2025-04-04',
        sourceId: 'aq',
      },
      { url: 'https://www.mofcom.gov.cn/zcfb/blgg/art/2025/art_bbbb.html', title: '公告乙', publishedAt: '2025-04-03', sourceId: 'aq' },
      { url: 'https://aqygzj.mofcom.gov.cn/zwgk/zcfb/art/2025/art_dddd.html', title: '公告丁', publishedAt: null, sourceId: 'aq' },
    ]);
  });

  it('zero rows is an empty source error', async () => {
    fake.listings = many(3);
    fake.misbehave('zero-rows');
    await expect(jpaasList.discover(source(), { http: plainClient(), now })).rejects.toMatchObject({ name: 'SourceError', reason: 'empty' });
  });

  it('a new shape is bad-shape', async () => {
    fake.listings = many(3);
    fake.misbehave('new-shape');
    await expect(jpaasList.discover(source(), { http: plainClient(), now })).rejects.toMatchObject({ reason: 'bad-shape' });
  });

  it.each([
    ['success false', JSON.stringify({ success: false, message: '页面不存在' }), /success: false/],
    ['html missing', JSON.stringify({ success: true, data: {} }), /data\.html/],
    ['not JSON', '<!DOCTYPE html><html>', /expected JSON/],
  ])('%s is bad-shape', async (_, text, message) => {
    await expect(jpaasList.discover(source(), { http: stubClient(() => ({ text })), now })).rejects.toMatchObject({
      reason: 'bad-shape',
      message: expect.stringMatching(message),
    });
  });

  it('the ? answer is a mojibake source error, even from a client that does not detect it', async () => {
    fake.listings = many(3);
    fake.misbehave('mojibake');
    await expect(jpaasList.discover(source(), { http: plainClient(), now })).rejects.toMatchObject({ reason: 'mojibake' });
  });

  it('a conditional request for an unchanged list yields no listings (304)', async () => {
    fake.listings = many(3);
    const http = plainClient();
    expect(await jpaasList.discover(source(), { http, now, conditional: true })).toHaveLength(3);
    expect(await jpaasList.discover(source(), { http, now, conditional: true })).toEqual([]);
    fake.listings.unshift({ title: '新公告', path: '/zwgk/zcfb/art/2025/art_ffff.html', date: '2025-04-05' });
    expect(await jpaasList.discover(source(), { http, now, conditional: true })).toHaveLength(4);
  });
});
