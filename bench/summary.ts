// The rows of `npm run bench`'s summary table. Each benchmark script prints its own detailed report and, when
// BENCH_ROWS names a file (bench/index.ts sets it), also writes its headline figures there as JSON rows, so the
// runner can print one table at the end. Run on their own, the scripts behave as before.
import { appendFileSync, readFileSync } from 'node:fs';

export interface BenchRow {
  measure: string;
  /** The figure as printed, units included. */
  figure: string;
  /** The limit it is held against, as printed. */
  target: string;
  /** Whether the figure is within the target; null when there is no pass/fail (a figure for information). */
  met: boolean | null;
  /** Set by bench/index.ts on the row of a script that did not complete. */
  failed?: boolean;
}

/** Records rows for bench/index.ts when it asked for them (BENCH_ROWS); otherwise does nothing. */
export function reportRows(rows: readonly BenchRow[]): void {
  const file = process.env.BENCH_ROWS;
  if (!file) return;
  for (const row of rows) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** Reads the rows a script wrote (one JSON object per line). */
export function readRows(file: string): BenchRow[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BenchRow);
}

/** Display width: CJK and other wide characters take two columns in a terminal. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

const pad = (text: string, w: number): string => text + ' '.repeat(Math.max(0, w - width(text)));

export function metText(row: Pick<BenchRow, 'met' | 'failed'>): string {
  if (row.failed) return 'FAILED';
  return row.met === null ? '—' : row.met ? 'met' : 'MISSED';
}

/** A plain-text table with aligned columns: measure | figure | target | met?. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['measure', 'figure', 'target', 'met?'];
  const cells = rows.map((r) => [r.measure, r.figure, r.target, metText(r)]);
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i]!))));
  const line = (c: readonly string[]): string =>
    c
      .map((text, i) => pad(text, widths[i]!))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), rule, ...cells.map(line)].join('\n');
}
