// Block Kit rendering of the platform-neutral Message (src/alerts/message.ts), within Slack's limits:
// at most 50 blocks a message (100 in the App Home), 3000 characters a section, 150 a header, 10 context elements,
// always a `text` fallback, unfurling off. Every piece of scraped text goes through escape.ts.
//
// Layouts: an alert has a header, a one-line summary with severity, the official link first, the changes (code, Chinese
// original, gloss, detail lines such as control-point edits) and a context line. A long change set is summarised: the
// first items in the message, the rest in thread replies (deliveries) or counted (answers to commands, which cannot
// have a thread). A digest keeps its sections in order; a source-health alert is one compact section.
import type { types } from '@slack/bolt';
import type { Message, MessageItem } from '../../src/alerts/message.js';
import { SEVERITY_MARK } from '../../src/alerts/message.js';
import type { Subscription } from '../../src/alerts/types.js';
import { channelMention, escapeMrkdwn, mrkdwnLink, oneLine, plainText, safeUrl, truncate, truncateMrkdwn } from './escape.js';

export type Block = types.KnownBlock;

export const SLACK_LIMITS = {
  blocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  header: 150,
  contextElements: 10,
  fallbackText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
} as const;

/** What chat.postMessage and respond() take (plus the channel and thread). */
export interface SlackPayload {
  text: string;
  blocks: Block[];
  unfurl_links: false;
  unfurl_media: false;
}

export interface RenderedMessage {
  main: SlackPayload;
  /** Thread replies with the detail that did not fit (empty for short messages). */
  thread: SlackPayload[];
}

export type Layout = 'alert' | 'digest' | 'health';

export interface RenderOptions {
  /** Put what does not fit into thread replies (deliveries) rather than only counting it (answers to commands). */
  thread?: boolean;
  /** Most items an alert shows in the message itself (default 10). */
  mainItems?: number;
  /** Blocks the caller will append (buttons, "shared by"). */
  reserveBlocks?: number;
  /** Most thread replies (default 5); what is left after them is counted. */
  maxThreadReplies?: number;
}

const ITEM_MAX = 2800;
const HEADING_MAX = 150;
const CONTEXT_ITEM_MAX = 1500;
const MAX_LINKS = 5;
const MAX_DETAILS = 8;
/** Item blocks an alert may use in the message itself. */
const ALERT_ITEM_BLOCKS = 12;
/** Item blocks per thread reply (plus an intro section). */
const THREAD_ITEM_BLOCKS = 45;

const SEVERITY_LABEL = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' } as const;

/** Digests are titled `ExportWatch daily|weekly — …`; source-health and delivery alerts name a source or a delivery. */
export function layoutOf(message: Message): Layout {
  if (/^ExportWatch (daily|weekly) — /.test(message.title)) return 'digest';
  if (/^(⚠️|✅) Source "/.test(message.title) || /^\S+ Delivery \d+ to .* failed/.test(message.title)) return 'health';
  return 'alert';
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.sectionText) } };
}

function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: plainText(text, SLACK_LIMITS.header), emoji: true } };
}

/** Context elements: at most 10; extra lines are joined into the last one. */
export function contextBlock(lines: readonly string[], escaped = false): Block | null {
  const texts = lines.map((l) => (escaped ? l : escapeMrkdwn(oneLine(l)))).filter((t) => t !== '');
  if (texts.length === 0) return null;
  const max = SLACK_LIMITS.contextElements;
  const kept = texts.length > max ? [...texts.slice(0, max - 1), texts.slice(max - 1).join(' · ')] : texts;
  return { type: 'context', elements: kept.map((t) => ({ type: 'mrkdwn' as const, text: truncateMrkdwn(t, CONTEXT_ITEM_MAX) })) };
}

function detailLine(detail: string): string {
  const text = oneLine(detail);
  if (/^https?:\/\/\S+$/.test(text) && safeUrl(text) !== null) return mrkdwnLink(text, truncate(text, 120));
  return escapeMrkdwn(truncate(text, 400));
}

