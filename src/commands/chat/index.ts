// The platform-neutral chat command layer: Slack's slash command and the Teams bot both hand the text a
// person typed to runChatCommand and render the Message it returns. Synchronous (the store is), small
// replies, and never an exception for anything a person can type: bad input gets usage or help.
import { DestinationError } from '../../alerts/destination.js';
import type { Message } from '../../alerts/message.js';
import { SubscriptionError } from '../../alerts/subscriptions.js';
import type { App } from '../../app.js';
import type { SourceConfig } from '../../sources/config.js';
import { UsageError } from '../input.js';
import { NotFoundError } from '../item.js';
import { checkReply } from './check-reply.js';
import { digestReply } from './digest-reply.js';
import { CHAT_HELP, commandHelp, helpFor } from './help.js';
import { statusReply, topicsReply } from './info-replies.js';
import { itemReply } from './item-reply.js';
import { CHAT_MAX_INPUT, parseChatCommand, type ChatCommandName, type ParsedCommand } from './parse.js';
import { recentReply } from './recent-reply.js';
import { muteReply, subscribeReply, subscriptionsReply, unsubscribeReply, type ScopedReply, type SubscriptionScope } from './subscription-replies.js';
import { boundMessage, plural } from './text.js';

export { CHAT_HELP, CHAT_MAX_INPUT, parseChatCommand };
export { CHAT_COMMANDS, commandNamed, splitWords, type ChatCommandName, type ParsedCommand, type SubscribeWord } from './parse.js';
export { COMMAND_HELP } from './help.js';

export interface ChatUser {
  id: string;
  name?: string;
  /** A member of the conversation the command was typed in. */
  isMember: boolean;
  /** One of the configured admins (e.g. SLACK_ADMIN_USERS). */
  isAdmin: boolean;
}

export interface ChatContext {
  app: App;
  platform: 'slack' | 'teams';
  /** Where the command was typed, as a destination: `slack:T123/C456`, `teams:<conversation id>`. */
  destination: string;
  user: ChatUser;
  sources: readonly SourceConfig[];
  /** Most news items in a digest preview (default 10, as DIGEST_MAX_NEWS). */
  digestMaxNews?: number;
  /** Subscription changes need an admin as well as a member. */
  adminOnly?: boolean;
}

export interface ChatReply {
  message: Message;
  visibility: 'ephemeral' | 'in_channel';
  /** True for check results: the adapter offers a "share in channel" button. */
  shareable: boolean;
  /** The subcommand run (`check` for its alias `lookup` too; `help` for unknown input). */
  command: string;
}

function reply(command: ChatCommandName, message: Message, options: { visibility?: ChatReply['visibility']; shareable?: boolean } = {}): ChatReply {
  return { message: boundMessage(message), visibility: options.visibility ?? 'ephemeral', shareable: options.shareable ?? false, command };
}

function scoped(command: ChatCommandName, r: ScopedReply): ChatReply {
  return reply(command, r.message, { visibility: r.announce ? 'in_channel' : 'ephemeral' });
}

function tooLong(length: number, command: ChatCommandName | null): Message {
  return {
    title: 'That command is too long',
    severity: 'info',
    subtitle: `Commands are limited to ${CHAT_MAX_INPUT} characters; this one has ${plural(length, 'character')}.`,
    links: [],
    sections: [],
    omitted: 0,
    context: [command ? `\`help ${command}\` shows how to write it.` : '`help` lists the commands.'],
  };
}

function run(ctx: ChatContext, parsed: ParsedCommand): ChatReply {
  const scope: SubscriptionScope = { app: ctx.app, destination: ctx.destination, user: ctx.user, adminOnly: ctx.adminOnly === true };
  switch (parsed.kind) {
    case 'check':
      return reply('check', checkReply(ctx.app, parsed.query), { shareable: true });
    case 'item':
      return reply('item', itemReply(ctx.app, parsed.key));
    case 'recent':
      return reply('recent', recentReply(ctx.app, parsed.days));
    case 'subscribe':
      return scoped('subscribe', subscribeReply(scope, parsed));
    case 'unsubscribe':
      return scoped('unsubscribe', unsubscribeReply(scope, parsed.topic));
    case 'subscriptions':
      return scoped('subscriptions', subscriptionsReply(scope));
    case 'mute':
      return scoped('mute', muteReply(scope, parsed.until));
    case 'digest':
      return reply('digest', digestReply(ctx.app, ctx.destination, ctx.digestMaxNews));
    case 'topics':
      return reply('topics', topicsReply(ctx.app));
    case 'status':
      return reply('status', statusReply(ctx.app, ctx.sources));
    case 'help':
      return reply('help', parsed.topic ? commandHelp(parsed.topic) : helpFor(parsed.unknown));
    case 'usage':
      return reply(parsed.command, commandHelp(parsed.command, parsed.problem));
    case 'too-long':
      return reply(parsed.command ?? 'help', tooLong(parsed.length, parsed.command));
  }
}

/** The subcommand a parsed command belongs to, for usage replies. */
function commandOf(parsed: ParsedCommand): ChatCommandName {
  switch (parsed.kind) {
    case 'usage':
      return parsed.command;
    case 'too-long':
      return parsed.command ?? 'help';
    default:
      return parsed.kind;
  }
}

/**
 * Runs one chat command for a person in a conversation and returns the reply to show. Never throws for
 * anything typed: usage mistakes, unknown keys, invalid subscriptions or durations become a message
 * (with the command's help); only a bug or a broken store throws.
 */
export function runChatCommand(ctx: ChatContext, text: string): ChatReply {
  const parsed = parseChatCommand(text);
  try {
    return run(ctx, parsed);
  } catch (err) {
    if (err instanceof UsageError || err instanceof SubscriptionError || err instanceof DestinationError || err instanceof NotFoundError) {
      return reply(commandOf(parsed), commandHelp(commandOf(parsed), err.message));
    }
    throw err;
  }
}
