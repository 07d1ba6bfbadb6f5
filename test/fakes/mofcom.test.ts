import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articlePage, COLUMN_API_PATH, encodeGb18030Html, JPAAS_API_PATH, startFakeMofcom, type FakeListing, type FakeMofcom } from './mofcom.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
}

const BROWSER = {
  'X-Requested-With': 'XMLHttpRequest',
  Accept: 'application/json;charset=utf-8',
  'Accept-Language': 'zh-CN',
  'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
};

function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => reject(new Error('aborted')));
      res.on('error', reject);
      res.on('end', () => {
        if (!res.complete) return reject(new Error('incomplete'));
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text: bytes.toString('utf8') });
      });
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    if (opts.body !== undefined) r.write(opts.body);
    r.end();
  });
}

function listings(n: number, column?: number): FakeListing[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `关于对部分物项实施出口管制的公告${n - i}`,
    path: `/article/gndt/202510/${20000 + n - i}.html`,
    date: `2025-10-${String(1 + (i % 28)).padStart(2, '0')}`,
    ...(column !== undefined ? { column } : {}),
  }));
}

let fake: FakeMofcom;

beforeEach(async () => {
  fake = await startFakeMofcom({ listings: listings(45, 9) });
});
afterEach(async () => {
  await fake.close();
});

async function columnPage(page: number, column = 9, headers: Record<string, string> = BROWSER): Promise<Raw> {
  return raw(`${fake.baseUrl}${COLUMN_API_PATH}`, { method: 'POST', headers, body: `pageNumber=${page}&columnID=${column}` });
}

describe('column API', () => {
  it('answers 20 rows a page with relative urls and the page count', async () => {
    const res = await columnPage(1);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(res.text);
    expect(body.pageInfo.rows).toHaveLength(20);
    expect(body.pageInfo.total).toBe(45);
    expect(body.pageInfo.maxPageNum).toBe(3);
    expect(body.pageInfo.rows[0]).toMatchObject({
      id: '20045',
      title: '关于对部分物项实施出口管制的公告45',
      url: '/article/gndt/202510/20045.html',
      publishTimeStr: '2025-10-01 09:30:00',
    });
    const third = JSON.parse((await columnPage(3)).text);
    expect(third.pageInfo.rows).toHaveLength(5);
    expect(JSON.parse((await columnPage(4)).text).pageInfo.rows).toHaveLength(0);
  });

  it('filters by column; listings without a column appear in every column', async () => {
    fake.listings = [...listings(2, 13), { title: '通用', path: '/article/gjdt/202510/1.html', date: '2025-10-01' }];
    const c13 = JSON.parse((await columnPage(1, 13)).text).pageInfo.rows;
    const c9 = JSON.parse((await columnPage(1, 9)).text).pageInfo.rows;
    expect(c13.map((r: { title: string }) => r.title)).toEqual(['关于对部分物项实施出口管制的公告2', '关于对部分物项实施出口管制的公告1', '通用']);
    expect(c9.map((r: { title: string }) => r.title)).toEqual(['通用']);
  });

  it('answers every Chinese character as ? without X-Requested-With, always', async () => {
    const res = await columnPage(1, 9, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.pageInfo.rows[0].title).toBe(`${'?'.repeat('关于对部分物项实施出口管制的公告'.length)}45`);
    expect(res.text).not.toMatch(/[\u0080-\uffff]/);
  });

  it('missing-headers-mojibake also requires Accept and Accept-Language', async () => {
    fake.misbehave('missing-headers-mojibake');
    const partial = await columnPage(1, 9, { 'X-Requested-With': 'XMLHttpRequest' });
    expect(JSON.parse(partial.text).pageInfo.rows[0].title).toMatch(/^\?+45$/);
    const full = await columnPage(1);
    expect(JSON.parse(full.text).pageInfo.rows[0].title).toBe('关于对部分物项实施出口管制的公告45');
  });

  it('zero-rows, new-shape and same-page', async () => {
    fake.misbehave('zero-rows', { times: 1 });
    expect(JSON.parse((await columnPage(1)).text).pageInfo).toMatchObject({ rows: [], total: 0 });
    expect(JSON.parse((await columnPage(1)).text).pageInfo.rows).toHaveLength(20);
    fake.misbehave('new-shape');
    const shaped = JSON.parse((await columnPage(1)).text);
    expect(shaped.pageInfo).toBeUndefined();
    expect(shaped.data.list).toHaveLength(20);
    fake.misbehave('same-page');
    const p1 = JSON.parse((await columnPage(1)).text).pageInfo.rows;
    const p2 = JSON.parse((await columnPage(2)).text).pageInfo.rows;
    expect(p2).toEqual(p1);
  });
});

