// `subscribe`, `unsubscribe`, `subscriptions` and `mute` for the conversation a command was typed in.
// Changes are limited to its members (and admins, where the context says so) and announced in the
// channel with who made them; reading the list is open to anyone who can type the command.
import { canonicalDestination, DestinationError } from '../../alerts/destination.js';
import type { Message, MessageItem } from '../../alerts/message.js';
import { formatDigestSchedule, parseMuteUntil, parseSubscriptionInput, SubscriptionError } from '../../alerts/subscriptions.js';
import type { Subscription } from '../../alerts/types.js';
import { topicIds } from '../../domain/topics.js';
import type { App } from '../../app.js';
import { deleteSubscriptions, listSubscriptions, muteSubscriptions, saveSubscription } from '../../../storage/subscriptions.js';
import type { ParsedCommand } from './parse.js';
import { cappedSection, clip, echo, line, plural } from './text.js';

/** What these commands need to know about the conversation and the person. */
export interface SubscriptionScope {
  app: App;
  destination: string;
  user: { id: string; name?: string | undefined; isMember: boolean; isAdmin: boolean };
  adminOnly: boolean;
}

/** A reply and whether the channel should see it. */
export interface ScopedReply {
  message: Message;
  announce: boolean;
}

function quiet(message: Message): ScopedReply {
  return { message, announce: false };
}

function simple(title: string, subtitle: string | null, context: string[] = [], severity: Message['severity'] = 'info'): Message {
  return { title, severity, subtitle, links: [], sections: [], omitted: 0, context };
}

/** The person as named in an announcement: their display name, else their id; bounded. */
export function who(user: SubscriptionScope['user']): string {
  return echo(user.name && clip(user.name) !== '' ? user.name : user.id || 'someone', 60);
}

/** Why this person may not change this conversation's subscriptions, or null when they may. */
export function refusal(scope: SubscriptionScope): Message | null {
  if (!scope.user.isMember) {
    return simple('Only members of this channel can change its subscriptions', 'Join the channel first, or ask one of its members.', [], 'low');
  }
  if (scope.adminOnly && !scope.user.isAdmin) {
    return simple('Only ExportWatch admins can change subscriptions here', 'Ask one of the admins configured for this workspace.', [], 'low');
  }
  return null;
}

/** The conversation as stored in subscriptions; a conversation that cannot be one is a usage problem. */
function destinationOf(scope: SubscriptionScope): string {
  try {
    return canonicalDestination(scope.destination);
  } catch (err) {
    if (err instanceof DestinationError) throw new SubscriptionError(`this conversation cannot receive alerts: ${err.message}`, { cause: err });
    throw err;
  }
}

function what(s: Pick<Subscription, 'topics' | 'keywords'>): string {
  const parts = [s.topics.length ? `topics ${s.topics.join(', ')}` : '', s.keywords.length ? `keywords ${s.keywords.map((k) => `"${k}"`).join(', ')}` : ''];
  return parts.filter(Boolean).join('; ') || 'everything';
}

function subscriptionItem(s: Subscription, now: Date): MessageItem {
  const details = [`${s.mode}${s.mode === 'immediate' ? '' : `, digest ${formatDigestSchedule(s)}`}`, `${s.minSeverity} and above`];
  if (s.mutedUntil && Date.parse(s.mutedUntil) > now.getTime()) details.push(`muted until ${s.mutedUntil.slice(0, 16).replace('T', ' ')} UTC`);
  return line(`#${s.id}`, what(s), details);
}

