// `topics` and `status`: what subscriptions can name, and whether ExportWatch is seeing the sources.
import type { Message, MessageItem } from '../../alerts/message.js';
import type { App } from '../../app.js';
import type { SourceConfig } from '../../sources/config.js';
import { status } from '../status.js';
import { registerShort } from './badges.js';
import { cappedSection, line, MAX_SECTION_ITEMS, plural } from './text.js';

export function topicsReply(app: App): Message {
  const items = app.topics.list.map((t) => line(t.id, t.name));
  const sections = [];
  for (let i = 0; i < items.length; i += MAX_SECTION_ITEMS)
    sections.push({ heading: i === 0 ? 'Topics' : 'More topics', items: items.slice(i, i + MAX_SECTION_ITEMS) });
  return {
    title: `${plural(items.length, 'topic')} to subscribe to`,
    severity: 'info',
    subtitle: 'Any other word is matched as a keyword, in English and Chinese.',
    links: [],
    sections,
    omitted: 0,
    context: ['Example: `subscribe rare-earths magnets weekly`.'],
  };
}

function stamp(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

export function statusReply(app: App, sources: readonly SourceConfig[]): Message {
  const answer = status(app, sources);
  const failing = answer.sources.filter((s) => !s.healthy);
  const sourceItems: MessageItem[] = answer.sources.map((s) => {
    const details = [`last success ${stamp(s.lastSuccessAt)}`];
    if (s.nextPollAt) details.push(`next poll ${stamp(s.nextPollAt)}`);
    if (!s.healthy)
      details.push(
        `failing since ${stamp(s.failingSince)} (${plural(s.consecutiveFailures, 'failure')}): ${s.lastErrorReason ?? s.lastError ?? 'unknown error'}`,
      );
    return line(`${s.healthy ? '✅' : '❌'} ${s.id}`, s.kind, details);
  });
  const registerItems = answer.registers.map((r) =>
    line(registerShort(r.id), plural(r.entries, 'entry', 'entries'), [`last change ${r.lastChangeAt ? stamp(r.lastChangeAt) : 'none recorded'}`]),
  );
  const context = answer.quarantinePending > 0 ? [`${plural(answer.quarantinePending, 'change set')} held in quarantine for review.`] : [];
  return {
    title:
      answer.sources.length === 0
        ? 'No sources configured'
        : failing.length === 0
          ? 'All sources healthy'
          : `${failing.length} of ${answer.sources.length} sources failing`,
    severity: failing.length > 0 ? 'high' : 'info',
    subtitle: null,
    links: [],
    sections: [cappedSection('Sources', sourceItems), cappedSection('Registers', registerItems)].filter((s) => s.items.length > 0),
    omitted: 0,
    context,
  };
}
