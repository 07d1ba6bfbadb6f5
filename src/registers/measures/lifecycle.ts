// Lifecycle actions a notice takes on earlier notices, named by number:
// `决定暂停实施2025年第55号、56号…公告，暂停至2026年11月10日`, `商务部公告2024年第46号第二款暂停实施至2026年11月27日`,
// `继续暂停`, `恢复实施`, `停止实施`, `废止`, `取消`.
import { chineseNumber, noticeKeyFromNumber } from '../../domain/notice-key.js';
import { compact, isoFromParts } from './text.js';

export type LifecycleVerb = 'suspend' | 'extend' | 'resume' | 'stop' | 'repeal' | 'cancel';

/** An earlier notice named in a text, with the section (`§2` for 第二款) when only part of it is meant. */
export interface NoticeReference {
  key: string;
  /** As printed (compacted). */
  printed: string;
  section: string | null;
}

export interface LifecycleAction {
  verb: LifecycleVerb;
  /** The verb as printed, e.g. `暂停实施`. */
  printedVerb: string;
  targets: NoticeReference[];
  /** End of a suspension (`至2026年11月10日`), YYYY-MM-DD. */
  until: string | null;
  /** The sentence the action was read from (compacted). */
  sentence: string;
}

export type KeyPrefix = 'MOFCOM' | 'MOFCOM-UEL' | 'MOFCOM-ORDER';

/** Who is speaking: bare numbers (`2025年第55号`) take the speaker's series; the speaker's own number is never a target. */
export interface ReferenceContext {
  prefix: KeyPrefix;
  ownKey: string | null;
  /** Year for numbers printed without one (`暂停实施第56号公告`). */
  year: number | null;
}

const N = '(?:\\d{1,4}|[〇零一二三四五六七八九十]{1,6})';
const YEAR = '(?:\\d{4}|[〇零一二三四五六七八九]{4})';
// Co-issuers between 商务部 and 公告/令 (海关总署, 科学技术部 …), never a verb or a number.
const ISSUER = '不可靠实体清单工作机制(?:公告)?|商务部[^\\x00-\\x7F。;,、:：公令号年第决暂停止恢复实施废取消继续将对的和与及]{0,24}?(?:公告|令)|公告';
const SEP = '(?:[、,]|和|及|与)';
const REF = new RegExp(`(${ISSUER})?(?:(${YEAR})年|[〔\\[(](${YEAR})[〕\\])]年?)((?:第?${N}号?${SEP})*第?${N}号)`, 'g');
const YEARLESS = new RegExp(`第((?:${N}号?${SEP}第?)*${N})号`, 'g');
const MORE = new RegExp(`(?:公告)?${SEP}(第${N}号|${N}号)`, 'y');
const SECTION = new RegExp(`^(?:号)?(?:公告)?(?:中)?(?:的)?第(${N})(款|条|项)`);

function numberOf(token: string): number | null {
  const t = token.replace(/^第/, '').replace(/号$/, '');
  const n = chineseNumber(t);
  return n !== null && n >= 1 && n <= 9999 ? n : null;
}

function prefixOfIssuer(issuer: string | undefined): KeyPrefix | null {
  if (!issuer || issuer === '公告') return null;
  if (issuer.startsWith('不可靠实体清单工作机制')) return 'MOFCOM-UEL';
  return issuer.endsWith('令') ? 'MOFCOM-ORDER' : 'MOFCOM';
}

function sectionLabel(number: string, unit: string): string | null {
  const n = numberOf(number);
  if (n === null) return null;
  if (unit === '款') return `§${n}`;
  return unit === '条' ? `Art.${n}` : `item ${n}`;
}

