import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf, makeTablePdf } from '../../test/pdf.js';
import { AttachmentError, attachmentKind, attachmentText, linesFromItems, type PdfTextItem } from './attachments.js';

const CATALOGUE_ROWS = [
  ['序号', '编号', '技术名称', '控制要点'],
  ['1', '053302J', '稀土的提炼、加工、利用技术', '1.稀土萃取分离工艺技术'],
  ['2', '053303J', '稀土材料制备技术', '2.钐钴、钕铁硼、铈磁体制备技术'],
  ['3', '184501X', '激光技术', '3.高功率激光器件的制造技术'],
];

/** Runs an attachment read that must fail, returning the error and how long it took. */
async function failure(bytes: Buffer, opts: Parameters<typeof attachmentText>[1]): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await attachmentText(bytes, opts);
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected an AttachmentError');
}

describe('test/pdf.ts', () => {
  it('writes a PDF 1.4 whose xref offsets point at their objects', () => {
    const pdf = makePdf([['稀土', 'abc'], ['第二页']]);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const entries = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(entries.length).toBe(10); // catalog, pages, descriptor, CID font, ToUnicode, Type0 font, 2 × (contents, page)
    entries.forEach((offset, i) => expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
  });
});

describe('attachmentText: PDF (through pdf.js)', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeAll(() => void process.on('unhandledRejection', onUnhandled));
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('reads the Chinese lines of a one-page PDF exactly', async () => {
    const lines = ['商务部 科技部公告2023年第57号', '中国禁止出口限制出口技术目录', '稀土的提炼、加工、利用技术', 'Rare earth 𠀀 (2023)'];
    expect(await attachmentText(makePdf([lines]), { name: 'catalogue.pdf' })).toEqual({ kind: 'pdf', text: lines.join('\n') });
  });

  it('joins the pages of a multi-page PDF with newlines, in page order', async () => {
    const pages = [['第一页', '禁止出口部分'], ['第二页'], ['第三页', '限制出口部分', '附件']];
    const bytes = makePdf(pages);
    const { text } = await attachmentText(bytes, { name: 'x.pdf', contentType: 'application/pdf' });
    expect(text).toBe(pages.flat().join('\n'));
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-'); // the caller's buffer is left intact
  });

  it('keeps table rows in order, cells separated by " | "', async () => {
    const { kind, text } = await attachmentText(makeTablePdf(CATALOGUE_ROWS), { name: '附件.pdf' });
    expect(kind).toBe('pdf');
    expect(text.split('\n')).toEqual(CATALOGUE_ROWS.map((row) => row.join(' | ')));
    expect(text).toContain('1 | 053302J | 稀土的提炼、加工、利用技术 | 1.稀土萃取分离工艺技术');
  });

  it('reads a non-embedded STSong-Light font through its predefined CMap, from the files shipped with pdf.js', async () => {
    const lines = ['稀土的提炼、加工、利用技术', '第一章\u3000总则'];
    const { text } = await attachmentText(makePdf([lines], { encoding: 'UniGB-UCS2-H' }), { name: 'gb.pdf' });
    expect(text).toBe('稀土的提炼、加工、利用技术\n第一章 总则'); // pdf.js reports the ideographic space as a gap
  });

  it('refuses corrupt PDFs with an AttachmentError naming the attachment, quickly', async () => {
    const good = makePdf([['稀土'], ['第二页']]);
    let seed = 42;
    const random = Buffer.alloc(20_000, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    const corrupt = {
      'truncated.pdf': good.subarray(0, Math.floor(good.length / 3)),
      'header-only.pdf': Buffer.from('%PDF-1.7\n'),
      'random.pdf': Buffer.concat([Buffer.from('%PDF-1.5\n'), random]),
    };
    for (const [name, bytes] of Object.entries(corrupt)) {
      const { error, ms } = await failure(bytes, { name });
      expect(error).toBeInstanceOf(AttachmentError);
      expect((error as Error).message).toContain(`"${name}"`);
      expect(ms).toBeLessThan(5_000);
    }
  });

  it('refuses a password-protected PDF', async () => {
    const { error } = await failure(makePdf([['稀土']], { encrypted: true }), { name: 'secret.pdf' });
    expect(error).toBeInstanceOf(AttachmentError);
    expect((error as Error).message).toBe('PDF attachment "secret.pdf" is encrypted with a password and cannot be read.');
  });

  it('refuses a PDF over the page limit', async () => {
    const { error } = await failure(makePdf([['一'], ['二'], ['三']]), { name: 'long.pdf', maxPages: 2 });
    expect((error as Error).message).toBe('PDF attachment "long.pdf" has 3 pages, more than the limit of 2.');
  });

  it('stops a read that takes too long', async () => {
    const { error, ms } = await failure(makePdf([['稀土']]), { name: 'slow.pdf', timeoutMs: 1 });
    expect(error).toBeInstanceOf(AttachmentError);
    expect((error as Error).message).toMatch(/^PDF attachment "slow\.pdf" could not be read: reading took longer than 1 ms\.$/);
    expect(ms).toBeLessThan(2_000);
  });

  it('reports a .pdf that is not a PDF at all as unreadable', async () => {
    const { error } = await failure(Buffer.from('Service unavailable'), { name: 'https://host/a.pdf' });
    expect((error as Error).message).toMatch(/^PDF attachment "https:\/\/host\/a\.pdf" is not a readable PDF/);
  });
});

describe('attachmentText: HTML and text', () => {
  it('returns HTML as it is', async () => {
    const html = '<!DOCTYPE html>\n<html><body><table><tr><td>1</td><td>053302J</td><td>稀土的提炼、加工、利用技术</td></tr></table></body></html>';
    expect(await attachmentText(Buffer.from(html), { name: 'fj.html' })).toEqual({ kind: 'html', text: html });
  });

  it('decodes GBK HTML by its meta charset', async () => {
    const head = Buffer.from('<html><head><meta charset="gb2312"></head><body>', 'latin1');
    const bytes = Buffer.concat([head, Buffer.from([0xcf, 0xa1, 0xcd, 0xc1]), Buffer.from('</body></html>')]);
    const { text } = await attachmentText(bytes, { name: 'fj.htm', contentType: 'text/html' });
    expect(text).toBe('<html><head><meta charset="gb2312"></head><body>稀土</body></html>');
  });

  it('decodes UTF-8 text and strips its BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('稀土\n053302J')]);
    expect(await attachmentText(bytes, { name: 'list.txt' })).toEqual({ kind: 'text', text: '稀土\n053302J' });
  });

  it('decodes text that is not valid UTF-8 as GB18030 (稀土 = CF A1 CD C1)', async () => {
    const bytes = Buffer.from([0xcf, 0xa1, 0xcd, 0xc1, 0x0a, 0x31]);
    expect(await attachmentText(bytes, { name: 'list.txt', contentType: 'text/plain' })).toEqual({ kind: 'text', text: '稀土\n1' });
  });

  it('decodes UTF-16 text with a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('稀土', 'utf16le')]);
    expect((await attachmentText(bytes, { name: 'list.txt' })).text).toBe('稀土');
  });

  it('refuses Word and Excel files with one sentence naming the attachment', async () => {
    const docx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    const { error } = await failure(docx, { name: '附件1.docx' });
    expect(error).toBeInstanceOf(AttachmentError);
    expect((error as Error).message).toBe('Attachment "附件1.docx" is a Word/Excel file; not supported — convert it to PDF or HTML.');
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100)]);
    await expect(attachmentText(xls, { name: 'download?id=7' })).rejects.toThrow(/^Attachment "download\?id=7" is a Word\/Excel file/);
  });
});

