// Routing: which subscriptions want an event right away, and the destinations it is queued for.
// Pure: the clock and the keyword matcher are passed in. Digests select their events themselves.
import { expandQuery, findTerms, loadGlossary, type Glossary } from '../domain/glossary.js';
import { SEVERITY_ORDER, type Severity } from '../domain/types.js';
import type { AlertEvent, Subscription } from './types.js';

/** True when a subscription's keyword occurs in an event's text. */
export type KeywordMatcher = (keyword: string, text: string) => boolean;

export interface RoutingOptions {
  now: Date;
  keywordMatcher: KeywordMatcher;
}

/** A destination an event is queued for, with the subscription that asked for it (null for operator destinations). */
export interface RoutedDestination {
  destination: string;
  subscriptionId: number | null;
}

function rank(severity: Severity): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** True when `severity` is at least `minimum` (critical is the highest). */
export function severityAtLeast(severity: Severity, minimum: Severity): boolean {
  return rank(severity) <= rank(minimum);
}

export function isMuted(sub: Pick<Subscription, 'mutedUntil'>, now: Date): boolean {
  if (sub.mutedUntil === null) return false;
  const until = Date.parse(sub.mutedUntil);
  return !Number.isNaN(until) && until > now.getTime();
}

/** True when the event is about what the subscription asks for: a shared topic or a keyword; no topics and no keywords: everything. */
export function matchesInterest(
  event: Pick<AlertEvent, 'topics' | 'text'>,
  sub: Pick<Subscription, 'topics' | 'keywords'>,
  keywordMatcher: KeywordMatcher,
): boolean {
  if (sub.topics.length === 0 && sub.keywords.length === 0) return true;
  if (sub.topics.some((t) => event.topics.includes(t))) return true;
  return sub.keywords.some((k) => keywordMatcher(k, event.text));
}

/**
 * Subscriptions that want this event delivered immediately: mode `immediate` or `immediate+weekly`, not muted at
 * `now`, severity at least their minimum, and interested (topics or keywords). Operator events match none.
 */
export function matchSubscriptions(event: AlertEvent, subs: readonly Subscription[], opts: RoutingOptions): Subscription[] {
  if (event.operator) return [];
  return subs.filter(
    (sub) =>
      (sub.mode === 'immediate' || sub.mode === 'immediate+weekly') &&
      !isMuted(sub, opts.now) &&
      severityAtLeast(event.severity, sub.minSeverity) &&
      matchesInterest(event, sub, opts.keywordMatcher),
  );
}

/**
 * The destinations an event is queued for, one per destination (the lowest matching subscription id names it):
 * operator events go to `operatorDestinations` only, every other event to its matching subscriptions.
 * This is what `recordEvent` takes.
 */
export function routeEvent(
  event: AlertEvent,
  subs: readonly Subscription[],
  opts: RoutingOptions & { operatorDestinations?: readonly string[] },
): RoutedDestination[] {
  if (event.operator) {
    return [...new Set(opts.operatorDestinations ?? [])].map((destination) => ({ destination, subscriptionId: null }));
  }
  const byDestination = new Map<string, number>();
  for (const sub of matchSubscriptions(event, subs, opts)) {
    const prev = byDestination.get(sub.destination);
    if (prev === undefined || sub.id < prev) byDestination.set(sub.destination, sub.id);
  }
  return [...byDestination].map(([destination, subscriptionId]) => ({ destination, subscriptionId }));
}

// ---------------------------------------------------------------------------
// Keyword matching through the glossary

const HAN = /\p{Script=Han}/u;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The keyword itself as a pattern: Chinese as a substring, Latin words on word boundaries with an optional plural, any run of spaces or hyphens between words. */
function literalPattern(keyword: string): RegExp | string {
  const k = keyword.normalize('NFKC').trim();
  if (HAN.test(k)) return k;
  const words = k
    .split(/[\s-]+/)
    .filter((w) => w !== '')
    .map(escapeRegExp);
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[\\s-]+')}(?:s|es)?(?![\\p{L}\\p{N}])`, 'iu');
}

/**
 * A keyword matcher on the glossary: a keyword matches a text when the keyword itself occurs in it (Chinese as a
 * substring; English case-insensitively on word boundaries, plurals and hyphens tolerated), or when a glossary term
 * the keyword names (via `expandQuery`) occurs in the text in any of its Chinese or English forms (via `findTerms`).
 * So `rare earth` matches `稀土永磁`, and `镓` matches `gallium exports`. Expansions and the terms of the last text are cached.
 */
export function createKeywordMatcher(glossary: Glossary): KeywordMatcher {
  const keywords = new Map<string, { literal: RegExp | string; terms: Set<string> }>();
  let lastText: string | null = null;
  let lastTerms = new Set<string>();
  return (keyword, text) => {
    let k = keywords.get(keyword);
    if (k === undefined) {
      k = { literal: literalPattern(keyword), terms: new Set(expandQuery(glossary, keyword).terms.map((t) => t.id)) };
      if (keywords.size > 10_000) keywords.clear();
      keywords.set(keyword, k);
    }
    const norm = text.normalize('NFKC');
    if (typeof k.literal === 'string' ? norm.includes(k.literal) : k.literal.test(norm)) return true;
    if (k.terms.size === 0) return false;
    if (text !== lastText) {
      lastText = text;
      lastTerms = new Set(findTerms(glossary, text).map((t) => t.id));
    }
    for (const id of k.terms) if (lastTerms.has(id)) return true;
    return false;
  };
}

let defaultMatcher: KeywordMatcher | null = null;

/** The keyword matcher on the shipped glossary (data/glossary.json), loaded on first use. */
export const defaultKeywordMatcher: KeywordMatcher = (keyword, text) => {
  defaultMatcher ??= createKeywordMatcher(loadGlossary());
  return defaultMatcher(keyword, text);
};