/** Every earlier notice a (compacted or raw) text names by number, in order, without the speaker's own number. */
export function noticeReferences(text: string, ctx: ReferenceContext): Array<NoticeReference & { index: number }> {
  const t = compact(text);
  const out: Array<NoticeReference & { index: number }> = [];
  let lastPrefix: KeyPrefix | null = null;
  REF.lastIndex = 0;
  for (let m = REF.exec(t); m !== null; m = REF.exec(t)) {
    const [whole, issuer, yearA, yearB, numbers = ''] = m;
    const year = chineseNumber((yearA ?? yearB)!);
    const explicit = prefixOfIssuer(issuer);
    if (explicit) lastPrefix = explicit;
    const prefix: KeyPrefix = explicit ?? lastPrefix ?? ctx.prefix;
    const tokens = numbers.split(/[、,]|和|及|与/).filter((s) => s !== '');
    let end = m.index + whole.length;
    MORE.lastIndex = end;
    for (let more = MORE.exec(t); more !== null; more = MORE.exec(t)) {
      tokens.push(more[1]!);
      end = MORE.lastIndex;
    }
    const section = SECTION.exec(t.slice(end, end + 16));
    const label = section ? sectionLabel(section[1]!, section[2]!) : null;
    if (year === null || year < 1990 || year > 2200) {
      REF.lastIndex = end;
      continue;
    }
    for (const token of tokens) {
      const n = numberOf(token);
      if (n === null) continue;
      const key = `${prefix}-${year}-${n}`;
      if (key === ctx.ownKey) continue;
      out.push({ key, printed: t.slice(m.index, end), section: label, index: m.index });
    }
    REF.lastIndex = Math.max(end, REF.lastIndex);
  }
  return out;
}

/** Numbers printed without a year (`第56号公告`), read in the speaker's series and year. */
function yearlessReferences(text: string, ctx: ReferenceContext): Array<NoticeReference & { index: number }> {
  if (ctx.year === null) return [];
  const out: Array<NoticeReference & { index: number }> = [];
  for (const m of text.matchAll(YEARLESS)) {
    const section = SECTION.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 16));
    for (const token of m[1]!.split(/[、,]|和|及|与/)) {
      const n = numberOf(token);
      const key = `${ctx.prefix}-${ctx.year}-${n}`;
      if (n === null || key === ctx.ownKey) continue;
      out.push({ key, printed: m[0], section: section ? sectionLabel(section[1]!, section[2]!) : null, index: m.index });
    }
  }
  return out;
}

const VERB =
  /(?:暂停(?:实施)?期限?|暂停期)延长|延长暂停(?:实施)?(?:期限)?|继续暂停(?:实施|执行|适用)?|暂停(?:实施|执行|适用)|暂停(?![至期到])|恢复(?:实施|执行|适用)|停止(?:实施|执行|适用)|废止|取消/g;

const HAS_VERB = new RegExp(VERB.source);

function verbOf(printed: string): LifecycleVerb {
  if (printed.includes('延长') || printed.startsWith('继续')) return 'extend';
  if (printed.startsWith('暂停')) return 'suspend';
  if (printed.startsWith('恢复')) return 'resume';
  if (printed.startsWith('停止')) return 'stop';
  return printed === '废止' ? 'repeal' : 'cancel';
}

const UNTIL = /(?<!截)(?:至|到)(\d{4})年(\d{1,2})月(\d{1,2})日/;
const BASIS = /^(?:根据|依据|按照|依照|鉴于|参照)/;

interface Clause {
  text: string;
  start: number;
}

function clausesOf(sentence: string): Clause[] {
  const out: Clause[] = [];
  let start = 0;
  for (const m of sentence.matchAll(/[,，:：]/g)) {
    out.push({ text: sentence.slice(start, m.index), start });
    start = m.index + 1;
  }
  out.push({ text: sentence.slice(start), start });
  return out;
}

