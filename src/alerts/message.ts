// The platform-neutral message: what every adapter (console, Slack, Teams) must carry.
// Layout is the adapter's job; content and order (official link first) are decided here.
import type { Severity } from '../domain/types.js';

export interface MessageLink {
  label: string;
  url: string;
}

/** One line of a section: an entry's code and Chinese text, its English gloss, and detail lines. */
export interface MessageItem {
  code: string;
  text: string;
  /** Orientation gloss from the glossary; never an official translation. */
  gloss: string | null;
  details: string[];
}

export interface MessageSection {
  heading: string;
  items: MessageItem[];
}

export interface Message {
  title: string;
  severity: Severity;
  /** The notice line: number, publication and effective dates. */
  subtitle: string | null;
  /** Official source first. */
  links: MessageLink[];
  sections: MessageSection[];
  /** Items not shown in `sections` (long change sets are summarised). */
  omitted: number;
  /** Closing lines: notice key, topics, detection time, caveats. */
  context: string[];
}

export const SEVERITY_MARK: Record<Severity, string> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
  info: '⚪',
};

/** A date-time as `2023-12-21 16:05 CST (08:05 UTC)`: China time first, since notices are dated in it. */
// Built once: constructing an Intl.DateTimeFormat costs about a millisecond, formatting with one a few microseconds.
const CST_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const UTC_FORMAT = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });

export function formatDetected(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${CST_FORMAT.format(d).replace(',', '')} CST (${UTC_FORMAT.format(d).replace(',', '')} UTC)`;
}