describe('attachmentKind', () => {
  const pdf = Buffer.from('%PDF-1.4\n%...');
  const html = Buffer.from('\ufeff  <!DOCTYPE html><html></html>');
  const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]);
  const ole2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]);

  it('lets the %PDF- magic win over names and content types', () => {
    expect(attachmentKind('fj.html', 'text/html', pdf)).toBe('pdf');
    expect(attachmentKind('附件.doc', 'application/msword', pdf)).toBe('pdf');
    expect(attachmentKind('download', undefined, pdf)).toBe('pdf');
    expect(attachmentKind('x', undefined, Buffer.concat([Buffer.from('junk\r\n'), pdf]))).toBe('pdf');
  });

  it('recognises Word/Excel by signature, extension or content type', () => {
    expect(attachmentKind('a.txt', 'text/plain', zip)).toBe('unsupported');
    expect(attachmentKind('a', undefined, ole2)).toBe('unsupported');
    for (const name of ['a.doc', 'a.docx', 'a.xls', 'a.xlsx', 'A.DOCX', '/cms/a.wps?x=1'])
      expect(attachmentKind(name, undefined, Buffer.from('x'))).toBe('unsupported');
    expect(attachmentKind('a', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.from('x'))).toBe('unsupported');
  });

  it('reads HTML by its start, even under a .doc or .pdf name (Word "web page" saves)', () => {
    expect(attachmentKind('附件.doc', undefined, html)).toBe('html');
    expect(attachmentKind('a.pdf', undefined, Buffer.from('<html><body>404</body></html>'))).toBe('html');
    expect(attachmentKind('a', 'text/html; charset=utf-8', Buffer.from('稀土'))).toBe('html');
    expect(attachmentKind('a.htm', undefined, Buffer.from('稀土'))).toBe('html');
  });

  it('falls back on the name, the content type, then the bytes', () => {
    expect(attachmentKind('a.pdf', undefined, Buffer.from('oops'))).toBe('pdf');
    expect(attachmentKind('a', 'application/pdf', Buffer.from('oops'))).toBe('pdf');
    expect(attachmentKind('a.txt', undefined, Buffer.from('稀土'))).toBe('text');
    expect(attachmentKind('a', undefined, Buffer.from('稀土'))).toBe('text');
    expect(attachmentKind('a', undefined, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]))).toBe('unsupported');
    expect(attachmentKind('a.png', undefined, Buffer.from('x'))).toBe('unsupported');
  });
});

describe('linesFromItems', () => {
  const item = (str: string, x: number, y: number, size = 10): PdfTextItem => ({ str, x, y, size, width: Array.from(str).length * size });

  it('groups by baseline (within half an em), orders by x, and chooses separators by the gap', () => {
    const items = [
      item('加工', 130, 700.3), // same line as 稀土, slightly off the baseline, given out of order
      item('稀土', 100, 700),
      item('的', 120, 699.8), // no gap: nothing between CJK characters
      item('053302J', 300, 700), // a wide gap: a new cell
      item(' ', 400, 700), // pdf.js's whitespace items are ignored
      item('Rare', 100, 680),
      item('earth', 142, 680), // a 0.2 em gap between Latin words: a space
      item('', 0, 660),
      item('第一章', 100, 640),
      item('总则', 140, 640), // a one-em gap (an ideographic space): a space, not a cell
      item('稀', 100, 620),
      item('土', 112, 620), // justification spread (0.2 em) between CJK: nothing
    ];
    expect(linesFromItems(items)).toEqual(['稀土的加工 | 053302J', 'Rare earth', '第一章 总则', '稀土']);
  });
});
