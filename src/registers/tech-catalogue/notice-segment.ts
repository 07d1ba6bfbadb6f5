// Cuts the plain text of an adjustment notice into numbered clauses, each with the part
// and sector headings it sits under, and notes every line after the first clause that is
// neither a clause, a heading, a continuation nor the signature.
import type { Part, UnparsedClause } from '../../domain/types.js';
import type { ClauseContext } from './notice-clause.js';
import { canonical, cleanText } from './notice-normalise.js';
import { isTotalsLine } from './notice-totals.js';

export type Segment = { kind: 'clause'; clause: ClauseContext } | { kind: 'note'; note: UnparsedClause };

export interface Segmentation {
  /** Clauses and notes in document order. */
  segments: Segment[];
  /** Lines outside any clause (preamble, signature, notes): where stated totals are looked for. */
  loose: string[];
}

const CLAUSE_START = /^(\d+)\s*[.、](?!\d)/;
const CLAUSE_VERB = /^\d+\s*[.、]\s*(?:删去|删除|将|在|新增|增加|增补)/;
const CN_ORDINAL = '[一二三四五六七八九十百]+';
const PART_HEADING = new RegExp(`^(?:${CN_ORDINAL}\\s*[、.]|\\(\\s*${CN_ORDINAL}\\s*\\))?\\s*(禁止|限制)出口(?:技术)?部分\\s*:?$`);
const SECTOR_HEADING = new RegExp(`^\\(\\s*${CN_ORDINAL}\\s*\\)\\s*([^\\s(][^。]{0,40})$`);
const LABEL_LINE = /^(?:编号|技术名称|名称|控制要点)\s*:/;
const HEAD_BLOCK = /^【[^】]*】/;
const DATE_LINE = /^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})$/;
const ISSUER_LINE = /^(?:(?:中华人民共和国)?(?:商务部|科学技术部|科技部|海关总署)\s*)+$/;
const BLOCK_HEAD = /^\d+\s*[.、]\s*[^(]*(?:新增|增加|增补)[^(]*$/;

interface OpenClause {
  number: string;
  lines: string[];
  part?: Part;
  sector: string;
  /** `新增以下技术条目：` followed by labelled fields. */
  block: boolean;
  /** A quote is open at the end of the text so far. */
  quoteOpen: boolean;
  /** The text so far ends a sentence (`。`). */
  finished: boolean;
  /** Last point number after the last `控制要点` so far (0 when none yet); undefined without that label. */
  lastPoint?: number;
}

function lastMarker(c: string): number | undefined {
  let last: number | undefined;
  for (const m of c.matchAll(/(?:^|[\s;。:“])(\d+)\s*[.、](?!\d)/g)) last = Number(m[1]);
  return last;
}

/** Adds a line to the clause, keeping its state without re-reading the lines before (long clauses stay linear). */
function extend(clause: OpenClause, line: string): void {
  const c = canonical(line, clause.quoteOpen).trim();
  clause.lines.push(line);
  const opened = c.lastIndexOf('“');
  const closed = c.lastIndexOf('”');
  if (opened !== closed) clause.quoteOpen = opened > closed;
  const label = c.lastIndexOf('控制要点');
  if (label >= 0) clause.lastPoint = lastMarker(c.slice(label)) ?? 0;
  else if (clause.lastPoint !== undefined) clause.lastPoint = lastMarker(c) ?? clause.lastPoint;
  clause.finished = /[。.]$/.test(c);
}

/** Whether a line that starts with a number continues the open clause (a control point) rather than starting a clause. */
function numberedContinues(clause: OpenClause, c: string, n: number): boolean {
  if (CLAUSE_VERB.test(c)) return false;
  if (clause.quoteOpen) return true;
  return clause.lastPoint !== undefined && n === clause.lastPoint + 1 && (!clause.finished || clause.block);
}

/** Whether an unnumbered line continues the open clause: a block field, inside a quote, or an unfinished sentence. */
function plainContinues(clause: OpenClause, c: string): boolean {
  if (LABEL_LINE.test(c) && clause.block) return true;
  return clause.quoteOpen || !clause.finished;
}

function missingNote(last: number | undefined, n: number): UnparsedClause {
  const from = (last ?? 0) + 1;
  const to = n - 1;
  const range = from === to ? `${from}` : `${from}-${to}`;
  const what = from === to ? `clause ${range} is missing` : `clauses ${range} are missing`;
  const why = last === undefined ? `the first clause is numbered ${n}` : `numbering jumps from ${last} to ${n}`;
  return { clause: range, text: '', reason: `${what}: ${why}` };
}

/** Splits notice text (one paragraph per line) into clauses and notes. */
export function segmentNotice(text: string): Segmentation {
  const segments: Segment[] = [];
  const loose: string[] = [];
  let part: Part | undefined;
  let sector = '';
  let open: OpenClause | undefined;
  let lastNumber: number | undefined;
  let lastPrinted = '';
  let inTrailer = false;

  const close = (): void => {
    if (!open) return;
    const clause: ClauseContext = { number: open.number, text: open.lines.join('\n'), sector: open.sector };
    if (open.part) clause.part = open.part;
    segments.push({ kind: 'clause', clause });
    open = undefined;
  };

  const stray = (line: string): void => {
    loose.push(line);
    if (lastNumber === undefined || inTrailer || isTotalsLine(line)) return;
    segments.push({
      kind: 'note',
      note: { clause: '', text: line, reason: `line after clause ${lastPrinted} is not a clause, heading or continuation` },
    });
  };

  for (const line of text.split('\n')) {
    const c = canonical(line).trim();
    if (c === '') continue;

    // Head-block metadata (【发布文号】…) and page tools (【打印本页】) are not notice text.
    if (HEAD_BLOCK.test(c)) continue;
    if (DATE_LINE.test(c) || ISSUER_LINE.test(c)) {
      close();
      loose.push(line);
      if (lastNumber !== undefined) inTrailer = true;
      continue;
    }
    const partHeading = PART_HEADING.exec(c);
    if (partHeading) {
      close();
      part = partHeading[1] === '禁止' ? 'prohibited' : 'restricted';
      sector = '';
      continue;
    }

    const numbered = CLAUSE_START.exec(c);
    if (numbered?.[1] !== undefined) {
      const n = Number(numbered[1]);
      if (open && numberedContinues(open, c, n)) {
        extend(open, line);
        continue;
      }
      close();
      if (n !== (lastNumber ?? 0) + 1) {
        if (n > (lastNumber ?? 0) + 1) segments.push({ kind: 'note', note: missingNote(lastNumber, n) });
        else {
          segments.push({
            kind: 'note',
            note: { clause: numbered[1], text: line, reason: `clause numbering goes back from ${lastNumber ?? 0} to ${n}` },
          });
        }
      }
      lastNumber = n;
      lastPrinted = numbered[1];
      inTrailer = false;
      open = { number: numbered[1], lines: [], sector, block: BLOCK_HEAD.test(c), quoteOpen: false, finished: false };
      if (part) open.part = part;
      extend(open, line);
      continue;
    }

    const sectorHeading = SECTOR_HEADING.exec(c);
    if (sectorHeading && !c.includes('编号') && !open?.quoteOpen) {
      close();
      sector = cleanText(line.trim().replace(/^[（(]\s*[一二三四五六七八九十百]+\s*[）)]\s*/, ''));
      continue;
    }

    if (open && plainContinues(open, c)) {
      extend(open, line);
      continue;
    }
    close();
    stray(line);
  }
  close();
  return { segments, loose };
}
