// Splitting the 控制要点 (control points) of one catalogue entry into a list.
//
// Input is the entry's control-point text as lines (the remainder of the `控制要点：` line and
// the lines that follow it, or the lines of a table cell split at <br>/<p>). Rules:
// - A line that starts with a number and `.` `．` `、` `:` `：` (`1．`, `2.`, `3、`) starts a new
//   point; the number is stripped. A number out of sequence still starts a point but is reported.
// - Inside a line, the *next expected* number followed by such a mark starts a new point when it
//   follows white space or punctuation (`1．A 2．B`, `1.A；2.B`), or, for `.`/`．` only, a Chinese
//   character (`1.稀土萃取技术2.稀土金属生产技术`, numbering without separators). A number that
//   is followed by a digit (`2.5`) or preceded by a digit or `第` never starts a point.
// - A line that starts with a sub-point marker `(1)` `（1）` `①` belongs to the preceding point:
//   it is appended to that point's text after a line break (`\n`). Sub-points printed inline
//   (`1．A：(1)B；(2)C`) stay inline, exactly as printed.
// - Any other line continues the preceding point (a wrapped line); it is joined directly, or
//   with one space when both sides are ASCII.
// - Text before the first number is a point of its own (an unnumbered single point).
// - Points are trimmed, spaces between two Chinese characters are removed, and the separators a
//   point ends with (`；` `;` `。` `，` `,` — in `1．A；2．B` the `；` separates points) are dropped,
//   the same way the adjustment-notice parser treats the points it reads, so that the two never
//   differ by a separator. Empty points are dropped. Text is otherwise kept as printed (Chinese
//   punctuation and full-width characters stay).

import type { ParseProblem } from '../../domain/types.js';
import { cleanPrinted, foldWidth, joinContinuation, tidyText } from './normalise.js';

/** One line of source text (already tidied) and its 1-based line number (0 when unknown). */
export interface SourceLine {
  text: string;
  line: number;
}

export interface PointsResult {
  points: string[];
  problems: ParseProblem[];
}

const LINE_START_POINT = /^(\d{1,3})\s*([.、:])(?!\d)\s*/;
const SUB_POINT = /^(?:[(（]\s*\d{1,3}\s*[)）]|[\u2460-\u2473])/;
const INLINE_POINT = /(?<![0-9.])(\d{1,3})\s*([.、:])(?!\d)/g;
const SEPARATOR_BEFORE = /[\s;；。,，!！?？)）"”」』]/;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Whether an inline number mark found at `index` of the folded line may start a new point. */
function inlineMarkAllowed(folded: string, index: number, mark: string): boolean {
  const before = folded[index - 1];
  if (before === undefined) return true;
  if (SEPARATOR_BEFORE.test(before)) return true;
  return mark === '.' && before !== '第' && CJK.test(before);
}

interface Piece {
  num: number | null;
  text: string;
}

/** Splits one line into the text before any number mark and the numbered pieces after it. */
function splitLine(text: string, expected: number): { pieces: Piece[]; startNum: number | null; next: number } {
  const folded = foldWidth(text);
  const pieces: Piece[] = [];
  let pos = 0;
  let current: Piece = { num: null, text: '' };
  let startNum: number | null = null;
  const head = LINE_START_POINT.exec(folded);
  if (head) {
    startNum = Number(head[1]);
    current = { num: startNum, text: '' };
    pos = head[0].length;
    expected = startNum + 1;
  }
  INLINE_POINT.lastIndex = pos;
  let segmentStart = pos;
  for (let m = INLINE_POINT.exec(folded); m !== null; m = INLINE_POINT.exec(folded)) {
    const num = Number(m[1]);
    if (num !== expected || !inlineMarkAllowed(folded, m.index, m[2] ?? '')) continue;
    current.text = text.slice(segmentStart, m.index);
    pieces.push(current);
    current = { num, text: '' };
    segmentStart = m.index + m[0].length;
    expected = num + 1;
  }
  current.text = text.slice(segmentStart);
  pieces.push(current);
  return { pieces, startNum, next: expected };
}

/** Final form of a point: spaces between Chinese characters removed, trailing separators (`；` `;` `。` `，` `,`) dropped. */
function finishPoint(text: string): string {
  return text
    .split('\n')
    .map((l) => cleanPrinted(l))
    .join('\n')
    .replace(/[\s;；。，,]+$/, '')
    .trim();
}

/** Assembles control points from the lines of one entry; see the rules at the top of this file. */
export function splitPointLines(lines: readonly SourceLine[]): PointsResult {
  const points: { text: string; line: number }[] = [];
  const problems: ParseProblem[] = [];
  let expected = 1;
  for (const { text: raw, line } of lines) {
    const text = raw.trim();
    if (text === '') continue;
    const isSub = SUB_POINT.test(foldWidth(text));
    const { pieces, startNum, next } = splitLine(text, expected);
    if (startNum !== null && startNum !== expected) {
      problems.push({
        line,
        text,
        reason: `control point numbered ${startNum} where ${expected} was expected`,
      });
    }
    expected = next;
    for (const piece of pieces) {
      const body = piece.text.trim();
      const last = points.at(-1);
      if (piece.num !== null) {
        points.push({ text: body, line });
      } else if (body === '') {
        continue;
      } else if (last === undefined) {
        points.push({ text: body, line });
      } else if (isSub) {
        last.text = last.text === '' ? body : `${last.text}\n${body}`;
      } else {
        last.text = joinContinuation(last.text, body);
      }
    }
  }
  return { points: points.map((p) => finishPoint(p.text)).filter((t) => t !== ''), problems };
}

/**
 * Splits control-point text (one string, possibly several lines, entities allowed) into
 * points with the rules above: `1．A 2．B` → `['A', 'B']`.
 */
export function splitControlPoints(text: string): string[] {
  const lines = tidyText(text)
    .split('\n')
    .map((t, i) => ({ text: t, line: i + 1 }));
  return splitPointLines(lines).points;
}
