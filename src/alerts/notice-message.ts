// Messages that are not a register change: a notice seen (unclassified or without effect on a
// register), a quarantined change set, and operator alerts about source health.
import { formatDetected, SEVERITY_MARK, type Message } from './message.js';
import type { NoticeInfo } from './change-message.js';

export function buildNoticeMessage(notice: NoticeInfo & { kind: string | null }, flags: readonly string[], detectedAt: string): Message {
  const flagged = flags.length > 0;
  return {
    title: `${flagged ? SEVERITY_MARK.medium : SEVERITY_MARK.low} New MOFCOM notice${notice.kind && notice.kind !== 'other' ? ` (${notice.kind})` : ''}: ${notice.title || notice.key}`,
    severity: flagged ? 'medium' : 'low',
    subtitle: [notice.number || notice.key, notice.publishedAt ? `published ${notice.publishedAt}` : null].filter(Boolean).join(' · '),
    links: notice.urls.map((url, i) => ({ label: i === 0 ? 'Official text (Chinese)' : 'Also published at', url })),
    sections: flagged ? [{ heading: 'FLAGGED FOR REVIEW', items: flags.map((f) => ({ code: '⚠️', text: f, gloss: null, details: [] })) }] : [],
    omitted: 0,
    context: [`Notice ${notice.key}`, `Detected ${formatDetected(detectedAt)}`, 'No register entry was changed by this notice.'],
  };
}

export function buildQuarantineMessage(
  q: { id: number; register: string; noticeKey: string | null; reason: string; changes: number },
  detectedAt: string,
): Message {
  return {
    title: `${SEVERITY_MARK.high} Change set quarantined for ${q.register} — ${q.reason}`,
    severity: 'high',
    subtitle: q.noticeKey ? `Notice ${q.noticeKey}` : null,
    links: [],
    sections: [],
    omitted: 0,
    context: [
      `${q.changes} change(s) held back, register unchanged`,
      `Review: exportwatch quarantine show ${q.id} · approve ${q.id} · reject ${q.id}`,
      `Detected ${formatDetected(detectedAt)}`,
    ],
  };
}

export function buildSourceAlert(
  h: { sourceId: string; lastError: string | null; failingSince: string | null; consecutiveFailures: number },
  transition: 'raise' | 'clear',
  at: string,
): Message {
  if (transition === 'clear') {
    return {
      title: `✅ Source "${h.sourceId}" recovered`,
      severity: 'low',
      subtitle: null,
      links: [],
      sections: [],
      omitted: 0,
      context: [`Recovered ${formatDetected(at)}`],
    };
  }
  return {
    title: `⚠️ Source "${h.sourceId}" failing since ${h.failingSince ? formatDetected(h.failingSince) : 'now'} (${h.consecutiveFailures} polls): ${h.lastError ?? 'unknown error'}`,
    severity: 'high',
    subtitle: 'Registers unchanged. Will say once more when it recovers.',
    links: [],
    sections: [],
    omitted: 0,
    context: [`Raised ${formatDetected(at)}`],
  };
}

export function buildNewsMessage(
  item: { title: string; link: string; summary: string; published: string; feedId: string; topics: readonly string[] },
  detectedAt: string,
): Message {
  return {
    title: `📰 ${item.title || item.link}`,
    severity: 'info',
    subtitle: `${item.feedId} · published ${item.published.slice(0, 16).replace('T', ' ')} UTC`,
    links: [{ label: 'Read', url: item.link }],
    sections: item.summary ? [{ heading: 'SUMMARY', items: [{ code: '', text: item.summary, gloss: null, details: [] }] }] : [],
    omitted: 0,
    context: [`Topics: ${item.topics.join(', ') || 'none'}`, `Seen ${formatDetected(detectedAt)}`, 'Industry news, not an official notice.'],
  };
}
