// Reads one numbered clause of a technology-catalogue adjustment notice into patches.
// A clause is atomic: either every edit it states becomes a patch, or the whole clause is
// returned as not understood with a reason — never a partial reading, never a guess.
import type { Part, Patch } from '../../domain/types.js';
import { CODE_PATTERN, partOfCode } from './entry.js';
import { canonical, cleanText } from './notice-normalise.js';

/** A numbered clause as cut out of the notice, with the headings it sits under. */
export interface ClauseContext {
  /** Clause number as printed, in half-width digits. */
  number: string;
  /** The clause as printed, its lines joined with `\n`, number included. */
  text: string;
  /** Part from the enclosing part heading, if any. */
  part?: Part;
  /** Enclosing sector heading without its ordinal; '' when none. */
  sector: string;
}

export type ClauseOutcome = { ok: true; patches: Patch[] } | { ok: false; reason: string };

class ClauseError extends Error {}

function fail(reason: string): never {
  throw new ClauseError(reason);
}

/** A position in a clause, over its canonical form (for matching) and its printed form (for text). */
class Reader {
  pos = 0;
  constructor(
    readonly c: string,
    readonly o: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.c.length;
  }

  /** Matches a sticky regex at the current position and moves past it. */
  eat(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.c);
    if (m) this.pos = re.lastIndex;
    return m;
  }

  /** Printed text of a capture group of a match made with the `d` flag. */
  printed(m: RegExpExecArray, group: number): string {
    const span = m.indices?.[group];
    return span ? this.o.slice(span[0], span[1]) : '';
  }

  /** What is left, as printed, for error messages. */
  restPrinted(): string {
    return this.o.slice(this.pos).trim();
  }
}

const NUMLIST = String.raw`\d+(?:\s*(?:、|,|和|及|与|至|到|-|~|—|–)\s*\d+)*`;

