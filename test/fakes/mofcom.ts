// A fake MOFCOM for tests: a real node:http server on 127.0.0.1 (port 0) serving, from an in-memory
// model that tests may change at any time,
//
// - the exportcontrol column API: POST /edi_ecms_web_front/front/column/getColumnList, form
//   `pageNumber=N&columnID=C`, 20 rows a page, listings filtered by `column` (a listing without one
//   appears in every column). Like the real site it answers every non-ASCII character as `?` whenever
//   `X-Requested-With: XMLHttpRequest` is missing — always, not only when misbehaving;
// - the JPaaS list API: GET /api-gateway/jpaas-publish-server/front/page/build/unit?…&pageNo&pageSize,
//   `{success:true,data:{html}}` with `<li><a href title>…</a><span>[date]</span></li>` rows;
// - index pages: `/` and `/index.html` (the aqygzj-style homepage, every listing) and any
//   `…/<YYYY>/index.html` (the annual announcement index: that year's listings; 404 when it has none);
// - documents (articles, attachments) at exact paths: HTML as UTF-8 without a charset header (as
//   MOFCOM does), or any bytes with their content type.
// GET answers carry an ETag and honour If-None-Match with a 304.
//
// misbehave(mode, { times, path, delayMs }) makes matching requests misbehave; `times` (default
// unlimited, 1 for 'reset-first') counts the requests that actually misbehaved, `path` restricts it to a
// path prefix. Modes:
//   mojibake        every non-ASCII character of a text answer becomes `?` (headers or not)
//   missing-headers-mojibake  the column API also requires `Accept: application/json…` and
//                   `Accept-Language: zh…` besides X-Requested-With, and answers `?` without all three
//   zero-rows       list APIs and index pages answer 200 with no rows
//   new-shape       list APIs answer another JSON shape; index pages list rows without <a> links
//   same-page       the column API and JPaaS answer page 1 whatever page is asked (broken pagination)
//   js-shell        any request answers 200 with a JavaScript shell / `wscckey` redirect page
//   reset-first     the connection is destroyed without an answer (then, with times 1, served)
//   server-error    502 Bad Gateway
//   rate-limited    429 Too Many Requests with `Retry-After: <retryAfter>` (seconds, default 1)
//   forbidden       403 with a challenge-like page
//   slow            the answer is delayed by delayMs (default 5000), beyond a client timeout
//   truncated       Content-Length larger than the body, then the connection is closed
//   gb18030         HTML pages served GB18030-encoded with `Content-Type: text/html; charset=GBK`

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeArticle {
  path: string;
  html: string;
  contentType?: string;
  bytes?: Buffer;
}

export interface FakeListing {
  title: string;
  path: string;
  /** YYYY-MM-DD (a time may follow: `2025-10-09 10:30:00`). */
  date: string;
  column?: number;
}

export type Misbehaviour =
  | 'mojibake'
  | 'zero-rows'
  | 'new-shape'
  | 'js-shell'
  | 'reset-first'
  | 'server-error'
  | 'rate-limited'
  | 'forbidden'
  | 'slow'
  | 'truncated'
  | 'gb18030'
  | 'missing-headers-mojibake'
  | 'same-page';

export interface MisbehaveOptions {
  times?: number;
  path?: string;
  /** For 'slow': how long the answer is held back (ms). */
  delayMs?: number;
  /** For 'rate-limited': the Retry-After header, in seconds (default 1). */
  retryAfter?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface FakeMofcom {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** What the list APIs and index pages return, newest first. */
  listings: FakeListing[];
  documents: Map<string, FakeArticle>;
  misbehave(mode: Misbehaviour | null, opts?: MisbehaveOptions): void;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export const COLUMN_API_PATH = '/edi_ecms_web_front/front/column/getColumnList';
export const JPAAS_API_PATH = '/api-gateway/jpaas-publish-server/front/page/build/unit';
export const COLUMN_PAGE_SIZE = 20;

const COLUMN_NAMES: Record<number, string> = { 9: '国内动态', 13: '国际动态', 14: '法律法规', 15: '规章及规范性文件' };

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Every non-ASCII character as `?`, the way the column API answers a client without browser headers. */
export function questionMarks(text: string): string {
  return text.replace(/[\u0080-\u{10ffff}]/gu, '?');
}

let gbkTable: Map<string, Buffer> | null = null;

/**
 * Encodes text as GB18030 for the characters GBK covers (every common CJK character and punctuation),
 * from a table built once with the platform's GBK decoder; other characters become HTML numeric
 * references, so the result is only meant for HTML.
 */
export function encodeGb18030Html(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        try {
          const ch = decoder.decode(Uint8Array.of(lead, trail));
          if (ch.length === 1 && !gbkTable.has(ch)) gbkTable.set(ch, Buffer.of(lead, trail));
        } catch {
          // unassigned code
        }
      }
    }
  }
  const parts: Buffer[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) parts.push(Buffer.of(code));
    else parts.push(gbkTable.get(ch) ?? Buffer.from(`&#${code};`, 'ascii'));
  }
  return Buffer.concat(parts);
}

function chineseDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[1]}年${m[2]}月${m[3]}日` : date;
}

/**
 * A MOFCOM-style article page: meta ArticleTitle/PubDate, site navigation and breadcrumb, the
 * 【发布单位】【发布文号】【发文日期】 head block in a table above the title, paragraphs in `#zoom`
 * indented with `&ensp;` and with `&nbsp;` inside numbers (`2025年&nbsp; 第10号` reads `2025年 第10号`),
 * attachments as links, a footer. Served as UTF-8 without any charset declaration.
 */
export function articlePage(p: {
  title: string;
  issuer: string;
  number: string;
  date: string;
  paragraphs: string[];
  attachments?: Array<{ name: string; path: string }>;
}): string {
  const title = escapeHtml(p.title);
  const body = p.paragraphs.map((para) => `    <p style="text-indent:2em">&ensp;&ensp;${escapeHtml(para).replace(/年第/g, '年&nbsp; 第')}</p>`).join('\n');
  const attachments = (p.attachments ?? [])
    .map((a, i) => `    <p>附件${i + 1}：<a href="${escapeHtml(a.path)}" target="_blank">${escapeHtml(a.name)}</a></p>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge">
  <meta name="SiteName" content="中华人民共和国商务部">
  <meta name="ColumnName" content="政策发布">
  <meta name="ArticleTitle" content="${title}">
  <meta name="PubDate" content="${escapeHtml(p.date)} 17:30">
  <meta name="ContentSource" content="${escapeHtml(p.issuer)}">
  <title>${title}_商务部网站</title>
  <link rel="stylesheet" href="/static/css/art.css">
  <style>.art-con p { line-height: 2; }</style>
  <script src="/static/js/jquery.min.js"></script>
  <script>var _hmt = _hmt || []; document.write('<p>请使用现代浏览器</p>');</script>
</head>
<body>
  <div class="header">
    <div class="topbar"><a href="/">首页</a> | <a href="https://english.mofcom.gov.cn/">English</a> | <a href="/zwgk/index.html">政务公开</a></div>
    <ul class="nav">
      <li><a href="/">首页</a></li><li><a href="/zcfb/index.html">政策发布</a></li><li><a href="/xwfb/index.html">新闻发布</a></li><li><a href="/hdjl/index.html">互动交流</a></li>
    </ul>
  </div>
  <div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zcfb/index.html">政策发布</a> &gt; <a href="/zcfb/blgg/index.html">公告</a></div>
  <div class="art-head">
    <table class="art-info">
      <tr><td>【发布单位】${escapeHtml(p.issuer)}</td><td>【发布文号】${escapeHtml(p.number)}</td></tr>
      <tr><td colspan="2">【发文日期】${chineseDate(p.date)}</td></tr>
    </table>
  </div>
  <div class="art-title"><h1>${title}</h1></div>
  <div class="art-date">发布时间：${escapeHtml(p.date)} 17:30 &nbsp; 来源：${escapeHtml(p.issuer)}</div>
  <div class="art-con art-con-bottonmLine" id="zoom">
${body}
${attachments}
  </div>
  <div class="share"><a href="javascript:void(0)">分享到微信</a> <a href="javascript:window.print()">打印</a></div>
  <div class="footer">
    <p><a href="/sitemap.html">网站地图</a> | <a href="/contact.html">联系我们</a></p>
    <p>主办单位：中华人民共和国商务部 &nbsp; 地址：北京市东城区东长安街2号 &nbsp; 京ICP备05004093号</p>
  </div>
</body>
</html>
`;
}

function jsShell(): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title></title>
<script type="text/javascript">window.location.href='/index.html?wscckey=4a3b2c1d_${Date.now()}';</script>
</head><body><div id="app"></div><noscript>请开启JavaScript</noscript></body></html>`;
}

function rowId(path: string, index: number): string {
  const digits = /(\d+)\.s?html?$/.exec(path);
  return digits ? digits[1]! : String(100000 + index);
}

function publishTime(date: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date} 09:30:00` : date;
}

