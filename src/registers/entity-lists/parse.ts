// Entities from a listing notice of the export control list (管控名单), the watch list (关注名单) or the
// Unreliable Entity List (不可靠实体清单): the title says which list, what is done (列入/移出), how many
// (`20家`, `十家`) and often the country (`日本实体`); the body or the annex numbers the entities
// `1. 中文名（English Name）`, optionally followed by `地址：`, `邮编：`, `常用名称：` lines.
import { chineseNumber } from '../../domain/notice-key.js';
import type { UnparsedClause } from '../../domain/types.js';
import { entityListOf, type EntityListId } from '../classify.js';
import { compact, excerpt, fold, lineLabel, noticeLines, printed, tidy, trimSet, type NoticeLine } from '../measures/text.js';
import type { NoticeDocument } from '../types.js';

export type EntityAction = 'add' | 'remove';

export interface EntityHeading {
  list: EntityListId | null;
  action: EntityAction | null;
  /** The count the title states (`20家`), or null. */
  count: number | null;
  /** Countries the title names (`日本实体` → Japan), English. */
  countries: string[];
  from: 'title' | 'body' | null;
}

export interface ParsedEntity {
  /** Number as printed (folded), e.g. `3`. */
  number: string;
  nameZh: string | null;
  nameEn: string | null;
  address: string | null;
  postcode: string | null;
  aliases: string[];
  country: string | null;
  list: EntityListId | null;
  action: EntityAction | null;
  at: string;
}

export interface EntityParse {
  heading: EntityHeading;
  entities: ParsedEntity[];
  unparsed: UnparsedClause[];
  /** Self-checks that failed: count disagreement, numbering gaps, duplicates. */
  flags: string[];
}

/** Chinese country names (as printed in titles and addresses) and the English names they are shown as. */
export const COUNTRIES: ReadonlyArray<readonly [zh: string, en: string, latin: RegExp | null]> = [
  ['美国', 'United States', /\b(?:USA|U\.S\.A\.?|United States(?: of America)?)\b/],
  ['日本', 'Japan', /\bJapan\b/],
  ['英国', 'United Kingdom', /\b(?:United Kingdom|UK|U\.K\.|England|Scotland)\b/],
  ['德国', 'Germany', /\bGermany\b/],
  ['法国', 'France', /\bFrance\b/],
  ['加拿大', 'Canada', /\bCanada\b/],
  ['澳大利亚', 'Australia', /\bAustralia\b/],
  ['新西兰', 'New Zealand', /\bNew Zealand\b/],
  ['荷兰', 'Netherlands', /\b(?:the )?Netherlands\b/],
  ['韩国', 'South Korea', /\b(?:Republic of Korea|South Korea|Korea)\b/],
  ['印度', 'India', /\bIndia\b/],
  ['以色列', 'Israel', /\bIsrael\b/],
  ['台湾', 'Taiwan region', /\bTaiwan\b/],
  ['俄罗斯', 'Russia', /\bRussia(?:n Federation)?\b/],
  ['乌克兰', 'Ukraine', /\bUkraine\b/],
  ['新加坡', 'Singapore', /\bSingapore\b/],
  ['瑞典', 'Sweden', /\bSweden\b/],
  ['瑞士', 'Switzerland', /\bSwitzerland\b/],
  ['意大利', 'Italy', /\bItaly\b/],
  ['西班牙', 'Spain', /\bSpain\b/],
  ['比利时', 'Belgium', /\bBelgium\b/],
  ['波兰', 'Poland', /\bPoland\b/],
  ['土耳其', 'Turkey', /\b(?:Turkey|Türkiye)\b/],
  ['阿联酋', 'United Arab Emirates', /\b(?:United Arab Emirates|UAE)\b/],
  ['爱尔兰', 'Ireland', /\bIreland\b/],
  ['挪威', 'Norway', /\bNorway\b/],
  ['芬兰', 'Finland', /\bFinland\b/],
  ['丹麦', 'Denmark', /\bDenmark\b/],
  ['立陶宛', 'Lithuania', /\bLithuania\b/],
  ['捷克', 'Czechia', /\b(?:Czechia|Czech Republic)\b/],
  ['奥地利', 'Austria', /\bAustria\b/],
  ['马来西亚', 'Malaysia', /\bMalaysia\b/],
  ['墨西哥', 'Mexico', /\bMexico\b/],
  ['巴西', 'Brazil', /\bBrazil\b/],
  ['欧盟', 'European Union', null],
];

