// Attachment bytes → text. A full revision of the technology catalogue arrives as an attachment: the 2023 catalogue
// was a PDF table (序号 | 编号 | 技术名称 | 控制要点); others come as HTML or plain text. Word/Excel files are refused.
//
// PDF text comes from Mozilla's pdf.js (`pdfjs-dist` 5.6.205, its legacy build: the last line that supports Node
// 20.19+). It runs in a short-lived worker thread so that a hostile or broken PDF can be stopped for good: a time
// limit terminates the thread, a heap limit bounds its memory, and pdf.js's own errors and stray rejections stay
// inside it. pdf.js is told never to fetch: no eval, no system fonts, no WebAssembly, and the CMaps and standard
// font data it may need come from the files shipped in the package (read from disk, never over the network).
//
// Lines are rebuilt from pdf.js's text items: items are grouped into lines by baseline (y) and ordered by x. Between
// two items on a line the horizontal gap decides the separator: more than 1.1 em → ' | ' (a table cell boundary, so
// `1 | 053302J | 稀土的提炼、加工、利用技术 | 1.稀土萃取分离工艺技术` stays a row; `src/pipeline/table-text.ts` reads it back),
// a smaller gap → one space (between two CJK characters only from half an em: justified Chinese is spread out a
// little, and Chinese has no spaces between words), no gap → nothing.
// ' | ' rather than a tab: visible in logs and alerts, and not otherwise found in catalogue cells.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export type AttachmentKind = 'pdf' | 'html' | 'text' | 'unsupported';

/** An attachment that cannot be turned into text; the message is one sentence naming the attachment. */
export class AttachmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttachmentError';
  }
}

export interface AttachmentTextOptions {
  /** The attachment's file name or URL, used for the kind and in error messages. */
  name: string;
  /** The Content-Type header the attachment came with, if any. */
  contentType?: string;
  /** A PDF with more pages is refused (default 500). */
  maxPages?: number;
  /** Wall-clock limit for reading one PDF, in milliseconds (default 120 000). */
  timeoutMs?: number;
}

export const DEFAULT_MAX_PAGES = 500;
export const DEFAULT_PDF_TIMEOUT_MS = 120_000;
/** Heap limit of the PDF worker thread. */
const PDF_WORKER_HEAP_MB = 1024;
/**
 * A gap of more than this many ems between two items on one line separates table cells. A little over one em, so that
 * a typed ideographic space (U+3000, one em wide, as in 第一章 + U+3000 + 总则), which pdf.js reports as a gap, stays a space.
 */
const CELL_GAP_EM = 1.1;
/** A gap of at least this many ems (and not a cell gap) is a space between words… */
const SPACE_GAP_EM = 0.15;
/** …or between two CJK characters, which are often spread out a little when a line is justified. */
const CJK_SPACE_GAP_EM = 0.5;
export const CELL_SEPARATOR = ' | ';

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // .doc, .xls, .ppt, .wps
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]); // .docx, .xlsx, .pptx, .odt, .zip
const RTF_MAGIC = Buffer.from('{\\rtf', 'latin1');
/** pdf.js, like Acrobat, accepts a header anywhere in the first 1 KiB. */
const PDF_HEADER_WINDOW = 1024;

const OFFICE_EXTENSIONS = new Set(['doc', 'docx', 'docm', 'dot', 'dotx', 'xls', 'xlsx', 'xlsm', 'xlt', 'et', 'wps', 'rtf', 'odt', 'ods', 'ppt', 'pptx']);
const HTML_EXTENSIONS = new Set(['html', 'htm', 'shtml', 'xhtml', 'jsp', 'asp', 'aspx', 'php']);
const TEXT_EXTENSIONS = new Set(['txt', 'text', 'csv', 'tsv', 'md']);
const OTHER_BINARY_EXTENSIONS = new Set(['zip', 'rar', '7z', 'gz', 'tar', 'png', 'jpg', 'jpeg', 'gif', 'bmp', 'tif', 'tiff', 'webp', 'ofd', 'exe']);

