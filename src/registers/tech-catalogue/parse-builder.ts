// The format-independent part of catalogue parsing: recognising part and sector headings,
// the labelled-text state machine, and the checks every entry passes before it is emitted
// (code format, part/suffix agreement, duplicates, missing fields). The text parser feeds it
// lines; the HTML parser feeds it lines (text outside tables) and table rows.

import type { ParseProblem, Part, TechEntry } from '../../domain/types.js';
import { partOfCode } from './entry.js';
import { cleanPrinted, foldWidth, normaliseCode } from './normalise.js';
import { splitPointLines, type SourceLine } from './parse-points.js';

/** Thrown when a document is not a catalogue: no entries, not a catalogue shape, or invalid JSON. */
export class CatalogueParseError extends Error {
  /** Problems found on the way, when there were any (they often say why nothing was found). */
  readonly problems: readonly ParseProblem[];

  constructor(message: string, problems: readonly ParseProblem[] = []) {
    super(message);
    this.name = 'CatalogueParseError';
    this.problems = problems;
  }
}

export interface BuildResult {
  entries: TechEntry[];
  problems: ParseProblem[];
}

const PART_HEADING = /^(?:[一二三四五六七八九十]{1,2}[、.,，]?|第[一二三四五六七八九十]{1,2}部分[、.,，:]?)?(禁止|限制)出口(?:的)?(?:技术)?(?:部分)?:?$/;
const SECTOR_HEADING = /^[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*/;
const NOT_A_SECTOR = /[:：。；;]|编\s?号|技\s?术\s?名\s?称|控\s?制\s?要\s?点/;

/** The part a heading line announces (`一、禁止出口部分` → prohibited), or null. */
export function matchPartHeading(text: string): Part | null {
  const m = PART_HEADING.exec(foldWidth(text).replace(/\s+/g, ''));
  if (!m) return null;
  return m[1] === '禁止' ? 'prohibited' : 'restricted';
}

/** The sector a heading line announces, without its ordinal (`（一）畜牧业` → `畜牧业`), or null. */
export function matchSectorHeading(text: string): string | null {
  const m = SECTOR_HEADING.exec(text);
  if (!m) return null;
  const name = cleanPrinted(text.slice(m[0].length));
  if (name === '' || name.length > 40 || NOT_A_SECTOR.test(name)) return null;
  return name;
}

const PART_WORD: Record<Part, string> = { prohibited: '禁止出口 (prohibited)', restricted: '限制出口 (restricted)' };

type Label = 'ordinal' | 'code' | 'name' | 'points';

const LABELS: readonly [RegExp, Label][] = [
  [/^序\s?号$/, 'ordinal'],
  [/^编\s?号$/, 'code'],
  [/^技\s?术\s?名\s?称$/, 'name'],
  [/^控\s?制\s?要\s?点$/, 'points'],
];
const LABEL_SRC = '序\\s?号|编\\s?号|技\\s?术\\s?名\\s?称|控\\s?制\\s?要\\s?点';
const LABEL_WITH_COLON = new RegExp(`(${LABEL_SRC})\\s*:\\s*`, 'g');
const ORDINAL_SRC = '\\d{1,4}\\s*[.、:]|[(（]\\s*\\d{1,4}\\s*[)）]';
const LABEL_AT_START = new RegExp(`^((?:${ORDINAL_SRC})\\s*)?(${LABEL_SRC})(?:\\s+|$)`);
const ORDINAL_ONLY = new RegExp(`^(?:${ORDINAL_SRC})$`);
const BEFORE_LABEL = /[\s;；。.、)）,，]/;
const TABLE_HEADER_LINE = /^序号\s*编号\s*技术名称\s*控制要点$/;
const PAGE_NUMBER = /^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页.*|\d+\s*\/\s*\d+)$/;

function labelOf(raw: string): Label {
  for (const [re, label] of LABELS) if (re.test(raw)) return label;
  return 'points';
}

interface LabelledField {
  label: Label;
  value: string;
}

/** Splits a line at its field labels; null when it has none. Matching runs on the folded text. */
function splitLabels(text: string): { prefix: string; fields: LabelledField[] } | null {
  const folded = foldWidth(text);
  const hits: { start: number; end: number; label: Label }[] = [];
  LABEL_WITH_COLON.lastIndex = 0;
  for (let m = LABEL_WITH_COLON.exec(folded); m !== null; m = LABEL_WITH_COLON.exec(folded)) {
    const before = folded[m.index - 1];
    const prefix = folded.slice(0, m.index).trim();
    if (before === undefined || BEFORE_LABEL.test(before) || ORDINAL_ONLY.test(prefix)) {
      hits.push({ start: m.index, end: m.index + m[0].length, label: labelOf(m[1] ?? '') });
    }
  }
  if (hits.length === 0 || (hits[0]?.start ?? 0) > 0) {
    const m = LABEL_AT_START.exec(folded);
    if (m && (hits.length === 0 || m[0].length <= (hits[0]?.start ?? 0))) {
      const start = m[1]?.length ?? 0;
      hits.unshift({ start, end: m[0].length, label: labelOf(m[2] ?? '') });
    }
  }
  if (hits.length === 0) return null;
  const fields = hits.map((h, i) => ({
    label: h.label,
    value: text.slice(h.end, hits[i + 1]?.start ?? text.length).trim(),
  }));
  return { prefix: text.slice(0, hits[0]?.start ?? 0).trim(), fields };
}