/** The key of an entity: its English name (else Chinese name) lower-cased, punctuation and spaces collapsed. */
export function entityKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .slice(0, 300);
}

/** The country a text names: Chinese names anywhere, English names as words. */
export function countryIn(text: string | null): string | null {
  if (!text) return null;
  const zh = COUNTRIES.find(([name]) => text.includes(name));
  if (zh) return zh[1];
  const folded = fold(text);
  let best: { at: number; en: string } | null = null;
  for (const [, en, latin] of COUNTRIES) {
    if (!latin) continue;
    // The last country named in an address is where the entity is (`… Tokyo, Japan`).
    const all = [...folded.matchAll(new RegExp(latin.source, 'g'))];
    const last = all[all.length - 1];
    if (last && (best === null || last.index > best.at)) best = { at: last.index, en };
  }
  return best?.en ?? null;
}

const LIST_PHRASE = /(列入|移出)[^。;]{0,60}?(出口管制管控名单|管控名单|关注名单|不可靠实体清单)/;
const LIST_INTRO = /将以下[^。;]{0,40}?(列入|移出)[^。;]{0,30}?(出口管制管控名单|管控名单|关注名单|不可靠实体清单)/;
const COUNT = /([0-9]{1,4}|[一二两三四五六七八九十]{1,4})家/g;
const COUNTRY_PHRASE = /家([\u4e00-\u9fff]{1,10}?)(?:的)?(?:实体|企业|机构|公司)/g;

function countOf(printedCount: string): number | null {
  return chineseNumber(printedCount.replace(/两/g, '二'));
}

function headingIn(text: string, from: 'title' | 'body'): EntityHeading | null {
  const m = LIST_PHRASE.exec(text);
  if (!m) return null;
  // The count and countries are read in the sentence that lists (up to the list name).
  const sentenceStart = Math.max(text.lastIndexOf('。', m.index), text.lastIndexOf(';', m.index)) + 1;
  const scope = text.slice(sentenceStart, m.index + m[0].length);
  let count: number | null = null;
  for (const c of scope.matchAll(COUNT)) {
    const n = countOf(c[1]!);
    if (n !== null) count = (count ?? 0) + n;
  }
  const countries: string[] = [];
  for (const c of scope.matchAll(COUNTRY_PHRASE)) {
    const hit = COUNTRIES.find(([zh]) => c[1]!.includes(zh));
    if (hit && !countries.includes(hit[1])) countries.push(hit[1]);
  }
  return { list: entityListOf(m[2]!), action: m[1] === '移出' ? 'remove' : 'add', count, countries, from };
}

/** Which list, what action, how many, which country: from the title, else from the body's first listing sentence. */
export function parseEntityHeading(title: string, text: string): EntityHeading {
  return (
    headingIn(compact(title), 'title') ??
    headingIn(compact(text.slice(0, 20_000)), 'body') ?? { list: null, action: null, count: null, countries: [], from: null }
  );
}

const ENTRY = /^\s*(?:([0-9０-９]{1,4})\s*[.．、]|[（(]\s*([0-9０-９]{1,4})\s*[)）])\s*(.*)$/;
const FIELD_NAMES = '地址|邮编|邮政编码|常用名称|别名|又名|英文名称|Address|Post ?code|Zip(?: code)?|Also known as|Aliases|Alias|AKA';
const FIELD_AT_START = new RegExp(`^\\s*(${FIELD_NAMES})\\s*[:：]`, 'i');
const FIELD_INLINE = new RegExp(`[，,；;。]?(${FIELD_NAMES})\\s*[:：]`, 'gi');
const ORG_SUFFIX =
  /(?:公司|集团|研究所|研究院|研究中心|大学|学院|中心|实验室|协会|学会|基金会|机构|组织|工厂|株式会社|企业|银行|事务所|办公室|局|署|厂|院|所|社|部门|分部|Inc\.?|LLC|L\.L\.C\.|Ltd\.?|Limited|Corp\.?|Corporation|Company|Co\.|GmbH|AG|S\.A\.|PLC|Group|Laboratory|Laboratories|University|Institute)$/i;
const NOT_A_NAME = /禁止|不得|应当|必须|可以|根据|依据|决定|采取|措施|申请|办理|本公告|予以|停止|自.{0,12}起/;

interface Split {
  nameZh: string | null;
  nameEn: string | null;
  problem: string | null;
}

