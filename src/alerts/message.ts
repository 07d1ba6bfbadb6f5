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
export function formatDetected(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const part = (timeZone: string, opts: Intl.DateTimeFormatOptions): string =>
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', ...opts }).format(d).replace(',', '');
  const cst = part('Asia/Shanghai', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const utc = part('UTC', { hour: '2-digit', minute: '2-digit' });
  return `${cst} CST (${utc} UTC)`;
}
