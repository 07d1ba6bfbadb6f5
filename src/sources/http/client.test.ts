import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClientOptions } from './client.js';
import { SourceError, type FetchRequest, type ValidatorStore } from './types.js';

const UA = 'ExportWatch/0.1 (+https://example.test/exportwatch; compliance monitoring)';
const XITU_GBK = [0xcf, 0xa1, 0xcd, 0xc1]; // 稀土
const SHANGWUBU_GBK = [0xc9, 0xcc, 0xce, 0xf1, 0xb2, 0xbf]; // 商务部

interface Hit {
  n: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  start: number;
  end: number;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, hit: Hit) => void;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

/** A real HTTP server on 127.0.0.1, port 0; every request is recorded with server-side timestamps. */
async function serve(handler: Handler): Promise<{ base: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const hit: Hit = { n: hits.length + 1, method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '', start: performance.now(), end: NaN };
    hits.push(hit);
    res.on('finish', () => (hit.end = performance.now()));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      hit.body = Buffer.concat(chunks).toString('utf8');
      handler(req, res, hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, hits };
}

function later(ms: number, action: () => void): void {
  const timer = setTimeout(action, ms);
  cleanups.push(() => clearTimeout(timer));
}

function client(options: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  const http = createHttpClient({
    userAgent: UA,
    perHostDelayMs: 0,
    retryBaseMs: 10,
    timeoutMs: 2000,
    connectTimeoutMs: 1000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { http, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError');
}

function memoryStore(): ValidatorStore & { map: Map<string, { etag: string | null; lastModified: string | null }> } {
  const map = new Map<string, { etag: string | null; lastModified: string | null }>();
  return { map, get: (url) => map.get(url) ?? null, set: (url, v) => void map.set(url, v) };
}

describe('charsets over HTTP', () => {
  it('decodes UTF-8 without a charset header (the Chinese title survives)', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>商务部公告2025年第10号</title></head><body><p>关于对稀土相关物项实施出口管制的决定</p></body></html>');
    });
    const result = await client().http.fetch({ url: `${base}/article/gndt/202502/1.html`, expect: 'html' });
    expect(result).toMatchObject({ status: 200, notModified: false, charset: 'utf-8', url: `${base}/article/gndt/202502/1.html` });
    expect(result.text).toContain('<title>商务部公告2025年第10号</title>');
    expect(result.headers['content-type']).toBe('text/html');
  });

  it('takes the charset from <meta>, the XML declaration or a GBK header label, decoding as GB18030', async () => {
    const gbk = Buffer.from([...SHANGWUBU_GBK, ...XITU_GBK]);
    const { base } = await serve((req, res) => {
      if (req.url === '/meta') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(
          Buffer.concat([Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>'), gbk, Buffer.from('</title>')]),
        );
      } else if (req.url === '/xml') {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end(Buffer.concat([Buffer.from('<?xml version="1.0" encoding="GBK"?><rss><item><title>'), gbk, Buffer.from('</title></item></rss>')]));
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=GB2312' });
        res.end(Buffer.concat([Buffer.from('<html><body><p>'), gbk, Buffer.from('</p></body></html>')]));
      }
    });
    const { http } = client();
    const meta = await http.fetch({ url: `${base}/meta`, expect: 'html' });
    expect(meta.charset).toBe('gb18030');
    expect(meta.text).toContain('<title>商务部稀土</title>');
    const xml = await http.fetch({ url: `${base}/xml`, expect: 'xml' });
    expect(xml.text).toContain('<title>商务部稀土</title>');
    const header = await http.fetch({ url: `${base}/header`, expect: 'html' });
    expect(header).toMatchObject({ charset: 'gb18030' });
    expect(header.text).toContain('<p>商务部稀土</p>');
  });

  it('returns bytes untouched and no text for binary answers', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0xff, 0xfe, 0x00, 0x3f, 0x3f, 0x3f, 0x3f]);
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/pdf' });
      res.end(pdf);
    });
    const result = await client().http.fetch({ url: `${base}/upload/uploadfile/attach/202502/04/1.pdf`, expect: 'binary' });
    expect(result.bytes.equals(pdf)).toBe(true);
    expect(result).toMatchObject({ text: '', charset: '' });
  });
});