/** Splits `中文名（English Name）` at its last top-level bracket group when that group is Latin. */
export function splitName(raw: string): Split {
  const text = trimSet(raw, '；;。，,', 'end');
  const groups: Array<[number, number]> = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '（') {
      if (depth === 0) start = i;
      depth++;
    } else if ((c === ')' || c === '）') && depth > 0) {
      depth--;
      if (depth === 0) groups.push([start, i]);
    }
  }
  if (depth > 0) return { nameZh: null, nameEn: null, problem: 'unclosed bracket (truncated?)' };
  const last = groups[groups.length - 1];
  const hasHan = (s: string): boolean => /\p{Script=Han}/u.test(s);
  if (last) {
    const inner = text.slice(last[0] + 1, last[1]);
    if (/[A-Za-zＡ-Ｚａ-ｚ]/.test(inner) && !hasHan(inner)) {
      const zh = printed(text.slice(0, last[0]) + trimSet(text.slice(last[1] + 1), '，,；;。'));
      return { nameZh: zh === '' ? null : zh, nameEn: tidy(inner) || null, problem: null };
    }
  }
  const whole = printed(text);
  if (whole === '') return { nameZh: null, nameEn: null, problem: 'no name' };
  return hasHan(whole) ? { nameZh: whole, nameEn: null, problem: null } : { nameZh: null, nameEn: tidy(whole), problem: null };
}

/** Whether the text after a number is an entity (not a numbered measure like `1. 禁止…`). */
function looksLikeEntity(nameText: string): boolean {
  const t = trimSet(nameText, '；;。，,', 'end');
  if (t.length === 0 || t.length > 300 || NOT_A_NAME.test(t)) return false;
  // A Latin bracket group at the end, closed or cut off: `中文名（English Name）`, `中文名（English Na`.
  const open = Math.max(t.lastIndexOf('('), t.lastIndexOf('（'));
  if (open >= 0) {
    const inner = trimSet(t.slice(open + 1), ')）', 'end');
    if (/[A-Za-zＡ-Ｚａ-ｚ]/.test(inner) && !/\p{Script=Han}/u.test(inner)) return true;
  }
  const core = printed(t).replace(/[（(][^（()）]*[)）]\s*$/, '');
  return ORG_SUFFIX.test(core) || ORG_SUFFIX.test(fold(core));
}

function applyField(entity: ParsedEntity, label: string, value: string): void {
  const v = trimSet(trimSet(value, ':：', 'start'), '；;。，,', 'end');
  const name = fold(label).toLowerCase();
  if (v === '') return;
  if (name === '地址' || name === 'address') entity.address = printed(v);
  else if (name.startsWith('邮') || name.startsWith('post') || name.startsWith('zip')) entity.postcode = tidy(v);
  else if (name === '英文名称') entity.nameEn = entity.nameEn ?? tidy(v);
  else {
    for (const alias of v.split(/[、；;]/)) {
      const a = /\p{Script=Han}/u.test(alias) ? printed(alias) : tidy(alias);
      const cleaned = trimSet(a, '，,。');
      if (cleaned !== '' && !entity.aliases.includes(cleaned)) entity.aliases.push(cleaned);
    }
  }
}

/** Splits a line at its field labels: the text before the first label, then [label, value] pairs. */
function fieldsOf(text: string): { head: string; fields: Array<[string, string]> } {
  const marks = [...text.matchAll(FIELD_INLINE)];
  if (marks.length === 0) return { head: text, fields: [] };
  const fields: Array<[string, string]> = marks.map((m, i) => [
    m[1]!,
    text.slice(m.index + m[0].length, i + 1 < marks.length ? marks[i + 1]!.index : text.length),
  ]);
  return { head: text.slice(0, marks[0]!.index), fields };
}

function openBrackets(text: string): number {
  let depth = 0;
  for (const c of text) {
    if (c === '(' || c === '（') depth++;
    else if ((c === ')' || c === '）') && depth > 0) depth--;
  }
  return depth;
}

/** `1. A公司（A Corp）；2. B公司（B Inc）` → one line per entity; a name wrapped inside its brackets → one line. */
function expandLines(lines: readonly NoticeLine[]): NoticeLine[] {
  const joined: NoticeLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const next = lines[i + 1];
    if (next && next.source === l.source && ENTRY.test(l.text) && openBrackets(l.text) > 0 && /[)）]/.test(next.text) && !ENTRY.test(next.text)) {
      joined.push({ ...l, text: `${l.text.trimEnd()}${next.text.trim()}` });
      i++;
    } else joined.push(l);
  }
  const out: NoticeLine[] = [];
  for (const l of joined) {
    const parts = l.text.split(/[；;]\s*(?=(?:[0-9０-９]{1,4}\s*[.．、]|[（(][0-9０-９]{1,4}[)）])\s*\S)/);
    for (const p of parts) out.push({ ...l, text: p });
  }
  return out;
}