/** The lower-case extension of a file name or URL path (query and fragment ignored), or ''. */
function extensionOf(name: string): string {
  const path = name.split(/[?#]/)[0] ?? '';
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
}

/** The first characters of the bytes, BOM and leading whitespace removed, lower-cased (ASCII view). */
function headOf(bytes: Buffer): string {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  return bytes
    .subarray(start, start + 512)
    .toString('latin1')
    .replace(/^[\s\0]+/, '')
    .toLowerCase();
}

function looksLikeHtml(bytes: Buffer): boolean {
  const head = headOf(bytes);
  return /^(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<table[\s>]|<meta[\s>]|<!--[\s\S]*?-->\s*<(!doctype html|html))/.test(head);
}

function isWordOrExcel(name: string, mediaType: string, bytes: Buffer): boolean {
  return (
    startsWith(bytes, OLE2_MAGIC) ||
    startsWith(bytes, RTF_MAGIC) ||
    OFFICE_EXTENSIONS.has(extensionOf(name)) ||
    mediaType === 'application/msword' ||
    mediaType === 'application/rtf' ||
    mediaType.startsWith('application/vnd.ms-') ||
    mediaType.startsWith('application/vnd.openxmlformats-officedocument.') ||
    mediaType.startsWith('application/vnd.oasis.opendocument.') ||
    mediaType.startsWith('application/vnd.wps') ||
    mediaType === 'application/kswps'
  );
}

/** True when the bytes contain NUL bytes near the start, the mark of a binary file (UTF-16 has a BOM, checked first). */
function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 4096).includes(0);
}

/**
 * What an attachment is. The bytes decide first: a `%PDF-` header is a PDF whatever the name says; OLE2, ZIP and RTF
 * signatures are Word/Excel-like files (unsupported); a body that starts like an HTML document is HTML — government
 * sites often serve "Word" files that are really HTML saved under .doc, and those are readable. Then the name's
 * extension, then the Content-Type; an unrecognised body is text unless it looks binary.
 */
export function attachmentKind(name: string, contentType: string | undefined, bytes: Buffer): AttachmentKind {
  if (bytes.subarray(0, PDF_HEADER_WINDOW).includes(PDF_MAGIC)) return 'pdf';
  if (startsWith(bytes, OLE2_MAGIC) || startsWith(bytes, ZIP_MAGIC) || startsWith(bytes, RTF_MAGIC)) return 'unsupported';
  if (looksLikeHtml(bytes)) return 'html';
  const ext = extensionOf(name);
  const mediaType = mediaTypeOf(contentType);
  if (ext === 'pdf') return 'pdf'; // not a valid PDF (no header), reported as unreadable when read
  if (OFFICE_EXTENSIONS.has(ext) || OTHER_BINARY_EXTENSIONS.has(ext)) return 'unsupported';
  if (HTML_EXTENSIONS.has(ext)) return 'html';
  if (TEXT_EXTENSIONS.has(ext)) return 'text';
  if (mediaType === 'application/pdf') return 'pdf';
  if (isWordOrExcel(name, mediaType, bytes)) return 'unsupported';
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') return 'html';
  if (mediaType.startsWith('text/')) return 'text';
  if (looksBinary(bytes) && !hasUtf16Bom(bytes)) return 'unsupported';
  return 'text';
}

/** Turns an attachment into text: PDF text with rebuilt lines, HTML as it is (decoded), plain text decoded. */
export async function attachmentText(bytes: Buffer, opts: AttachmentTextOptions): Promise<{ kind: AttachmentKind; text: string }> {
  const kind = attachmentKind(opts.name, opts.contentType, bytes);
  switch (kind) {
    case 'pdf':
      return { kind, text: await pdfText(bytes, opts) };
    case 'html':
      return { kind, text: decodeHtml(bytes, opts.contentType) };
    case 'text':
      return { kind, text: decodeText(bytes, opts.contentType) };
    case 'unsupported': {
      const what = isWordOrExcel(opts.name, mediaTypeOf(opts.contentType), bytes)
        ? 'a Word/Excel file'
        : startsWith(bytes, ZIP_MAGIC)
          ? 'a ZIP archive (or a Word/Excel file)'
          : 'not a PDF, HTML or text file';
      throw new AttachmentError(`Attachment ${quote(opts.name)} is ${what}; not supported — convert it to PDF or HTML.`);
    }
  }
}

