// Adaptive Cards (schema 1.5, what Teams renders) for the platform-neutral Message (src/alerts/message.ts): the bot's
// alerts, digests and command answers, and the Workflows webhook posts.
//
// Layout: a header coloured by severity (title, severity and the notice line), the official link first, a fact set
// (severity, notice, detection time, topics…), the changes by section — code and Chinese original, the English gloss,
// control-point edits as before → after (struck through → new) —, a hidden "Show details" part for long change sets,
// the closing context, and the official text as an Action.OpenUrl.
//
// Size: a card is bounded for where it goes (a bot message about 100 KB counted in UTF-16, 80 KB recommended; a
// Workflows post about 28 KB). Too big a card is summarised — whole changes are left out and counted ("… and N more
// changes: see the official text"), detail lines are counted, never a text cut in the middle to fit. Only absurdly
// long single texts (over a few thousand characters) are shortened, with an ellipsis.
//
// Text from outside (notice titles, entity names, news headlines) is escaped for the card markdown subset (bold,
// italic, lists, links): it shows as written and never becomes markup or a link. Links are only built here, from
// http(s) URLs. Edits use RichTextBlock text runs, which take no markdown at all.
import type { Message, MessageItem } from '../../src/alerts/message.js';
import type { Severity } from '../../src/domain/types.js';

export const CARD_VERSION = '1.5';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Bot messages: Teams takes about 100 KB (counted as UTF-16) and recommends staying within 80 KB. */
export const BOT_MESSAGE_MAX_BYTES = 80 * 1024;
/** Workflows webhooks: about 28 KB for the whole post; 1 KB is kept in reserve. */
export const WORKFLOW_MAX_BYTES = 27 * 1024;
/** The id of the hidden container "Show details" toggles. */
export const DETAILS_ID = 'exportwatch-details';

/** Items shown before the rest goes behind "Show details". */
const VISIBLE_ITEMS = 5;
/** Detail lines of one item before the rest is counted. */
const MAX_DETAILS = 8;
const MAX_LINKS = 5;
/** Single texts longer than these are shortened (with an ellipsis). */
const MAX_TITLE = 400;
const MAX_TEXT = 3000;
const MAX_GLOSS = 1000;
const MAX_DETAIL = 1500;
const MAX_CONTEXT = 1000;

// A JSON object as Adaptive Cards are written.
export type CardElement = { type: string } & Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  fallbackText: string;
  body: CardElement[];
  actions?: CardElement[];
  msteams?: { width: 'Full' };
}

export interface RenderedCard {
  card: AdaptiveCard;
  /** Bytes the payload measured (see the `measure` option). */
  bytes: number;
  /** Changes shown on the card (visible or behind "Show details") and in the message. */
  shownItems: number;
  totalItems: number;
  /** True when the card had to be summarised to fit. */
  summarised: boolean;
}

export interface CardOptions {
  /** Largest payload in bytes (default: a bot message, 80 KB). */
  maxBytes?: number;
  /** Size of the payload carrying the card (default: the card as JSON, counted in UTF-16). */
  measure?: (card: AdaptiveCard) => number;
  /** Items visible before "Show details" (default 5). */
  visibleItems?: number;
}

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
const SEVERITY_STYLE: Record<Severity, string> = { critical: 'attention', high: 'warning', medium: 'accent', low: 'emphasis', info: 'default' };
const SEVERITY_COLOR: Record<Severity, string> = { critical: 'Attention', high: 'Warning', medium: 'Accent', low: 'Default', info: 'Default' };

// ---------------------------------------------------------------------------------------------------------------
// Text

// Control characters (newline and tab kept), zero-width and bidirectional-override characters, lone surrogates.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|\p{Surrogate}/gu;

/** Text on one line: control and invisible characters removed, whitespace collapsed. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** Shortens text to at most `max` characters (code points) with an ellipsis; only for texts far longer than any real one. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Escapes text for the Adaptive Card markdown subset: `\`, `*`, `_`, `` ` ``, `~`, `[`, `]` and `|` get a backslash, and
 * so does a line that would start a heading, quote or list (`#`, `>`, `-`, `+`, `1.`). The text is put on one line.
 */