/** One item as mrkdwn: `• *code* Chinese original _(gloss: …)_` and its detail lines (control-point edits, before → after). */
export function itemText(item: MessageItem): string {
  const code = oneLine(item.code);
  const text = escapeMrkdwn(truncate(oneLine(item.text), 1000));
  const gloss = item.gloss && oneLine(item.gloss) !== '' ? ` _(gloss: ${escapeMrkdwn(truncate(oneLine(item.gloss), 300))})_` : '';
  const lead = code === '' || code === '•' ? `• ${text}` : `• *${escapeMrkdwn(truncate(code, 80))}* ${text}`;
  const details = item.details.slice(0, MAX_DETAILS).map((d) => `      ${detailLine(d)}`);
  if (item.details.length > MAX_DETAILS) details.push(`      … ${item.details.length - MAX_DETAILS} more`);
  return truncateMrkdwn([`${lead}${gloss}`, ...details].join('\n'), ITEM_MAX);
}

interface Line {
  heading: string;
  text: string;
}

function lines(message: Message): Line[] {
  const out: Line[] = [];
  for (const s of message.sections) {
    const heading = truncateMrkdwn(escapeMrkdwn(truncate(oneLine(s.heading), HEADING_MAX)), 200);
    for (const item of s.items) out.push({ heading, text: itemText(item) });
    if (s.items.length === 0 && heading !== '') out.push({ heading, text: '' });
  }
  return out;
}

