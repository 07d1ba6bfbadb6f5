// Digests in practice: gather a period's events, news, flagged notices and deadlines for one
// subscription, compose the digest, and queue it in the outbox once per subscription and period.
import type { App } from '../app.js';
import { SEVERITY_ORDER, type Severity } from '../domain/types.js';
import { displayDestination, parseDestination } from './destination.js';
import { composeDigest } from './digest.js';
import { deadlines } from './deadlines.js';
import type { Message } from './message.js';
import { isMuted, matchesInterest, type KeywordMatcher } from './routing.js';
import type { AlertEvent, Subscription } from './types.js';
import { duePeriods, markDigestQueued } from '../../storage/digests.js';
import { enqueueDigest } from '../../storage/outbox.js';
import { listNotices } from '../../storage/notices.js';
import { recentNews } from '../../storage/news.js';
import { currentVersions } from '../../storage/registers.js';
import { allHealth } from '../../storage/sources.js';
import { listSubscriptions } from '../../storage/subscriptions.js';

interface EventRow {
  id: string;
  kind: AlertEvent['kind'];
  severity: Severity;
  topics: string;
  text: string;
  register: string | null;
  notice_key: string | null;
  message: string;
  occurred_at: string;
}

function label(destination: string): string {
  const d = parseDestination(destination);
  return d.platform === 'console' ? d.address : displayDestination(destination);
}

/** Events (not operators') recorded in [from, to) that match the subscription's interest and severity. */
function periodEvents(app: App, sub: Subscription, from: Date, to: Date, keywordMatcher: KeywordMatcher): Array<EventRow & { topicList: string[] }> {
  const rows = app.db
    .prepare(`SELECT * FROM events WHERE operator = 0 AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at`)
    .all(from.toISOString(), to.toISOString()) as EventRow[];
  const minimum = SEVERITY_ORDER.indexOf(sub.minSeverity);
  return rows
    .map((r) => ({ ...r, topicList: JSON.parse(r.topics) as string[] }))
    .filter((r) => SEVERITY_ORDER.indexOf(r.severity) <= minimum)
    .filter((r) => matchesInterest({ topics: r.topicList, text: r.text }, sub, keywordMatcher));
}

/** A measure's suspension or status settled by a later change of that measure. */
function settledBy(app: App): (measureKey: string, since: string) => boolean {
  const stmt = app.db.prepare(`SELECT 1 FROM changes WHERE register_id = 'measures' AND key = ? AND kind != 'added' AND valid_from >= ? LIMIT 1`).pluck();
  return (key, since) => stmt.get(key, since.slice(0, 10)) !== undefined;
}

export function buildDigest(
  app: App,
  sub: Subscription,
  period: { from: Date; to: Date },
  options: { keywordMatcher: KeywordMatcher; maxNews: number; preview?: boolean },
): Message | null {
  const events = periodEvents(app, sub, period.from, period.to, options.keywordMatcher);
  const changeSets = events
    .filter((e) => e.kind === 'change-set')
    .map((e) => {
      const message = JSON.parse(e.message) as Message;
      return {
        noticeKey: e.notice_key,
        register: e.register ?? '',
        severity: e.severity,
        summary: message.title.replace(/^\S+\s/, ''),
        url: message.links[0]?.url ?? null,
        topics: e.topicList,
        publishedAt: e.occurred_at,
      };
    });
  // The period is part of the query: filtering the newest 1,000 flagged notices afterwards held up to 1,000 rows
  // (bodies included) in memory for each digest, and missed a notice of the period published before all of them.
  const flaggedNotices = listNotices(app.db, { flagged: true, recordedFrom: period.from.toISOString(), recordedBefore: period.to.toISOString() }).map((n) => ({
    key: n.key,
    title: n.title,
    flags: n.flags,
    url: n.urls[0] ?? null,
  }));
  const newsEvents = new Set(events.filter((e) => e.kind === 'news').map((e) => e.id.replace(/^news:/, '')));
  const news = recentNews(app.db, { since: period.from, until: period.to, limit: 500 })
    .filter((n) => newsEvents.has(n.id))
    .map((n) => ({ title: n.title, link: n.link, published: n.published, feed: n.feedId }));
  const measures = currentVersions(app.db, 'measures').map((v) => ({ key: v.key, fields: v.fields }));
  const health = allHealth(app.db);
  const failing = health.filter((h) => h.consecutiveFailures > 0).map((h) => h.sourceId);
  const lastPollAt =
    health
      .map((h) => h.lastAttemptAt)
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1) ?? null;
  return composeDigest({
    destinationLabel: label(sub.destination),
    subscription: { ...sub, emptyDigest: options.preview ? true : sub.emptyDigest },
    period,
    changeSets,
    flaggedNotices,
    news,
    deadlines: deadlines(measures, period.to, settledBy(app)),
    sources: { healthy: failing.length === 0, failing, lastPollAt },
    maxNews: options.maxNews,
  });
}

/** Queues every digest that is due (including, once, one missed while the service was down). Returns how many were queued. */
export function queueDueDigests(app: App, options: { keywordMatcher: KeywordMatcher; maxNews: number }): number {
  const now = app.now();
  let queued = 0;
  for (const sub of listSubscriptions(app.db)) {
    if (sub.mode === 'immediate' || isMuted(sub, now)) continue;
    for (const period of duePeriods(app.db, sub, now)) {
      const message = buildDigest(app, sub, period, options);
      app.db.transaction(() => {
        if (!markDigestQueued(app.db, sub.id, period.key, now)) return;
        if (message) enqueueDigest(app.db, { digestKey: `${sub.id}/${period.key}`, destination: sub.destination, subscriptionId: sub.id, message }, now);
        queued += message ? 1 : 0;
      })();
    }
  }
  return queued;
}