export function escapeCardMarkdown(text: string): string {
  const line = oneLine(text).replace(/[\\*_`~[\]|]/g, (c) => `\\${c}`);
  return line.replace(/^([#>+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** An http(s) URL safe inside a markdown link and in Action.OpenUrl (normalised; spaces and brackets encoded), or null. */
export function safeUrl(text: string, max = 2000): string | null {
  let url: URL;
  try {
    url = new URL(oneLine(text));
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const href = url.href.replace(/[()<>\s[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return href.length <= max ? href : null;
}

/** `[label](url)` for a safe URL; otherwise the label and the URL as escaped text (never a link). */
export function markdownLink(url: string, label: string): string {
  const text = escapeCardMarkdown(shorten(oneLine(label), 200)) || 'link';
  const safe = safeUrl(url);
  return safe === null ? `${text} (${escapeCardMarkdown(shorten(url, 300))})` : `[${text}](${safe})`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Elements

function textBlock(text: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

/** An edit `label: before → after` (as src/alerts/change-message.ts writes them), or null for other detail lines. */
export function parseEdit(detail: string): { label: string; before: string; after: string } | null {
  const line = oneLine(detail);
  const colon = line.indexOf(': ');
  if (colon <= 0) return null;
  const rest = line.slice(colon + 2);
  const arrow = rest.indexOf(' → ');
  if (arrow < 0) return null;
  return { label: line.slice(0, colon), before: rest.slice(0, arrow), after: rest.slice(arrow + 3) };
}

/** A detail line: an edit as struck-through before → after (text runs take no markdown), a URL as a link, else escaped text. */
function detailElement(detail: string): CardElement {
  const edit = parseEdit(detail);
  if (edit) {
    return {
      type: 'RichTextBlock',
      spacing: 'None',
      inlines: [
        { type: 'TextRun', text: `${shorten(edit.label, 200)}: ` },
        { type: 'TextRun', text: shorten(edit.before, MAX_DETAIL), strikethrough: true, isSubtle: true },
        { type: 'TextRun', text: ' → ' },
        { type: 'TextRun', text: shorten(edit.after, MAX_DETAIL), weight: 'Bolder' },
      ],
    };
  }
  const line = oneLine(detail);
  if (/^https?:\/\/\S+$/.test(line) && safeUrl(line) !== null) return textBlock(`· ${markdownLink(line, shorten(line, 120))}`, { spacing: 'None' });
  return textBlock(`· ${escapeCardMarkdown(shorten(line, MAX_DETAIL))}`, { spacing: 'None' });
}

/** One change: `**code** Chinese original`, the gloss in italics, the detail lines (at most `maxDetails`, the rest counted). */
function itemElement(item: MessageItem, maxDetails: number): CardElement {
  const code = oneLine(item.code);
  const text = escapeCardMarkdown(shorten(oneLine(item.text), MAX_TEXT));
  const items: CardElement[] = [];
  if (code === '…' || code === '•' || code === '') items.push(textBlock(code === '…' ? `… ${text}` : text));
  else items.push(textBlock(`**${escapeCardMarkdown(shorten(code, 120))}** ${text}`));
  const gloss = item.gloss ? oneLine(item.gloss) : '';
  if (gloss !== '') items.push(textBlock(`_gloss: ${escapeCardMarkdown(shorten(gloss, MAX_GLOSS))}_`, { isSubtle: true, spacing: 'None' }));
  const details = item.details.filter((d) => oneLine(d) !== '');
  for (const d of details.slice(0, maxDetails)) items.push(detailElement(d));
  if (details.length > maxDetails) items.push(textBlock(`· … and ${plural(details.length - maxDetails, 'more line')}`, { isSubtle: true, spacing: 'None' }));
  return { type: 'Container', spacing: 'Small', items };
}

interface Entry {
  heading: string;
  item: MessageItem;
}

function entries(message: Message): Entry[] {
  const out: Entry[] = [];
  for (const s of message.sections) for (const item of s.items) out.push({ heading: oneLine(s.heading), item });
  return out;
}

/** Section headings and items; a heading is repeated where a section continues in another part of the card. */
function sectionElements(list: readonly Entry[], maxDetails: number): CardElement[] {
  const out: CardElement[] = [];
  let heading: string | null = null;
  for (const e of list) {
    if (e.heading !== heading && e.heading !== '') {
      out.push(textBlock(escapeCardMarkdown(shorten(e.heading, 300)), { weight: 'Bolder', separator: true, spacing: 'Medium' }));
    }
    heading = e.heading;
    out.push(itemElement(e.item, maxDetails));
  }
  return out;
}

const FACT_LINE = /^(Notice|Detected|Recovered|Raised|Seen|Covers) (.+)$/;
const TOPICS_LINE = /^Topics: (.+)$/;

/** Context lines that read as facts (`Notice MOFCOM-2026-95`, `Detected …`, `Topics: …`) and the rest. */
function splitContext(context: readonly string[]): { facts: Array<{ title: string; value: string }>; notes: string[] } {
  const facts: Array<{ title: string; value: string }> = [];
  const notes: string[] = [];
  for (const raw of context) {
    const line = oneLine(raw);
    if (line === '') continue;
    const fact = FACT_LINE.exec(line);
    const topics = TOPICS_LINE.exec(line);
    if (fact) facts.push({ title: fact[1]!, value: fact[2]! });
    else if (topics) facts.push({ title: 'Topics', value: topics[1]! });
    else notes.push(line);
  }
  return { facts, notes };
}

interface Plan {
  /** Items put on the card (the first `visible` visible, the rest behind "Show details"). */
  items: number;
  visible: number;
  maxDetails: number;
  /** Context notes kept. */
  notes: number;
  /** Links besides the official one. */
  links: number;
}

function build(message: Message, all: readonly Entry[], plan: Plan): AdaptiveCard {
  const severity = message.severity;
  const title = shorten(oneLine(message.title), MAX_TITLE) || 'ExportWatch';
  const header: CardElement[] = [textBlock(escapeCardMarkdown(title), { weight: 'Bolder', size: 'Medium', style: 'heading' })];
  const subtitle = message.subtitle ? oneLine(message.subtitle) : '';
  header.push(
    textBlock(`**${SEVERITY_LABEL[severity]}**${subtitle ? ` · ${escapeCardMarkdown(shorten(subtitle, MAX_CONTEXT))}` : ''}`, {
      color: SEVERITY_COLOR[severity],
      spacing: 'Small',
    }),
  );
  const body: CardElement[] = [{ type: 'Container', style: SEVERITY_STYLE[severity], bleed: true, items: header }];

  const links = message.links;
  const official = links[0];
  if (official) {
    const extra = links.slice(1, 1 + plan.links).map((l) => markdownLink(l.url, l.label));
    if (links.length - 1 > plan.links) extra.push(`… ${plural(links.length - 1 - plan.links, 'more link')}`);
    body.push(textBlock([`🔗 **${markdownLink(official.url, official.label)}**`, ...extra].join('\n\n'), { spacing: 'Medium' }));
  }

  const { facts, notes } = splitContext(message.context);
  const factSet = [
    { title: 'Severity', value: SEVERITY_LABEL[severity] },
    ...facts.map((f) => ({ title: f.title, value: escapeCardMarkdown(shorten(f.value, MAX_CONTEXT)) })),
  ];
  const total = all.length + message.omitted;
  if (total > 0 && (plan.items < all.length || message.omitted > 0)) factSet.push({ title: 'Changes', value: `${total} (${plan.items} shown here)` });
  body.push({ type: 'FactSet', facts: factSet, spacing: 'Medium' });

  const shown = all.slice(0, plan.items);
  body.push(...sectionElements(shown.slice(0, plan.visible), plan.maxDetails));
  const hidden = shown.slice(plan.visible);
  const actions: CardElement[] = [];
  if (hidden.length > 0) {
    body.push({ type: 'Container', id: DETAILS_ID, isVisible: false, items: sectionElements(hidden, plan.maxDetails) });
    body.push(textBlock(`${plural(hidden.length, 'more change')} under **Show details**.`, { isSubtle: true, spacing: 'Small' }));
  }
  const notShown = all.length - plan.items + message.omitted;
  if (notShown > 0) {
    body.push(
      textBlock(`… and ${plural(notShown, 'more change')} not listed here${official ? ' — see the official text' : ''}.`, { isSubtle: true, spacing: 'Small' }),
    );
  }
  const keptNotes = notes.slice(0, plan.notes).map((n) => escapeCardMarkdown(shorten(n, MAX_CONTEXT)));
  if (keptNotes.length > 0) body.push(textBlock(keptNotes.join('\n\n'), { isSubtle: true, size: 'Small', separator: true, spacing: 'Medium' }));

  const officialUrl = official ? safeUrl(official.url) : null;
  if (officialUrl !== null) actions.push({ type: 'Action.OpenUrl', title: shorten(oneLine(official!.label), 60) || 'Official text', url: officialUrl });
  if (hidden.length > 0) actions.push({ type: 'Action.ToggleVisibility', title: 'Show details', targetElements: [DETAILS_ID] });

  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    fallbackText: shorten(oneLine(`${message.title}${subtitle ? ` — ${subtitle}` : ''}`), 500) || 'ExportWatch',
    body,
    msteams: { width: 'Full' },
  };
  if (actions.length > 0) card.actions = actions;
  return card;
}

/** The card as JSON counted in UTF-16 (how Teams counts bot messages), in bytes. */
export function utf16Bytes(value: unknown): number {
  return JSON.stringify(value).length * 2;
}

export function utf8Bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * Renders a message as an Adaptive Card within `maxBytes`: everything when it fits; otherwise the most changes that fit
 * (the rest counted), then fewer detail lines, context notes and links; at the least the header, the official link
 * and the count of changes.
 */
export function renderCard(message: Message, options: CardOptions = {}): RenderedCard {
  const maxBytes = options.maxBytes ?? BOT_MESSAGE_MAX_BYTES;
  const measure = options.measure ?? ((card: AdaptiveCard) => utf16Bytes(card) + 1024);
  const visibleLimit = Math.max(0, options.visibleItems ?? VISIBLE_ITEMS);
  const all = entries(message);
  const notes = splitContext(message.context).notes.length;
  const plan = (items: number, maxDetails: number, keepNotes: number, links: number): Plan => ({
    items,
    visible: Math.min(items, visibleLimit),
    maxDetails,
    notes: keepNotes,
    links,
  });
  const attempt = (p: Plan): { card: AdaptiveCard; bytes: number } => {
    const card = build(message, all, p);
    return { card, bytes: measure(card) };
  };
  const done = (p: Plan, r: { card: AdaptiveCard; bytes: number }, summarised: boolean): RenderedCard => ({
    card: r.card,
    bytes: r.bytes,
    shownItems: p.items,
    totalItems: all.length + message.omitted,
    summarised,
  });

  const full = plan(all.length, MAX_DETAILS, notes, MAX_LINKS);
  const first = attempt(full);
  if (first.bytes <= maxBytes) return done(full, first, false);

  // Fewer changes: the largest count that fits (binary search), with all their detail lines, then with fewer.
  for (const maxDetails of [MAX_DETAILS, 3, 0]) {
    let lo = 0;
    let hi = all.length;
    let best: { p: Plan; r: { card: AdaptiveCard; bytes: number } } | null = null;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const p = plan(mid, maxDetails, notes, MAX_LINKS);
      const r = attempt(p);
      if (r.bytes <= maxBytes) {
        best = { p, r };
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best && best.p.items > 0) return done(best.p, best.r, true);
  }
  // No change fits: the header, the links and the count only, dropping context notes and extra links if need be.
  for (const [keepNotes, links] of [
    [notes, MAX_LINKS],
    [0, MAX_LINKS],
    [0, 0],
  ] as const) {
    const p = plan(0, 0, keepNotes, links);
    const r = attempt(p);
    if (r.bytes <= maxBytes) return done(p, r, true);
  }
  // Only a message with an absurd title or subtitle gets here: the smallest card there is.
  const bare: Message = {
    ...message,
    title: shorten(oneLine(message.title), 150),
    subtitle: message.subtitle ? shorten(oneLine(message.subtitle), 300) : null,
    context: [],
  };
  const p = plan(0, 0, 0, 0);
  const card = build(bare, [], p);
  return { card, bytes: measure(card), shownItems: 0, totalItems: all.length + message.omitted, summarised: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Payloads

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  content: AdaptiveCard;
}

/** The Workflows webhook body: `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":…}]}`. */
export interface WorkflowEnvelope {
  type: 'message';
  attachments: [CardAttachment];
}

export function cardAttachment(card: AdaptiveCard): CardAttachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

export function workflowEnvelope(card: AdaptiveCard): WorkflowEnvelope {
  return { type: 'message', attachments: [cardAttachment(card)] };
}

/** The card for a Workflows webhook, bounded by the size of the whole envelope as posted (UTF-8). */
export function renderWorkflowCard(message: Message, maxBytes = WORKFLOW_MAX_BYTES): RenderedCard {
  return renderCard(message, {
    maxBytes,
    measure: (card) => {
      return utf8Bytes(workflowEnvelope(card));
    },
  });
}

/** An outgoing bot message: the card, and the title as the notification summary. */
export interface CardActivity {
  type: 'message';
  summary: string;
  attachments: [CardAttachment];
}

export function cardActivity(message: Message, maxBytes = BOT_MESSAGE_MAX_BYTES): { activity: CardActivity; rendered: RenderedCard } {
  const summary = shorten(oneLine(message.title), 200) || 'ExportWatch';
  // The activity around the card (ids, service URL, addresses) adds about 1 KB.
  const rendered = renderCard(message, { maxBytes, measure: (card) => utf16Bytes({ type: 'message', summary, attachments: [cardAttachment(card)] }) + 2048 });
  return { activity: { type: 'message', summary, attachments: [cardAttachment(rendered.card)] }, rendered };
}