/** Packs lines into at most `maxBlocks` section blocks of at most 3000 characters; a heading is written where its section starts. */
function pack(items: readonly Line[], maxBlocks: number): { blocks: Block[]; used: number } {
  const blocks: Block[] = [];
  let current = '';
  let count = 0;
  let used = 0;
  let lastHeading: string | null = null;
  for (const line of items) {
    const head = line.heading !== lastHeading && line.heading !== '' ? `*${line.heading}*` : null;
    const piece = [head, line.text].filter((p): p is string => p !== null && p !== '').join('\n');
    if (current === '') {
      current = piece;
      count = 1;
    } else if (current.length + 1 + piece.length <= SLACK_LIMITS.sectionText) {
      current = `${current}\n${piece}`;
      count += 1;
    } else {
      // Flushing would leave no block for this line: stop here, the rest goes elsewhere.
      if (blocks.length + 1 >= maxBlocks) break;
      blocks.push(section(current));
      used += count;
      current = piece;
      count = 1;
    }
    lastHeading = line.heading;
  }
  if (current !== '') {
    blocks.push(section(current));
    used += count;
  }
  return { blocks, used };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The notification text: title and summary, one line, escaped. */
export function fallbackText(message: Message): string {
  const subtitle = message.subtitle ? ` — ${oneLine(message.subtitle)}` : '';
  return truncateMrkdwn(escapeMrkdwn(oneLine(`${message.title}${subtitle}`)) || 'ExportWatch', SLACK_LIMITS.fallbackText);
}

function payload(text: string, blocks: Block[]): SlackPayload {
  return { text, blocks, unfurl_links: false, unfurl_media: false };
}

/** Renders a message: the main payload and, for long change sets with `thread`, the detail as thread replies. */
export function renderMessage(message: Message, options: RenderOptions = {}): RenderedMessage {
  const layout = layoutOf(message);
  const reserve = Math.max(0, options.reserveBlocks ?? 0);
  const blocks: Block[] = [];
  if (layout === 'health') {
    const parts = [`*${escapeMrkdwn(truncate(oneLine(message.title), 500))}*`];
    if (message.subtitle) parts.push(escapeMrkdwn(truncate(oneLine(message.subtitle), 1500)));
    blocks.push(section(parts.join('\n')));
  } else {
    blocks.push(header(message.title));
    // The summary: severity (unless merely informational) and the notice line; a digest's summary is its subtitle.
    const subtitle = message.subtitle ? escapeMrkdwn(truncate(oneLine(message.subtitle), 1500)) : '';
    const badge = layout === 'alert' && message.severity !== 'info' ? `${SEVERITY_MARK[message.severity]} *${SEVERITY_LABEL[message.severity]}*` : '';
    const summary = [badge, subtitle].filter((p) => p !== '').join(' · ');
    if (summary !== '') blocks.push(section(summary));
  }
  const links = message.links.slice(0, MAX_LINKS).map((l, i) => `${i === 0 ? '*Official text:* ' : ''}${mrkdwnLink(l.url, l.label)}`);
  if (message.links.length > MAX_LINKS) links.push(`… ${plural(message.links.length - MAX_LINKS, 'more link', 'more links')}`);
  if (links.length > 0) blocks.push(section(links.join('\n')));

  const all = lines(message);
  const context = contextBlock(message.context);
  // Fixed blocks so far, plus the "more" note, the context and what the caller reserved.
  const tail = 1 + (context ? 1 : 0) + reserve;
  const free = Math.max(1, SLACK_LIMITS.blocks - blocks.length - tail);
  const itemBudget = layout === 'alert' ? Math.min(free, ALERT_ITEM_BLOCKS) : free;
  const mainLines = layout === 'alert' ? all.slice(0, options.mainItems ?? 10) : all;
  const packed = pack(mainLines, itemBudget);
  blocks.push(...packed.blocks);
  const rest = all.slice(packed.used).filter((l) => l.text !== '');

  const thread: SlackPayload[] = [];
  let notShown = rest.length;
  if (options.thread && rest.length > 0) {
    const maxReplies = options.maxThreadReplies ?? 5;
    let remaining = rest;
    const replies: Block[][] = [];
    while (remaining.length > 0 && replies.length < maxReplies) {
      const chunk = pack(remaining, THREAD_ITEM_BLOCKS);
      if (chunk.used === 0) break;
      replies.push(chunk.blocks);
      remaining = remaining.slice(chunk.used);
    }
    notShown = remaining.length;
    const title = escapeMrkdwn(truncate(oneLine(message.title), 200));
    replies.forEach((replyBlocks, i) => {
      const intro = section(`*Details${replies.length > 1 ? ` (${i + 1} of ${replies.length})` : ''}:* ${title}`);
      const last = i === replies.length - 1 && notShown > 0 ? [section(`… and ${plural(notShown, 'more change', 'more changes')} not shown`)] : [];
      thread.push(payload(truncateMrkdwn(`Details ${i + 1}/${replies.length}: ${title}`, SLACK_LIMITS.fallbackText), [intro, ...replyBlocks, ...last]));
    });
  }
  const notes: string[] = [];
  const inThread = rest.length - notShown;
  if (inThread > 0) notes.push(`… and ${plural(inThread, 'more change', 'more changes')} in the thread`);
  if (notShown > 0 && thread.length === 0) notes.push(`… and ${plural(notShown, 'more item', 'more items')} not shown here`);
  if (message.omitted > 0) notes.push(`… and ${plural(message.omitted, 'more change', 'more changes')} not listed — see the official text`);
  if (notes.length > 0) blocks.push(section(notes.join('\n')));
  if (context) blocks.push(context);
  return { main: payload(fallbackText(message), blocks), thread };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers to /exportwatch and the App Home.

export const SHARE_ACTION_ID = 'exportwatch_share';
export const OPEN_LINK_ACTION_ID = 'exportwatch_open_link';

export interface ReplyRenderOptions {
  /** The button value for "Share in channel" (the command to run again in the channel), or null for no button. */
  shareValue?: string | null;
  /** The user who shared the answer in the channel. */
  sharedBy?: string | null;
}

/** An answer to a command: the message (no thread: a response_url cannot post one), with buttons when shareable. */
export function renderReply(message: Message, options: ReplyRenderOptions = {}): SlackPayload {
  const share = options.shareValue !== undefined && options.shareValue !== null && options.shareValue.length <= SLACK_LIMITS.buttonValue;
  const reserve = (share ? 1 : 0) + (options.sharedBy ? 1 : 0);
  const { main } = renderMessage(message, { thread: false, reserveBlocks: reserve });
  const blocks = [...main.blocks];
  if (share) {
    const elements: types.Button[] = [
      { type: 'button', action_id: SHARE_ACTION_ID, text: { type: 'plain_text', text: 'Share in channel' }, value: options.shareValue! },
    ];
    const official = message.links[0] ? safeUrl(message.links[0].url) : null;
    if (official !== null)
      elements.push({ type: 'button', action_id: OPEN_LINK_ACTION_ID, text: { type: 'plain_text', text: 'Open official text' }, url: official });
    blocks.push({ type: 'actions', elements });
  }
  if (options.sharedBy) blocks.push(contextBlock([`Shared by ${options.sharedBy}`], true)!);
  return { ...main, blocks };
}

/** A short answer (errors, refusals). */
export function renderNotice(text: string): SlackPayload {
  const escaped = escapeMrkdwn(oneLine(text));
  return payload(truncateMrkdwn(escaped, SLACK_LIMITS.fallbackText), [section(escaped)]);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** One subscription as a line: what, how often, from which severity, muted. */
export function subscriptionLine(sub: Subscription, now: Date): string {
  const what = [...sub.topics, ...sub.keywords.map((k) => `"${k}"`)].join(', ') || 'everything';
  const time = `${String(sub.digestHour).padStart(2, '0')}:${String(sub.digestMinute).padStart(2, '0')}`;
  const schedule =
    sub.mode === 'immediate'
      ? 'immediate'
      : sub.mode === 'daily'
        ? `daily digest ${time} ${sub.timezone}`
        : `${sub.mode === 'weekly' ? '' : 'immediate + '}weekly digest ${DAYS[sub.digestDay] ?? '?'} ${time} ${sub.timezone}`;
  const muted = sub.mutedUntil && sub.mutedUntil > now.toISOString() ? ` · muted until ${sub.mutedUntil.slice(0, 16).replace('T', ' ')} UTC` : '';
  return `• ${escapeMrkdwn(truncate(oneLine(what), 400))} — ${escapeMrkdwn(schedule)}, severity ≥ ${sub.minSeverity}${muted}`;
}

export interface HomeChannel {
  channelId: string;
  subscriptions: Subscription[];
}

export interface HomeInput {
  channels: HomeChannel[];
  /** Channels with subscriptions not checked (over the lookup limit). */
  uncheckedChannels: number;
  latest: Array<{ message: Message; occurredAt: string }>;
  now: Date;
}

/** The App Home tab: the user's channels' subscriptions and the latest changes (at most 100 blocks). */
export function renderHome(input: HomeInput): { type: 'home'; blocks: Block[] } {
  const blocks: Block[] = [header('ExportWatch'), section('China export-control changes, watched for you. Type `/exportwatch help` in any channel.')];
  blocks.push({ type: 'divider' }, header('Your channels’ subscriptions'));
  if (input.channels.length === 0) {
    blocks.push(section('None of your channels subscribes yet. In a channel, type `/exportwatch subscribe rare-earths` (see `/exportwatch topics`).'));
  }
  const maxChannels = 30;
  for (const ch of input.channels.slice(0, maxChannels)) {
    const subLines = ch.subscriptions.map((s) => subscriptionLine(s, input.now));
    blocks.push(section([channelMention(ch.channelId), ...subLines].join('\n')));
  }
  const moreChannels = Math.max(0, input.channels.length - maxChannels) + input.uncheckedChannels;
  if (moreChannels > 0) blocks.push(contextBlock([`… and ${plural(moreChannels, 'more channel', 'more channels')} not listed here`])!);
  blocks.push({ type: 'divider' }, header('Latest changes'));
  if (input.latest.length === 0) blocks.push(section('No register changes recorded yet.'));
  for (const e of input.latest.slice(0, 10)) {
    const official = e.message.links[0];
    const parts = [`*${escapeMrkdwn(truncate(oneLine(e.message.title), 300))}*`];
    if (e.message.subtitle) parts.push(escapeMrkdwn(truncate(oneLine(e.message.subtitle), 500)));
    if (official) parts.push(mrkdwnLink(official.url, official.label));
    blocks.push(section(parts.join('\n')));
    blocks.push(contextBlock([`Detected ${e.occurredAt.slice(0, 16).replace('T', ' ')} UTC`])!);
  }
  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.homeBlocks) };
}
