// Hand-written PDF 1.4 files for tests: Unicode (incl. Chinese) text through a Type0 font with Identity-H encoding
// over a CIDFontType2 descendant with no embedded glyphs, and a ToUnicode CMap that maps each CID back to its
// character. Text extractors read the characters from the CMap, so no font program is needed.
//
// CIDs: every distinct character of the document gets CID = 1 + its index in a per-document character table (CID 0 is
// .notdef). Glyphs are 1000 units wide (/DW 1000) except ASCII (500) and the space (250), as in common CJK fonts, so a
// run's width in points is the sum of its advances times the font size / 1000.
//
// Options for the error and fallback paths: `encrypted` adds a standard security handler whose user password is not
// empty (readers must refuse it); `encoding: 'UniGB-UCS2-H'` writes the text as UCS-2 codes through Adobe's predefined
// CMap over the non-embedded STSong-Light, with no ToUnicode at all (readers need their CMap files to get the text).

const FONT_SIZE = 12;
const LINE_HEIGHT = 18;
const TOP = 800;
const LEFT = 56;
const COLUMN_GAP = 24;
const PAGE_WIDTH = 595;
const PAGE_HEIGHT = 842;

/** One piece of text on a page, at baseline (x, y) in points from the bottom-left corner. */
interface Placed {
  x: number;
  y: number;
  text: string;
}

export interface PdfOptions {
  encoding?: 'Identity-H' | 'UniGB-UCS2-H';
  encrypted?: boolean;
  /** Page width in points (default A4); wide tables get wide pages so no cell falls off the page. */
  pageWidth?: number;
}

/** Advance width of one character in thousandths of an em. */
function advance(ch: string): number {
  if (ch === ' ') return 250;
  return ch.charCodeAt(0) < 0x80 ? 500 : 1000;
}

/** Width of a run of text in points at the test font size. */
export function textWidth(text: string): number {
  return (Array.from(text).reduce((sum, ch) => sum + advance(ch), 0) * FONT_SIZE) / 1000;
}

/** A PDF whose pages each list their lines, top to bottom, one Tj per line at decreasing y. */
export function makePdf(pages: string[][], options: PdfOptions = {}): Buffer {
  return writePdf(
    pages.map((lines) => lines.map((text, i) => ({ x: LEFT, y: TOP - i * LINE_HEIGHT, text }))),
    options,
  );
}

/**
 * A one-page table: each row on its own baseline, each cell its own text object at its column's x, columns as wide
 * as their longest cell plus a gap (so cells on one row are visibly apart, as in the 2023 catalogue's table).
 */
export function makeTablePdf(rows: string[][]): Buffer {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, textWidth(cell))));
  const xs: number[] = [];
  let x = LEFT;
  for (const w of widths) {
    xs.push(x);
    x += w + COLUMN_GAP;
  }
  // As many rows as fit on a page; the page is as wide as the table.
  const perPage = Math.floor((TOP - 40) / LINE_HEIGHT);
  const pages: Placed[][] = [];
  rows.forEach((row, r) => {
    if (r % perPage === 0) pages.push([]);
    row.forEach((text, c) => pages.at(-1)!.push({ x: xs[c] ?? LEFT, y: TOP - (r % perPage) * LINE_HEIGHT, text }));
  });
  return writePdf(pages, { pageWidth: Math.max(PAGE_WIDTH, Math.ceil(x + LEFT)) });
}

function writePdf(pages: Placed[][], options: PdfOptions): Buffer {
  const ucs2 = options.encoding === 'UniGB-UCS2-H';
  // The per-document character table: CID = index + 1.
  const cids = new Map<string, number>();
  for (const page of pages) for (const { text } of page) for (const ch of text) if (!cids.has(ch)) cids.set(ch, cids.size + 1);

  const objects: Buffer[] = []; // objects[n - 1] is object n
  const add = (body: string | Buffer): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dict: string, data: string): Buffer =>
    Buffer.from(`<< ${dict} /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`, 'latin1');

  const catalog = add(''); // filled in once the page tree exists
  const pagesId = add('');
  const fontName = ucs2 ? 'STSong-Light' : 'ExportWatchTest';
  const descriptor = add(
    `<< /Type /FontDescriptor /FontName /${fontName} /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>`,
  );
  let font: number;
  if (ucs2) {
    // Adobe-GB1 CIDs are not ours to assign: widths stay at the default, so keep this mode to simple lines.
    const cidFont = add(
      `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /${fontName} /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor ${descriptor} 0 R /DW 1000 >>`,
    );
    font = add(`<< /Type /Font /Subtype /Type0 /BaseFont /${fontName}-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [${cidFont} 0 R] >>`);
  } else {
    const widths = [...cids].filter(([ch]) => advance(ch) !== 1000).map(([ch, cid]) => `${cid} [${advance(ch)}]`);
    const cidFont = add(
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${fontName} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /DW 1000 /W [${widths.join(' ')}] /CIDToGIDMap /Identity >>`,
    );
    const toUnicode = add(stream('', toUnicodeCMap(cids)));
    font = add(`<< /Type /Font /Subtype /Type0 /BaseFont /${fontName} /Encoding /Identity-H /DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`);
  }
  // A standard security handler (RC4, revision 2) whose O and U entries match no empty password.
  const encrypt = options.encrypted ? add(`<< /Filter /Standard /V 1 /R 2 /O <${'4F'.repeat(32)}> /U <${'55'.repeat(32)}> /P -44 >>`) : 0;

  const pageIds: number[] = [];
  for (const page of pages) {
    const ops = page.map(({ x, y, text }) => `BT /F1 ${FONT_SIZE} Tf 1 0 0 1 ${x} ${y} Tm <${ucs2 ? utf16Hex(text) : hexCids(text, cids)}> Tj ET`).join('\n');
    const content = add(stream('', ops));
    pageIds.push(
      add(
        `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${options.pageWidth ?? PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesId} 0 R >>`, 'latin1');
  objects[pagesId - 1] = Buffer.from(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`, 'latin1');

  // Header with a binary comment line, then the objects, recording each one's byte offset for the xref table.
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(offset);
    parts.push(obj);
    offset += obj.length;
  });
  // Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, n/f, and a two-byte end of line.
  const trailerExtra = encrypt ? ` /Encrypt ${encrypt} 0 R /ID [<${'AB'.repeat(16)}> <${'AB'.repeat(16)}>]` : '';
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${trailerExtra} >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

function hexCids(text: string, cids: Map<string, number>): string {
  return Array.from(text, (ch) => hex4(cids.get(ch) ?? 0)).join('');
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** UTF-16BE hex of a string (surrogate pairs for characters beyond the BMP). */
function utf16Hex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += hex4(text.charCodeAt(i));
  return out;
}

function toUnicodeCMap(cids: Map<string, number>): string {
  const entries = [...cids].map(([ch, cid]) => `<${hex4(cid)}> <${utf16Hex(ch)}>`);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100); // at most 100 entries per bfchar block
    blocks.push(`${chunk.length} beginbfchar\n${chunk.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMapResource defineresource pop',
    'end',
    'end',
  ].join('\n');
}
