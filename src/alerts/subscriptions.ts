// Subscription input as operators (CLI) and chat users (Slack, Teams) give it: destination, topics,
// keywords, lowest severity, mode and digest schedule, parsed and bounded before anything is stored.
import { SEVERITY_ORDER, type Severity } from '../domain/types.js';
import { canonicalDestination, DestinationError } from './destination.js';
import type { Subscription, SubscriptionMode } from './types.js';

export const SUBSCRIPTION_MODES: readonly SubscriptionMode[] = ['immediate', 'daily', 'weekly', 'immediate+weekly'];
export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 60;
export const MAX_TOPICS = 50;
/** A mute longer than this is refused: a forgotten mute silently hides alerts. */
export const MAX_MUTE_MS = 366 * 24 * 3600 * 1000;
export const DEFAULT_DIGEST = 'mon 09:00 UTC';

/** Invalid subscription input; the message is meant for the person who typed it. */
export class SubscriptionError extends Error {
  override name = 'SubscriptionError';
}

/** What `saveSubscription` stores: a subscription without its id, creation time and mute. */
export type NewSubscription = Omit<Subscription, 'id' | 'createdAt' | 'mutedUntil'>;

export interface SubscriptionInput {
  /** Destination as written, e.g. `webhook:https://example.org/hook`. */
  to: string;
  /** Topic ids, as a list or comma-separated. */
  topics?: string[] | string | undefined;
  /** Free keywords in English or Chinese, as a list or comma-separated (`,` `，` `、`). */
  keywords?: string[] | string | undefined;
  minSeverity?: string | undefined;
  mode?: string | undefined;
  /** `"mon 09:00 Europe/Berlin"`, `"09:00 UTC"` (daily). */
  digest?: string | undefined;
  /** Send a short "no changes" digest for an empty period (default true). */
  emptyDigest?: boolean | undefined;
}

export interface DigestSchedule {
  /** Day of week 0–6 (Sunday 0); null when not written (a daily schedule). */
  day: number | null;
  hour: number;
  minute: number;
  timezone: string;
}

const DAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// Control, zero-width, bidirectional-override and other invisible characters.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

let zoneIndex: Map<string, string> | null = null;

/** The IANA zone name with its usual spelling, or null when Intl does not know it. */
export function canonicalTimeZone(text: string): string | null {
  const zone = text.trim();
  if (zone === '' || zone.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (zone.toUpperCase() === 'UTC') return 'UTC';
  zoneIndex ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  return zoneIndex.get(zone.toLowerCase()) ?? resolved;
}

/**
 * Parses a digest schedule: `[day] HH:MM [zone]`, e.g. `mon 09:00 Europe/Berlin`, `09:00 UTC`, `friday 17:30`.
 * The day is optional (a daily digest), the zone defaults to UTC; undefined or blank gives `mon 09:00 UTC`.
 */
export function parseDigestSchedule(text?: string): DigestSchedule {
  const input = (text ?? '').replace(INVISIBLE, ' ').trim();
  if (input === '') return { day: 1, hour: 9, minute: 0, timezone: 'UTC' };
  const usage = `write the digest schedule as "[day] HH:MM [time zone]", e.g. "mon 09:00 Europe/Berlin" or "09:00 UTC" for a daily digest`;
  if (input.length > 100) throw new SubscriptionError(usage);
  const words = input.split(/\s+/);
  let day: number | null = null;
  const first = words[0]?.toLowerCase() ?? '';
  if (Object.hasOwn(DAYS, first)) {
    day = DAYS[first] ?? null;
    words.shift();
  } else if (/^[a-z]+$/i.test(first)) {
    throw new SubscriptionError(`"${words[0]}" is not a day of the week (mon, tue, wed, thu, fri, sat, sun); ${usage}`);
  }
  const time = /^(\d{1,2}):(\d{2})$/.exec(words.shift() ?? '');
  if (!time) throw new SubscriptionError(`the digest schedule "${input}" has no time; ${usage}`);
  const hour = Number(time[1]);
  const minute = Number(time[2]);
  if (hour > 23 || minute > 59) throw new SubscriptionError(`"${time[0]}" is not a time of day (00:00 to 23:59)`);
  if (words.length > 1) throw new SubscriptionError(`unexpected "${words.slice(1).join(' ')}" in the digest schedule; ${usage}`);
  let timezone = 'UTC';
  if (words.length === 1) {
    const zone = canonicalTimeZone(words[0] ?? '');
    if (zone === null) throw new SubscriptionError(`"${words[0]}" is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Shanghai, America/New_York)`);
    timezone = zone;
  }
  return { day, hour, minute, timezone };
}

/** The schedule as written back: `mon 09:00 Europe/Berlin` for weekly modes, `09:00 Europe/Berlin` for daily, `` for immediate. */
export function formatDigestSchedule(sub: Pick<Subscription, 'mode' | 'digestDay' | 'digestHour' | 'digestMinute' | 'timezone'>): string {
  if (sub.mode === 'immediate') return '';
  const time = `${String(sub.digestHour).padStart(2, '0')}:${String(sub.digestMinute).padStart(2, '0')} ${sub.timezone}`;
  return sub.mode === 'daily' ? time : `${DAY_NAMES[sub.digestDay] ?? '?'} ${time}`;
}

function splitList(value: string[] | string | undefined): string[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? [value] : value;
  return items.flatMap((v) => v.split(/[,，、]/));
}

/** Cleans one keyword: NFC, invisible and control characters removed, whitespace collapsed. */
export function cleanKeyword(text: string): string {
  return text.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

function parseTopics(value: string[] | string | undefined, knownTopics: readonly string[]): string[] {
  const known = new Set(knownTopics);
  const topics = new Set<string>();
  for (const item of splitList(value)) {
    const topic = item.replace(INVISIBLE, '').trim().toLowerCase();
    if (topic === '') continue;
    if (!known.has(topic)) {
      const list = [...known].sort().join(', ');
      const shown = topic.length > 60 ? `${topic.slice(0, 60)}…` : topic;
      throw new SubscriptionError(known.size === 0 ? `unknown topic "${shown}": no topics are defined` : `unknown topic "${shown}"; known topics: ${list}`);
    }
    topics.add(topic);
  }
  if (topics.size > MAX_TOPICS) throw new SubscriptionError(`at most ${MAX_TOPICS} topics per subscription`);
  return [...topics].sort();
}

function parseKeywords(value: string[] | string | undefined): string[] {
  const byKey = new Map<string, string>();
  for (const item of splitList(value)) {
    const keyword = cleanKeyword(item);
    if (keyword === '') continue;
    if ([...keyword].length > MAX_KEYWORD_LENGTH)
      throw new SubscriptionError(`keyword "${[...keyword].slice(0, 20).join('')}…" is longer than ${MAX_KEYWORD_LENGTH} characters`);
    const key = keyword.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, keyword);
  }
  if (byKey.size > MAX_KEYWORDS) throw new SubscriptionError(`at most ${MAX_KEYWORDS} keywords per subscription, got ${byKey.size}`);
  return [...byKey.values()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
}

export function parseSeverity(text: string | undefined, fallback: Severity = 'info'): Severity {
  if (text === undefined || text.trim() === '') return fallback;
  const s = text.trim().toLowerCase();
  if (!(SEVERITY_ORDER as readonly string[]).includes(s)) {
    throw new SubscriptionError(`unknown severity "${text.trim().slice(0, 30)}"; use one of ${SEVERITY_ORDER.join(', ')} (most to least severe)`);
  }
  return s as Severity;
}

export function parseMode(text: string | undefined): SubscriptionMode | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const m = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!(SUBSCRIPTION_MODES as readonly string[]).includes(m)) {
    throw new SubscriptionError(`unknown mode "${text.trim().slice(0, 30)}"; use one of ${SUBSCRIPTION_MODES.join(', ')}`);
  }
  return m as SubscriptionMode;
}

