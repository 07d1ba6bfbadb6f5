// Reader for HTML catalogues: the 2023 table layout (`序号 | 编号 | 技术名称 | 控制要点`) with
// part and sector headings between tables or as full-width rows, and also labelled text
// published as HTML paragraphs. Problem line numbers are lines of the HTML source.
//
// - A table is a catalogue table when one of its rows is the header row (编号, 技术名称 and
//   控制要点 cells, 序号 optional), or when it has no header but follows a catalogue table and
//   has rows with codes or headings in the same columns (a table split over pages).
//   Any other table is layout: its cells are read as blocks of text.
// - rowspan/colspan are expanded. A row whose only text is one cell is a heading row (or a
//   title before the first part heading; otherwise a problem). A row with text only in the
//   控制要点 column continues the previous entry's control points.
// - In a 控制要点 cell, <br>, <p>, <div> and <li> separate lines; the lines are then split
//   into points by splitPointLines (numbering inside a line also splits).
// - A table with no closing tag whose last row has no closing tag is a truncated document:
//   that row is reported and not emitted.

import * as cheerio from 'cheerio';
import { foldWidth, joinContinuation, tidyText } from './normalise.js';
import { CatalogueBuilder, CatalogueParseError, matchPartHeading, matchSectorHeading, type BuildResult, type RowInput } from './parse-builder.js';
import type { SourceLine } from './parse-points.js';

/** The subset of a parsed DOM node this reader uses (cheerio's parse5 tree with source locations). */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  sourceCodeLocation?: { startLine: number; endTag?: unknown } | null;
}

const SKIP = new Set(['head', 'script', 'style', 'noscript', 'template', 'svg', 'math', 'select', 'textarea', 'iframe', 'object']);
const BLOCK = new Set([
  'html',
  'body',
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'nav',
  'aside',
  'center',
  'blockquote',
  'pre',
  'form',
  'fieldset',
  'address',
  'figure',
  'figcaption',
  'hr',
  'caption',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'td',
  'th',
]);

// Elements whose end tag may be omitted (they never nest into deep chains) and void elements.
const OPTIONAL_END = new Set([
  'p',
  'li',
  'dt',
  'dd',
  'td',
  'th',
  'tr',
  'thead',
  'tbody',
  'tfoot',
  'option',
  'optgroup',
  'rb',
  'rt',
  'rtc',
  'rp',
  'colgroup',
  'caption',
  'html',
  'head',
  'body',
]);
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'keygen',
  'basefont',
  'bgsound',
  'frame',
  'isindex',
  'menuitem',
  'image',
]);
/** Documents nesting deeper than this are refused before parsing (the HTML parser slows down quadratically with depth). */
const MAX_NESTING = 1000;
/** Defensive bound for the tree walk, above MAX_NESTING: deeper content is reported, not read. */
const MAX_WALK_DEPTH = 1500;

/** A linear-time estimate of the element nesting depth, from the tags alone. */
export function estimateNestingDepth(doc: string): number {
  let depth = 0;
  let max = 0;
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>/g;
  for (let m = tag.exec(doc); m !== null; m = tag.exec(doc)) {
    const name = (m[2] ?? '').toLowerCase();
    if (VOID.has(name) || OPTIONAL_END.has(name) || (m[3] ?? '').endsWith('/')) continue;
    if (m[1] === '/') depth = Math.max(0, depth - 1);
    else if (++depth > max) max = depth;
  }
  return max;
}