describe('JPaaS API', () => {
  it('answers {success, data: {html}} with rows, paged by pageNo/pageSize', async () => {
    const url = (page: number, size: number) =>
      `${fake.baseUrl}${JPAAS_API_PATH}?webId=w&pageId=p&tplSetId=t&tagId=x&pageNo=${page}&pageSize=${size}&parseType=bulidstatic`;
    const body = JSON.parse((await raw(url(1, 10))).text);
    expect(body.success).toBe(true);
    expect(body.data.html).toContain('<a href="/article/gndt/202510/20045.html" target="_blank" title="关于对部分物项实施出口管制的公告45">');
    expect(body.data.html).toContain('<span>[2025-10-01]</span>');
    expect(body.data.html.match(/<li>/g)).toHaveLength(10);
    const last = JSON.parse((await raw(url(5, 10))).text);
    expect(last.data.html.match(/<li>/g)).toHaveLength(5);
    fake.misbehave('new-shape');
    expect(JSON.parse((await raw(url(1, 10))).text)).not.toHaveProperty('success');
    fake.misbehave('zero-rows');
    expect(JSON.parse((await raw(url(1, 10))).text).data.html).not.toContain('<li>');
  });
});

describe('index pages and documents', () => {
  it('serves the homepage and annual indexes; a year without listings is 404', async () => {
    fake.listings = [
      { title: '公告甲', path: '/zwgk/zcfb/art/2026/art_aa11.html', date: '2026-09-24' },
      { title: '公告乙', path: '/zwgk/zcfb/art/2025/art_bb22.html', date: '2025-04-04' },
    ];
    const home = await raw(`${fake.baseUrl}/`);
    expect(home.headers['content-type']).toBe('text/html');
    expect(home.text).toContain('<li><a href="/zwgk/zcfb/art/2026/art_aa11.html" target="_blank">公告甲</a><span>2026-09-24</span></li>');
    expect(home.text).toContain('公告乙');
    const y2025 = await raw(`${fake.baseUrl}/zcfb/blgg/gg/2025/index.html`);
    expect(y2025.text).toContain('公告乙');
    expect(y2025.text).not.toContain('公告甲');
    expect((await raw(`${fake.baseUrl}/zcfb/blgg/gg/2019/index.html`)).status).toBe(404);
    fake.misbehave('new-shape');
    expect((await raw(`${fake.baseUrl}/`)).text).not.toContain('<a href="/zwgk/zcfb/art/2026/art_aa11.html"');
  });

  it('serves HTML without a charset header, text and PDF bytes, and 404 otherwise', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
    fake.documents.set('/article/gndt/202510/1.html', { path: '/article/gndt/202510/1.html', html: '<p>正文</p>' });
    fake.documents.set('/upload/a.txt', { path: '/upload/a.txt', html: '第一条', contentType: 'text/plain; charset=utf-8' });
    fake.documents.set('/upload/a.pdf', { path: '/upload/a.pdf', html: '', bytes: pdf, contentType: 'application/pdf' });
    const page = await raw(`${fake.baseUrl}/article/gndt/202510/1.html`);
    expect(page.headers['content-type']).toBe('text/html');
    expect(page.text).toBe('<p>正文</p>');
    expect((await raw(`${fake.baseUrl}/upload/a.txt`)).text).toBe('第一条');
    const got = await raw(`${fake.baseUrl}/upload/a.pdf`);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.bytes.equals(pdf)).toBe(true);
    expect((await raw(`${fake.baseUrl}/nothing.html`)).status).toBe(404);
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await raw(`${fake.baseUrl}/`);
    const etag = String(first.headers.etag);
    expect((await raw(`${fake.baseUrl}/`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    fake.listings.unshift({ title: '新公告', path: '/zwgk/zcfb/art/2026/art_cc33.html', date: '2026-10-01' });
    expect((await raw(`${fake.baseUrl}/`, { headers: { 'If-None-Match': etag } })).status).toBe(200);
  });

  it('records every request', async () => {
    await columnPage(2);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: COLUMN_API_PATH, body: 'pageNumber=2&columnID=9' });
    expect(fake.requests.at(-1)!.headers['x-requested-with']).toBe('XMLHttpRequest');
  });

  it('articlePage renders a MOFCOM-style page with the head block, entities and attachments', () => {
    const html = articlePage({
      title: '商务部公告2025年第10号 关于对部分物项实施出口管制的公告',
      issuer: '安全与管制局',
      number: '商务部公告2025年第10号',
      date: '2025-02-04',
      paragraphs: ['根据商务部公告2024年第46号，现公告如下：', '本公告自公布之日起正式实施。'],
      attachments: [{ name: '管制物项清单.pdf', path: '/upload/uploadfile/attach/202502/04/1738650000000.pdf' }],
    });
    expect(html).toContain('【发布单位】安全与管制局');
    expect(html).toContain('【发布文号】商务部公告2025年第10号');
    expect(html).toContain('【发文日期】2025年02月04日');
    expect(html).toContain('&ensp;&ensp;根据商务部公告2024年&nbsp; 第46号');
    expect(html).toContain('href="/upload/uploadfile/attach/202502/04/1738650000000.pdf"');
    expect(html).not.toMatch(/charset/i);
  });
});