describe('problem answers', () => {
  it('reports the ? mojibake of the column API without browser-like headers, and reads it with them', async () => {
    const { base, hits } = await serve((req, res) => {
      const browserLike = req.headers['x-requested-with'] === 'XMLHttpRequest';
      const title = browserLike ? '商务部公告2025年第10号' : '?????2025??10?';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ pageInfo: { rows: [{ id: 1, title, url: '/article/gndt/202502/1.html' }], total: 1, maxPageNum: 1 } }));
    });
    const { http } = client();
    const request: FetchRequest = {
      url: `${base}/edi_ecms_web_front/front/column/getColumnList`,
      method: 'POST',
      body: 'pageNumber=1&columnID=9',
      expect: 'json',
    };
    const error = await failure(http.fetch(request));
    expect(error).toMatchObject({ reason: 'mojibake', url: request.url, status: 200 });
    const ok = await http.fetch({
      ...request,
      headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json;charset=utf-8', 'Accept-Language': 'zh-CN' },
    });
    expect(JSON.parse(ok.text).pageInfo.rows[0].title).toBe('商务部公告2025年第10号');
    expect(hits).toHaveLength(2);
  });

  it('accepts legitimate JSON with a single ?', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"pageInfo":{"rows":[{"title":"Export control: what changed?","url":"/x?id=1"}]}}');
    });
    const result = await client().http.fetch({ url: `${base}/api`, expect: 'json' });
    expect(JSON.parse(result.text).pageInfo.rows).toHaveLength(1);
  });

  it('reports the wscckey JavaScript redirect page served with 200', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end("<html><head><script>window.location.href='/article/gndt/202502/1.html?wscckey=0f3a_1';</script></head><body></body></html>");
    });
    expect(await failure(client().http.fetch({ url: `${base}/article/gndt/202502/1.html`, expect: 'html' }))).toMatchObject({
      reason: 'js-shell',
      status: 200,
    });
  });

  it('reports a 403 challenge page without retrying', async () => {
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'text/html' });
      res.end('<html><body><script>document.cookie="challenge=1";location.reload()</script></body></html>');
    });
    const error = await failure(client().http.fetch({ url: `${base}/zcfb/blgg/gg/2025/index.html`, expect: 'html' }));
    expect(error).toMatchObject({ reason: 'challenge', status: 403 });
    expect(hits).toHaveLength(1);
  });

  it('does not retry other 4xx', async () => {
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(412);
      res.end();
    });
    const { http, sleeps } = client();
    expect(await failure(http.fetch({ url: `${base}/a`, expect: 'binary' }))).toMatchObject({ reason: 'challenge', status: 412 });
    const notFound = await serve((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><body>not here</body></html>');
    });
    const error = await failure(http.fetch({ url: `${notFound.base}/gone`, expect: 'html' }));
    expect(error).toMatchObject({ reason: 'http-status', status: 404, url: `${notFound.base}/gone` });
    expect(error.message).toContain('404');
    expect(hits).toHaveLength(1);
    expect(notFound.hits).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('retries', () => {
  it('retries 5xx with full-jitter exponential backoff, then succeeds', async () => {
    const { base, hits } = await serve((_req, res, hit) => {
      res.writeHead(hit.n < 3 ? 502 : 200, { 'Content-Type': 'text/html' });
      res.end(hit.n < 3 ? 'Bad Gateway' : '<html><body><p>Announcements and orders</p></body></html>');
    });
    const { http, sleeps } = client({ retryBaseMs: 100, random: () => 0.25 });
    const result = await http.fetch({ url: `${base}/Policies/AnnouncementsOrders/`, expect: 'html' });
    expect(result.status).toBe(200);
    expect(hits).toHaveLength(3);
    expect(sleeps).toEqual([25, 50]);
  });

  it('survives a first connection reset (normal for these hosts)', async () => {
    const { base, hits } = await serve((req, res, hit) => {
      if (hit.n === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body><p>商务部公告2025年第10号</p></body></html>');
    });
    const result = await client().http.fetch({ url: `${base}/`, expect: 'html' });
    expect(result.text).toContain('商务部公告');
    expect(hits).toHaveLength(2);
  });

  it('retries a truncated body (connection closed before Content-Length was reached)', async () => {
    const page = Buffer.from('<html><body><p>商务部公告2025年第10号</p></body></html>', 'utf8');
    const { base, hits } = await serve((req, res, hit) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': String(page.length) });
      if (hit.n === 1) {
        res.write(page.subarray(0, 20));
        later(5, () => req.socket.destroy());
        return;
      }
      res.end(page);
    });
    const result = await client().http.fetch({ url: `${base}/article`, expect: 'html' });
    expect(result.text).toContain('商务部公告2025年第10号');
    expect(hits).toHaveLength(2);
  });

  it('gives up after the retries with http-status, naming the URL and the attempts', async () => {
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const { http, sleeps } = client({ retries: 3 });
    const error = await failure(http.fetch({ url: `${base}/api`, expect: 'json' }));
    expect(error).toMatchObject({ reason: 'http-status', status: 500, url: `${base}/api` });
    expect(error.message).toContain(`${base}/api`);
    expect(error.message).toContain('4 attempts');
    expect(hits).toHaveLength(4);
    expect(sleeps).toEqual([5, 10, 20]);
  });

  it('gives up after the retries with network when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(client({ retries: 2 }).http.fetch({ url: `http://127.0.0.1:${port}/` }));
    expect(error).toMatchObject({ reason: 'network', status: undefined });
    expect(error.message).toContain('3 attempts');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('honours Retry-After on 429/503, in seconds or as an HTTP date (capped)', async () => {
    const { base, hits } = await serve((_req, res, hit) => {
      if (hit.n === 1) res.writeHead(429, { 'Retry-After': '2' });
      else if (hit.n === 2) res.writeHead(503, { 'Retry-After': new Date(Date.now() + 3_600_000).toUTCString() });
      else res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
    const { http, sleeps } = client();
    expect((await http.fetch({ url: `${base}/` })).text).toBe('ok');
    expect(hits).toHaveLength(3);
    expect(sleeps).toEqual([2000, 60_000]);
  });

  it('reports the last Retry-After with the failure, beyond the wait cap (up to a day)', async () => {
    const { base } = await serve((_req, res, hit) => {
      res.writeHead(hit.n === 1 ? 503 : 429, { 'Retry-After': hit.n === 1 ? '5' : '7200' });
      res.end('busy');
    });
    const error = await failure(client({ retries: 1 }).http.fetch({ url: `${base}/` }));
    expect(error).toMatchObject({ reason: 'http-status', status: 429, retryAfterMs: 7_200_000 });
    expect(error.message).toContain('(Retry-After 7200 s)');
    const plain = await serve((_req, res) => res.writeHead(500).end());
    expect((await failure(client({ retries: 0 }).http.fetch({ url: `${plain.base}/` }))).retryAfterMs).toBeUndefined();
  });
});

describe('timeouts and limits', () => {
  it('times out a slow answer (total timeout) and retries it', async () => {
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.write('<html><body>');
      later(5000, () => res.end('</body></html>'));
    });
    const started = performance.now();
    const error = await failure(client({ timeoutMs: 150, retries: 1 }).http.fetch({ url: `${base}/slow`, expect: 'html' }));
    expect(error).toMatchObject({ reason: 'timeout', url: `${base}/slow` });
    expect(error.message).toContain('2 attempts');
    expect(hits).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('times out a connection that never completes (connect timeout, TLS handshake unanswered)', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const { port } = silent.address() as AddressInfo;
    const error = await failure(client({ connectTimeoutMs: 100, timeoutMs: 5000, retries: 0 }).http.fetch({ url: `https://127.0.0.1:${port}/` }));
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(error.message).toContain('no connection within 100 ms');
  });

  it('refuses answers over the size limit: announced, streamed, per request, and gzip bombs', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x61), { level: 9 });
    const { base, hits } = await serve((req, res) => {
      if (req.url === '/announced') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(Buffer.alloc(5000, 0x61));
      } else if (req.url === '/streamed') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1000, 0x61));
        res.end();
      } else if (req.url === '/bomb') {
        res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' });
        res.end(bomb);
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('small');
      }
    });
    const { http } = client({ maxBytes: 4000 });
    expect(await failure(http.fetch({ url: `${base}/announced` }))).toMatchObject({ reason: 'too-large' });
    expect(await failure(http.fetch({ url: `${base}/streamed` }))).toMatchObject({ reason: 'too-large' });
    expect(bomb.length).toBeLessThan(4000);
    const bombError = await failure(http.fetch({ url: `${base}/bomb`, expect: 'html' }));
    expect(bombError).toMatchObject({ reason: 'too-large' });
    expect(bombError.message).toContain('gzip');
    expect(await failure(http.fetch({ url: `${base}/small`, maxBytes: 3 }))).toMatchObject({ reason: 'too-large' });
    expect((await http.fetch({ url: `${base}/small` })).text).toBe('small');
    expect(hits).toHaveLength(5);
  });
});