interface State {
  mode: Misbehaviour | null;
  remaining: number;
  prefix: string | undefined;
  delayMs: number;
  retryAfter: number;
}

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startFakeMofcom(init: { listings?: FakeListing[]; documents?: FakeArticle[] } = {}): Promise<FakeMofcom> {
  const state: State = { mode: null, remaining: 0, prefix: undefined, delayMs: 5000, retryAfter: 1 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const fake: FakeMofcom = {
    baseUrl: '',
    listings: [...(init.listings ?? [])],
    documents: new Map((init.documents ?? []).map((d) => [d.path, d])),
    requests: [],
    misbehave(mode, opts = {}) {
      state.mode = mode;
      state.remaining = opts.times ?? (mode === 'reset-first' ? 1 : Number.POSITIVE_INFINITY);
      state.prefix = opts.path;
      state.delayMs = opts.delayMs ?? 5000;
      state.retryAfter = opts.retryAfter ?? 1;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** True (and one use spent) when `mode` is on for this path. */
  const consume = (mode: Misbehaviour, path: string): boolean => {
    if (state.mode !== mode || state.remaining <= 0) return false;
    if (state.prefix !== undefined && !path.startsWith(state.prefix)) return false;
    state.remaining--;
    return true;
  };

  type Kind = 'json' | 'html' | 'text' | 'binary';

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    status: number,
    contentType: string,
    body: string | Buffer,
    kind: Kind,
    extraHeaders: Record<string, string> = {},
  ): void => {
    let bytes: Buffer;
    let type = contentType;
    if (typeof body === 'string') {
      let text = body;
      if (kind !== 'binary' && consume('mojibake', path)) text = questionMarks(text);
      if (kind === 'html' && consume('gb18030', path)) {
        bytes = encodeGb18030Html(text);
        type = 'text/html; charset=GBK';
      } else {
        bytes = Buffer.from(text, 'utf8');
      }
    } else {
      bytes = body;
    }
    const headers: Record<string, string | number> = { 'Content-Type': type, ...extraHeaders };
    if (req.method === 'GET' && status === 200) {
      const etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;
      headers.ETag = etag;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
    }
    if (consume('truncated', path)) {
      headers['Content-Length'] = bytes.length + 4096;
      res.writeHead(status, headers);
      res.write(bytes.subarray(0, Math.ceil(bytes.length / 2)), () => res.destroy());
      return;
    }
    headers['Content-Length'] = bytes.length;
    res.writeHead(status, headers);
    res.end(bytes);
  };

  const columnApi = (req: IncomingMessage, res: ServerResponse, path: string, body: string): void => {
    const form = new URLSearchParams(body);
    const columnText = form.get('columnID');
    const column = columnText ? Number(columnText) : Number.NaN;
    let page = Math.max(1, Number(form.get('pageNumber')) || 1);
    if (consume('same-page', path)) page = 1;
    const all = Number.isFinite(column) ? fake.listings.filter((l) => l.column === undefined || l.column === column) : [];
    const visible = consume('zero-rows', path) ? [] : all;
    const rows = visible.slice((page - 1) * COLUMN_PAGE_SIZE, page * COLUMN_PAGE_SIZE).map((l, i) => ({
      id: rowId(l.path, i),
      title: l.title,
      url: l.path,
      content: '',
      publishTimeStr: publishTime(l.date),
      source: '安全与管制局',
      columnName: COLUMN_NAMES[column] ?? '栏目',
    }));
    const answer = consume('new-shape', path)
      ? { code: 200, msg: 'success', data: { list: rows, totalCount: visible.length } }
      : {
          pageInfo: {
            rows,
            total: visible.length,
            maxPageNum: Math.max(1, Math.ceil(visible.length / COLUMN_PAGE_SIZE)),
            pageNumber: page,
            pageSize: COLUMN_PAGE_SIZE,
          },
        };
    let text = JSON.stringify(answer);
    const header = (name: string) => String(req.headers[name] ?? '');
    const browserLike = header('x-requested-with').toLowerCase() === 'xmlhttprequest';
    const strictlyBrowserLike = browserLike && /application\/json/i.test(header('accept')) && /zh/i.test(header('accept-language'));
    if (!browserLike || (!strictlyBrowserLike && consume('missing-headers-mojibake', path))) text = questionMarks(text);
    send(req, res, path, 200, 'application/json;charset=UTF-8', text, 'json');
  };

  const jpaasApi = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void => {
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('pageSize')) || 20));
    let page = Math.max(1, Number(query.get('pageNo')) || 1);
    if (consume('same-page', path)) page = 1;
    const visible = consume('zero-rows', path) ? [] : fake.listings;
    const rows = visible.slice((page - 1) * pageSize, page * pageSize);
    let answer: unknown;
    if (consume('new-shape', path)) {
      answer = { code: 0, msg: 'ok', result: { records: rows.map((l) => ({ title: l.title, link: l.path, time: l.date })) } };
    } else {
      const items = rows
        .map(
          (l) =>
            `<li><a href="${escapeHtml(l.path)}" target="_blank" title="${escapeHtml(l.title)}">${escapeHtml(l.title)}</a><span>[${escapeHtml(l.date.slice(0, 10))}]</span></li>`,
        )
        .join('');
      const pages = Math.max(1, Math.ceil(visible.length / pageSize));
      const html = `<ul class="txtList">${items}</ul><div class="page"><a href="javascript:;">首页</a><a href="javascript:;">下一页</a><span>共${pages}页</span></div>`;
      answer = { success: true, data: { html, total: visible.length, pageNo: page } };
    }
    send(req, res, path, 200, 'application/json;charset=UTF-8', JSON.stringify(answer), 'json');
  };

  const indexPage = (req: IncomingMessage, res: ServerResponse, path: string, year: number | null): void => {
    const chosen = year === null ? fake.listings : fake.listings.filter((l) => l.date.startsWith(String(year)));
    if (year !== null && chosen.length === 0 && state.mode !== 'zero-rows') {
      send(req, res, path, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>', 'html');
      return;
    }
    const visible = consume('zero-rows', path) ? [] : chosen;
    const newShape = consume('new-shape', path);
    const row = (l: FakeListing) =>
      newShape
        ? `<div class="item" onclick="window.open('${escapeHtml(l.path)}')">${escapeHtml(l.title)}<em>${escapeHtml(l.date.slice(0, 10))}</em></div>`
        : year === null
          ? `<li><a href="${escapeHtml(l.path)}" target="_blank">${escapeHtml(l.title)}</a><span>${escapeHtml(l.date.slice(0, 10))}</span></li>`
          : `<li><a href="${escapeHtml(l.path)}" title="${escapeHtml(l.title)}" target="_blank">${escapeHtml(l.title)}</a><span>[${escapeHtml(l.date.slice(0, 10))}]</span></li>`;
    const html = `<!DOCTYPE html>
<html lang="zh-CN"><head><title>${year === null ? '安全与管制局' : `${year}年公告_商务部网站`}</title></head>
<body>
  <div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/index.html">政务公开</a></li><li><a href="/zcfb/index.html">政策发布</a></li><li><a href="javascript:void(0)">无障碍</a></li></ul></div>
  <div class="main"><h2>${year === null ? '最新信息' : `${year}年公告`}</h2>
    <ul class="list">
${visible.map(row).join('\n')}
    </ul>
    <div class="page"><a href="index.html">首页</a> <a href="index_1.html">下一页</a></div>
  </div>
  <div class="footer"><a href="https://www.mofcom.gov.cn/">商务部</a> <a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010102003412">京公网安备11010102003412号</a></div>
</body></html>
`;
    send(req, res, path, 200, 'text/html', html, 'html');
  };

  const document = (req: IncomingMessage, res: ServerResponse, path: string, doc: FakeArticle): void => {
    if (doc.bytes) {
      send(req, res, path, 200, doc.contentType ?? 'application/octet-stream', doc.bytes, 'binary');
      return;
    }
    const type = doc.contentType ?? 'text/html';
    send(req, res, path, 200, type, doc.html, /html/i.test(type) ? 'html' : 'text');
  };

  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = target.pathname;
    if (consume('reset-first', path)) {
      req.socket.destroy();
      return;
    }
    if (consume('server-error', path)) {
      send(req, res, path, 502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>', 'html');
      return;
    }
    if (consume('rate-limited', path)) {
      const page = '<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>';
      send(req, res, path, 429, 'text/html', page, 'html', { 'Retry-After': String(state.retryAfter) });
      return;
    }
    if (consume('forbidden', path)) {
      send(
        req,
        res,
        path,
        403,
        'text/html',
        '<html><head><title>403 Forbidden</title></head><body><h1>访问被拒绝</h1><p>您的访问请求可能对网站造成安全威胁。</p></body></html>',
        'html',
      );
      return;
    }
    if (consume('js-shell', path)) {
      send(req, res, path, 200, 'text/html', jsShell(), 'html');
      return;
    }
    if (req.method === 'POST' && path === COLUMN_API_PATH) return columnApi(req, res, path, body);
    if (req.method === 'GET' && path === JPAAS_API_PATH) return jpaasApi(req, res, path, target.searchParams);
    if (req.method !== 'GET') {
      send(req, res, path, 405, 'text/plain', 'method not allowed', 'text');
      return;
    }
    const doc = fake.documents.get(path);
    if (doc) return document(req, res, path, doc);
    if (path === '/' || path === '/index.html') return indexPage(req, res, path, null);
    const yearIndex = /\/(\d{4})\/index\.html$/.exec(path);
    if (yearIndex) return indexPage(req, res, path, Number(yearIndex[1]));
    send(req, res, path, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>', 'html');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      fake.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body, at: Date.now() });
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (consume('slow', path)) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) answer(req, res, body);
        }, state.delayMs);
        timers.add(timer);
        return;
      }
      answer(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
