// Items of the dual-use list from the text of a control notice:
// `1.钐、钐铁合金…（参考海关商品编号：2805301910、2805301990）（管制编码：1C902）`.
// Each `管制编码` marker closes one item: the text before it back to the item's number is the
// description; `参考海关商品编号`/`参考税则号列` give the reference customs codes.
import type { UnparsedClause } from '../../domain/types.js';
import { excerpt, fold, lineLabel, printed, trimSet, type NoticeLine } from '../measures/text.js';

export interface DualUseItem {
  /** Control code as stored: category letter upper case, sub-items lower case (`1E902.a`). */
  code: string;
  description: string;
  customsCodes: string[];
  /** Where the item's control code was printed (`line 12`, `attachment 1 line 3`). */
  at: string;
}

export interface DualUseParse {
  items: DualUseItem[];
  unparsed: UnparsedClause[];
  /** Doubts that are not clauses: duplicated codes with different descriptions. */
  flags: string[];
}

export const CONTROL_CODE_PATTERN = /^\d[A-E]\d{3}(\.[a-z])*$/;

/** `1e902.A` → `1E902.a`; null when the text is not a control code. */
export function normaliseControlCode(input: string): string | null {
  const m = /^(\d)([A-Ea-e])(\d{3})((?:\.[A-Za-z])*)$/.exec(fold(input).replace(/\s+/g, ''));
  if (!m) return null;
  return `${m[1]}${m[2]!.toUpperCase()}${m[3]}${m[4]!.toLowerCase()}`;
}

const MARKER = /[（(]?\s{0,5}管制编码\s{0,5}[:：]?\s{0,5}([0-9A-Za-z０-９Ａ-Ｚａ-ｚ.．、，,;；\s\-–—~～至到和及/]{0,200})[）)]?/g;
const NUMBERING = /^\s*(?:[（(]\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[)）]|[0-9０-９]{1,3}\s*[.．、]|[一二三四五六七八九十]{1,3}\s*[、.．])\s*/;
const HEADING = /^\s*[一二三四五六七八九十]{1,3}\s*[、.．]/;
const GROUP = /[（(]([^（()）]{0,800})[）)]/g;
const BARE_REFERENCE = /参考(?:海关)?(?:商品编号|商品编码|税则号列|税号|海关编码)[:：]?[0-9０-９.．、，,;；和及\s]*/g;
const CUSTOMS = /参考(?:海关)?(?:商品编号|商品编码|税则号列|税号|海关编码)[:：]?([0-9０-９.．、，,;；和及\s]+)/g;
const RANGE = /^(\d[A-Ea-e]\d{3}(?:\.[A-Za-z])*)\.([A-Za-z])[-–—~至到](?:\d[A-Ea-e]\d{3}(?:\.[A-Za-z])*\.)?([A-Za-z])$/;

/** Reference customs codes in a text: digits only, 4–13 of them, in order, without repeats. */
export function customsCodesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CUSTOMS)) {
    for (const token of fold(m[1]!).split(/[、,;和及\s]+/)) {
      const digits = token.replace(/\./g, '');
      if (/^\d{4,13}$/.test(digits) && !out.includes(digits)) out.push(digits);
    }
  }
  return out;
}

/** The codes of one `管制编码` marker: `1C902`, `1C907.a–b` (a and b), `1C907.a、b`, `1C907.a、1C907.b`. */
export function expandCodes(content: string): { codes: string[]; bad: string[] } {
  const codes: string[] = [];
  const bad: string[] = [];
  const cleaned = fold(content)
    .replace(/\s*([-–—~至到])\s*/g, '$1')
    .trim();
  for (const token of cleaned.split(/[、,;/]|和|及|\s+/).filter((t) => t !== '')) {
    const range = RANGE.exec(token);
    if (range) {
      const base = normaliseControlCode(range[1]!);
      const from = range[2]!.toLowerCase().charCodeAt(0);
      const to = range[3]!.toLowerCase().charCodeAt(0);
      if (base && from <= to) {
        for (let c = from; c <= to; c++) codes.push(`${base}.${String.fromCharCode(c)}`);
        continue;
      }
    }
    const sibling = /^\.?([A-Za-z])$/.exec(token);
    const previous = codes[codes.length - 1];
    if (sibling && previous && /\.[a-z]$/.test(previous)) {
      codes.push(`${previous.slice(0, -1)}${sibling[1]!.toLowerCase()}`);
      continue;
    }
    const code = normaliseControlCode(token);
    if (code) codes.push(code);
    else bad.push(token);
  }
  return { codes: [...new Set(codes)], bad };
}

