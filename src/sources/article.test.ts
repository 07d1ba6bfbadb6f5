import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { articlePage } from '../../test/fakes/mofcom.js';
import { noticeKeyFromNumber } from '../domain/notice-key.js';
import { extractArticle } from './article.js';
import type { Article } from './types.js';

const URL_ = 'https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html';

const page = articlePage({
  title: '商务部 海关总署公告2025年第18号 关于对中重稀土相关物项实施出口管制的决定',
  issuer: '安全与管制局',
  number: '商务部 海关总署公告2025年第18号',
  date: '2025-04-04',
  paragraphs: [
    '根据《中华人民共和国出口管制法》《中华人民共和国两用物项出口管制条例》有关规定，为维护国家安全和利益，经国务院批准，决定对以下物项实施出口管制。有关事项公告如下：',
    '一、钐相关物项',
    '本公告自公布之日起正式实施。商务部公告2023年第39号同时废止。',
  ],
  attachments: [
    { name: '管制物项清单.pdf', path: '/upload/uploadfile/attach/202504/04/1743750000000.pdf' },
    { name: '申请表.docx', path: 'https://www.mofcom.gov.cn/upload/%E7%94%B3%E8%AF%B7%E8%A1%A8.docx' },
  ],
});

/** Structural invariants every extraction satisfies, whatever the input. */
function expectWellFormed(a: Article, url: string): void {
  expect(a.url).toBe(url);
  expect(typeof a.title).toBe('string');
  expect(typeof a.text).toBe('string');
  for (const line of a.text ? a.text.split('\n') : []) {
    expect(line).toBe(line.trim());
    expect(line).not.toBe('');
    expect(line).not.toMatch(/[\u00a0\u2002\u2003\ue000\ue001]|&nbsp;|&ensp;/);
  }
  for (const att of a.attachments) {
    expect(att.url).toMatch(/^https?:\/\//);
    expect(typeof att.name).toBe('string');
  }
  for (const d of [a.publishedAt, a.head.date]) if (d !== null) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
}

describe('extractArticle on MOFCOM pages', () => {
  it('reads the fake MOFCOM article page: head block, title, paragraphs, attachments', () => {
    const a = extractArticle(page, URL_);
    expectWellFormed(a, URL_);
    expect(a.title).toBe('商务部 海关总署公告2025年第18号 关于对中重稀土相关物项实施出口管制的决定');
    expect(a.head).toEqual({ issuer: '安全与管制局', number: '商务部 海关总署公告2025年第18号', date: '2025-04-04' });
    expect(noticeKeyFromNumber(a.head.number!)).toBe('MOFCOM-2025-18');
    expect(a.publishedAt).toBe('2025-04-04');
    expect(a.text.split('\n')).toEqual([
      '根据《中华人民共和国出口管制法》《中华人民共和国两用物项出口管制条例》有关规定，为维护国家安全和利益，经国务院批准，决定对以下物项实施出口管制。有关事项公告如下：',
      '一、钐相关物项',
      '本公告自公布之日起正式实施。商务部公告2023年 第39号同时废止。',
      '附件1：管制物项清单.pdf',
      '附件2：申请表.docx',
    ]);
    expect(a.text).not.toMatch(/首页|版权|主办单位|请使用现代浏览器|分享/);
    expect(a.attachments).toEqual([
      { url: 'https://www.mofcom.gov.cn/upload/uploadfile/attach/202504/04/1743750000000.pdf', name: '管制物项清单.pdf' },
      { url: 'https://www.mofcom.gov.cn/upload/%E7%94%B3%E8%AF%B7%E8%A1%A8.docx', name: '申请表.docx' },
    ]);
  });

  it('finds the head block wherever it is: at the end of the body, split over elements, labels apart from values', () => {
    const atEnd = `<html><head><title>关于将11家美国实体列入不可靠实体清单的公告_商务部网站</title></head><body>
      <div class="TRS_Editor"><p>根据《不可靠实体清单规定》有关规定，工作机制决定将下列11家美国实体列入不可靠实体清单：</p>
      <p>1. 某某公司（Some Corp）</p></div>
      <div class="info"><span class="a">【发布单位】</span><span>不可靠实体清单工作机制</span>
      <span>【发布文号】</span><span>不可靠实体清单工作机制公告2025年第1号</span>
      <div>【发文日期】</div><div>2025年02月04日</div></div></body></html>`;
    const a = extractArticle(atEnd, URL_);
    expect(a.head).toEqual({ issuer: '不可靠实体清单工作机制', number: '不可靠实体清单工作机制公告2025年第1号', date: '2025-02-04' });
    expect(a.title).toBe('关于将11家美国实体列入不可靠实体清单的公告');
    expect(a.text).toBe('根据《不可靠实体清单规定》有关规定，工作机制决定将下列11家美国实体列入不可靠实体清单：\n1. 某某公司（Some Corp）');

    const inline = `<div id="zoom"><p>【发布单位】安全与管制局 【发布文号】商务部公告2025年&nbsp;第10号 【发文日期】2025年02月04日</p><p>正文第一段，足够长以便被当作正文内容。</p></div>`;
    expect(extractArticle(inline, URL_).head).toEqual({ issuer: '安全与管制局', number: '商务部公告2025年 第10号', date: '2025-02-04' });
  });

  it('without a head block: <title> without the site suffix, date from the PubDate meta or a 发布时间 line', () => {
    const withMeta = `<html><head><meta name="PubDate" content="2025-10-09 10:30"><title>关于举办出口管制合规培训的通知 - 中国出口管制信息网</title></head>
      <body><div class="art-con"><p>各有关单位：现将培训有关事项通知如下。</p></div></body></html>`;
    const a = extractArticle(withMeta, URL_);
    expect(a).toMatchObject({ title: '关于举办出口管制合规培训的通知', publishedAt: '2025-10-09', head: { issuer: null, number: null, date: null } });

    const withLine = `<html><head><title>商务部新闻发言人就有关问题答记者问_新闻发布_商务部网站</title><meta name="ColumnName" content="新闻发布"></head>
      <body><h1 class="x">商务部新闻发言人就有关问题答记者问</h1><div class="meta">发布时间：2025-10-09&nbsp;&nbsp;来源：新闻办公室</div>
      <div class="art-con"><p>问：据报道……</p><p>答：……是正常的出口管制措施。</p></div></body></html>`;
    const b = extractArticle(withLine, URL_);
    expect(b.title).toBe('商务部新闻发言人就有关问题答记者问');
    expect(b.publishedAt).toBe('2025-10-09');
    expect(extractArticle('<title>x_y_商务部网站</title><meta name="ColumnName" content="y"><p>z</p>', URL_).title).toBe('x');
    expect(extractArticle('<p>no date here at all, only text</p>', URL_).publishedAt).toBeNull();
  });

  it('the head block date wins over the page date', () => {
    const html = `<meta name="PubDate" content="2025-10-10"><p>发布时间：2025-10-11</p><p>【发文日期】2025年10月09日</p>`;
    expect(extractArticle(html, URL_).publishedAt).toBe('2025-10-09');
  });

  it('without a known content container: navigation, breadcrumbs, headers and footers dropped', () => {
    const html = `<html><body>
      <header><a href="/">首页</a> 商务部门户</header>
      <ul class="menu"><li><a href="/zwgk/">政务公开</a></li><li><a href="/zcfb/">政策发布</a></li></ul>
      <div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zcfb/">政策发布</a></div>
      <div class="main"><div class="wrap">
        <h2>关于调整发布《中国禁止出口限制出口技术目录》的公告</h2>
        <p>&emsp;&emsp;根据《中华人民共和国对外贸易法》，现将调整内容公布如下：<br>一、删除…<br/>二、新增…</p>
        <p>附件：<a href="/upload/catalogue.xlsx">目录.xlsx</a></p>
        <div><a href="/other/1.html">相关阅读一</a> <a href="/other/2.html">相关阅读二</a></div>
        <table><tr><td>序号</td><td>技术名称</td></tr><tr><td>1</td><td>稀土提取技术</td></tr></table>
      </div></div>
      <div id="footer">版权所有 中华人民共和国商务部</div>
    </body></html>`;
    const a = extractArticle(html, URL_);
    expect(a.text.split('\n')).toEqual([
      '关于调整发布《中国禁止出口限制出口技术目录》的公告',
      '根据《中华人民共和国对外贸易法》，现将调整内容公布如下：',
      '一、删除…',
      '二、新增…',
      '附件：目录.xlsx',
      '序号 技术名称',
      '1 稀土提取技术',
    ]);
    // no meta, title element or <title>: the caller falls back to the listing's title
    expect(a.title).toBe('');
    expect(a.attachments).toEqual([{ url: 'https://www.mofcom.gov.cn/upload/catalogue.xlsx', name: '目录.xlsx' }]);
  });

  it('attachments: extensions anywhere, any file under /upload/, absolute, named by text, else title, else file name; <base href> honoured', () => {
    const html = `<html><head><base href="https://exportcontrol.mofcom.gov.cn/article/gndt/202510/"></head><body><div class="art-con">
      <p>正文内容足够长，用来确定正文的容器，这里有附件。</p>
      <p><a href="/upload/uploadfile/attach/202510/09/1760000000000.pdf">附件1：清单</a></p>
      <p><a href="files/名单.XLSX" title="名单">&nbsp;</a></p>
      <p><a href="/upload/2025/%E7%9B%AE%E5%BD%95.html"></a></p>
      <p><a href="/upload/uploadfile/attach/202510/09/1760000000000.pdf">同一附件</a></p>
      <p><a href="/article/gndt/202510/12345.html">另一篇文章</a> <a href="mailto:a@b.cn">邮件.pdf</a> <a href="/a.txt">说明</a></p>
    </div></body></html>`;
    expect(extractArticle(html, URL_).attachments).toEqual([
      { url: 'https://exportcontrol.mofcom.gov.cn/upload/uploadfile/attach/202510/09/1760000000000.pdf', name: '附件1：清单' },
      { url: 'https://exportcontrol.mofcom.gov.cn/article/gndt/202510/files/%E5%90%8D%E5%8D%95.XLSX', name: '名单' },
      { url: 'https://exportcontrol.mofcom.gov.cn/upload/2025/%E7%9B%AE%E5%BD%95.html', name: '目录.html' },
      { url: 'https://exportcontrol.mofcom.gov.cn/a.txt', name: '说明' },
    ]);
  });

  it('decodes &ensp;/&nbsp; to spaces (also left double-escaped), drops scripts and styles, splits <br>', () => {
    const html = `<div id="zoom"><style>p{color:red}</style><script>var x = "不应出现";</script>
      <p>&ensp;&ensp;二〇二五年&nbsp; 第5号&amp;nbsp;公告</p><p>甲<br>乙<br><br>丙</p><noscript>请开启脚本</noscript></div>`;
    expect(extractArticle(html, URL_).text).toBe('二〇二五年 第5号 公告\n甲\n乙\n丙');
  });

  it('reads truncated pages: whatever arrived before the cut', () => {
    const cut = page.slice(0, page.indexOf('一、钐相关物项') + 3);
    const a = extractArticle(cut, URL_);
    expect(a.head).toEqual({ issuer: '安全与管制局', number: '商务部 海关总署公告2025年第18号', date: '2025-04-04' });
    expect(a.title).toBe('商务部 海关总署公告2025年第18号 关于对中重稀土相关物项实施出口管制的决定');
    expect(a.text.split('\n').at(-1)).toBe('一、钐');
    expect(a.attachments).toEqual([]);
    const midTag = page.slice(0, page.indexOf('<p style') + 5);
    expect(() => extractArticle(midTag, URL_)).not.toThrow();
  });

  it.each(['', '<', '<<<>>>', '</p></div></html>', '<a href="', '<a href="http://[::1">x</a>', '\u0000\u0001\ufffd', '<table><tr><td>【发布单位】'])(
    'tolerates %j',
    (html) => {
      expectWellFormed(extractArticle(html, URL_), URL_);
    },
  );

  it('tolerates a URL it cannot resolve against', () => {
    const a = extractArticle('<a href="/upload/a.pdf">a</a><a href="https://x.example/b.pdf">b</a>', 'not a url');
    expect(a.attachments).toEqual([{ url: 'https://x.example/b.pdf', name: 'b' }]);
  });
});

describe('extractArticle (property)', () => {
  const fragment = fc.oneof(
    fc.constantFrom(
      '<p>',
      '</p>',
      '<div id="zoom">',
      '<div class="art-con">',
      '</div>',
      '<br>',
      '<table><tr><td>',
      '</td></tr></table>',
      '<a href="/upload/x.pdf">',
      '<a href="javascript:">',
      '<a href="http://[">',
      '</a>',
      '<script>',
      '</script>',
      '<style>',
      '<title>',
      '</title>',
      '<meta name="PubDate" content="2025-13-45">',
      '<meta name="ArticleTitle" content="">',
      '<base href="::">',
      '【发布单位】',
      '【发布文号】',
      '【发文日期】',
      '2025年02月30日',
      '2025-04-04',
      '&nbsp;',
      '&ensp;',
      '&amp;nbsp;',
      '&#0;',
      '<!--',
      '-->',
      '<![CDATA[',
      '\u0001',
      '\ue000',
      '\ue001',
      '\u3000',
    ),
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 8, unit: 'grapheme' }),
  );

  it('never throws and always returns a well-formed article', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }), (parts) => {
        const a = extractArticle(parts.join(''), URL_);
        expectWellFormed(a, URL_);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary strings or on any truncation of a real page', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (html) => {
        expectWellFormed(extractArticle(html, URL_), URL_);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.nat({ max: page.length }), (n) => {
        const a = extractArticle(page.slice(0, n), URL_);
        expectWellFormed(a, URL_);
        // once the head block has arrived it is read
        if (n > page.indexOf('</table>')) expect(a.head.number).toBe('商务部 海关总署公告2025年第18号');
      }),
      { numRuns: 200 },
    );
  });
});
