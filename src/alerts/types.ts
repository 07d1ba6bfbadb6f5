// The alerting vocabulary shared by routing, the outbox, digests and the chat adapters.
import type { Severity } from '../domain/types.js';
import type { Message } from './message.js';

/** What happened, once: a recorded change set, a notice (flagged or without effect), a source-health alert, a news item, a quarantine. */
export type EventKind = 'change-set' | 'notice' | 'source-health' | 'news' | 'quarantine';

export interface AlertEvent {
  /** Stable id: `changes:<changeSetId>`, `notice:<key>`, `health:<source>:<raise|clear>:<iso>`, `news:<itemId>`, `quarantine:<id>`. */
  id: string;
  kind: EventKind;
  severity: Severity;
  /** Topic ids the event matches (see data/topics.json). */
  topics: string[];
  /** Text keywords are matched against (Chinese original and English gloss). */
  text: string;
  register: string | null;
  noticeKey: string | null;
  /** For operators only (source health, quarantine): routed to the operator destinations, not to subscriptions. */
  operator: boolean;
  message: Message;
  /** ISO timestamp. */
  occurredAt: string;
}

export type Platform = 'console' | 'webhook' | 'slack' | 'teams' | 'teams-workflow';

/** Where messages go, written `console:<name>`, `webhook:<url>`, `slack:<team>/<channel>`, `teams:<conversation>`, `teams-workflow:<url>`. */
export interface Destination {
  platform: Platform;
  /** Everything after the first colon. */
  address: string;
}

export type SubscriptionMode = 'immediate' | 'daily' | 'weekly' | 'immediate+weekly';

export interface Subscription {
  id: number;
  /** The destination as written, e.g. `webhook:https://example.org/hook`. */
  destination: string;
  topics: string[];
  keywords: string[];
  /** Lowest severity wanted: `critical` = only the most severe; `info` = everything including news. */
  minSeverity: Severity;
  mode: SubscriptionMode;
  /** Digest schedule: day of week 0–6 (Sunday 0) for weekly, hour and minute, IANA time zone. */
  digestDay: number;
  digestHour: number;
  digestMinute: number;
  timezone: string;
  mutedUntil: string | null;
  /** Send a short "no changes" digest for an empty period (default true). */
  emptyDigest: boolean;
  createdAt: string;
}

/** What every outbound adapter implements. */
export interface DeliveryAdapter {
  platform: Platform;
  send(destination: Destination, message: Message, meta: { idempotencyKey: string }): Promise<{ messageId: string }>;
}

/** A failed send: retryable (network, 5xx, 429 with an optional delay) or permanent (4xx, removed destination). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
