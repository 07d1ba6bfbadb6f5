import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMofcom, type FakeMofcom } from '../../../test/fakes/mofcom.js';
import { plainClient, stubClient } from '../../../test/fakes/plain-client.js';
import { parseSources, type SourceConfig } from '../config.js';
import { htmlIndex } from './html-index.js';

type Source = Extract<SourceConfig, { kind: 'html-index' }>;

let fake: FakeMofcom;
beforeEach(async () => {
  fake = await startFakeMofcom({
    listings: [
      {
        title: '商务部公告2026年第3号 关于对部分物项实施出口管制的公告',
        path: '/zwgk/zcfb/art/2026/art_00000000000000000000000000000003.html',
        date: '2026-09-24',
      },
      { title: '商务部公告2026年第1号', path: '/zwgk/zcfb/art/2026/art_00000000000000000000000000000001.html', date: '2026-01-08' },
      { title: '商务部公告2025年第61号', path: '/zcfb/blgg/art/2025/art_00000000000000000000000000000061.html', date: '2025-10-09' },
      { title: '商务部公告2025年第18号', path: '/article/zwgk/zcfb/202504/20250403556677.shtml', date: '2025-04-04' },
    ],
  });
});
afterEach(async () => {
  await fake.close();
});

function source(url: string, extra: Record<string, unknown> = {}): Source {
  return parseSources({ sources: [{ id: 'idx', kind: 'html-index', url, every: '1h', ...extra }] }, 'test')[0] as Source;
}

const now = new Date('2026-10-01T02:00:00Z');

