// Bounds for everything a chat reply carries: user text echoed back, scraped text, list lengths.
// Adapters enforce their platform's hard limits; these keep every reply small whatever the input.
import type { Message, MessageItem, MessageLink, MessageSection } from '../../alerts/message.js';

/** Most items shown in one section before the rest is summarised as "… and N more". */
export const MAX_SECTION_ITEMS = 15;
/** Longest text of any single line (item text, gloss, detail, context line). */
export const MAX_TEXT = 300;
/** Longest piece of user input repeated in a reply. */
export const MAX_ECHO = 100;
export const MAX_TITLE = 150;
export const MAX_SECTIONS = 10;
export const MAX_DETAILS = 10;
export const MAX_LINKS = 5;
export const MAX_CONTEXT = 8;
const MAX_CODE = 100;
const MAX_URL = 2000;

// Control characters, zero-width and bidirectional-override characters, byte-order marks and lone surrogates.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|\p{Surrogate}/gu;
// Line and other breaks become spaces: they separate words.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;

/** Text as chat input is read: NFKC (full-width letters and spaces become ASCII), invisible characters removed, breaks as spaces. */
export function cleanChatText(text: string): string {
  return text.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, '').replace(BREAKS, ' ').replace(/\s+/g, ' ').trim();
}

/** Length in characters (code points), not UTF-16 units. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** One line of at most `max` characters: invisible characters removed, whitespace collapsed, the rest cut with an ellipsis. */
export function clip(text: string, max = MAX_TEXT): string {
  const line = text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/** User input as repeated in a reply: one line, at most 100 characters. */
export function echo(text: string, max = MAX_ECHO): string {
  return clip(text, Math.min(max, MAX_ECHO));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A section of at most `max` items, the rest summarised as one "… and N more" item. */
export function cappedSection(heading: string, items: readonly MessageItem[], max = MAX_SECTION_ITEMS, what = 'more'): MessageSection {
  const shown = items.slice(0, max);
  const hidden = items.length - shown.length;
  if (hidden > 0) shown.push({ code: '…', text: `and ${hidden} ${what}`, gloss: null, details: [] });
  return { heading, items: shown };
}

export function line(code: string, text: string, details: string[] = [], gloss: string | null = null): MessageItem {
  return { code, text, gloss, details };
}

function boundList(lines: readonly string[], max: number): string[] {
  const shown = lines.slice(0, max).map((l) => clip(l));
  if (lines.length > max) shown.push(`… and ${lines.length - max} more`);
  return shown;
}

/** How many items the dropped ones stand for: a dropped "… and N more" counts N. */
function hiddenCount(dropped: readonly MessageItem[]): number {
  let n = 0;
  for (const item of dropped) {
    const more = item.code === '…' ? /^and (\d+) /.exec(item.text) : null;
    n += more ? Number(more[1]) : 1;
  }
  return n;
}

function safeLink(link: MessageLink): MessageLink | null {
  if (link.url.length > MAX_URL || !/^https?:\/\/[^\s]+$/i.test(link.url)) return null;
  return { label: clip(link.label, MAX_CODE), url: link.url };
}

/**
 * The last line of defence before a reply leaves: every text clipped, every list capped, links limited to
 * plain http(s) URLs. The context's last line (the no-clearance caveat on checks) is always kept.
 */
export function boundMessage(message: Message): Message {
  const sections = message.sections.slice(0, MAX_SECTIONS).map((s) => {
    // A section already capped by its composer ends in its own "… and N more", which fits the one extra slot.
    const fits = s.items.length <= MAX_SECTION_ITEMS + 1;
    const items = (fits ? s.items : s.items.slice(0, MAX_SECTION_ITEMS)).map((i) => ({
      code: clip(i.code, MAX_CODE),
      text: clip(i.text),
      gloss: i.gloss === null ? null : clip(i.gloss) || null,
      details: boundList(i.details, MAX_DETAILS),
    }));
    if (!fits) items.push({ code: '…', text: `and ${hiddenCount(s.items.slice(MAX_SECTION_ITEMS))} more`, gloss: null, details: [] });
    return { heading: clip(s.heading, MAX_TITLE), items };
  });
  const hiddenSections = message.sections.length - sections.length;
  const context = message.context.map((c) => clip(c)).filter((c) => c !== '');
  if (hiddenSections > 0) context.unshift(`… and ${plural(hiddenSections, 'more section')} not shown`);
  const last = context.at(-1);
  const boundedContext = context.length <= MAX_CONTEXT || last === undefined ? context : [...context.slice(0, MAX_CONTEXT - 1), last];
  return {
    title: clip(message.title, MAX_TITLE) || 'ExportWatch',
    severity: message.severity,
    subtitle: message.subtitle === null ? null : clip(message.subtitle) || null,
    links: message.links
      .map(safeLink)
      .filter((l): l is MessageLink => l !== null)
      .slice(0, MAX_LINKS),
    sections,
    omitted: Math.max(0, Math.floor(message.omitted)),
    context: boundedContext,
  };
}
