// `recent [days]`: the changes detected in the last days, one section per change set (notice),
// newest first, each bounded; the whole reply stays small however busy the period was.
import { describeFieldChange } from '../../alerts/change-message.js';
import type { Message, MessageItem, MessageLink, MessageSection } from '../../alerts/message.js';
import { SEVERITY_MARK } from '../../alerts/message.js';
import { SEVERITY_ORDER, type Severity } from '../../domain/types.js';
import type { App } from '../../app.js';
import { recentChanges, type RecordedChange } from '../../../storage/changes.js';
import { getNotices } from '../../../storage/notices.js';
import { entryText, registerShort, suspendedUntil } from './badges.js';
import { cappedSection, line, plural } from './text.js';

/** Changes read at most; a busier period says "more than". */
const MAX_READ = 500;
/** Change sets shown, and changes shown per change set. */
const MAX_SETS = 6;
const PER_SET = 5;
const MAX_EDITS = 3;

function changeItem(c: RecordedChange, gloss: (zh: string) => string | null): MessageItem {
  const fields = c.after ?? c.before ?? {};
  const { name, english } = entryText(fields, gloss);
  const code = c.kind === 'moved' ? `${c.kind.toUpperCase()} ${c.fromKey ?? '?'} → ${c.key}` : `${c.kind.toUpperCase()} ${c.key}`;
  const details: string[] = [];
  if (c.kind === 'modified' || c.kind === 'moved') {
    const edits = c.fieldChanges.filter((f) => f.field !== 'part').map(describeFieldChange);
    details.push(...edits.slice(0, MAX_EDITS));
    if (edits.length > MAX_EDITS) details.push(`… and ${edits.length - MAX_EDITS} more edits`);
  }
  const until = c.kind === 'suspended' && c.after ? suspendedUntil(c.after) : null;
  if (until) details.push(`suspended until ${until}`);
  return line(`${SEVERITY_MARK[c.severity]} ${code}`, name, details, english);
}

const rank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);

export function recentReply(app: App, days: number): Message {
  const now = app.now();
  const since = new Date(now.getTime() - days * 86_400_000).toISOString();
  const changes = recentChanges(app.db, since, MAX_READ);
  const period = `the last ${plural(days, 'day')}`;
  if (changes.length === 0) {
    return {
      title: `No changes in ${period}`,
      severity: 'info',
      subtitle: `Nothing detected since ${since.slice(0, 10)}.`,
      links: [],
      sections: [],
      omitted: 0,
      context: [days < 90 ? 'Write `recent 90` for a longer period.' : 'The lists did not change in this period.'],
    };
  }
  // Change sets in the order their newest change was detected (recentChanges reads newest first).
  const sets = new Map<number, RecordedChange[]>();
  for (const c of changes) {
    const set = sets.get(c.changeSetId);
    if (set) set.push(c);
    else sets.set(c.changeSetId, [c]);
  }
  const groups = [...sets.values()];
  const notices = getNotices(
    app.db,
    groups.map((g) => g[0]!.noticeKey).filter((k): k is string => k !== null),
  );
  const sections: MessageSection[] = groups.slice(0, MAX_SETS).map((group) => {
    const first = group[0]!;
    const ordered = [...group].sort((a, b) => rank(a.severity) - rank(b.severity) || a.id - b.id);
    const where = first.noticeKey ? notices.get(first.noticeKey)?.number || first.noticeKey : 'imported';
    return cappedSection(
      `${registerShort(first.register)} · ${where} · detected ${first.detectedAt.slice(0, 10)} · ${plural(group.length, 'change')}`,
      ordered.map((c) => changeItem(c, app.gloss)),
      PER_SET,
    );
  });
  const links: MessageLink[] = [];
  for (const group of groups.slice(0, MAX_SETS)) {
    const key = group[0]!.noticeKey;
    const url = key ? notices.get(key)?.urls[0] : undefined;
    if (key && url && links.length < 3 && !links.some((l) => l.url === url))
      links.push({ label: links.length === 0 ? 'Official text (Chinese)' : `Official text of ${key}`, url });
  }
  const severity = changes.map((c) => c.severity).sort((a, b) => rank(a) - rank(b))[0] ?? 'info';
  const count = changes.length >= MAX_READ ? `More than ${MAX_READ} changes` : plural(changes.length, 'change');
  const context: string[] = [];
  if (groups.length > MAX_SETS) context.push(`… and ${plural(groups.length - MAX_SETS, 'more change set')} in this period`);
  context.push('`item <key>` shows one entry with its history. Glosses are for orientation only.');
  return {
    title: `${SEVERITY_MARK[severity]} ${count} in ${period}`,
    severity,
    subtitle: `Detected since ${since.slice(0, 16).replace('T', ' ')} UTC, newest first`,
    links,
    sections,
    omitted: 0,
    context,
  };
}