function isElement(node: DomNode): boolean {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function tagName(node: DomNode): string {
  return (node.name ?? '').toLowerCase();
}

function lineOf(node: DomNode): number {
  return node.sourceCodeLocation?.startLine ?? 0;
}

const isAscii = (c: string | undefined): boolean => c !== undefined && c >= '!' && c <= '~';

/** Source white space that contains a line break joins Chinese text directly and anything else with a space. */
function inlineText(raw: string): string {
  const joined = raw.replace(/\s+/g, (m: string, offset: number, all: string) => {
    if (!/[\r\n]/.test(m)) return m;
    const before = all[offset - 1];
    const after = all[offset + m.length];
    return before === undefined || after === undefined || isAscii(before) || isAscii(after) ? ' ' : '';
  });
  return tidyText(joined).replace(/\n/g, ' ');
}

/** Collects block-separated lines of text from a DOM subtree; tables go to `onTable` when given. */
class LineCollector {
  private buf = '';
  private bufLine = 0;
  private depth = 0;
  /** Line of the first element skipped for being nested deeper than MAX_WALK_DEPTH, or null. */
  tooDeepAt: number | null = null;

  constructor(
    private readonly emit: (line: SourceLine) => void,
    private readonly onTable?: (table: DomNode) => void,
  ) {}

  flush(): void {
    const text = inlineText(this.buf);
    if (text !== '') this.emit({ text, line: this.bufLine });
    this.buf = '';
    this.bufLine = 0;
  }

  walk(node: DomNode): void {
    if (node.type === 'text') {
      const data = node.data ?? '';
      if (this.bufLine === 0 && data.trim() !== '') this.bufLine = lineOf(node);
      this.buf += data;
      return;
    }
    if (node.type === 'root') {
      for (const c of node.children ?? []) this.walk(c);
      return;
    }
    if (!isElement(node)) return;
    const name = tagName(node);
    if (SKIP.has(name)) return;
    if (name === 'br') {
      this.flush();
      return;
    }
    if (name === 'table' && this.onTable) {
      this.flush();
      this.onTable(node);
      return;
    }
    const block = BLOCK.has(name) || name === 'table';
    if (block) this.flush();
    if (this.depth >= MAX_WALK_DEPTH) {
      this.tooDeepAt ??= lineOf(node);
      return;
    }
    this.depth++;
    for (const c of node.children ?? []) this.walk(c);
    this.depth--;
    if (block) this.flush();
  }
}

// A cell is looked at several times (header test, full-width test, fields): read it once.
const linesCache = new WeakMap<DomNode, SourceLine[]>();
const textCache = new WeakMap<DomNode, string>();

function cellLines(cell: DomNode): SourceLine[] {
  const cached = linesCache.get(cell);
  if (cached !== undefined) return cached;
  const out: SourceLine[] = [];
  const collector = new LineCollector((l) => out.push(l));
  for (const c of cell.children ?? []) collector.walk(c);
  collector.flush();
  linesCache.set(cell, out);
  return out;
}

/** A cell's text on one line; its lines are joined like wrapped lines (directly between Chinese characters). */
function cellText(cell: DomNode): string {
  let text = textCache.get(cell);
  if (text === undefined) {
    text = cellLines(cell).reduce((acc, l) => joinContinuation(acc, l.text), '');
    textCache.set(cell, text);
  }
  return text;
}

/** Columns beyond this are ignored (a catalogue table has four). */
const MAX_COLUMNS = 64;

interface Slot {
  cell: DomNode;
  /** True in the row and column where the cell starts; false where rowspan/colspan repeat it. */
  own: boolean;
}

interface Row {
  tr: DomNode;
  cells: DomNode[];
  slots: (Slot | undefined)[];
}

function span(cell: DomNode, attr: string, max: number): number {
  const n = Number.parseInt(cell.attribs?.[attr] ?? '1', 10);
  return Number.isFinite(n) && n >= 1 ? Math.min(n, max) : 1;
}

/** The rows of a table (not of tables nested in it), with rowspan and colspan expanded. */
function layoutRows(table: DomNode): Row[] {
  const trs: DomNode[] = [];
  for (const c of table.children ?? []) {
    const name = tagName(c);
    if (name === 'tr') trs.push(c);
    else if (name === 'thead' || name === 'tbody' || name === 'tfoot') {
      for (const r of c.children ?? []) if (tagName(r) === 'tr') trs.push(r);
    }
  }
  const carried = new Map<number, { cell: DomNode; left: number }>();
  return trs.map((tr) => {
    const cells = (tr.children ?? []).filter((c) => tagName(c) === 'td' || tagName(c) === 'th');
    const slots: (Slot | undefined)[] = [];
    let col = 0;
    const takeCarried = (): void => {
      for (let carry = carried.get(col); carry !== undefined; carry = carried.get(col)) {
        slots[col] = { cell: carry.cell, own: false };
        if (--carry.left <= 0) carried.delete(col);
        col++;
      }
    };
    for (const cell of cells) {
      takeCarried();
      const cs = span(cell, 'colspan', 64);
      const rs = span(cell, 'rowspan', 1000);
      for (let k = 0; k < cs && col + k < MAX_COLUMNS; k++) {
        slots[col + k] = { cell, own: k === 0 };
        if (rs > 1) carried.set(col + k, { cell, left: rs - 1 });
      }
      col += cs;
    }
    takeCarried();
    for (const key of [...carried.keys()]) {
      if (key >= col) {
        const carry = carried.get(key);
        if (carry !== undefined) {
          slots[key] = { cell: carry.cell, own: false };
          if (--carry.left <= 0) carried.delete(key);
        }
      }
    }
    return { tr, cells, slots };
  });
}

interface Mapping {
  ordinal?: number;
  code: number;
  name: number;
  points: number;
  width: number;
}

function compact(text: string): string {
  return foldWidth(text).replace(/\s+/g, '');
}

function headerMapping(row: Row): Mapping | null {
  const found: Partial<Record<'ordinal' | 'code' | 'name' | 'points', number>> = {};
  row.slots.forEach((slot, i) => {
    if (!slot?.own) return;
    const key = { 序号: 'ordinal', 编号: 'code', 技术名称: 'name', 控制要点: 'points' }[compact(cellText(slot.cell))] as
      'ordinal' | 'code' | 'name' | 'points' | undefined;
    if (key !== undefined && found[key] === undefined) found[key] = i;
  });
  if (found.code === undefined || found.name === undefined || found.points === undefined) return null;
  return { ...found, code: found.code, name: found.name, points: found.points, width: row.slots.length };
}

/** The text of the column, '' where the cell is repeated by a span, null where the row has no cell there. */
function slotText(row: Row, index: number | undefined): string | null {
  if (index === undefined) return null;
  const slot = row.slots[index];
  if (slot === undefined) return null;
  return slot.own ? cellText(slot.cell) : '';
}

function ownTexts(row: Row): { cell: DomNode; text: string }[] {
  const out: { cell: DomNode; text: string }[] = [];
  for (const slot of row.slots) if (slot?.own) out.push({ cell: slot.cell, text: cellText(slot.cell) });
  return out;
}

function isHeadingText(text: string): boolean {
  return matchPartHeading(text) !== null || matchSectorHeading(text) !== null;
}

/** The text of a row that has a single non-empty cell spanning the row (or holding a heading); null otherwise. */
function fullRowText(row: Row): string | null {
  const texts = ownTexts(row).filter((t) => t.text !== '');
  const only = texts[0];
  if (texts.length !== 1 || only === undefined) return null;
  if (isHeadingText(only.text)) return only.text;
  // A cell repeated from the row above (rowspan) makes this a continuation row, not a full-width one.
  if (row.slots.some((slot) => slot !== undefined && !slot.own && slot.cell !== only.cell)) return null;
  if (row.cells.length === 1 || span(only.cell, 'colspan', 64) > 1) return only.text;
  return null;
}

function looksLikeData(row: Row, mapping: Mapping): boolean {
  const code = slotText(row, mapping.code);
  if (code !== null && /\d{5,}/.test(compact(code))) return true;
  const full = fullRowText(row);
  return full !== null && isHeadingText(full);
}

type HtmlEvent =
  | { kind: 'line'; line: SourceLine }
  | { kind: 'full-row'; text: string; line: number }
  | { kind: 'row'; row: RowInput }
  | { kind: 'continuation'; lines: SourceLine[]; line: number; text: string; incomplete?: string }
  | { kind: 'end-table' }
  | { kind: 'problem'; line: number; text: string; reason: string };

const TRUNCATED_ROW = 'the document ends inside this table row; it may be truncated; entry not imported';

/**
 * Parses an HTML catalogue; an empty result is the caller's concern. Throws CatalogueParseError
 * only for documents nested so deeply that parsing them would take minutes.
 */
export function parseHtmlCatalogue(doc: string): BuildResult {
  const depth = estimateNestingDepth(doc);
  if (depth > MAX_NESTING) {
    throw new CatalogueParseError(
      `The HTML document nests elements about ${depth} levels deep (more than ${MAX_NESTING}), so it is not a catalogue this parser reads.`,
    );
  }
  const $ = cheerio.load(doc, { sourceCodeLocationInfo: true });
  const root = $.root()[0] as unknown as DomNode;
  const events: HtmlEvent[] = [];
  let lastMapping: Mapping | null = null;

  const top: LineCollector = new LineCollector(
    (line) => events.push({ kind: 'line', line }),
    (table) => readTable(table),
  );

  function readTable(table: DomNode): void {
    const rows = layoutRows(table);
    let mapping: Mapping | null = null;
    let headerAt = -1;
    for (let i = 0; i < rows.length && mapping === null; i++) {
      const row = rows[i];
      if (row === undefined) continue;
      mapping = headerMapping(row);
      if (mapping !== null) headerAt = i;
    }
    if (mapping === null && lastMapping !== null) {
      const previous: Mapping = lastMapping;
      if (rows.some((r) => looksLikeData(r, previous))) mapping = previous;
    }
    if (mapping === null) {
      // Layout table: read its cells as blocks of text (nested tables are read in turn).
      for (const c of table.children ?? []) top.walk(c);
      top.flush();
      return;
    }
    lastMapping = mapping;
    const closed = table.sourceCodeLocation?.endTag !== undefined;
    const lastTr = rows.at(-1)?.tr;
    const cutRow = !closed && lastTr !== undefined && lastTr.sourceCodeLocation?.endTag === undefined ? lastTr : null;
    let cutReported = false;
    rows.forEach((row, i) => {
      const line = lineOf(row.tr);
      const incomplete = row.tr === cutRow ? TRUNCATED_ROW : undefined;
      const m = mapping;
      if (m === null || i === headerAt || headerMapping(row) !== null) return;
      const full = fullRowText(row);
      if (full !== null || (i < headerAt && !looksLikeData(row, m))) {
        const text =
          full ??
          ownTexts(row)
            .map((t) => t.text)
            .filter((t) => t !== '')
            .join(' ');
        if (text !== '') events.push({ kind: 'full-row', text, line });
        return;
      }
      const own = ownTexts(row);
      if (own.every((t) => t.text === '')) return;
      const text = own.map((t) => t.text).join(' | ');
      const ordinal = slotText(row, m.ordinal);
      const code = slotText(row, m.code);
      const name = slotText(row, m.name);
      const pointsSlot = row.slots[m.points];
      const points = pointsSlot === undefined ? null : pointsSlot.own ? cellLines(pointsSlot.cell) : [];
      if (incomplete !== undefined) cutReported = true;
      if (!ordinal && !code && !name && points !== null && points.length > 0) {
        events.push({ kind: 'continuation', lines: points, line, text, ...(incomplete ? { incomplete } : {}) });
        return;
      }
      const rowInput: RowInput = { line, text, code, name, points };
      if (incomplete !== undefined) rowInput.incomplete = incomplete;
      events.push({ kind: 'row', row: rowInput });
    });
    if (!closed && !cutReported) {
      events.push({
        kind: 'problem',
        line: lineOf(table),
        text: '<table>',
        reason: 'the table is not closed (no </table>); the document may be truncated',
      });
    }
    events.push({ kind: 'end-table' });
  }

  top.walk(root);
  top.flush();
  if (top.tooDeepAt !== null) {
    events.push({
      kind: 'problem',
      line: top.tooDeepAt,
      text: '',
      reason: `elements nested more than ${MAX_WALK_DEPTH} deep were not read`,
    });
  }

  const hasPart = events.some(
    (e) => (e.kind === 'line' && matchPartHeading(e.line.text) !== null) || (e.kind === 'full-row' && matchPartHeading(e.text) !== null),
  );
  const builder = new CatalogueBuilder(hasPart);
  for (const e of events) {
    switch (e.kind) {
      case 'line':
        builder.textLine(e.line.text, e.line.line);
        break;
      case 'full-row':
        builder.fullRow(e.text, e.line);
        break;
      case 'row':
        builder.row(e.row);
        break;
      case 'continuation':
        if (!builder.rowContinuation(e.lines, e.incomplete)) {
          builder.problem(e.line, e.text, 'a row with only 控制要点 and no entry before it in the table cannot be placed');
        }
        break;
      case 'end-table':
        builder.endBlock();
        break;
      case 'problem':
        builder.problem(e.line, e.text, e.reason);
        break;
    }
  }
  return builder.finish();
}
