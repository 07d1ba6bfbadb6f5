import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody, normalizeCharset, sniffDocumentCharset } from './charset.js';

// GBK bytes written literally (TextEncoder only encodes UTF-8).
const XITU_GBK = [0xcf, 0xa1, 0xcd, 0xc1]; // 稀土
const SHANGWUBU_GBK = [0xc9, 0xcc, 0xce, 0xf1, 0xb2, 0xbf]; // 商务部

function gbkPage(prefix: string, suffix = '</title></head><body></body></html>'): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from([...SHANGWUBU_GBK, ...XITU_GBK]), Buffer.from(suffix, 'latin1')]);
}

describe('normalizeCharset', () => {
  it('maps every GBK/GB2312 label to gb18030', () => {
    for (const label of ['gbk', 'GB2312', 'gb_2312-80', 'x-gbk', 'cp936', '"gb2312"', 'GB18030']) expect(normalizeCharset(label)).toBe('gb18030');
  });
  it('knows UTF-8 spellings and rejects unknown labels', () => {
    expect(normalizeCharset('UTF8')).toBe('utf-8');
    expect(normalizeCharset('utf-8')).toBe('utf-8');
    expect(normalizeCharset('no-such-charset')).toBeNull();
    expect(normalizeCharset('')).toBeNull();
    expect(normalizeCharset('iso-2022-kr')).toBeNull();
  });
});

describe('charsetFromContentType', () => {
  it('reads plain and quoted parameters', () => {
    expect(charsetFromContentType('text/html; charset=GBK')).toBe('GBK');
    expect(charsetFromContentType('text/html;charset="utf-8"')).toBe('utf-8');
    expect(charsetFromContentType('text/html')).toBeNull();
    expect(charsetFromContentType(undefined)).toBeNull();
  });
});

describe('sniffDocumentCharset', () => {
  it('finds meta charset, http-equiv and the XML declaration', () => {
    expect(sniffDocumentCharset(Buffer.from('<html><head><meta charset="gb2312">'))).toBe('gb2312');
    expect(sniffDocumentCharset(Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=GBK" />'))).toBe('GBK');
    expect(sniffDocumentCharset(Buffer.from('<?xml version="1.0" encoding="GB2312"?><rss/>'))).toBe('GB2312');
  });
  it('looks only at the first 2 KB and never inside JSON', () => {
    expect(sniffDocumentCharset(Buffer.from(`<html>${' '.repeat(3000)}<meta charset="gbk">`))).toBeNull();
    expect(sniffDocumentCharset(Buffer.from('{"data":{"html":"<meta charset=\\"gbk\\">"}}'))).toBeNull();
  });
});

describe('decodeBody', () => {
  it('defaults to UTF-8, never latin1, when nothing is declared', () => {
    const body = Buffer.from('<html><head><title>商务部公告2025年第10号</title></head></html>', 'utf8');
    expect(decodeBody(body, 'text/html')).toEqual({ text: body.toString('utf8'), charset: 'utf-8' });
    expect(decodeBody(body, undefined).charset).toBe('utf-8');
  });

  it('decodes a GBK header label as GB18030', () => {
    const result = decodeBody(gbkPage('<html><head><title>'), 'text/html; charset=GBK');
    expect(result.charset).toBe('gb18030');
    expect(result.text).toContain('商务部稀土');
  });

  it('uses <meta charset>, <meta http-equiv> and the XML declaration', () => {
    expect(decodeBody(gbkPage('<html><head><meta charset="gb2312"><title>'), 'text/html').text).toContain('商务部稀土');
    expect(decodeBody(gbkPage('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb_2312-80"><title>'), undefined).text).toContain(
      '商务部稀土',
    );
    const xml = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="gbk"?><rss><title>'), Buffer.from(XITU_GBK), Buffer.from('</title></rss>')]);
    expect(decodeBody(xml, 'application/rss+xml')).toEqual({ text: '<?xml version="1.0" encoding="gbk"?><rss><title>稀土</title></rss>', charset: 'gb18030' });
  });

  it('prefers the header over the document', () => {
    const body = Buffer.from('<meta charset="gbk"><p>abc</p>');
    expect(decodeBody(body, 'text/html; charset=utf-8').charset).toBe('utf-8');
  });

  it('strips a BOM, which wins over labels', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('稀土', 'utf8')]);
    expect(decodeBody(body, 'text/plain; charset=gbk')).toEqual({ text: '稀土', charset: 'utf-8' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('稀土', 'utf16le')]);
    expect(decodeBody(utf16, undefined)).toEqual({ text: '稀土', charset: 'utf-16le' });
  });

  it('treats unknown labels as absent (UTF-8 in the end)', () => {
    expect(decodeBody(Buffer.from('稀土', 'utf8'), 'text/html; charset=x-klingon')).toEqual({ text: '稀土', charset: 'utf-8' });
  });

  it('does not sniff meta tags inside a JSON answer', () => {
    const body = Buffer.from('{"data":{"html":"<meta charset=gbk><a title=\\"稀土\\">"}}', 'utf8');
    expect(decodeBody(body, undefined)).toEqual({ text: body.toString('utf8'), charset: 'utf-8' });
    expect(decodeBody(Buffer.from('<meta charset=gbk>稀土'), 'application/json').charset).toBe('utf-8');
  });

  it('repairs mislabelled pages: valid UTF-8 under a latin1 or GBK label, undeclared GB18030', () => {
    const utf8 = Buffer.from('<meta charset="iso-8859-1"><title>商务部公告2025年第10号 稀土</title>', 'utf8');
    expect(decodeBody(utf8, undefined).charset).toBe('utf-8');
    expect(decodeBody(utf8, 'text/html; charset=gb2312').text).toContain('商务部公告');
    expect(decodeBody(gbkPage('<html><title>'), 'text/html')).toMatchObject({ charset: 'gb18030' });
    expect(decodeBody(gbkPage('<html><title>'), 'text/html').text).toContain('商务部稀土');
  });

  it('honours an explicit UTF-8 label even for invalid bytes (the mojibake check reports them)', () => {
    const result = decodeBody(gbkPage('<p>'), 'text/html; charset=utf-8');
    expect(result.charset).toBe('utf-8');
    expect(result.text).toContain('\uFFFD');
  });

  it('never throws on arbitrary bytes and content types', () => {
    const contentType = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.constantFrom('text/html; charset=gbk', 'text/html; charset=utf-16', 'application/json', 'text/html; charset="'),
    );
    const prefix = fc.constantFrom('', '<meta charset=gbk>', '<?xml version="1.0" encoding="utf-16"?>', '\ufeff', '{');
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 600 }), contentType, (start, bytes, type) => {
        const result = decodeBody(Buffer.concat([Buffer.from(start, 'utf8'), Buffer.from(bytes)]), type);
        expect(typeof result.text).toBe('string');
        expect(result.charset).not.toBe('');
      }),
      { numRuns: 500 },
    );
  });
});