describe('content encodings', () => {
  it('asks for and decodes gzip, deflate (zlib and raw) and br', async () => {
    const page = Buffer.from('<html><head><title>商务部 海关总署公告2025年第57号</title></head><body><p>两用物项</p></body></html>', 'utf8');
    const { base, hits } = await serve((req, res) => {
      const encodings: Record<string, [string, Buffer]> = {
        '/gzip': ['gzip', zlib.gzipSync(page)],
        '/deflate': ['deflate', zlib.deflateSync(page)],
        '/raw-deflate': ['deflate', zlib.deflateRawSync(page)],
        '/br': ['br', zlib.brotliCompressSync(page)],
      };
      const [encoding, body] = encodings[req.url ?? ''] ?? ['identity', page];
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': encoding });
      res.end(body);
    });
    const { http } = client();
    for (const path of ['/gzip', '/deflate', '/raw-deflate', '/br']) {
      const result = await http.fetch({ url: `${base}${path}`, expect: 'html' });
      expect(result.text, path).toBe(page.toString('utf8'));
      expect(result.bytes.equals(page)).toBe(true);
    }
    expect(hits[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('reports a corrupt compressed body as decode', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' });
      res.end(zlib.gzipSync(Buffer.from('<html><body>abc</body></html>')).subarray(0, 15));
    });
    expect(await failure(client().http.fetch({ url: `${base}/`, expect: 'html' }))).toMatchObject({ reason: 'decode' });
  });
});

describe('redirects', () => {
  it('follows relative and absolute Locations and reports the final URL', async () => {
    const { base, hits } = await serve((req, res) => {
      if (req.url === '/zcfb/blgg/') {
        res.writeHead(301, { Location: 'gg/2025/' });
        res.end('moved');
      } else if (req.url === '/zcfb/blgg/gg/2025/') {
        res.writeHead(302, { Location: '/zcfb/blgg/gg/2025/index.html' });
        res.end();
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html><body><a href="/zwgk/zcfb/art/2025/art_1.html">商务部公告2025年第10号</a></body></html>');
      }
    });
    const result = await client().http.fetch({ url: `${base}/zcfb/blgg/`, expect: 'html' });
    expect(result.url).toBe(`${base}/zcfb/blgg/gg/2025/index.html`);
    expect(hits.map((hit) => hit.path)).toEqual(['/zcfb/blgg/', '/zcfb/blgg/gg/2025/', '/zcfb/blgg/gg/2025/index.html']);
  });

  it('continues as GET after 303 and keeps POST and its body after 307', async () => {
    const { base, hits } = await serve((req, res) => {
      if (req.url === '/303') res.writeHead(303, { Location: '/target' });
      else if (req.url === '/307') res.writeHead(307, { Location: '/target' });
      else res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`${req.method}`);
    });
    const { http } = client();
    expect((await http.fetch({ url: `${base}/303`, method: 'POST', body: 'a=1' })).text).toBe('GET');
    expect((await http.fetch({ url: `${base}/307`, method: 'POST', body: 'a=1' })).text).toBe('POST');
    expect(hits.map((hit) => [hit.method, hit.path, hit.body])).toEqual([
      ['POST', '/303', 'a=1'],
      ['GET', '/target', ''],
      ['POST', '/307', 'a=1'],
      ['POST', '/target', 'a=1'],
    ]);
    expect(hits[1]?.headers['content-type']).toBeUndefined();
  });

  it('stops after maxRedirects', async () => {
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(302, { Location: '/loop' });
      res.end();
    });
    const error = await failure(client({ maxRedirects: 2 }).http.fetch({ url: `${base}/loop` }));
    expect(error).toMatchObject({ reason: 'http-status', status: 302 });
    expect(error.message).toContain('more than 2 redirects');
    expect(hits).toHaveLength(3);
  });
});