describe('html-index', () => {
  it('reads the server-rendered homepage: links with titles and dates; navigation skipped', async () => {
    const listings = await htmlIndex.discover(source(`${fake.baseUrl}/`), { http: plainClient(), now });
    expect(listings).toEqual([
      {
        url: `${fake.baseUrl}/zwgk/zcfb/art/2026/art_00000000000000000000000000000003.html`,
        title: '商务部公告2026年第3号 关于对部分物项实施出口管制的公告',
        publishedAt: '2026-09-24',
        sourceId: 'idx',
      },
      {
        url: `${fake.baseUrl}/zwgk/zcfb/art/2026/art_00000000000000000000000000000001.html`,
        title: '商务部公告2026年第1号',
        publishedAt: '2026-01-08',
        sourceId: 'idx',
      },
      {
        url: `${fake.baseUrl}/zcfb/blgg/art/2025/art_00000000000000000000000000000061.html`,
        title: '商务部公告2025年第61号',
        publishedAt: '2025-10-09',
        sourceId: 'idx',
      },
      { url: `${fake.baseUrl}/article/zwgk/zcfb/202504/20250403556677.shtml`, title: '商务部公告2025年第18号', publishedAt: '2025-04-04', sourceId: 'idx' },
    ]);
  });

  it('substitutes {year}: ctx.year, else the current year in Beijing', async () => {
    const url = `${fake.baseUrl}/zcfb/blgg/gg/{year}/index.html`;
    const http = plainClient();
    const y2025 = await htmlIndex.discover(source(url), { http, now, year: 2025 });
    expect(y2025.map((l) => l.title)).toEqual(['商务部公告2025年第61号', '商务部公告2025年第18号']);
    expect(y2025[1]!.publishedAt).toBe('2025-04-04');
    // 2025-12-31 17:00 UTC is already 2026-01-01 in Beijing
    const current = await htmlIndex.discover(source(url), { http, now: new Date('2025-12-31T17:00:00Z') });
    expect(current.map((l) => l.title)).toEqual(['商务部公告2026年第3号 关于对部分物项实施出口管制的公告', '商务部公告2026年第1号']);
    expect(fake.requests.map((r) => r.path)).toEqual(['/zcfb/blgg/gg/2025/index.html', '/zcfb/blgg/gg/2026/index.html']);
  });

  it("in January a missing current-year index falls back to last year's; otherwise the 404 is an error", async () => {
    const url = `${fake.baseUrl}/zcfb/blgg/gg/{year}/index.html`;
    fake.listings = fake.listings.filter((l) => l.date.startsWith('2025'));
    const january = await htmlIndex.discover(source(url), { http: plainClient(), now: new Date('2026-01-05T02:00:00Z') });
    expect(january).toHaveLength(2);
    expect(fake.requests.map((r) => r.path)).toEqual(['/zcfb/blgg/gg/2026/index.html', '/zcfb/blgg/gg/2025/index.html']);
    await expect(htmlIndex.discover(source(url), { http: plainClient(), now: new Date('2026-02-05T02:00:00Z') })).rejects.toMatchObject({
      reason: 'http-status',
      status: 404,
    });
    await expect(htmlIndex.discover(source(url), { http: plainClient(), now: new Date('2026-01-05T02:00:00Z'), year: 2026 })).rejects.toMatchObject({
      reason: 'http-status',
    });
  });

  it('reads list markup variants: dates in text, before the link, Chinese dates; titles tidied; deduped; other sites skipped', async () => {
    const page = `<html><head><base href="https://aqygzj.mofcom.gov.cn/xxfb/"></head><body>
      <div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="list.html">列表</a><a href="index_2.html">下一页</a><a href="#top">顶部</a></div>
      <ul>
        <li><a href="art/2025/art_aaaa.html">关于&nbsp;对 部分物项\n 实施出口管制的公告</a> [2025-04-04]</li>
        <li><span>2025年04月03日</span><a href="https://www.mofcom.gov.cn/zcfb/blgg/art/2025/art_bbbb.html">公告乙</a></li>
        <li><a href="/art/2025/art_aaaa.html" title="重复">重复</a><span>2025-04-04</span></li>
        <li><a href="https://aqygzj.mofcom.gov.cn/xxfb/art/2025/art_aaaa.html#p2">同一篇</a></li>
        <li><a href="https://example.com/art/2025/art_cccc.html">外站文章</a><span>2025-04-02</span></li>
        <li><a href="/article/gndt/201901/20190102822434.shtml">2019年1月2日发布的旧公告</a></li>
        <li><a href="/upload/a.pdf">附件</a></li>
      </ul>
      <table><tr><td><a href="/art/2025/art_dddd.html" title="表格行">表格行…</a></td><td>2025.3.1</td></tr></table>
    </body></html>`;
    const http = stubClient(() => ({ text: page }));
    const listings = await htmlIndex.discover(source('https://aqygzj.mofcom.gov.cn/'), { http, now });
    expect(listings).toEqual([
      {
        url: 'https://aqygzj.mofcom.gov.cn/xxfb/art/2025/art_aaaa.html',
        title: '关于 对 部分物项 实施出口管制的公告',
        publishedAt: '2025-04-04',
        sourceId: 'idx',
      },
      { url: 'https://www.mofcom.gov.cn/zcfb/blgg/art/2025/art_bbbb.html', title: '公告乙', publishedAt: '2025-04-03', sourceId: 'idx' },
      { url: 'https://aqygzj.mofcom.gov.cn/art/2025/art_aaaa.html', title: '重复', publishedAt: '2025-04-04', sourceId: 'idx' },
      { url: 'https://aqygzj.mofcom.gov.cn/article/gndt/201901/20190102822434.shtml', title: '2019年1月2日发布的旧公告', publishedAt: null, sourceId: 'idx' },
      { url: 'https://aqygzj.mofcom.gov.cn/art/2025/art_dddd.html', title: '表格行', publishedAt: '2025-03-01', sourceId: 'idx' },
    ]);
  });

  it('a base URL on another site widens the sites whose links count', async () => {
    const page = '<ul><li><a href="https://mirror.example.org/art/2025/art_eeee.html">镜像</a><span>2025-04-04</span></li></ul>';
    const http = stubClient(() => ({ text: page }));
    await expect(htmlIndex.discover(source('https://proxy.example.com/index.html'), { http, now })).rejects.toMatchObject({ reason: 'empty' });
    const listings = await htmlIndex.discover(source('https://proxy.example.com/index.html', { baseUrl: 'https://mirror.example.org' }), { http, now });
    expect(listings.map((l) => l.url)).toEqual(['https://mirror.example.org/art/2025/art_eeee.html']);
  });

  it.each(['zero-rows', 'new-shape', 'js-shell'] as const)('%s is an empty source error', async (mode) => {
    fake.misbehave(mode);
    await expect(htmlIndex.discover(source(`${fake.baseUrl}/`), { http: plainClient(), now })).rejects.toMatchObject({ name: 'SourceError', reason: 'empty' });
  });

  it('the ? answer is a mojibake source error', async () => {
    fake.misbehave('mojibake');
    await expect(htmlIndex.discover(source(`${fake.baseUrl}/`), { http: plainClient(), now })).rejects.toMatchObject({ reason: 'mojibake' });
  });

  it('reads a GB18030 page decoded by the client', async () => {
    fake.misbehave('gb18030');
    const listings = await htmlIndex.discover(source(`${fake.baseUrl}/`), { http: plainClient(), now });
    expect(listings[0]!.title).toBe('商务部公告2026年第3号 关于对部分物项实施出口管制的公告');
  });

  it('a conditional request for an unchanged page yields no listings (304)', async () => {
    const http = plainClient();
    expect(await htmlIndex.discover(source(`${fake.baseUrl}/`), { http, now, conditional: true })).toHaveLength(4);
    expect(await htmlIndex.discover(source(`${fake.baseUrl}/`), { http, now, conditional: true })).toEqual([]);
    expect(http.calls.map((c) => c.conditional)).toEqual([true, true]);
  });
});
