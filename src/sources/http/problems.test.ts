import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectProblem } from './problems.js';
import type { FetchRequest, FetchResult } from './types.js';

function result(text: string, status = 200): FetchResult {
  return { url: 'http://example.test/x', status, notModified: false, headers: {}, bytes: Buffer.from(text), text, charset: 'utf-8' };
}

const reason = (text: string, expect: FetchRequest['expect'], status = 200) => detectProblem(result(text, status), expect)?.reason ?? null;

describe('detectProblem', () => {
  it('reports the ? mojibake of the column API', () => {
    expect(reason('{"pageInfo":{"rows":[{"title":"??????"}]}}', 'json')).toBe('mojibake');
    const rows = Array.from({ length: 20 }, (_, i) => ({
      id: i,
      title: `?????2025??${i}?`,
      url: `/article/gndt/202501/${i}.html`,
      publishTimeStr: '2025-01-01',
    }));
    expect(reason(JSON.stringify({ pageInfo: { rows, total: 20, maxPageNum: 1 } }), 'json')).toBe('mojibake');
  });

  it('accepts legitimate JSON with a single ? or with Chinese', () => {
    expect(reason('{"pageInfo":{"rows":[{"title":"Is this a question?","url":"/a?b=1"}]}}', 'json')).toBeNull();
    expect(reason('{"rows":[{"title":"商务部公告2025年第10号 ???","url":"/x?id=1"}]}', 'json')).toBeNull();
    expect(reason('{"success":true,"data":{"html":"<a href=\\"/zwgk?x=1\\" title=\\"稀土\\">稀土</a>"}}', 'json')).toBeNull();
  });

  it('reports ? titles and ?-floods in HTML where Chinese is expected, but not JavaScript ?? operators', () => {
    expect(reason('<html><head><title>???????</title></head><body><p>2025</p></body></html>', 'html')).toBe('mojibake');
    const body = '<p>' + '?????2025?10?,??????????'.repeat(5) + '</p>';
    expect(reason(`<html><body>${body}</body></html>`, 'html')).toBe('mojibake');
    const js = '<html><head><title>商务部</title><script>var a = b ?? c ?? d; var e = f ?? g;</script></head><body><p>商务部公告2025年第10号</p></body></html>';
    expect(reason(js, 'html')).toBeNull();
    expect(reason('<html><body><p>What? Where? Why? Who? How? When? Really? Yes?</p><p>' + 'word '.repeat(50) + '</p></body></html>', 'html')).toBeNull();
  });

  it('reports U+FFFD floods (decoded with the wrong charset)', () => {
    expect(reason('<html><body><p>\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD 2025</p></body></html>', 'html')).toBe('mojibake');
    expect(reason('<html><body><p>' + '商务部公告'.repeat(20) + '\uFFFD</p></body></html>', 'html')).toBeNull();
  });

  it('reports wscckey redirect pages and script-only shells', () => {
    const wscckey = "<html><script>window.location.href='/article/gndt/202501/1.html?wscckey=abc_123';</script></html>";
    expect(reason(wscckey, 'html')).toBe('js-shell');
    expect(reason(wscckey, 'json')).toBe('js-shell');
    const shell = '<html><head><title>商务部</title></head><body><script src="/app.js"></script><noscript>请开启JavaScript</noscript></body></html>';
    expect(reason(shell, 'html')).toBe('js-shell');
    expect(reason(shell, 'json')).toBe('js-shell');
    expect(reason('<html><head><meta http-equiv="refresh" content="0;url=/x"></head><body></body></html>', 'html')).toBe('js-shell');
    const page = '<html><body><script>var x = 1;</script><p>商务部公告2025年第10号 关于稀土相关物项实施出口管制的决定</p></body></html>';
    expect(reason(page, 'html')).toBeNull();
  });

  it('reports 403 and 412 as challenges with the status', () => {
    const problem = detectProblem(result('<html><script>challenge()</script></html>', 403), 'html');
    expect(problem).toMatchObject({ reason: 'challenge', status: 403 });
    expect(problem?.message).toContain('challenge page');
    expect(detectProblem(result('', 412), 'binary')).toMatchObject({ reason: 'challenge', status: 412 });
    expect(reason('not found', 'html', 404)).toBe('http-status');
  });

  it('reports JSON that does not parse, empty answers and non-XML', () => {
    expect(reason('<html><body><p>Service temporarily unavailable, please retry later</p></body></html>', 'json')).toBe('bad-shape');
    expect(reason('{"rows": [', 'json')).toBe('bad-shape');
    expect(reason('   ', 'json')).toBe('empty');
    expect(reason('', 'html')).toBe('empty');
    expect(reason('hello', 'xml')).toBe('bad-shape');
    expect(reason('<?xml version="1.0"?><rss></rss>', 'xml')).toBeNull();
  });

  it('leaves binary answers and 304s alone', () => {
    expect(reason('%PDF-1.4 ?????? \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD', 'binary')).toBeNull();
    expect(detectProblem({ ...result('', 304), notModified: true }, 'json')).toBeNull();
  });

  it('never throws', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.json(),
      fc
        .array(fc.constantFrom('?', '??', '<', '>', '<script>', '</script>', '{', '"title":', '稀土', '\uFFFD', 'wscckey', '<head>', '<!--', ' '))
        .map((p) => p.join('')),
    );
    const expectation = fc.constantFrom<FetchRequest['expect']>(undefined, 'json', 'html', 'xml', 'binary');
    fc.assert(
      fc.property(text, expectation, fc.integer({ min: 100, max: 599 }), (body, kind, status) => {
        const problem = detectProblem(result(body, status), kind);
        if (problem !== null) expect(problem.url).toBe('http://example.test/x');
      }),
      { numRuns: 1000 },
    );
  });
});