function quote(name: string): string {
  return `"${name.length > 200 ? `${name.slice(0, 200)}…` : name}"`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Text and HTML decoding

const GB_LABELS = new Set(['gbk', 'x-gbk', 'gb2312', 'gb_2312', 'gb-2312', 'gb_2312-80', 'csgb2312', 'cp936', 'ms936', 'windows-936', 'euc-cn', 'gb18030']);

function hasUtf16Bom(bytes: Buffer): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** A TextDecoder encoding for a charset label (GBK/GB2312 as GB18030, their superset), or null if unknown. */
function encodingFor(label: string | undefined): string | null {
  const cleaned = (label ?? '')
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (cleaned === '') return null;
  if (GB_LABELS.has(cleaned)) return 'gb18030';
  try {
    const encoding = new TextDecoder(cleaned).encoding;
    return encoding === 'replacement' ? null : encoding;
  } catch {
    return null;
  }
}

function charsetParameter(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '')?.[1];
}

/**
 * Decodes text: a byte-order mark (UTF-8 or UTF-16) wins and is stripped; else valid UTF-8; else the declared charset
 * if any; else GB18030 (a superset of GBK and GB2312, which Chinese government sites use when not UTF-8).
 */
function decodeWith(bytes: Buffer, declared: string | null): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // not UTF-8
  }
  const fallback = declared && declared !== 'utf-8' && !declared.startsWith('utf-16') ? declared : 'gb18030';
  return new TextDecoder(fallback).decode(bytes);
}

function decodeText(bytes: Buffer, contentType: string | undefined): string {
  return decodeWith(bytes, encodingFor(charsetParameter(contentType)));
}

/** HTML is returned as it is, decoded; a charset declared in the header or a `<meta>` is used when not UTF-8. */
function decodeHtml(bytes: Buffer, contentType: string | undefined): string {
  const meta = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:+-]+)/i.exec(bytes.subarray(0, 4096).toString('latin1'))?.[1];
  return decodeWith(bytes, encodingFor(charsetParameter(contentType)) ?? encodingFor(meta));
}

// ---------------------------------------------------------------------------------------------------------------------
// PDF

