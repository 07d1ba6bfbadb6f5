// The small interface ExportWatch needs from a Teams bot SDK: validate an inbound request and run a turn, take the
// conversation reference to store, and send an activity into a stored conversation. bot-framework.ts implements it with
// botbuilder (the Bot Framework SDK, archived by Microsoft); moving to the Microsoft 365 Agents SDK means another
// implementation of this file's interface, in this folder, and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TeamsReference } from '../../storage/teams.js';
import type { CardAttachment } from './cards.js';

export type { TeamsReference };

export interface ChannelAccount {
  id: string;
  name?: string;
  /** The person's Microsoft Entra object id (Teams users). */
  aadObjectId?: string;
}

/** The fields of an inbound Bot Framework activity the bot reads. */
export interface InboundActivity {
  type: string;
  id?: string;
  /** installationUpdate: `add`, `remove`, `add-upgrade`, `remove-upgrade`. */
  action?: string;
  text?: string;
  channelId: string;
  serviceUrl: string;
  locale?: string;
  from: ChannelAccount;
  recipient: ChannelAccount;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean; name?: string };
  membersAdded?: ChannelAccount[];
  membersRemoved?: ChannelAccount[];
  channelData?: {
    eventType?: string;
    tenant?: { id?: string };
    team?: { id?: string; name?: string; aadGroupId?: string };
    channel?: { id?: string; name?: string };
  };
}

/** What the bot sends: a card message (or plain text). */
export interface OutboundActivity {
  type: 'message';
  text?: string;
  summary?: string;
  attachments?: CardAttachment[];
}

/** One inbound activity being handled. */
export interface Turn {
  activity: InboundActivity;
  /** The conversation reference of the activity (no activity id), as stored for proactive sends. */
  reference(): TeamsReference;
  /** The message text with the bot's own @mention removed (and nothing else changed). */
  textWithoutMention(): string;
  /** Answers in the conversation (in a channel, in the thread of the message). Returns the new activity's id. Throws ConnectorError. */
  reply(activity: OutboundActivity): Promise<string | undefined>;
}

export type TurnHandler = (turn: Turn) => Promise<void>;

export interface BotPlatform {
  /** Whether inbound requests are authenticated (false only in the development mode without an app id). */
  authenticated: boolean;
  /** Serves POST /api/messages: authenticates the request (401 otherwise) and runs the turn. */
  handle(req: IncomingMessage, res: ServerResponse, onTurn: TurnHandler): void;
  /** Posts an activity into a stored conversation, as a new message (not a reply). Returns its id. Throws ConnectorError. */
  send(reference: TeamsReference, activity: OutboundActivity): Promise<string | undefined>;
}

/** A failed call to the Bot Connector: `status` 0 for network errors and timeouts. */
export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    message: string,
    readonly status: number,
    /** The Retry-After header, as sent. */
    readonly retryAfter: string | undefined,
    /** The error code in the answer (`BotNotInConversationRoster`, `ConversationBlockedByUser`…), when there is one. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Where a log line goes (never a request body, a token or a password). */
export type LogSink = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