/** Reads the numbered entities of the lines, each with the list and action in force where it is printed. */
export function parseEntities(
  lines: readonly NoticeLine[],
  heading: Pick<EntityHeading, 'list' | 'action'>,
): { entities: ParsedEntity[]; unparsed: UnparsedClause[] } {
  const entities: ParsedEntity[] = [];
  const unparsed: UnparsedClause[] = [];
  let list = heading.list;
  let action = heading.action;
  let current: ParsedEntity | null = null;
  for (const line of expandLines(lines)) {
    const intro = LIST_INTRO.exec(compact(line.text));
    if (intro) {
      list = entityListOf(intro[2]!) ?? list;
      action = intro[1] === '移出' ? 'remove' : 'add';
      current = null;
      continue;
    }
    const entry = ENTRY.exec(line.text);
    if (entry) {
      const { head, fields } = fieldsOf(entry[3] ?? '');
      if (!looksLikeEntity(head)) {
        current = null;
        continue;
      }
      const split = splitName(head);
      const number = fold(entry[1] ?? entry[2] ?? '');
      if (split.problem || (split.nameZh === null && split.nameEn === null)) {
        unparsed.push({ clause: lineLabel(line), text: excerpt(line.text), reason: `entity ${number}: ${split.problem ?? 'no name'}` });
        current = null;
        continue;
      }
      current = {
        number,
        nameZh: split.nameZh,
        nameEn: split.nameEn,
        address: null,
        postcode: null,
        aliases: [],
        country: null,
        list,
        action,
        at: lineLabel(line),
      };
      for (const [label, value] of fields) applyField(current, label, value);
      entities.push(current);
      continue;
    }
    if (!current) continue;
    if (FIELD_AT_START.test(line.text)) {
      for (const [label, value] of fieldsOf(line.text).fields) applyField(current, label, value);
      continue;
    }
    // The English name on a line of its own: `（Acme Dynamics Systems, Inc.）`.
    const english =
      line.text.length > 400 ? null : /^\s*[（(]([^（()）\p{Script=Han}]*[A-Za-z][^（()）\p{Script=Han}]*)[)）]\s*[；;。]?\s*$/u.exec(fold(line.text));
    if (english && current.nameEn === null) {
      current.nameEn = tidy(english[1]!);
      continue;
    }
    current = null;
  }
  return { entities, unparsed };
}

/** Reads a listing notice: heading, entities (with countries), unparsed lines and failed self-checks. Never throws. */
export function parseEntityNotice(notice: Pick<NoticeDocument, 'title' | 'text' | 'attachmentTexts'>): EntityParse {
  const heading = parseEntityHeading(notice.title, notice.text);
  const { entities, unparsed } = parseEntities(noticeLines(notice), heading);
  const titleCountry = heading.countries.length === 1 ? heading.countries[0]! : null;
  for (const e of entities) e.country = titleCountry ?? countryIn(e.address);
  const flags: string[] = [];
  if (heading.count !== null && heading.count !== entities.length) {
    flags.push(`${heading.from === 'body' ? 'body' : 'title'} says ${heading.count} entities, parsed ${entities.length}`);
  }
  if (heading.list !== null && entities.length === 0 && heading.count === null) flags.push('no entities could be read');
  const numbers = entities.map((e) => Number(e.number));
  for (let i = 1; i < numbers.length; i++) {
    const prev = numbers[i - 1]!;
    const n = numbers[i]!;
    if (n !== prev + 1 && n !== 1) flags.push(`entity numbering jumps from ${prev} to ${n}`);
  }
  const seen = new Map<string, string>();
  for (const e of entities) {
    const key = `${e.list}\u0000${entityKey(e.nameEn ?? e.nameZh ?? '')}`;
    const before = seen.get(key);
    if (before !== undefined) flags.push(`entity ${e.number} repeats entity ${before} (${e.nameEn ?? e.nameZh})`);
    else seen.set(key, e.number);
  }
  return { heading, entities, unparsed, flags };
}