function parseNumList(text: string): number[] {
  const out: number[] = [];
  for (const piece of text.split(/\s*(?:、|,|和|及|与)\s*/)) {
    const m = /^(\d+)(?:\s*(?:至|到|-|~|—|–)\s*(\d+))?$/.exec(piece);
    if (!m) fail(`cannot read the control point numbers "${text}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to - from > 200) fail(`cannot read the control point range "${piece}"`);
    for (let i = from; i <= to; i++) out.push(i);
  }
  for (const n of out) if (n < 1) fail(`control point number ${n} is not a valid index`);
  return out;
}

// ── Control point texts ──────────────────────────────────────────────────────────────

const POINT_MARK = /(\d+)\s*[.、](?!\d)\s*/y;

/** Printed text of `o` without the separators it ends with (`；`, `。`, `，`), judged on its canonical twin `c`. */
function withoutTrail(c: string, o: string): string {
  const kept = c.replace(/[\s;。,]+$/, '').length;
  return o.slice(0, kept);
}

/** Splits `1.A；2.B` (or the same over lines) into ['A', 'B']; text without a leading number is one point. */
function splitNumbered(c: string, o: string): string[] {
  const lead = c.length - c.trimStart().length;
  POINT_MARK.lastIndex = lead;
  const first = POINT_MARK.exec(c);
  if (!first) return [cleanText(withoutTrail(c, o))];
  const cuts: Array<{ at: number; body: number }> = [{ at: lead, body: POINT_MARK.lastIndex }];
  let next = Number(first[1]) + 1;
  for (;;) {
    const last = cuts[cuts.length - 1];
    if (!last) break;
    const re = new RegExp(String.raw`(?<=[\s;。])${next}\s*[.、](?!\d)\s*`, 'g');
    re.lastIndex = last.body;
    const m = re.exec(c);
    if (!m) break;
    cuts.push({ at: m.index, body: re.lastIndex });
    next++;
  }
  return cuts.map((cut, i) => {
    const end = cuts[i + 1]?.at ?? c.length;
    return cleanText(withoutTrail(c.slice(cut.body, end), o.slice(cut.body, end)));
  });
}

const QUOTED = /\s*“([^“”]*)”/dy;
const BETWEEN_QUOTES = /[\s、,;]*(?:和|及)?\s*(?=“)/y;

/** Reads one or more quoted strings at the reader's position: `“A”“B”`, `“A”、“B”`. */
function readQuoted(r: Reader): string[] {
  const out: string[] = [];
  const first = r.eat(QUOTED);
  if (!first) return out;
  out.push(r.printed(first, 1));
  for (;;) {
    const save = r.pos;
    r.eat(BETWEEN_QUOTES);
    const more = r.eat(QUOTED);
    if (!more) {
      r.pos = save;
      return out;
    }
    out.push(r.printed(more, 1));
  }
}

function pointsFromQuoted(quoted: string[]): string[] {
  return quoted.flatMap((q) => splitNumbered(canonical(q), q));
}

/**
 * Control points at the reader's position: quoted strings (each possibly holding several
 * numbered points), or — unquoted — everything to the end of the clause.
 */
function readPoints(r: Reader): string[] {
  let points: string[];
  if (r.c.slice(r.pos).trimStart().startsWith('“')) {
    const quoted = readQuoted(r);
    if (quoted.length === 0) fail('unbalanced quotes in the control points');
    points = pointsFromQuoted(quoted);
  } else {
    const rest = r.c.slice(r.pos);
    if (/[“”]/.test(rest)) fail('control points mix quoted and unquoted text');
    points = splitNumbered(rest, r.o.slice(r.pos));
    r.pos = r.c.length;
  }
  if (points.length === 0 || points.some((p) => p === '')) fail('empty control point');
  return points;
}

function quotedText(r: Reader, what: string): string {
  const quoted = readQuoted(r);
  if (quoted.length !== 1) fail(`expected one quoted text for the ${what}, found ${quoted.length}`);
  return quoted[0] ?? '';
}

// ── Targets: `名称（编号：050302J）` ─────────────────────────────────────────────────

interface Target {
  code: string;
  name: string;
  /** Part named in the clause itself (`在限制出口部分“…”（编号：…）中`). */
  part?: Part;
}

const TARGET = /\s*(?:(禁止|限制)出口部分\s*(?:中的|中|的)?\s*)?(“?)([\s\S]*?)(”?)\s*\(\s*编号\s*(?:为)?\s*:?([^()]*)\)\s*(”?)/dy;
const TARGET_SEPARATOR = /\s*(?:、|,|以及|和|及)\s*/y;

function checkCode(raw: string): string {
  const code = raw.replace(/\s+/g, '');
  if (!CODE_PATTERN.test(code)) fail(`bad code "${raw}": expected six digits and J or X`);
  return code;
}

/** Reads a target; on a shape that is not a target, rewinds and returns undefined. */
function readTarget(r: Reader, strict: boolean): Target | undefined {
  const save = r.pos;
  const m = r.eat(TARGET);
  const rewind = (reason: string): undefined => {
    r.pos = save;
    if (strict) fail(reason);
    return undefined;
  };
  if (!m) return rewind('no technology with its code (编号) found');
  const name = cleanText(r.printed(m, 3));
  const opened = m[2] === '“';
  const closes = (m[4] ? 1 : 0) + (m[6] ? 1 : 0);
  if (name === '' || /[“”]|控制要点|条目/.test(m[3] ?? '')) return rewind(`cannot read the technology name before "${r.printed(m, 5)}"`);
  if (opened ? closes !== 1 : closes !== 0) return rewind(`unbalanced quotes around "${name}"`);
  const part = m[1] === '禁止' ? 'prohibited' : m[1] === '限制' ? 'restricted' : undefined;
  const target: Target = { code: checkCode(m[5] ?? ''), name };
  if (part) target.part = part;
  return target;
}

// ── Edits to an existing entry ───────────────────────────────────────────────────────

type Context = 'modify' | 'delete' | 'add';

const LEAD = /\s*(?:技术)?(?:条目)?\s*(?:中的|中|的)?\s*/y;
const SEPARATOR = /[\s,;。]*(?:(?:并将|并且|并|同时|以及)\s*)?(?:将\s*)?/y;
const CHANGE = String.raw`(?:修改|更改|改|调整|变更)\s*为\s*:?\s*`;
const RENAME = new RegExp(String.raw`(?:技术)?名称\s*${CHANGE}`, 'yd');
const REPLACE = new RegExp(String.raw`控制要点\s*(?:第\s*)?(\d+)\s*(?:项|条)?\s*${CHANGE}`, 'yd');
const ADD_POINTS = new RegExp(String.raw`(?:增加|新增|增补)\s*(?:以下\s*)?控制要点\s*(${NUMLIST})?\s*(?:为)?\s*:?\s*`, 'yd');
const DELETE_POINTS = new RegExp(String.raw`(?:删去|删除)\s*(?:其\s*)?控制要点\s*(?:第\s*)?(${NUMLIST})\s*(?:项|条)?`, 'yd');
const POINTS_DELETED = new RegExp(String.raw`控制要点\s*(?:第\s*)?(${NUMLIST})\s*(?:项|条)?\s*(?:删去|删除)`, 'yd');
const BARE_DELETE = new RegExp(String.raw`控制要点\s*(?:第\s*)?(${NUMLIST})\s*(?:项|条)?`, 'yd');
const BARE_ADD = new RegExp(String.raw`控制要点\s*(${NUMLIST})?\s*(?:为)?\s*:?\s*`, 'yd');
const ENTRY_DELETED = /(?:条目\s*)?(?:删去|删除)/dy;

function addPoints(r: Reader, clause: string, code: string, numbers: string | undefined): Patch {
  const points = readPoints(r);
  if (numbers !== undefined) {
    const stated = parseNumList(numbers);
    if (stated.length !== points.length) {
      fail(`the clause numbers ${stated.length} new control point(s) but gives ${points.length}`);
    }
  }
  return { op: 'add-control-points', clause, code, points };
}

/** Reads the edits after a target, in order, until the end of the clause. */
function readEdits(r: Reader, clause: string, code: string, context: Context): Patch[] {
  const patches: Patch[] = [];
  let deletesEntry = false;
  for (;;) {
    r.eat(SEPARATOR);
    if (r.done) break;
    let m: RegExpExecArray | null;
    if ((m = r.eat(RENAME))) {
      patches.push({ op: 'rename-entry', clause, code, name: cleanText(quotedText(r, 'new name')) });
    } else if ((m = r.eat(REPLACE))) {
      const index = Number(m[1]);
      if (index < 1) fail(`control point number ${index} is not a valid index`);
      const text = quotedText(r, `new control point ${index}`);
      const points = splitNumbered(canonical(text), text);
      if (points.length !== 1 || points[0] === '') fail(`the new text of control point ${index} is not one control point`);
      patches.push({ op: 'replace-control-point', clause, code, index, text: points[0] ?? '' });
    } else if ((m = r.eat(ADD_POINTS))) {
      patches.push(addPoints(r, clause, code, m[1]));
    } else if ((m = r.eat(DELETE_POINTS) ?? r.eat(POINTS_DELETED))) {
      for (const index of parseNumList(m[1] ?? '')) patches.push({ op: 'delete-control-point', clause, code, index });
    } else if (context === 'delete' && (m = r.eat(BARE_DELETE))) {
      for (const index of parseNumList(m[1] ?? '')) patches.push({ op: 'delete-control-point', clause, code, index });
    } else if (context === 'add' && (m = r.eat(BARE_ADD))) {
      patches.push(addPoints(r, clause, code, m[1]));
    } else if (context === 'modify' && r.eat(ENTRY_DELETED)) {
      deletesEntry = true;
      patches.push({ op: 'delete-entry', clause, code });
    } else {
      fail(`unrecognised wording "${r.restPrinted()}"`);
    }
  }
  if (patches.length === 0) fail('the clause names a technology but states no edit');
  if (deletesEntry && patches.length > 1) fail('the clause both deletes the entry and edits it');
  return patches;
}

// ── New entries ──────────────────────────────────────────────────────────────────────

const ENTRY_WORD = /\s*(?:技术)?条目/y;
const POINTS_LABEL = /[\s,;]*控制要点\s*(?:为)?\s*:\s*/y;

function newEntry(ctx: ClauseContext, code: string, name: string, points: string[]): Patch {
  return {
    op: 'add-entry',
    clause: ctx.number,
    entry: { code, part: partOfCode(code), sector: ctx.sector, name, controlPoints: points },
  };
}

/** `新增“名称（编号：…）”条目，控制要点：“1.…；2.…”` */
function readInlineEntry(r: Reader, ctx: ClauseContext, target: Target): Patch {
  if (!r.eat(POINTS_LABEL)) fail(`new entry ${target.code} has no control points (控制要点)`);
  const points = readPoints(r);
  r.eat(SEPARATOR);
  if (!r.done) fail(`unrecognised wording "${r.restPrinted()}"`);
  return newEntry(ctx, target.code, target.name, points);
}

const TRAILING_PUNCTUATION = /[\s,;。]*/y;

function unquote(text: string): string {
  const c = canonical(text);
  return c.startsWith('“') && c.endsWith('”') && text.length >= 2 ? text.slice(1, -1).trim() : text;
}

const LABEL = /(?<=^|[\s:,;。])(编号|技术名称|名称|控制要点)\s*:\s*/dg;

/** Head of a labelled block: `新增以下技术条目：` followed by `编号：` / `技术名称：` / `控制要点：`. */
function blockStart(c: string): number | undefined {
  LABEL.lastIndex = 0;
  const m = LABEL.exec(c);
  if (!m || m[1] === '控制要点') return undefined;
  const head = c.slice(0, m.index);
  return /新增|增加|增补/.test(head) && !/\(\s*编号/.test(head) && !head.includes('控制要点') ? m.index : undefined;
}

function readBlock(c: string, o: string, start: number, ctx: ClauseContext): Patch[] {
  type Field = '编号' | '名称' | '控制要点';
  const groups: Array<Partial<Record<Field, [number, number]>>> = [];
  const labels: Array<{ field: Field; at: number; body: number }> = [];
  LABEL.lastIndex = start;
  for (let m = LABEL.exec(c); m; m = LABEL.exec(c)) {
    labels.push({ field: m[1] === '技术名称' ? '名称' : (m[1] as Field), at: m.index, body: LABEL.lastIndex });
  }
  labels.forEach((label, i) => {
    const end = labels[i + 1]?.at ?? c.length;
    let group = groups[groups.length - 1];
    if (!group || label.field === '编号' || group[label.field]) {
      group = {};
      groups.push(group);
    }
    group[label.field] = [label.body, end];
  });
  return groups.map((group) => {
    const code = group['编号'];
    const name = group['名称'];
    const points = group['控制要点'];
    if (!code || !name || !points) {
      fail('a new-entry block needs 编号, 技术名称 and 控制要点');
    }
    const entryCode = checkCode(withoutTrail(c.slice(code[0], code[1]), c.slice(code[0], code[1])));
    const entryName = unquote(cleanText(withoutTrail(c.slice(name[0], name[1]), o.slice(name[0], name[1]))));
    if (entryName === '') fail(`new entry ${entryCode} has an empty name`);
    const r = new Reader(c.slice(0, points[1]), o.slice(0, points[1]));
    r.pos = points[0];
    const entryPoints = readPoints(r);
    r.eat(TRAILING_PUNCTUATION);
    if (!r.done) fail(`unrecognised wording "${r.restPrinted()}"`);
    return newEntry(ctx, entryCode, entryName, entryPoints);
  });
}

// ── The clause ───────────────────────────────────────────────────────────────────────

const NUMBER = /^\s*\d+\s*[.、]\s*/;
const VERB = /\s*(删去|删除|将|在|新增|增加|增补)/dy;
const NOTHING_BUT_ENTRY = /^\s*(?:技术)?(?:条目)?\s*$/;

function readClause(ctx: ClauseContext): { patches: Patch[]; parts: Part[] } {
  const printed = ctx.text.replace(/[\s。.．;；]+$/, '');
  const full = canonical(printed);
  if (full.lastIndexOf('“') > full.lastIndexOf('”')) fail('unterminated quote: the clause may be cut off');
  const numberLength = NUMBER.exec(full)?.[0].length ?? 0;
  const c = full.slice(numberLength);
  const o = printed.slice(numberLength);
  const r = new Reader(c, o);

  const block = blockStart(c);
  if (block !== undefined) return { patches: readBlock(c, o, block, ctx), parts: [] };

  const verbMatch = r.eat(VERB);
  if (!verbMatch) fail('unrecognised clause shape');
  const verb = verbMatch[1];

  if (verb === '删去' || verb === '删除') {
    const first = readTarget(r, true);
    if (!first) fail('no technology with its code (编号) found');
    const targets = [first];
    for (;;) {
      const save = r.pos;
      if (!r.eat(TARGET_SEPARATOR)) break;
      const next = readTarget(r, false);
      if (!next) {
        r.pos = save;
        break;
      }
      targets.push(next);
    }
    const parts = targets.flatMap((t) => (t.part ? [t.part] : []));
    if (NOTHING_BUT_ENTRY.test(c.slice(r.pos))) {
      return { patches: targets.map((t) => ({ op: 'delete-entry', clause: ctx.number, code: t.code, name: t.name })), parts };
    }
    const [only] = targets;
    if (!only || targets.length > 1) fail('control point edits name more than one technology');
    r.eat(LEAD);
    return { patches: readEdits(r, ctx.number, only.code, 'delete'), parts };
  }

  const target = readTarget(r, true);
  if (!target) fail('no technology with its code (编号) found');
  const parts = target.part ? [target.part] : [];

  if (verb === '新增' || verb === '增加' || verb === '增补') {
    const save = r.pos;
    const saysEntry = r.eat(ENTRY_WORD) !== null;
    POINTS_LABEL.lastIndex = r.pos;
    // `新增…（编号：…）控制要点：…` introduces an entry; `增加…控制要点…` adds to one.
    if (saysEntry || (verb !== '增加' && POINTS_LABEL.test(c))) {
      return { patches: [readInlineEntry(r, ctx, target)], parts };
    }
    r.pos = save;
    r.eat(LEAD);
    return { patches: readEdits(r, ctx.number, target.code, 'add'), parts };
  }

  r.eat(LEAD);
  return { patches: readEdits(r, ctx.number, target.code, 'modify'), parts };
}

function codesOf(patches: readonly Patch[]): string[] {
  return patches.map((p) => (p.op === 'add-entry' ? p.entry.code : p.code));
}

/** Reads one clause into patches, or says why it cannot. */
export function parseClause(ctx: ClauseContext): ClauseOutcome {
  try {
    const { patches, parts } = readClause(ctx);
    const named = parts[0];
    if (named && ctx.part && named !== ctx.part) {
      fail(`the clause names the ${named} part but sits under the ${ctx.part} part`);
    }
    const part = named ?? ctx.part;
    if (part) {
      for (const code of codesOf(patches)) {
        const own = partOfCode(code);
        if (own !== part) {
          fail(`code ${code} is ${own} (suffix ${code.slice(-1)}) but the clause is under the ${part} part`);
        }
      }
    }
    return { ok: true, patches };
  } catch (err) {
    if (err instanceof ClauseError) return { ok: false, reason: err.message };
    throw err;
  }
}
