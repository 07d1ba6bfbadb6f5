// Turning what the pipeline records into alert events, and recording each event with one delivery
// per destination (routing to subscriptions, or to operators) in the caller's transaction.
import type { Change, Severity } from '../domain/types.js';
import { SEVERITY_ORDER } from '../domain/types.js';
import type { App } from '../app.js';
import { entryName } from './change-message.js';
import type { Message } from './message.js';
import { buildNewsMessage } from './notice-message.js';
import type { AlertEvent } from './types.js';
import { routeEvent, createKeywordMatcher, type KeywordMatcher } from './routing.js';
import { listSubscriptions } from '../../storage/subscriptions.js';
import { recordEvent } from '../../storage/outbox.js';
import type { Topics } from '../domain/topics.js';
import { topicsForRegister, topicsOf } from '../domain/topics.js';

export function topSeverity(severities: readonly Severity[]): Severity {
  let best = SEVERITY_ORDER.length - 1;
  for (const s of severities) best = Math.min(best, SEVERITY_ORDER.indexOf(s));
  return SEVERITY_ORDER[best] ?? 'info';
}

/** Text a change set is matched against for keywords and topics: names, English glosses and names, control points. */
export function changeText(changes: readonly Change[], gloss: (zh: string) => string | null): string {
  const parts: string[] = [];
  for (const c of changes) {
    const fields = c.after ?? c.before ?? {};
    const name = entryName(fields);
    parts.push(c.key, name, gloss(name) ?? '');
    for (const value of Object.values(fields)) {
      if (typeof value === 'string') parts.push(value);
      else if (Array.isArray(value)) parts.push(...value);
    }
  }
  return parts.join('\n').slice(0, 20_000);
}

export function changeSetEvent(args: {
  changeSetId: number;
  register: string;
  changes: readonly Change[];
  noticeKey: string | null;
  message: Message;
  topics: Topics;
  gloss: (zh: string) => string | null;
  at: string;
}): AlertEvent {
  const text = changeText(args.changes, args.gloss);
  return {
    id: `changes:${args.changeSetId}`,
    kind: 'change-set',
    severity: topSeverity(args.changes.map((c) => c.severity)),
    topics: [...new Set([...topicsForRegister(args.register), ...topicsOf(args.topics, text)])].sort(),
    text,
    register: args.register,
    noticeKey: args.noticeKey,
    operator: false,
    message: args.message,
    occurredAt: args.at,
  };
}

export function noticeEvent(args: {
  noticeKey: string;
  title: string;
  body: string;
  flagged: boolean;
  message: Message;
  topics: Topics;
  at: string;
}): AlertEvent {
  const text = `${args.title}\n${args.body}`.slice(0, 20_000);
  return {
    id: `notice:${args.noticeKey}`,
    kind: 'notice',
    severity: args.flagged ? 'medium' : 'low',
    topics: topicsOf(args.topics, text),
    text,
    register: null,
    noticeKey: args.noticeKey,
    operator: false,
    message: args.message,
    occurredAt: args.at,
  };
}

/** A news item's event: its message as built by buildNewsMessage, its topics as tagged when the feed was read. */
export function newsEvent(
  item: { id: string; title: string; link: string; summary: string; published: string; topics: readonly string[] },
  feedName: string,
  at: string,
): AlertEvent {
  return {
    id: `news:${item.id}`,
    kind: 'news',
    severity: 'info',
    topics: [...item.topics],
    text: `${item.title}\n${item.summary}`,
    register: null,
    noticeKey: null,
    operator: false,
    message: buildNewsMessage({ ...item, feedId: feedName }, at),
    occurredAt: at,
  };
}

export function operatorEvent(args: { id: string; kind: 'source-health' | 'quarantine'; severity: Severity; message: Message; at: string }): AlertEvent {
  return {
    id: args.id,
    kind: args.kind,
    severity: args.severity,
    topics: [],
    text: args.message.title,
    register: null,
    noticeKey: null,
    operator: true,
    message: args.message,
    occurredAt: args.at,
  };
}

export interface EmitterOptions {
  operatorDestinations: readonly string[];
  /** Where events go when nobody has subscribed yet (so `npm start` on a laptop prints alerts); null: nowhere. */
  fallbackDestination: string | null;
  keywordMatcher?: KeywordMatcher;
}

/** Records an event and its deliveries. Call inside the transaction that records what the event is about. */
export function makeEmitter(app: App, options: EmitterOptions): (event: AlertEvent) => void {
  const keywordMatcher = options.keywordMatcher ?? createKeywordMatcher(app.glossary);
  return (event) => {
    const subs = listSubscriptions(app.db);
    let destinations = routeEvent(event, subs, { now: app.now(), keywordMatcher, operatorDestinations: options.operatorDestinations });
    if (!event.operator && subs.length === 0 && options.fallbackDestination)
      destinations = [{ destination: options.fallbackDestination, subscriptionId: null }];
    recordEvent(app.db, event, destinations, app.now());
  };
}
