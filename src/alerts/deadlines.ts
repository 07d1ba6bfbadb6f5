// Deadlines for digests: measures whose suspension ends or which take effect in the next days, and
// suspensions whose end date passed with no notice settling what happens next (DOMAIN.md §2, MESSAGES.md §3).
import type { FieldValue } from '../domain/types.js';
import { localDate } from './digest-schedule.js';

export type DeadlineKind = 'suspension-ends' | 'takes-effect' | 'suspension-ended';

export interface Deadline {
  measureKey: string;
  /** How the measure is named to readers: `2025 No.61`, `UEL 2025 No.9`, `2024 No.46 §2`. */
  number: string;
  kind: DeadlineKind;
  /** `YYYY-MM-DD`, a date as MOFCOM prints it (China time). */
  date: string;
  /** Days from today to `date`: 0 on the day, negative once passed. */
  daysLeft: number;
  /** For a passed suspension: a later notice or status change settled it (digests leave these out). */
  settled: boolean;
  text: string;
}

export interface DeadlineOptions {
  /** Zone whose calendar date is "today"; MOFCOM dates are China dates (default Asia/Shanghai). */
  timeZone?: string;
  /** Days ahead that count as upcoming (default 14). */
  windowDays?: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const DAY_MS = 86_400_000;

/** Readers' name of a notice key: `MOFCOM-2025-61` → `2025 No.61`, `MOFCOM-UEL-2025-9` → `UEL 2025 No.9`, `MOFCOM-ORDER-2025-6` → `Order 2025 No.6`. */
export function noticeLabel(key: string): string {
  const m = /^MOFCOM(?:-(UEL|ORDER))?-(\d{4})-(\d+)$/.exec(key);
  if (!m) return key;
  const series = m[1] === 'UEL' ? 'UEL ' : m[1] === 'ORDER' ? 'Order ' : '';
  return `${series}${m[2]} No.${m[3]}`;
}

function str(value: FieldValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The `YYYY-MM-DD` at the start of a field value, or null when it is not a real date. */
function dateOf(value: FieldValue | undefined): string | null {
  const m = DATE.exec(str(value) ?? '');
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === m[0] ? m[0] : null;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function when(daysLeft: number): string {
  if (daysLeft === 0) return 'today';
  if (daysLeft === 1) return 'tomorrow';
  return `in ${daysLeft} days`;
}

function label(key: string, fields: Record<string, FieldValue>): string {
  const sections = Array.isArray(fields.sections) ? fields.sections.filter((s) => s.trim() !== '') : [];
  return sections.length > 0 ? `${noticeLabel(key)} ${sections.join(', ')}` : noticeLabel(key);
}

function shortTitle(fields: Record<string, FieldValue>): string | null {
  const title = str(fields.title);
  if (!title || title.startsWith('(')) return null; // stubs are titled "(not seen yet)"
  return title.length > 80 ? `${title.slice(0, 79)}…` : title;
}

const ENDED = new Set(['stopped', 'repealed']);

/**
 * The deadlines of the measures register as of `now`:
 * - `suspension-ends`: a suspended measure whose `suspendedUntil` is today or within `windowDays`;
 * - `takes-effect`: a measure (not stopped or repealed) whose `effectiveAt` is today or within the window
 *   and later than its publication (measures in force on publication have no deadline);
 * - `suspension-ended`: `suspendedUntil` has passed. Unsettled while the measure is still recorded as
 *   suspended and `settledBy(key, date)` is false; settled when its status has changed since, or when
 *   `settledBy` reports a lifecycle notice naming the measure published on or after `date`.
 *   Passed suspensions stay in the list (settled or not) for as long as the register says so.
 * Sorted: passed and unsettled first (oldest first), then upcoming by date, then settled ones.
 */
export function deadlines(
  measures: ReadonlyArray<{ key: string; fields: Record<string, FieldValue> }>,
  now: Date,
  settledBy: (measureKey: string, since: string) => boolean,
  options: DeadlineOptions = {},
): Deadline[] {
  const today = localDate(now, options.timeZone ?? 'Asia/Shanghai');
  const windowDays = options.windowDays ?? 14;
  const out: Deadline[] = [];
  for (const { key, fields } of measures) {
    const status = str(fields.status) ?? 'in-force';
    const number = label(key, fields);
    const until = dateOf(fields.suspendedUntil);
    if (until) {
      const daysLeft = daysBetween(today, until);
      if (daysLeft < 0) {
        const settled = status !== 'suspended' || settledBy(key, until);
        const text = settled
          ? `✔ Suspension of ${number} ended ${until}; settled by a later notice.`
          : `⚠️ Suspension of ${number} ended ${until}; no notice since — check the official site.`;
        out.push({ measureKey: key, number, kind: 'suspension-ended', date: until, daysLeft, settled, text });
      } else if (daysLeft <= windowDays && status === 'suspended') {
        // A notice naming the measure within the window before the end date is presumably about the ending.
        const settled = settledBy(key, addDays(until, -windowDays));
        const text = `⏰ Suspension of ${number} ends ${until} (${when(daysLeft)}).${settled ? '' : ' No notice yet on extension.'}`;
        out.push({ measureKey: key, number, kind: 'suspension-ends', date: until, daysLeft, settled, text });
      }
    }
    const effective = dateOf(fields.effectiveAt);
    const published = dateOf(fields.publishedAt);
    if (effective && !ENDED.has(status) && (published === null || effective > published)) {
      const daysLeft = daysBetween(today, effective);
      if (daysLeft >= 0 && daysLeft <= windowDays) {
        const title = shortTitle(fields);
        const text = `⏰ ${noticeLabel(key)} takes effect ${effective} (${when(daysLeft)})${title ? `: ${title}` : '.'}`;
        out.push({ measureKey: key, number: noticeLabel(key), kind: 'takes-effect', date: effective, daysLeft, settled: false, text });
      }
    }
  }
  const rank = (d: Deadline): number => (d.kind === 'suspension-ended' ? (d.settled ? 2 : 0) : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.date.localeCompare(b.date) || a.measureKey.localeCompare(b.measureKey));
}
