// `digest`: a preview of this conversation's next digest, composed exactly as the scheduler would.
import { canonicalDestination } from '../../alerts/destination.js';
import { buildDigest } from '../../alerts/digest-runner.js';
import type { Message } from '../../alerts/message.js';
import { createKeywordMatcher, type KeywordMatcher } from '../../alerts/routing.js';
import { formatDigestSchedule } from '../../alerts/subscriptions.js';
import type { Glossary } from '../../domain/glossary.js';
import type { App } from '../../app.js';
import { listSubscriptions } from '../../../storage/subscriptions.js';

export const DEFAULT_DIGEST_MAX_NEWS = 10;

// One matcher per glossary: it caches keyword expansions across previews.
const matchers = new WeakMap<Glossary, KeywordMatcher>();

function matcherFor(glossary: Glossary): KeywordMatcher {
  let matcher = matchers.get(glossary);
  if (!matcher) {
    matcher = createKeywordMatcher(glossary);
    matchers.set(glossary, matcher);
  }
  return matcher;
}

/** Previews the first digest subscription of the destination over the period it covers (a day for daily, a week otherwise). */
export function digestReply(app: App, destination: string, maxNews = DEFAULT_DIGEST_MAX_NEWS): Message {
  const digests = listSubscriptions(app.db, { destination: canonicalDestination(destination) }).filter((s) => s.mode !== 'immediate');
  const sub = digests[0];
  if (!sub) {
    return {
      title: 'This channel has no digest subscription',
      severity: 'info',
      subtitle: 'Digests come with mode daily, weekly or immediate+weekly, e.g. `subscribe rare-earths weekly`.',
      links: [],
      sections: [],
      omitted: 0,
      context: ['`subscriptions` lists this channel’s subscriptions.'],
    };
  }
  const to = app.now();
  const days = sub.mode === 'daily' ? 1 : 7;
  const period = { from: new Date(to.getTime() - days * 86_400_000), to };
  const digest = buildDigest(app, sub, period, { keywordMatcher: matcherFor(app.glossary), maxNews: maxNews, preview: true });
  const note = `Preview of subscription #${sub.id} over the last ${days === 1 ? 'day' : '7 days'}; sent ${sub.mode === 'daily' ? 'daily at' : 'on'} ${formatDigestSchedule(sub)}.`;
  const others = digests.length > 1 ? [`This channel has ${digests.length} digest subscriptions; this is the first.`] : [];
  if (!digest) {
    return { title: 'Nothing for the next digest yet', severity: 'info', subtitle: note, links: [], sections: [], omitted: 0, context: others };
  }
  return { ...digest, title: `Preview: ${digest.title}`, context: [note, ...others, ...digest.context] };
}