interface Draft {
  kind: 'text' | 'row';
  line: number;
  text: string;
  part: Part | null;
  sector: string;
  field: Label;
  code?: { raw: string; line: number; text: string };
  name?: { value: string; line: number };
  points?: { lines: SourceLine[]; line: number };
  /** Set when the source shows the entry is cut off (HTML: the document ends inside its row). */
  incomplete?: string;
}

/** A table row as the HTML reader sees it; a null field means the row has no such cell. */
export interface RowInput {
  line: number;
  text: string;
  code: string | null;
  name: string | null;
  points: SourceLine[] | null;
  incomplete?: string;
}

export class CatalogueBuilder {
  private readonly entries: TechEntry[] = [];
  private readonly problems: ParseProblem[] = [];
  private readonly firstLineOf = new Map<string, number>();
  private part: Part | null = null;
  private sector = '';
  private seenPartHeading = false;
  private seenStructure = false;
  private draft: Draft | null = null;

  /** `docHasPartHeadings`: whether any part heading occurs anywhere in the document. */
  constructor(private readonly docHasPartHeadings: boolean) {}

  problem(line: number, text: string, reason: string): void {
    this.problems.push({ line, text, reason });
  }

  /** Lines before the first part heading (or, without part headings, before the first sign of structure) are a title or preamble. */
  private inPreamble(): boolean {
    return !this.seenPartHeading && (this.docHasPartHeadings || !this.seenStructure);
  }

  /** Handles a part or sector heading; false when the text is neither. */
  heading(text: string): boolean {
    const part = matchPartHeading(text);
    if (part !== null) {
      this.finishDraft(false);
      this.part = part;
      this.sector = '';
      this.seenPartHeading = true;
      this.seenStructure = true;
      return true;
    }
    const sector = matchSectorHeading(text);
    if (sector !== null) {
      this.finishDraft(false);
      this.sector = sector;
      this.seenStructure = true;
      return true;
    }
    return false;
  }

  private startDraft(line: number, text: string, kind: Draft['kind'], field: Label): Draft {
    this.finishDraft(false);
    this.seenStructure = true;
    const draft: Draft = { kind, line, text, part: this.part, sector: this.sector, field };
    this.draft = draft;
    return draft;
  }

  /** One line of labelled text (already tidied; `line` is 1-based). */
  textLine(text: string, line: number): void {
    if (text === '') return;
    if (this.heading(text)) return;
    const folded = foldWidth(text);
    if (TABLE_HEADER_LINE.test(folded)) return;
    const split = splitLabels(text);
    if (split !== null) {
      if (split.prefix !== '') {
        if (ORDINAL_ONLY.test(foldWidth(split.prefix))) this.startDraft(line, text, 'text', 'ordinal');
        else this.problem(line, text, `text "${split.prefix}" before a field label cannot be placed`);
      }
      for (const f of split.fields) this.applyLabel(f, line, text);
      return;
    }
    if (ORDINAL_ONLY.test(folded)) {
      this.startDraft(line, text, 'text', 'ordinal');
      return;
    }
    const draft = this.draft;
    if (PAGE_NUMBER.test(folded)) {
      if (!this.inPreamble() || draft !== null) this.problem(line, text, 'a bare number (page number?) cannot be placed');
      return;
    }
    if (draft !== null && draft.kind === 'text' && draft.field === 'points' && draft.points) {
      draft.points.lines.push({ text, line });
      return;
    }
    if (draft !== null) {
      const after = { ordinal: 'an entry ordinal', code: '编号', name: '技术名称', points: '控制要点' }[draft.field];
      this.problem(line, text, `cannot place this line after ${after}: it is not a field label (编号/技术名称/控制要点)`);
      return;
    }
    if (this.inPreamble()) return;
    this.problem(line, text, 'cannot place this line: it is not a heading, a field label or part of an entry');
  }

  private applyLabel(f: LabelledField, line: number, text: string): void {
    let d = this.draft;
    const fresh = d === null || d.kind !== 'text' || d.points !== undefined;
    switch (f.label) {
      case 'ordinal':
        // `1．序号：1` or `序号：1` right after an ordinal line: still the same, empty entry.
        if (fresh || d?.code !== undefined || d?.name !== undefined) this.startDraft(line, text, 'text', 'ordinal');
        return;
      case 'code':
        if (fresh || d?.code !== undefined) d = this.startDraft(line, text, 'text', 'code');
        if (d === null) return;
        d.code = { raw: f.value, line, text };
        d.field = 'code';
        return;
      case 'name':
        if (fresh || d?.name !== undefined) d = this.startDraft(line, text, 'text', 'name');
        if (d === null) return;
        d.name = { value: f.value, line };
        d.field = 'name';
        return;
      case 'points':
        if (fresh) d = this.startDraft(line, text, 'text', 'points');
        if (d === null) return;
        d.points = { lines: f.value === '' ? [] : [{ text: f.value, line }], line };
        d.field = 'points';
        return;
    }
  }

