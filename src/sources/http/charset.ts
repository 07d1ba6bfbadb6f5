// Turning response bytes into text: charset from the Content-Type header, else from the document
// (`<meta charset>`, `<meta http-equiv="Content-Type">`, an XML declaration), else UTF-8.
// MOFCOM often omits the charset; defaulting to ISO-8859-1 would garble every Chinese title, so the
// default is UTF-8, and GBK/GB2312 labels are decoded as GB18030 (a superset of both).

/** Labels decoded as GB18030: GB18030 is a superset of GBK and GB2312, and real servers mislabel freely. */
const GB_LABELS = new Set([
  'gbk',
  'x-gbk',
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'gb-2312',
  'csgb2312',
  'csiso58gb231280',
  'iso-ir-58',
  'chinese',
  'cp936',
  'ms936',
  'windows-936',
  'euc-cn',
  'x-euc-cn',
  'gb18030',
]);

/** How much of the document is searched for a `<meta>` or XML declaration. */
const SNIFF_BYTES = 2048;

/**
 * A declared charset is overridden when the bytes are valid UTF-8 with at least this many non-ASCII
 * bytes: GBK or windows-1252 text is practically never valid UTF-8 at that length, while pages that
 * keep an old `<meta charset=gb2312>` after moving to UTF-8 are common on government sites.
 */
const UTF8_OVERRIDE_MIN_NON_ASCII = 16;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * The canonical encoding name for a charset label (`utf-8`, `gb18030`, `windows-1252`, …), or null when
 * the label is not one TextDecoder knows.
 */
export function normalizeCharset(label: string): string | null {
  const cleaned = label
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase();
  if (cleaned === '') return null;
  if (GB_LABELS.has(cleaned)) return 'gb18030';
  if (cleaned === 'utf8') return 'utf-8';
  try {
    const encoding = new TextDecoder(cleaned).encoding;
    // The WHATWG "replacement" encoding (iso-2022-kr, hz-gb-2312, …) decodes everything to U+FFFD.
    return encoding === 'replacement' ? null : encoding;
  } catch {
    return null;
  }
}

/** The raw `charset=` parameter of a Content-Type header value, if any. */
export function charsetFromContentType(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const match = /(?:^|;)\s*charset\s*=\s*("([^"]*)"|'([^']*)'|[^;\s]*)/i.exec(contentType);
  if (!match) return null;
  const value = match[2] ?? match[3] ?? match[1] ?? '';
  return value.trim() === '' ? null : value.trim();
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === 'text/json';
}

function bomOf(bytes: Buffer): { charset: string; length: number } | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/**
 * The charset the document declares in its first 2 KB: an XML declaration at the very start, else a
 * `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">`. A body that starts like
 * JSON is not searched (a JSON API answer may carry HTML fragments with their own meta tags).
 */
export function sniffDocumentCharset(bytes: Buffer): string | null {
  const head = bytes.subarray(0, SNIFF_BYTES).toString('latin1');
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return null;
  const xml = /^<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']+)["']/i.exec(trimmed);
  if (xml?.[1]) return xml[1];
  const meta = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:+-]+)/i.exec(head);
  if (meta?.[1]) return meta[1];
  return null;
}

function nonAsciiCount(bytes: Buffer): number {
  let count = 0;
  for (const byte of bytes) if (byte >= 0x80) count++;
  return count;
}

function tryUtf8(bytes: Buffer): string | null {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return null;
  }
}

function tryDecode(bytes: Buffer, charset: string, fatal: boolean): string | null {
  try {
    return new TextDecoder(charset, { fatal }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Decodes a response body. Order: a byte-order mark; the Content-Type charset; the document's own
 * declaration (not for JSON); UTF-8. GBK/GB2312 labels decode as GB18030; unknown labels are ignored.
 * Two repairs for mislabelled pages: a declared non-UTF-8 charset loses to bytes that are clearly valid
 * UTF-8, and an undeclared body that is not valid UTF-8 but is valid GB18030 with Chinese in it decodes
 * as GB18030. Never throws; the BOM is stripped.
 */
export function decodeBody(bytes: Buffer, contentType: string | undefined): { text: string; charset: string } {
  const bom = bomOf(bytes);
  if (bom) {
    const rest = bytes.subarray(bom.length);
    return { text: tryDecode(rest, bom.charset, false) ?? '', charset: bom.charset };
  }

  let declared = normalizeCharset(charsetFromContentType(contentType) ?? '');
  if (!declared && !isJsonContentType(contentType)) {
    const sniffed = sniffDocumentCharset(bytes);
    declared = sniffed ? normalizeCharset(sniffed) : null;
    // A document can only declare an ASCII-compatible charset about itself (it was just read as ASCII).
    if (declared === 'utf-16le' || declared === 'utf-16be') declared = 'utf-8';
  }

  if (declared && declared !== 'utf-8') {
    if (nonAsciiCount(bytes) >= UTF8_OVERRIDE_MIN_NON_ASCII) {
      const asUtf8 = tryUtf8(bytes);
      if (asUtf8 !== null) return { text: asUtf8, charset: 'utf-8' };
    }
    const text = tryDecode(bytes, declared, false);
    if (text !== null) return { text, charset: declared };
  }

  const asUtf8 = tryUtf8(bytes);
  if (asUtf8 !== null) return { text: asUtf8, charset: 'utf-8' };
  if (!declared) {
    const asGb = tryDecode(bytes, 'gb18030', true);
    if (asGb !== null && /\p{Script=Han}/u.test(asGb)) return { text: asGb, charset: 'gb18030' };
  }
  return { text: tryDecode(bytes, 'utf-8', false) ?? '', charset: 'utf-8' };
}