function untilIn(text: string): string | null {
  const m = UNTIL.exec(text);
  return m ? isoFromParts(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

function dedupe(refs: NoticeReference[]): NoticeReference[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.key}\u0000${r.section ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The lifecycle actions of one sentence (compacted). */
export function sentenceActions(sentence: string, ctx: ReferenceContext): LifecycleAction[] {
  if (!HAS_VERB.test(sentence)) return [];
  let refs = noticeReferences(sentence, ctx);
  if (refs.length === 0) refs = yearlessReferences(sentence, ctx);
  if (refs.length === 0) return [];
  const actions: LifecycleAction[] = [];
  let pending: NoticeReference[] = [];
  for (const clause of clausesOf(sentence)) {
    const end = clause.start + clause.text.length;
    const verbs = [...clause.text.matchAll(VERB)];
    // `根据2025年第70号公告，…` names the basis, not a target.
    const basisEnd = BASIS.test(clause.text) && verbs.length > 0 ? clause.start + verbs[0]!.index : clause.start;
    const inClause = refs.filter((r) => r.index >= basisEnd && r.index < end).map(({ key, printed, section }) => ({ key, printed, section }));
    const until = untilIn(clause.text);
    if (verbs.length === 0) {
      if (inClause.length > 0 && !BASIS.test(clause.text)) {
        const last = actions[actions.length - 1];
        // Targets listed after the verb (`暂停实施以下公告：2025年第55号…`) belong to it.
        if (last && (last.targets.length === 0 || /^(?:以及|及|和|与|并)/.test(clause.text))) last.targets.push(...inClause);
        else pending.push(...inClause);
      }
      const last = actions[actions.length - 1];
      if (until && last && last.until === null) last.until = until;
      continue;
    }
    const printedVerb = verbs[0]![0];
    const targets = inClause.length > 0 ? inClause : pending;
    pending = [];
    actions.push({ verb: verbOf(printedVerb), printedVerb, targets: [...targets], until, sentence });
  }
  const last = actions[actions.length - 1];
  if (last && last.targets.length === 0 && pending.length > 0) last.targets.push(...pending);
  return actions
    .filter((a) => a.targets.length > 0)
    .map((a) => ({ ...a, targets: dedupe(a.targets), until: a.verb === 'suspend' || a.verb === 'extend' ? a.until : null }));
}

/** Splits text into sentences (lines, then `。；！？`), compacted. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.slice(0, 2_000_000).split(/\r\n|\r|\n/)) {
    for (const s of compact(line).split(/[。;；!！?？]/)) if (s !== '') out.push(s);
  }
  return out;
}

/** The lifecycle actions of a text, sentence by sentence. */
export function textActions(text: string, ctx: ReferenceContext): LifecycleAction[] {
  return sentences(text).flatMap((s) => sentenceActions(s, ctx));
}

/** The speaker's own key: given, or read from its number, the head block in its text, or the number its title starts with. */
export function ownKeyOf(n: { key?: string | null; number?: string | null; title: string; text?: string }): string | null {
  if (n.key) return n.key;
  const fromNumber = n.number ? noticeKeyFromNumber(n.number) : null;
  if (fromNumber) return fromNumber;
  const head = /【发布文号】([^【\n]{1,80})/.exec(n.text?.slice(0, 20_000) ?? '');
  const fromHead = head ? noticeKeyFromNumber(head[1]!) : null;
  if (fromHead) return fromHead;
  const title = compact(n.title);
  const lead = /^(.{0,40}?号)(?=关于|$)/.exec(title);
  return lead ? noticeKeyFromNumber(lead[1]!) : null;
}

/** The reference context of a notice: its own key, its series (UEL working mechanism or MOFCOM) and its year. */
export function contextOf(n: {
  key?: string | null;
  number?: string | null;
  title: string;
  text?: string;
  issuer?: string | null;
  publishedAt?: string | null;
}): ReferenceContext {
  const ownKey = ownKeyOf(n);
  const uel = ownKey?.startsWith('MOFCOM-UEL-') || /不可靠实体清单工作机制/.test(compact(`${n.title} ${n.issuer ?? ''} ${n.number ?? ''}`));
  const ownYear = ownKey ? /-(\d{4})-\d+$/.exec(ownKey)?.[1] : undefined;
  const year = ownYear ? Number(ownYear) : n.publishedAt ? Number(n.publishedAt.slice(0, 4)) : null;
  return { prefix: uel ? 'MOFCOM-UEL' : 'MOFCOM', ownKey, year: Number.isFinite(year) ? year : null };
}

/** The lifecycle actions of a notice: from its body, else from its title. */
export function lifecycleActions(n: {
  key?: string | null;
  number?: string | null;
  title: string;
  text: string;
  issuer?: string | null;
  publishedAt?: string | null;
}): LifecycleAction[] {
  const ctx = contextOf(n);
  const body = textActions(n.text, ctx);
  return body.length > 0 ? body : textActions(n.title, ctx);
}