/** One text item as pdf.js places it: baseline origin (x, y), advance width, font size (em), and its string. */
export interface PdfTextItem {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

type WorkerAnswer =
  { ok: true; pages: PdfTextItem[][] } | { ok: false; reason: 'encrypted' | 'invalid' | 'too-many-pages' | 'failed'; message: string; pages?: number };

const requireHere = createRequire(import.meta.url);
let pdfjsPaths: { module: string; cMaps: string; standardFonts: string } | undefined;

function pdfjsLocation(): { module: string; cMaps: string; standardFonts: string } {
  if (!pdfjsPaths) {
    const root = dirname(requireHere.resolve('pdfjs-dist/package.json'));
    pdfjsPaths = {
      module: pathToFileURL(join(root, 'legacy', 'build', 'pdf.mjs')).href,
      // Factory paths must end with a slash; pdf.js's Node factory reads them with fs, never fetch.
      cMaps: join(root, 'cmaps') + '/',
      standardFonts: join(root, 'standard_fonts') + '/',
    };
  }
  return pdfjsPaths;
}

// The worker's code (plain JavaScript, run with `eval`): load pdf.js, open the document with everything that could
// reach out turned off, refuse it over the page limit, and send back each page's text items.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { moduleUrl, data, maxPages, cMapUrl, standardFontDataUrl } = workerData;
(async () => {
  const pdfjs = await import(moduleUrl);
  const task = pdfjs.getDocument({
    data, cMapUrl, cMapPacked: true, standardFontDataUrl, useWasm: false, useWorkerFetch: false,
    isEvalSupported: false, useSystemFonts: false, disableFontFace: true, enableXfa: false, verbosity: 0,
  });
  let doc;
  try {
    doc = await task.promise;
  } catch (err) {
    const name = err && err.name;
    const reason = name === 'PasswordException' ? 'encrypted' : name === 'InvalidPDFException' ? 'invalid' : 'failed';
    parentPort.postMessage({ ok: false, reason, message: String((err && err.message) || err) });
    return;
  }
  if (doc.numPages > maxPages) {
    parentPort.postMessage({ ok: false, reason: 'too-many-pages', message: '', pages: doc.numPages });
    return;
  }
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent({ includeMarkedContent: false });
    const items = [];
    for (const item of content.items) {
      if (typeof item.str !== 'string' || item.str === '') continue;
      const [a, b, , , x, y] = item.transform;
      items.push({ str: item.str, x, y, width: item.width, size: Math.hypot(a, b) || item.height || 1 });
    }
    pages.push(items);
    page.cleanup();
  }
  parentPort.postMessage({ ok: true, pages });
  await doc.destroy();
})().catch((err) => {
  parentPort.postMessage({ ok: false, reason: 'failed', message: String((err && err.message) || err) });
});
`;

/** Runs pdf.js over the bytes in a worker thread, bounded in time and memory. */
function extractPdfItems(bytes: Buffer, maxPages: number, timeoutMs: number): Promise<WorkerAnswer> {
  const where = pdfjsLocation();
  return new Promise<WorkerAnswer>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // A copy of the bytes: the caller's buffer stays intact.
      workerData: { moduleUrl: where.module, data: new Uint8Array(bytes), maxPages, cMapUrl: where.cMaps, standardFontDataUrl: where.standardFonts },
      resourceLimits: { maxOldGenerationSizeMb: PDF_WORKER_HEAP_MB },
      stdout: true, // pdf.js's console chatter is swallowed, not printed
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`reading took longer than ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`))),
      timeoutMs,
    );
    worker.once('message', (answer: WorkerAnswer) => finish(() => resolve(answer)));
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`the PDF reader stopped (exit code ${code})`))));
  });
}

async function pdfText(bytes: Buffer, opts: AttachmentTextOptions): Promise<string> {
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PDF_TIMEOUT_MS;
  const name = quote(opts.name);
  let answer: WorkerAnswer;
  try {
    answer = await extractPdfItems(bytes, maxPages, timeoutMs);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AttachmentError(`PDF attachment ${name} could not be read: ${why}.`, { cause: err });
  }
  if (!answer.ok) {
    switch (answer.reason) {
      case 'encrypted':
        throw new AttachmentError(`PDF attachment ${name} is encrypted with a password and cannot be read.`);
      case 'too-many-pages':
        throw new AttachmentError(`PDF attachment ${name} has ${answer.pages} pages, more than the limit of ${maxPages}.`);
      case 'invalid':
        throw new AttachmentError(`PDF attachment ${name} is not a readable PDF (${answer.message}).`);
      default:
        throw new AttachmentError(`PDF attachment ${name} could not be read: ${answer.message}.`);
    }
  }
  return answer.pages.map((items) => linesFromItems(items).join('\n')).join('\n');
}

const CJK = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

/**
 * Rebuilds the lines of one page from its text items: items whose baselines are within half an em of a line's
 * baseline belong to it; lines run top to bottom, items left to right. Whitespace-only items (pdf.js turns every
 * space glyph and every gap into a " " item) do not count as text: the gaps themselves decide the separators (see the
 * head of this file). Empty lines are left out.
 */
export function linesFromItems(items: readonly PdfTextItem[]): string[] {
  const byY = items.filter((item) => item.str.trim() !== '').sort((p, q) => q.y - p.y || p.x - q.x);
  const lines: { y: number; size: number; items: PdfTextItem[] }[] = [];
  for (const item of byY) {
    const line = lines[lines.length - 1];
    if (line && Math.abs(line.y - item.y) <= 0.5 * Math.min(line.size, item.size)) line.items.push(item);
    else lines.push({ y: item.y, size: item.size, items: [item] });
  }
  return lines.map((line) => joinLine(line.items.sort((p, q) => p.x - q.x))).filter((line) => line !== '');
}

function joinLine(items: readonly PdfTextItem[]): string {
  let text = '';
  let end = -Infinity;
  let endSize = 0;
  for (const item of items) {
    const str = item.str.replace(/\s+/g, ' ');
    if (text === '') text = str;
    else {
      const em = Math.max(endSize, item.size);
      const gap = item.x - end;
      const cjk = CJK.test(text.slice(-1)) && CJK.test(str.charAt(0));
      if (gap > CELL_GAP_EM * em) text = text.trimEnd() + CELL_SEPARATOR + str.trimStart();
      else if (gap >= (cjk ? CJK_SPACE_GAP_EM : SPACE_GAP_EM) * em && !/\s$/.test(text) && !/^\s/.test(str)) text += ' ' + str;
      else text += str;
    }
    end = Math.max(end, item.x + item.width);
    endSize = item.size;
  }
  return text.trim();
}