const PUNCT = '，,；;。：:、';

function describe(unit: string): string {
  let t = unit.replace(GROUP, (group: string, inner: string) => (/参考|海关商品编号|税则号列|管制编码/.test(inner) ? '' : group)).replace(BARE_REFERENCE, '');
  t = t.replace(/[（(]\s*管制编码[^（()）]*[）)]?/g, '').replace(/管制编码\s*[:：]?\s*\S*/g, '');
  t = trimSet(t, PUNCT, 'start');
  for (let i = 0; i < 3 && NUMBERING.test(t); i++) t = t.replace(NUMBERING, '');
  return trimSet(printed(t), PUNCT);
}

function substance(segment: string): boolean {
  return describe(segment) !== '';
}

/** Reads every item of a notice (body and attachments). Never throws. */
export function parseDualUseItems(lines: readonly NoticeLine[]): DualUseParse {
  const items = new Map<string, DualUseItem>();
  const unparsed: UnparsedClause[] = [];
  const flags: string[] = [];
  const consumed = new Set<number>();
  lines.forEach((line, index) => {
    const markers = [...line.text.matchAll(MARKER)];
    if (markers.length === 0) return;
    consumed.add(index);
    let segStart = 0;
    markers.forEach((marker, k) => {
      let unit = line.text.slice(segStart, marker.index);
      segStart = marker.index + marker[0].length;
      // A wrapped item, or a marker on a line of its own: the item begins on an earlier line.
      if (k === 0 && !NUMBERING.test(line.text)) {
        const before: string[] = [];
        for (let j = index - 1; j >= 0 && index - j <= 6; j--) {
          const prev = lines[j]!;
          if (consumed.has(j) || prev.source !== line.source || HEADING.test(prev.text) || /[：:。]$/.test(prev.text.trimEnd())) break;
          before.unshift(prev.text);
          consumed.add(j);
          if (NUMBERING.test(prev.text)) break;
        }
        unit = before.join('') + unit;
      }
      // Reference codes printed after the control code on the same line still belong to the item.
      const tail = k === markers.length - 1 ? line.text.slice(segStart) : '';
      const customsCodes = customsCodesIn(unit + tail);
      const description = describe(unit);
      const { codes, bad } = expandCodes(marker[1] ?? '');
      const at = lineLabel(line);
      for (const b of bad) unparsed.push({ clause: at, text: excerpt(line.text), reason: `control code "${b}" does not match \\d[A-E]\\d{3}(.a)*` });
      if (codes.length === 0 && bad.length === 0) unparsed.push({ clause: at, text: excerpt(line.text), reason: '管制编码 without a control code' });
      if (codes.length === 0) return;
      if (!substance(unit)) {
        unparsed.push({ clause: at, text: excerpt(line.text), reason: `no item description before 管制编码 ${codes.join(', ')}` });
        return;
      }
      for (const code of codes) {
        const seen = items.get(code);
        if (seen && (seen.description !== description || seen.customsCodes.join() !== customsCodes.join())) {
          flags.push(`${code} is printed twice with different text (${seen.at}, ${at}); the later one is kept`);
        }
        items.set(code, { code, description, customsCodes, at });
      }
    });
  });
  return { items: [...items.values()], unparsed, flags };
}
