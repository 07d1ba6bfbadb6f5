// Composes one digest (MESSAGES.md §5) from what the caller gathered for a subscription and period:
// changes per notice by severity, notices flagged for review, deadlines, matching news and source health.
// Pure: the caller has already matched everything to the subscription (topics, keywords, minimum
// severity); this module orders, deduplicates, caps and words it, with dates in the subscription's zone.
import type { Severity } from '../domain/types.js';
import { SEVERITY_ORDER } from '../domain/types.js';
import { REGISTER_LABEL } from './change-message.js';
import { noticeLabel, type Deadline } from './deadlines.js';
import { localDate, localTime, type DigestCadence } from './digest-schedule.js';
import { SEVERITY_MARK, type Message, type MessageItem, type MessageSection } from './message.js';
import type { Subscription } from './types.js';

export interface DigestChangeSet {
  noticeKey: string | null;
  register: string;
  severity: Severity;
  /** One line saying what changed, e.g. `dual-use control: scandium (1C907.a–b), in force 2026-11-15`. */
  summary: string;
  url: string | null;
  topics: string[];
  /** `YYYY-MM-DD` as the notice prints it, or an ISO timestamp. */
  publishedAt: string | null;
}

export interface DigestFlaggedNotice {
  key: string;
  title: string;
  flags: string[];
  url: string | null;
}

export interface DigestNewsItem {
  title: string;
  link: string;
  /** ISO timestamp. */
  published: string;
  /** Name of the feed, e.g. `Mining.com`. */
  feed: string;
}

export interface DigestSources {
  healthy: boolean;
  failing: string[];
  /** ISO timestamp of the last poll of any source. */
  lastPollAt: string | null;
}

export interface DigestInput {
  /** How the destination is named in the title, e.g. `#trade-compliance`. */
  destinationLabel: string;
  subscription: Pick<Subscription, 'topics' | 'keywords' | 'timezone' | 'emptyDigest'>;
  period: { from: Date; to: Date };
  /** Default: `daily` for a period of 36 hours or less, else `weekly`. */
  cadence?: DigestCadence;
  changeSets: DigestChangeSet[];
  flaggedNotices: DigestFlaggedNotice[];
  news: DigestNewsItem[];
  deadlines: Deadline[];
  sources: DigestSources;
  /** Most news items shown (default 10). */
  maxNews?: number;
  /** Most items in any other section (default 25). */
  maxItems?: number;
}

const DEFAULT_MAX_NEWS = 10;
const DEFAULT_MAX_ITEMS = 25;
const MAX_TEXT = 300;
const MAX_FLAGS_PER_NOTICE = 5;
const REGISTER_ORDER = Object.keys(REGISTER_LABEL);

/** One line of at most `max` characters: whitespace collapsed, the rest cut with an ellipsis. */
function clip(text: string, max = MAX_TEXT): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const rank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);
const registerRank = (r: string): number => (REGISTER_ORDER.includes(r) ? REGISTER_ORDER.indexOf(r) : REGISTER_ORDER.length);

/** A date as the reader's calendar shows it: timestamps converted to the zone, bare dates kept. */
function readerDate(value: string, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? clip(value, 20) : localDate(new Date(t), timeZone);
}

/** The local dates a period touches: `2026-11-23 to 2026-11-29` for Monday 00:00 to Monday 00:00. */
function periodRange(period: { from: Date; to: Date }, timeZone: string): string {
  const first = localDate(period.from, timeZone);
  const last = localDate(new Date(Math.max(period.from.getTime(), period.to.getTime() - 1)), timeZone);
  return first === last ? first : `${first} to ${last}`;
}

function localStamp(at: Date, timeZone: string): string {
  return `${localDate(at, timeZone)} ${localTime(at, timeZone)}`;
}

/** Caps a section: at most `max` items, then `… and N more`. */
function capped(heading: string, items: MessageItem[], max: number, more = (n: number): string => `and ${n} more`): MessageSection {
  const shown = items.slice(0, Math.max(0, max));
  const hidden = items.length - shown.length;
  if (hidden > 0) shown.push({ code: '…', text: more(hidden), gloss: null, details: [] });
  return { heading, items: shown };
}

interface NoticeGroup {
  key: string | null;
  sets: DigestChangeSet[];
  severity: Severity;
}