  /** A row spanning the whole table (`<td colspan=4>`): a heading, a title, or a problem. */
  fullRow(text: string, line: number): void {
    if (this.heading(text)) return;
    this.finishDraft(false);
    if (this.inPreamble()) return;
    this.problem(line, text, 'a row spanning the table is not a part or sector heading');
  }

  /** A data row of a catalogue table: one entry, which stays open for continuation rows. */
  row(r: RowInput): void {
    const d = this.startDraft(r.line, r.text, 'row', 'points');
    if (r.code !== null) d.code = { raw: r.code, line: r.line, text: r.text };
    if (r.name !== null) d.name = { value: r.name, line: r.line };
    if (r.points !== null) d.points = { lines: [...r.points], line: r.line };
    if (r.incomplete !== undefined) d.incomplete = r.incomplete;
  }

  /** A row that only continues the previous row's 控制要点 (a table split at a page break); false when there is no open row. */
  rowContinuation(lines: readonly SourceLine[], incomplete?: string): boolean {
    const d = this.draft;
    if (d === null || d.kind !== 'row') return false;
    d.points ??= { lines: [], line: lines[0]?.line ?? d.line };
    for (const l of lines) d.points.lines.push(l);
    if (incomplete !== undefined) d.incomplete = incomplete;
    return true;
  }

  /** Closes the open entry (end of a table, or of a block of text). */
  endBlock(): void {
    this.finishDraft(false);
  }

  /** An entry given whole (the JSON form); `where` names it in problems. */
  addEntry(entry: TechEntry, where: string): void {
    const text = `${where}: ${entry.code} ${entry.name}`;
    if (partOfCode(entry.code) !== entry.part) {
      this.problem(0, text, `code ${entry.code} ends in ${entry.code.slice(-1)} (${partOfCode(entry.code)}) but its part is "${entry.part}"; not imported`);
      return;
    }
    this.emit(entry, 0, text, []);
  }

  private emit(entry: TechEntry, line: number, text: string, pointProblems: ParseProblem[]): void {
    const first = this.firstLineOf.get(entry.code);
    if (first !== undefined) {
      this.problem(line, text, `duplicate code ${entry.code}; the first occurrence${first > 0 ? ` (line ${first})` : ''} is kept`);
      return;
    }
    for (const p of pointProblems) this.problems.push(p);
    if (entry.controlPoints.length === 0) {
      this.problem(line, text, `entry ${entry.code} has no control points (控制要点); imported with an empty list`);
    }
    this.firstLineOf.set(entry.code, line);
    this.entries.push(entry);
  }

  private finishDraft(atEnd: boolean): void {
    const d = this.draft;
    this.draft = null;
    if (d === null) return;
    const truncated = atEnd && d.kind === 'text';
    const maybeCut = '; the document may be truncated';
    if (d.incomplete !== undefined) {
      this.problem(d.line, d.text, d.incomplete);
      return;
    }
    if (d.code === undefined || d.code.raw === '') {
      const what = d.code === undefined ? 'has no 编号 (code)' : 'has an empty 编号 (code)';
      this.problem(d.line, d.text, `entry ${what}${truncated ? maybeCut : ''}; not imported`);
      return;
    }
    const code = normaliseCode(d.code.raw);
    if (code === null) {
      this.problem(d.code.line, d.code.text, `bad code "${d.code.raw}": a code is six digits followed by J or X; entry not imported`);
      return;
    }
    const name = cleanPrinted(d.name?.value ?? '');
    if (name === '') {
      const what = d.name === undefined ? 'has no 技术名称 (name)' : 'has an empty 技术名称 (name)';
      this.problem(d.line, d.text, `entry ${code} ${what}${truncated ? maybeCut : ''}; not imported`);
      return;
    }
    const pointLines = d.points?.lines ?? [];
    if (truncated && !pointLines.some((l) => l.text.trim() !== '')) {
      this.problem(d.line, d.text, `entry ${code} ends the document without control points (控制要点)${maybeCut}; not imported`);
      return;
    }
    const codePart = partOfCode(code);
    let part = d.part;
    if (part === null) {
      if (this.docHasPartHeadings) {
        this.problem(d.line, d.text, `entry ${code} comes before the first part heading; not imported`);
        return;
      }
      part = codePart;
    } else if (part !== codePart) {
      this.problem(
        d.code.line,
        d.code.text,
        `code ${code} ends in ${code.slice(-1)} (${codePart}) but sits under the ${PART_WORD[part]} part heading; not imported`,
      );
      return;
    }
    const { points, problems } = splitPointLines(pointLines);
    this.emit({ code, part, sector: d.sector, name, controlPoints: points }, d.code.line, d.code.text, problems);
  }

  /** Closes the last entry and returns what was found; problems sorted by line. */
  finish(): BuildResult {
    this.finishDraft(true);
    const problems = this.problems
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.line - b.p.line || a.i - b.i)
      .map(({ p }) => p);
    return { entries: this.entries, problems };
  }
}
