// A minimal HttpClient over node:http for tests of code that fetches through the client contract
// (the project's polite client is tested on its own). It follows no redirects and retries nothing;
// non-2xx answers are SourceError('http-status'), network failures 'network', a timeout 'timeout';
// `expect: 'json'` is honoured by a JSON.parse check ('bad-shape'); text is decoded as UTF-8, or as
// GB18030 when the header names GBK/GB2312/GB18030. Conditional requests send the last ETag seen.

import { request as httpRequest } from 'node:http';
import { SourceError, type FetchRequest, type FetchResult, type HttpClient } from '../../src/sources/http/types.js';

export interface PlainClient extends HttpClient {
  calls: FetchRequest[];
}

export function plainClient(options: { timeoutMs?: number } = {}): PlainClient {
  const etags = new Map<string, string>();
  const calls: FetchRequest[] = [];
  return {
    calls,
    fetch(req: FetchRequest): Promise<FetchResult> {
      calls.push(req);
      return new Promise<FetchResult>((resolve, reject) => {
        const headers: Record<string, string> = { 'User-Agent': 'exportwatch-test', ...req.headers };
        const etag = etags.get(req.url);
        if (req.conditional && etag) headers['If-None-Match'] = etag;
        const r = httpRequest(req.url, { method: req.method ?? 'GET', headers, timeout: options.timeoutMs ?? 5000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new SourceError('network', err.message, req.url)));
          res.on('aborted', () => reject(new SourceError('network', 'connection closed mid-answer', req.url)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const flat: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
            if (status === 304) {
              resolve({ url: req.url, status, notModified: true, headers: flat, bytes: Buffer.alloc(0), text: '', charset: 'utf-8' });
              return;
            }
            if (status < 200 || status >= 300) {
              reject(new SourceError('http-status', `HTTP ${status}`, req.url, status));
              return;
            }
            if (flat.etag) etags.set(req.url, flat.etag);
            const bytes = Buffer.concat(chunks);
            const label = /charset=([\w-]+)/i.exec(flat['content-type'] ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
            const charset = /^(?:gbk|gb2312|gb18030)$/.test(label) ? 'gb18030' : 'utf-8';
            const text = req.expect === 'binary' ? '' : new TextDecoder(charset).decode(bytes);
            if (req.expect === 'json') {
              try {
                JSON.parse(text);
              } catch {
                reject(new SourceError('bad-shape', 'not JSON', req.url, status));
                return;
              }
            }
            resolve({ url: req.url, status, notModified: false, headers: flat, bytes, text, charset });
          });
        });
        r.on('timeout', () => r.destroy(new SourceError('timeout', 'timed out', req.url)));
        r.on('error', (err) => reject(err instanceof SourceError ? err : new SourceError('network', err.message, req.url)));
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
  };
}

/** A client answering from a function, for parser variants that the fake does not serve. */
export function stubClient(answer: (req: FetchRequest) => { status?: number; text: string; url?: string }): PlainClient {
  const calls: FetchRequest[] = [];
  return {
    calls,
    async fetch(req: FetchRequest): Promise<FetchResult> {
      calls.push(req);
      const a = answer(req);
      const bytes = Buffer.from(a.text, 'utf8');
      return { url: a.url ?? req.url, status: a.status ?? 200, notModified: false, headers: {}, bytes, text: a.text, charset: 'utf-8' };
    },
  };
}