/** One group per notice (change sets without a notice stay alone), the most severe first. */
function groupByNotice(changeSets: readonly DigestChangeSet[]): NoticeGroup[] {
  const groups: NoticeGroup[] = [];
  const byKey = new Map<string, NoticeGroup>();
  for (const set of changeSets) {
    const existing = set.noticeKey === null ? undefined : byKey.get(set.noticeKey);
    if (existing) {
      existing.sets.push(set);
      if (rank(set.severity) < rank(existing.severity)) existing.severity = set.severity;
      continue;
    }
    const group: NoticeGroup = { key: set.noticeKey, sets: [set], severity: set.severity };
    groups.push(group);
    if (set.noticeKey !== null) byKey.set(set.noticeKey, group);
  }
  const bySet = (a: DigestChangeSet, b: DigestChangeSet): number => rank(a.severity) - rank(b.severity) || registerRank(a.register) - registerRank(b.register);
  for (const g of groups) g.sets.sort(bySet);
  const published = (g: NoticeGroup): string => g.sets.map((s) => s.publishedAt ?? '').sort()[g.sets.length - 1] ?? '';
  return groups.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      registerRank(a.sets[0]!.register) - registerRank(b.sets[0]!.register) ||
      published(b).localeCompare(published(a)) ||
      (a.key ?? '').localeCompare(b.key ?? ''),
  );
}

function changeItem(group: NoticeGroup, timeZone: string): MessageItem {
  const first = group.sets[0]!;
  const name = group.key ? noticeLabel(group.key) : (REGISTER_LABEL[first.register] ?? first.register);
  const registers = [...new Set(group.sets.map((s) => REGISTER_LABEL[s.register] ?? s.register))];
  const topics = [...new Set(group.sets.flatMap((s) => s.topics))];
  const publishedAt = group.sets.find((s) => s.publishedAt)?.publishedAt ?? null;
  const facts = [registers.join(', ')];
  if (publishedAt) facts.push(`published ${readerDate(publishedAt, timeZone)}`);
  if (topics.length > 0) facts.push(`topics: ${topics.join(', ')}`);
  const details = [facts.join(' · ')];
  const url = group.sets.find((s) => s.url)?.url;
  if (url) details.push(url);
  return {
    code: `${SEVERITY_MARK[group.severity]} ${name}`,
    text: clip([...new Set(group.sets.map((s) => s.summary.trim()).filter(Boolean))].join('; ')),
    gloss: null,
    details,
  };
}

function flaggedItem(notice: DigestFlaggedNotice): MessageItem {
  const flags = notice.flags.slice(0, MAX_FLAGS_PER_NOTICE).map((f) => clip(f, 200));
  if (notice.flags.length > MAX_FLAGS_PER_NOTICE) flags.push(`… and ${notice.flags.length - MAX_FLAGS_PER_NOTICE} more reasons`);
  if (notice.url) flags.push(notice.url);
  return { code: `⚠️ ${noticeLabel(notice.key)}`, text: clip(notice.title || notice.key, 160), gloss: null, details: flags };
}

function deadlineItem(d: Deadline): MessageItem {
  const space = d.text.indexOf(' ');
  return space > 0
    ? { code: d.text.slice(0, space), text: d.text.slice(space + 1), gloss: null, details: [] }
    : { code: '⏰', text: d.text, gloss: null, details: [] };
}

const TRACKING_PARAM = /^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref|ref_src)$/i;

/** A link without tracking parameters, fragment, `www.` or trailing slash: the same article under two URLs compares equal. */
export function canonicalLink(link: string): string {
  try {
    const url = new URL(link.trim());
    for (const name of [...url.searchParams.keys()]) if (TRACKING_PARAM.test(name)) url.searchParams.delete(name);
    url.hash = '';
    const host = url.hostname.toLowerCase().replace(/^www\./, '');
    const path = url.pathname.replace(/\/+$/, '');
    const query = url.searchParams.toString();
    return `${host}${path}${query ? `?${query}` : ''}`;
  } catch {
    return link.trim();
  }
}

