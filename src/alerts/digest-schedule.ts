// When digests are due: every local digest moment of a subscription (weekly on its day, or daily) in its
// IANA time zone, and the period each digest covers. Zone arithmetic uses Intl only (no date library):
// the offset of a zone at an instant comes from formatToParts, and a local wall time is turned into an
// instant by trying the offsets in force around it.
import type { Subscription } from './types.js';

export type DigestSchedule = Pick<Subscription, 'mode' | 'digestDay' | 'digestHour' | 'digestMinute' | 'timezone'>;
export type DigestCadence = 'weekly' | 'daily';

export interface DigestPeriod {
  /**
   * Stable id of the period: `<YYYY-MM-DD local date the digest is scheduled for>/<weekly|daily>`, e.g.
   * `2026-11-30/weekly`. The same for `weekly` and `immediate+weekly`, so switching between them does not resend.
   */
  key: string;
  /** The previous digest moment; the period is (from, to]. */
  from: Date;
  to: Date;
  /** When the digest is due: equal to `to`. */
  sendAt: Date;
}

/** A wall-clock date and time in some zone; month 1–12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const SAMPLE_MS = 30 * 3_600_000;
/** Longest run of non-existent local minutes searched (real gaps are 30–60 minutes; Samoa 2011 skipped a whole day). */
const MAX_GAP_MINUTES = 26 * 60;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch (err) {
      throw new RangeError(`unknown time zone "${timeZone}"`, { cause: err });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The wall-clock time in `timeZone` at an instant. */
export function localDateTime(at: Date, timeZone: string): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      out[p.type] = Number(p.value);
    }
  }
  // Some ICU versions print midnight as 24 even with h23.
  if (out.hour === 24) out.hour = 0;
  return out;
}

function wallMs(t: LocalDateTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

/** Minutes the zone is ahead of UTC at an instant (Berlin in winter: 60; New York in summer: −240). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const ms = Math.floor(at.getTime() / 1000) * 1000;
  return (wallMs(localDateTime(new Date(ms), timeZone)) - ms) / MINUTE_MS;
}

/** `YYYY-MM-DD` of a local date. */
export function isoDate(t: Pick<LocalDateTime, 'year' | 'month' | 'day'>): string {
  return `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDate(at: Date, timeZone: string): string {
  return isoDate(localDateTime(at, timeZone));
}

/** `HH:MM` of an instant in a zone. */
export function localTime(at: Date, timeZone: string): string {
  const t = localDateTime(at, timeZone);
  return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

/** The instants at which the zone shows exactly this wall time, earliest first: none in a spring gap, two in an autumn overlap. */
function instantsOf(wall: number, timeZone: string): number[] {
  // The instant lies within 14 hours of the wall time read as UTC; the offsets in force 30 hours either side
  // are those before and after any transition near it (transitions are months apart).
  const offsets = new Set([-SAMPLE_MS, 0, SAMPLE_MS].map((d) => zoneOffsetMinutes(new Date(wall + d), timeZone)));
  const out: number[] = [];
  for (const offset of offsets) {
    const candidate = wall - offset * MINUTE_MS;
    if (wallMs(localDateTime(new Date(candidate), timeZone)) === wall) out.push(candidate);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * The instant of a local date and time in a zone. A time inside a spring-forward gap moves to the next
 * local minute that exists (Berlin 2026-03-29 02:30 → 03:00 CEST); an ambiguous autumn time takes its
 * first occurrence (Berlin 2026-10-25 02:30 → 02:30 CEST, 00:30 UTC).
 */
export function zonedTime(date: { year: number; month: number; day: number }, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  for (let skip = 0; skip <= MAX_GAP_MINUTES; skip++) {
    const found = instantsOf(wall + skip * MINUTE_MS, timeZone)[0];
    if (found !== undefined) return new Date(found);
  }
  throw new RangeError(`no valid local time at or after ${isoDate(date)} ${hour}:${minute} in ${timeZone}`);
}

export function cadenceOf(mode: Subscription['mode']): DigestCadence | null {
  switch (mode) {
    case 'daily':
      return 'daily';
    case 'weekly':
    case 'immediate+weekly':
      return 'weekly';
    case 'immediate':
      return null;
  }
}

function validate(sub: DigestSchedule): void {
  const int = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(sub.digestDay, 0, 6)) throw new RangeError(`digest day must be 0–6 (Sunday 0), got ${sub.digestDay}`);
  if (!int(sub.digestHour, 0, 23)) throw new RangeError(`digest hour must be 0–23, got ${sub.digestHour}`);
  if (!int(sub.digestMinute, 0, 59)) throw new RangeError(`digest minute must be 0–59, got ${sub.digestMinute}`);
  assertTimeZone(sub.timezone);
}

/** A local calendar date `days` after another (negative: before), as UTC-midnight arithmetic on the date alone. */
function addDays(date: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Every digest moment of the subscription in (after, until], oldest first, each with the period it covers:
 * the 7 days (weekly) or 1 day (daily) of local time ending at it, so a period across a daylight-saving
 * change is 1 hour shorter or longer. Empty for `immediate` subscriptions.
 */
export function digestPeriods(sub: DigestSchedule, after: Date, until: Date): DigestPeriod[] {
  const cadence = cadenceOf(sub.mode);
  if (!cadence) return [];
  validate(sub);
  if (!(until.getTime() > after.getTime())) return [];
  const step = cadence === 'weekly' ? 7 : 1;
  const at = (date: { year: number; month: number; day: number }): Date => zonedTime(date, sub.digestHour, sub.digestMinute, sub.timezone);
  const out: DigestPeriod[] = [];
  // One local day of slack either side: a gap can push a moment past midnight, and zones are up to 14 h from UTC.
  let date = addDays(localDateTime(after, sub.timezone), -1);
  const last = isoDate(addDays(localDateTime(until, sub.timezone), 1));
  for (; isoDate(date) <= last; date = addDays(date, 1)) {
    if (cadence === 'weekly' && new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() !== sub.digestDay) continue;
    const sendAt = at(date);
    if (sendAt.getTime() <= after.getTime() || sendAt.getTime() > until.getTime()) continue;
    out.push({ key: `${isoDate(date)}/${cadence}`, from: at(addDays(date, -step)), to: sendAt, sendAt });
  }
  return out;
}

/** The first digest moment strictly after `after`; null for `immediate` subscriptions, which get no digest. */
export function nextDigestAt(sub: DigestSchedule, after: Date): Date | null {
  if (!cadenceOf(sub.mode)) return null;
  // Nine days always contain one weekly moment, even with a day lost to a zone change.
  const next = digestPeriods(sub, after, new Date(after.getTime() + 9 * DAY_MS))[0];
  if (!next) throw new RangeError(`no digest moment found after ${after.toISOString()} in ${sub.timezone}`);
  return next.sendAt;
}