/**
 * Validates subscription input. Destination canonicalised; topics must be known (lower case, sorted, deduplicated);
 * keywords cleaned, deduplicated case-insensitively and sorted (at most 20, each at most 60 characters);
 * minSeverity defaults to `info` (everything, news included). Mode defaults to `immediate`, or — when only a
 * digest schedule is given — to `weekly` (a day was written) or `daily` (no day). Throws SubscriptionError.
 */
export function parseSubscriptionInput(input: SubscriptionInput, knownTopics: readonly string[]): NewSubscription {
  let destination: string;
  try {
    destination = canonicalDestination(input.to ?? '');
  } catch (err) {
    if (err instanceof DestinationError) throw new SubscriptionError(err.message, { cause: err });
    throw err;
  }
  const topics = parseTopics(input.topics, knownTopics);
  const keywords = parseKeywords(input.keywords);
  const minSeverity = parseSeverity(input.minSeverity);
  const digestGiven = input.digest !== undefined && input.digest.trim() !== '';
  const schedule = parseDigestSchedule(input.digest);
  let mode = parseMode(input.mode);
  if (mode === undefined) mode = digestGiven ? (schedule.day === null ? 'daily' : 'weekly') : 'immediate';
  if (mode === 'immediate' && digestGiven) throw new SubscriptionError('a digest schedule needs mode daily, weekly or immediate+weekly');
  if (mode === 'daily' && digestGiven && schedule.day !== null)
    throw new SubscriptionError('a daily digest takes no day; write only the time, e.g. "09:00 Europe/Berlin"');
  return {
    destination,
    topics,
    keywords,
    minSeverity,
    mode,
    digestDay: schedule.day ?? 1,
    digestHour: schedule.hour,
    digestMinute: schedule.minute,
    timezone: schedule.timezone,
    emptyDigest: input.emptyDigest ?? true,
  };
}

/**
 * Parses a mute end: a duration (`30m`, `8h`, `3d`, `2w`), a date (`2026-05-01`, muted until that day starts, UTC)
 * or an ISO date-time with zone. `off`, `none` or `0` unmute (null). Must lie in the future and at most 366 days ahead.
 */
export function parseMuteUntil(text: string, now: Date): string | null {
  const input = text.trim().toLowerCase();
  if (['off', 'none', '0', 'no', 'unmute'].includes(input)) return null;
  let until: number;
  const duration = /^(\d{1,4})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)$/.exec(input);
  if (duration) {
    const unit = (duration[2] ?? 'm')[0];
    const ms = unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : unit === 'd' ? 86_400_000 : 7 * 86_400_000;
    until = now.getTime() + Number(duration[1]) * ms;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(input)) {
    until = Date.parse(`${input}T00:00:00Z`);
    if (Number.isNaN(until) || new Date(until).toISOString().slice(0, 10) !== input) throw new SubscriptionError(`"${text.trim()}" is not a date`);
  } else if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:\d{2})$/.test(input)) {
    until = Date.parse(input.toUpperCase());
    if (Number.isNaN(until)) throw new SubscriptionError(`"${text.trim()}" is not a date-time`);
  } else {
    throw new SubscriptionError(
      `write the mute end as a duration (8h, 3d, 2w), a date (2026-05-01) or an ISO date-time with zone, got "${text.trim().slice(0, 40)}"`,
    );
  }
  if (until <= now.getTime()) throw new SubscriptionError('the mute end lies in the past');
  if (until - now.getTime() > MAX_MUTE_MS) throw new SubscriptionError('a mute may last at most 366 days');
  return new Date(until).toISOString();
}