function titleKey(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** News newest first, each article once (same canonical link, or same normalised title, as a newer one → dropped). */
export function dedupeNews(news: readonly DigestNewsItem[]): DigestNewsItem[] {
  const time = (n: DigestNewsItem): number => {
    const t = Date.parse(n.published);
    return Number.isNaN(t) ? -Infinity : t;
  };
  const sorted = [...news].sort((a, b) => time(b) - time(a) || a.title.localeCompare(b.title));
  const links = new Set<string>();
  const titles = new Set<string>();
  const out: DigestNewsItem[] = [];
  for (const item of sorted) {
    const link = canonicalLink(item.link);
    const title = titleKey(item.title);
    if (links.has(link) || (title !== '' && titles.has(title))) continue;
    links.add(link);
    if (title !== '') titles.add(title);
    out.push(item);
  }
  return out;
}

function newsItem(n: DigestNewsItem, timeZone: string): MessageItem {
  return { code: '•', text: `${clip(n.feed, 60)} — "${clip(n.title, 200)}" (${readerDate(n.published, timeZone)})`, gloss: null, details: [n.link] };
}

function sourcesLine(sources: DigestSources, periodEnd: Date, timeZone: string): string {
  let poll = 'no poll yet';
  const t = sources.lastPollAt === null ? NaN : Date.parse(sources.lastPollAt);
  if (!Number.isNaN(t)) {
    const at = new Date(t);
    // The time alone reads unambiguously within a day of the digest; older polls get their date.
    const recent = Math.abs(periodEnd.getTime() - t) < 86_400_000;
    poll = `last poll ${recent ? localTime(at, timeZone) : localStamp(at, timeZone)}`;
  }
  const state = sources.failing.length > 0 ? `failing — ${sources.failing.join(', ')}` : sources.healthy ? 'all healthy' : 'not all healthy';
  return `Sources: ${state} · ${poll}`;
}

/**
 * The digest message, or null for an empty period when the subscription opted out of empty digests.
 * A period is empty when it has no changes, flagged notices, open deadlines or news. Passed suspensions
 * that were settled are left out; every section shows at most `maxItems` (news: `maxNews`) items and
 * ends with `… and N more`. `Message.omitted` stays 0: the counts are in the sections.
 */
export function composeDigest(input: DigestInput): Message | null {
  const zone = input.subscription.timezone;
  const { period } = input;
  const cadence = input.cadence ?? (period.to.getTime() - period.from.getTime() <= 36 * 3_600_000 ? 'daily' : 'weekly');
  const maxItems = input.maxItems ?? DEFAULT_MAX_ITEMS;
  const maxNews = input.maxNews ?? DEFAULT_MAX_NEWS;
  const groups = groupByNotice(input.changeSets);
  const flagged = input.flaggedNotices;
  const deadlines = input.deadlines.filter((d) => !(d.kind === 'suspension-ended' && d.settled));
  const news = dedupeNews(input.news);
  const empty = groups.length === 0 && flagged.length === 0 && deadlines.length === 0 && news.length === 0;
  if (empty && !input.subscription.emptyDigest) return null;

  const sections: MessageSection[] = [];
  if (groups.length > 0) {
    sections.push(
      capped(
        `Changes (${plural(groups.length, 'notice', 'notices')})`,
        groups.map((g) => changeItem(g, zone)),
        maxItems,
      ),
    );
  }
  if (flagged.length > 0) sections.push(capped('Flagged for review', flagged.map(flaggedItem), maxItems));
  if (deadlines.length > 0) sections.push(capped('Deadlines', deadlines.map(deadlineItem), maxItems));
  if (news.length > 0) {
    const shown = Math.min(maxNews, news.length);
    const matching = [...input.subscription.topics, ...input.subscription.keywords.map((k) => `"${k}"`)];
    const about = matching.length > 0 ? ` matching ${clip(matching.join(', '), 120)}` : '';
    const count = shown < news.length ? `${shown} of ${news.length}` : `${news.length}`;
    sections.push(
      capped(
        `News (${count}${about})`,
        news.map((n) => newsItem(n, zone)),
        maxNews,
        (n) => `${n} more`,
      ),
    );
  }

  const summary: string[] = [];
  if (groups.length > 0) summary.push(`${plural(groups.length, 'notice', 'notices')} changed registers`);
  else if (!empty) summary.push('No register changes');
  if (flagged.length > 0) summary.push(`${flagged.length} flagged for review`);
  if (deadlines.length > 0) summary.push(plural(deadlines.length, 'deadline', 'deadlines'));
  if (news.length > 0) summary.push(plural(news.length, 'news item', 'news items'));
  const unhealthy = !input.sources.healthy || input.sources.failing.length > 0;
  let subtitle = empty ? `No changes, flagged notices, deadlines or matching news this ${cadence === 'daily' ? 'day' : 'week'}.` : summary.join(' · ');
  if (empty && unhealthy) subtitle += ' Some sources were failing, so changes may not have been seen yet.';

  const top = groups[0]?.severity;
  const severity: Severity = top ?? (flagged.length > 0 || deadlines.some((d) => d.kind === 'suspension-ended') ? 'medium' : 'info');
  return {
    title: `ExportWatch ${cadence} — ${clip(input.destinationLabel, 100)} — ${periodRange(period, zone)} (${zone})`,
    severity,
    subtitle,
    links: [],
    sections,
    omitted: 0,
    context: [sourcesLine(input.sources, period.to, zone), `Covers ${localStamp(period.from, zone)} to ${localStamp(period.to, zone)} ${zone}`],
  };
}