describe('misbehaviour', () => {
  const doc = () => fake.documents.set('/a/1.html', { path: '/a/1.html', html: '<html><body><p>【发布单位】安全与管制局</p></body></html>' });

  it('mojibake garbles any text answer, with headers or not', async () => {
    doc();
    fake.misbehave('mojibake');
    expect((await raw(`${fake.baseUrl}/a/1.html`)).text).toBe(`<html><body><p>${'?'.repeat('【发布单位】安全与管制局'.length)}</p></body></html>`);
    expect(JSON.parse((await columnPage(1)).text).pageInfo.rows[0].title).toMatch(/^\?+45$/);
  });

  it('js-shell answers 200 with a JavaScript redirect page', async () => {
    fake.misbehave('js-shell');
    const res = await columnPage(1);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.text).toMatch(/window\.location\.href='[^']*wscckey=/);
  });

  it('reset-first destroys the first connection, then serves', async () => {
    fake.misbehave('reset-first');
    await expect(raw(`${fake.baseUrl}/`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
  });

  it('server-error and forbidden, limited by times', async () => {
    fake.misbehave('server-error', { times: 2 });
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(502);
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(502);
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
    fake.misbehave('forbidden');
    const res = await raw(`${fake.baseUrl}/`);
    expect(res.status).toBe(403);
    expect(res.text).toContain('访问被拒绝');
    fake.misbehave(null);
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
  });

  it('rate-limited answers 429 with Retry-After, limited by times', async () => {
    fake.misbehave('rate-limited', { retryAfter: 7, times: 1 });
    const res = await raw(`${fake.baseUrl}/`);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
    fake.misbehave('rate-limited');
    expect((await raw(`${fake.baseUrl}/`)).headers['retry-after']).toBe('1');
  });

  it('path restricts a misbehaviour to a path prefix', async () => {
    doc();
    fake.misbehave('server-error', { path: '/a/' });
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
    expect((await raw(`${fake.baseUrl}/a/1.html`)).status).toBe(502);
  });

  it('slow holds the answer beyond a client timeout', async () => {
    fake.misbehave('slow', { delayMs: 1500, times: 1 });
    const started = Date.now();
    await expect(raw(`${fake.baseUrl}/`, { timeoutMs: 200 })).rejects.toThrow('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await raw(`${fake.baseUrl}/`, { timeoutMs: 1000 })).status).toBe(200);
  });

  it('slow answers arrive after the delay', async () => {
    fake.misbehave('slow', { delayMs: 150 });
    const started = Date.now();
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('truncated announces more bytes than it sends and closes', async () => {
    fake.misbehave('truncated', { times: 1 });
    await expect(raw(`${fake.baseUrl}/`)).rejects.toThrow(/aborted|incomplete|hang up|ECONNRESET/);
    expect((await raw(`${fake.baseUrl}/`)).status).toBe(200);
  });

  it('gb18030 serves HTML pages GB18030-encoded with charset=GBK', async () => {
    const html = articlePage({
      title: '关于对镓、锗相关物项实施出口管制的公告',
      issuer: '安全与管制局',
      number: '商务部 海关总署公告2023年第23号',
      date: '2023-07-03',
      paragraphs: ['第一条　根据《中华人民共和国出口管制法》……'],
    });
    fake.documents.set('/a/gbk.html', { path: '/a/gbk.html', html });
    fake.misbehave('gb18030');
    const res = await raw(`${fake.baseUrl}/a/gbk.html`);
    expect(res.headers['content-type']).toBe('text/html; charset=GBK');
    expect(res.bytes.equals(Buffer.from(html, 'utf8'))).toBe(false);
    expect(new TextDecoder('gb18030').decode(res.bytes)).toBe(html);
    // JSON APIs stay UTF-8
    expect(JSON.parse((await columnPage(1)).text).pageInfo.rows[0].title).toBe('关于对部分物项实施出口管制的公告45');
  });

  it('the GB18030 encoder writes characters outside GBK as numeric references', () => {
    expect([...encodeGb18030Html('中a')]).toEqual([0xd6, 0xd0, 0x61]);
    expect(encodeGb18030Html('😀').toString('ascii')).toBe('&#128512;');
  });
});