export function subscribeReply(scope: SubscriptionScope, cmd: Extract<ParsedCommand, { kind: 'subscribe' }>): ScopedReply {
  const refused = refusal(scope);
  if (refused) return quiet(refused);
  const { app } = scope;
  const known = topicIds(app.topics);
  const topics: string[] = [];
  const keywords: string[] = [];
  for (const word of cmd.words) {
    const lower = word.text.toLowerCase();
    if (!word.quoted && known.includes(lower)) topics.push(lower);
    else keywords.push(word.text);
  }
  const input = parseSubscriptionInput(
    {
      to: destinationOf(scope),
      topics,
      keywords,
      minSeverity: cmd.minSeverity ?? undefined,
      mode: cmd.mode ?? undefined,
    },
    known,
  );
  const { subscription, created } = saveSubscription(app.db, input, app.now());
  const verb = created ? 'subscribed this channel to' : 'updated this channel’s subscription to';
  return {
    announce: true,
    message: {
      title: `✅ ${who(scope.user)} ${verb} ${what(subscription)}`,
      severity: 'info',
      subtitle: `${subscription.mode}${subscription.mode === 'immediate' ? '' : `, digest ${formatDigestSchedule(subscription)}`} · ${subscription.minSeverity} and above`,
      links: [],
      sections: [{ heading: 'Subscription', items: [subscriptionItem(subscription, app.now())] }],
      omitted: 0,
      context: ['`subscriptions` lists this channel’s subscriptions; `unsubscribe` removes them; `mute 8h` pauses them.'],
    },
  };
}

export function unsubscribeReply(scope: SubscriptionScope, topic: string | null): ScopedReply {
  const refused = refusal(scope);
  if (refused) return quiet(refused);
  const { app } = scope;
  const known = topicIds(app.topics);
  if (topic !== null && !known.includes(topic)) {
    return quiet(
      simple(`"${echo(topic, 40)}" is not a topic`, `Topics: ${known.join(', ')}.`, [
        '`unsubscribe` without a topic removes every subscription of this channel; `subscriptions` lists them.',
      ]),
    );
  }
  const destination = destinationOf(scope);
  const result = deleteSubscriptions(app.db, destination, topic ?? undefined);
  if (result.deleted + result.updated === 0) {
    return quiet(simple(topic ? `No subscription here has the topic ${topic}` : 'This channel has no subscriptions', null, ['`subscriptions` lists them.']));
  }
  const changed = [
    result.deleted ? `removed ${plural(result.deleted, 'subscription')}` : '',
    result.updated ? `took ${topic} out of ${plural(result.updated, 'subscription')}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const left = listSubscriptions(app.db, { destination }).length;
  return {
    announce: true,
    message: simple(
      `${who(scope.user)} ${changed}${topic && result.deleted ? ` (topic ${topic})` : ''}`,
      left === 0 ? 'This channel has no subscriptions left.' : `${plural(left, 'subscription')} left.`,
    ),
  };
}

export function subscriptionsReply(scope: SubscriptionScope): ScopedReply {
  const { app } = scope;
  const subs = listSubscriptions(app.db, { destination: destinationOf(scope) });
  if (subs.length === 0) {
    return quiet(
      simple('This channel has no subscriptions', 'Subscribe with `subscribe <topics or keywords>`, e.g. `subscribe rare-earths weekly`.', [
        '`topics` lists the topics.',
      ]),
    );
  }
  const now = app.now();
  return quiet({
    title: `This channel has ${plural(subs.length, 'subscription')}`,
    severity: 'info',
    subtitle: null,
    links: [],
    sections: [
      cappedSection(
        'Subscriptions',
        subs.map((s) => subscriptionItem(s, now)),
      ),
    ],
    omitted: 0,
    context: ['`unsubscribe [topic]` removes them; `mute 8h` pauses them.'],
  });
}

export function muteReply(scope: SubscriptionScope, until: string): ScopedReply {
  const refused = refusal(scope);
  if (refused) return quiet(refused);
  const { app } = scope;
  const destination = destinationOf(scope);
  const end = parseMuteUntil(until, app.now());
  const count = listSubscriptions(app.db, { destination }).length;
  if (count === 0) return quiet(simple('This channel has no subscriptions to mute', null, ['`subscribe` adds one.']));
  const n = muteSubscriptions(app.db, destination, end);
  const title = end
    ? `🔕 ${who(scope.user)} muted this channel’s alerts until ${end.slice(0, 16).replace('T', ' ')} UTC`
    : `🔔 ${who(scope.user)} unmuted this channel’s alerts`;
  return { announce: true, message: simple(title, `${plural(n, 'subscription')} ${end ? 'muted' : 'active again'}.`, end ? ['`mute off` resumes them.'] : []) };
}
