// The totals an adjustment notice states about itself (`删除技术条目9项…新增23项…修改21项`)
// and their comparison with what was parsed: a free self-check against lost clauses.
import type { Patch, StatedTotals } from '../../domain/types.js';
import { canonical, parseCount } from './notice-normalise.js';

type Field = keyof StatedTotals;

const COUNT = '(\\d+|[零〇一二两三四五六七八九十百千]+)';
const FIELD_PATTERNS: ReadonlyArray<[Field, RegExp]> = [
  ['deleted', new RegExp(`(?:删除|删去)了?(?:技术)?(?:条目)?共?\\s*${COUNT}\\s*(?:项|条|个)`)],
  ['added', new RegExp(`(?:新增|增加)了?(?:技术)?(?:条目)?共?\\s*${COUNT}\\s*(?:项|条|个)`)],
  ['modified', new RegExp(`(?:修改|变更)了?(?:技术)?(?:条目)?共?\\s*${COUNT}\\s*(?:项|条|个)`)],
];

function totalsIn(line: string): StatedTotals {
  const c = canonical(line);
  const found: StatedTotals = {};
  for (const [field, re] of FIELD_PATTERNS) {
    const m = re.exec(c);
    const n = m?.[1] === undefined ? undefined : parseCount(m[1]);
    if (n !== undefined) found[field] = n;
  }
  return found;
}

/** True when the line states at least one total. */
export function isTotalsLine(line: string): boolean {
  return Object.keys(totalsIn(line)).length > 0;
}

/** Totals stated in the given (non-clause) lines; the first statement of each total wins. */
export function statedTotals(lines: readonly string[]): StatedTotals {
  const stated: StatedTotals = {};
  for (const line of lines) {
    const found = totalsIn(line);
    for (const field of ['deleted', 'added', 'modified'] as const) {
      if (stated[field] === undefined && found[field] !== undefined) stated[field] = found[field];
    }
  }
  return stated;
}

/**
 * What the patches amount to, counted the way notices count: deleted = distinct codes
 * deleted, added = new entries, modified = distinct other codes touched by any other edit.
 */
export function parsedTotals(patches: readonly Patch[]): Required<StatedTotals> {
  const deleted = new Set<string>();
  const added = new Set<string>();
  const touched = new Set<string>();
  let addedCount = 0;
  for (const p of patches) {
    if (p.op === 'delete-entry') deleted.add(p.code);
    else if (p.op === 'add-entry') {
      added.add(p.entry.code);
      addedCount++;
    } else touched.add(p.code);
  }
  const modified = [...touched].filter((code) => !deleted.has(code) && !added.has(code)).length;
  return { deleted: deleted.size, added: addedCount, modified };
}

function entries(n: number): string {
  return n === 1 ? 'entry' : 'entries';
}

/** One sentence per stated total that disagrees with the parsed patches. */
export function totalsMismatch(stated: StatedTotals, patches: readonly Patch[]): string[] {
  const parsed = parsedTotals(patches);
  const out: string[] = [];
  for (const field of ['deleted', 'added', 'modified'] as const) {
    const want = stated[field];
    if (want !== undefined && want !== parsed[field]) {
      out.push(`notice states ${want} ${field} ${entries(want)}, parsed ${parsed[field]}`);
    }
  }
  return out;
}
