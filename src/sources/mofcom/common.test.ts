import { describe, expect, it } from 'vitest';
import { beijingYear, decodeEntities, dedupeListings, hostFamily, isArticleUrl, normaliseTitle, resolveUrl } from './common.js';

describe('hostFamily', () => {
  it.each([
    ['aqygzj.mofcom.gov.cn', 'mofcom.gov.cn'],
    ['www.mofcom.gov.cn', 'mofcom.gov.cn'],
    ['exportcontrol.mofcom.gov.cn', 'mofcom.gov.cn'],
    ['mofcom.gov.cn', 'mofcom.gov.cn'],
    ['www.example.com', 'example.com'],
    ['news.bbc.co.uk', 'bbc.co.uk'],
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
  ])('%s → %s', (host, family) => expect(hostFamily(host)).toBe(family));
});

describe('isArticleUrl', () => {
  it.each([
    ['https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html', true],
    ['https://www.mofcom.gov.cn/zcfb/blgg/art/2025/art_abcdef.html', true],
    ['https://exportcontrol.mofcom.gov.cn/article/gndt/202510/12345.html', true],
    ['https://www.mofcom.gov.cn/article/b/c/201901/20190102822434.shtml', true],
    ['https://www.mofcom.gov.cn/zcfb/blgg/gg/2025/index.html', false],
    ['https://www.mofcom.gov.cn/zcfb/blgg/gg/2025/index_3.html', false],
    ['https://www.mofcom.gov.cn/zwgk/list.html', false],
    ['https://www.mofcom.gov.cn/article/gndt/', false],
    ['https://www.mofcom.gov.cn/about.html', false],
    ['https://www.mofcom.gov.cn/upload/1.pdf', false],
  ])('%s → %s', (url, expected) => expect(isArticleUrl(url)).toBe(expected));
});

describe('resolveUrl', () => {
  it('resolves relative links and drops the fragment', () => {
    expect(resolveUrl('/article/gndt/202510/12345.html', 'https://exportcontrol.mofcom.gov.cn/')).toBe(
      'https://exportcontrol.mofcom.gov.cn/article/gndt/202510/12345.html',
    );
    expect(resolveUrl('art_1.html#top', 'https://www.mofcom.gov.cn/zcfb/blgg/art/2025/index.html')).toBe(
      'https://www.mofcom.gov.cn/zcfb/blgg/art/2025/art_1.html',
    );
    expect(resolveUrl('/a?x=1&amp;y=2', 'https://a.example/')).toBe('https://a.example/a?x=1&y=2');
  });
  it.each(['', '#', 'javascript:void(0)', 'mailto:a@b.c', 'ftp://x/y.html', 'http://[bad'])('refuses %j', (href) =>
    expect(resolveUrl(href, 'https://a.example/')).toBeNull(),
  );
});

describe('titles', () => {
  it('decodes entities and normalises whitespace', () => {
    expect(normaliseTitle(' 商务部公告2025年&nbsp; 第5号&ensp;关于\u3000“两用物项”\n ')).toBe('商务部公告2025年 第5号 关于 “两用物项”');
    expect(decodeEntities('&quot;A&quot; &amp; &#20013;&#x6587; &bogus; &#0;')).toBe('"A" & 中文 &bogus; &#0;');
  });
});

describe('dedupeListings', () => {
  it('keeps the first and fills a missing date', () => {
    expect(
      dedupeListings([
        { url: 'u', title: 'a', publishedAt: null, sourceId: 's' },
        { url: 'u', title: 'b', publishedAt: '2025-01-01', sourceId: 's' },
        { url: 'v', title: 'c', publishedAt: null, sourceId: 's' },
      ]),
    ).toEqual([
      { url: 'u', title: 'a', publishedAt: '2025-01-01', sourceId: 's' },
      { url: 'v', title: 'c', publishedAt: null, sourceId: 's' },
    ]);
  });
});

describe('beijingYear', () => {
  it('rolls over at midnight in Beijing', () => {
    expect(beijingYear(new Date('2025-12-31T15:59:59Z'))).toBe(2025);
    expect(beijingYear(new Date('2025-12-31T16:00:00Z'))).toBe(2026);
  });
});