describe('conditional GET', () => {
  it('sends If-None-Match from the store, stores the ETag, and turns a 304 into notModified', async () => {
    const { base, hits } = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { ETag: '"v1"' });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html', ETag: '"v1"' });
      res.end('<html><body><p>商务部公告2025年第10号</p></body></html>');
    });
    const validators = memoryStore();
    const { http } = client({ validators });
    const url = `${base}/zcfb/blgg/gg/2025/index.html`;
    const first = await http.fetch({ url, conditional: true, expect: 'html' });
    expect(first.notModified).toBe(false);
    expect(validators.map.get(url)).toEqual({ etag: '"v1"', lastModified: null });
    const second = await http.fetch({ url, conditional: true, expect: 'html' });
    expect(second).toMatchObject({ status: 304, notModified: true, text: '' });
    expect(second.bytes.length).toBe(0);
    expect(hits[0]?.headers['if-none-match']).toBeUndefined();
    expect(hits[1]?.headers['if-none-match']).toBe('"v1"');
  });

  it('sends If-Modified-Since for a stored Last-Modified', async () => {
    const lastModified = 'Tue, 04 Feb 2025 08:00:00 GMT';
    const { base, hits } = await serve((req, res) => {
      if (req.headers['if-modified-since'] === lastModified) {
        res.writeHead(304);
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Last-Modified': lastModified });
      res.end('{"success":true,"data":{"html":"<a title=\\"稀土\\">稀土</a>"}}');
    });
    const validators = memoryStore();
    const { http } = client({ validators });
    const url = `${base}/api-gateway/jpaas-publish-server/front/page/build/unit?pageNo=1`;
    expect((await http.fetch({ url, conditional: true, expect: 'json' })).notModified).toBe(false);
    expect(validators.map.get(url)).toEqual({ etag: null, lastModified });
    expect((await http.fetch({ url, conditional: true, expect: 'json' })).notModified).toBe(true);
    expect(validators.map.get(url)).toEqual({ etag: null, lastModified });
    // Without `conditional`, no validators are sent even when stored.
    expect((await http.fetch({ url, expect: 'json' })).notModified).toBe(false);
    expect(hits.map((hit) => hit.headers['if-modified-since'] ?? null)).toEqual([null, lastModified, null]);
  });

  it('does not store validators from an answer that failed the problem checks', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"bad"' });
      res.end('{"pageInfo":{"rows":[{"title":"??????"}]}}');
    });
    const validators = memoryStore();
    const url = `${base}/list`;
    validators.set(url, { etag: '"old"', lastModified: null });
    expect(await failure(client({ validators }).http.fetch({ url, conditional: true, expect: 'json' }))).toMatchObject({ reason: 'mojibake' });
    expect(validators.map.get(url)).toEqual({ etag: '"old"', lastModified: null });
  });
});

describe('politeness', () => {
  it('sends one request at a time per host, with the configured gap after each', async () => {
    const { base, hits } = await serve((_req, res) => {
      later(30, () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      });
    });
    const { http } = client({ perHostDelayMs: 50, sleep: undefined });
    await Promise.all([1, 2, 3].map((n) => http.fetch({ url: `${base}/${n}` })));
    expect(hits).toHaveLength(3);
    const ordered = [...hits].sort((a, b) => a.start - b.start);
    for (let i = 1; i < ordered.length; i++) {
      const previous = ordered[i - 1] as Hit;
      const current = ordered[i] as Hit;
      expect(current.start).toBeGreaterThanOrEqual(previous.end);
      expect(current.start - previous.end).toBeGreaterThanOrEqual(48);
    }
  });

  it('never overlaps requests to one host even without a delay', async () => {
    let active = 0;
    let maxActive = 0;
    const { base, hits } = await serve((_req, res) => {
      active++;
      maxActive = Math.max(maxActive, active);
      later(15, () => {
        active--;
        res.end('ok');
      });
    });
    const { http } = client();
    await Promise.all(Array.from({ length: 5 }, (_, n) => http.fetch({ url: `${base}/${n}` })));
    expect(hits).toHaveLength(5);
    expect(maxActive).toBe(1);
  });

  it('runs different hosts in parallel', async () => {
    const handler: Handler = (_req, res) => later(100, () => res.end('ok'));
    const a = await serve(handler);
    const b = await serve(handler);
    const { http } = client({ perHostDelayMs: 1000 });
    await Promise.all([http.fetch({ url: `${a.base}/` }), http.fetch({ url: `${b.base}/` })]);
    const [hitA, hitB] = [a.hits[0] as Hit, b.hits[0] as Hit];
    expect(hitB.start).toBeLessThan(hitA.end);
    expect(hitA.start).toBeLessThan(hitB.end);
  });

  it('sends the User-Agent, the caller headers and a POST form body, and logs nothing', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) => vi.spyOn(console, name));
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end('{"pageInfo":{"rows":[{"id":1,"title":"关于稀土的公告"}],"total":1,"maxPageNum":1}}');
    });
    const result = await client().http.fetch({
      url: `${base}/edi_ecms_web_front/front/column/getColumnList`,
      method: 'POST',
      body: 'pageNumber=1&columnID=9',
      headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json;charset=utf-8', 'Accept-Language': 'zh-CN' },
      expect: 'json',
    });
    expect(result.charset).toBe('utf-8');
    const hit = hits[0] as Hit;
    expect(hit.method).toBe('POST');
    expect(hit.body).toBe('pageNumber=1&columnID=9');
    expect(hit.headers).toMatchObject({
      'user-agent': UA,
      'x-requested-with': 'XMLHttpRequest',
      accept: 'application/json;charset=utf-8',
      'accept-language': 'zh-CN',
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'content-length': '23',
    });
    await failure(client().http.fetch({ url: `${base}/x`, expect: 'xml' }));
    await failure(client().http.fetch({ url: 'ftp://example.test/file' }));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
