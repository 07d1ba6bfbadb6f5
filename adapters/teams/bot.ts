// The Teams bot's turn logic, free of any SDK (it sees platform.ts's Turn): commands typed to the bot, and the
// conversation bookkeeping proactive alerts need.
//
// - Every inbound activity stores (or refreshes) its conversation's reference in SQLite — the service URL can change —
//   and proves the bot is in that conversation, so a paused conversation resumes.
// - Installation (conversationUpdate with the bot among membersAdded, installationUpdate `add`) records the install;
//   the first one posts a short welcome card. Channels created later are stored as they are announced.
// - Removal (the bot among membersRemoved, installationUpdate `remove`, team deleted or archived, channel deleted)
//   pauses deliveries to the conversation — to every channel of the team for a team — until the app is added again.
// - Messages: in a channel or group chat after an @mention (removed with removeRecipientMention), in a personal chat as
//   typed, run through the same command grammar as Slack (src/commands/chat); unknown input gets help. The answer is
//   an Adaptive Card in the conversation (in a channel, in the message's thread). Teams has no ephemeral messages:
//   every answer is visible to the conversation.
import type { App } from '../../src/app.js';
import type { Message } from '../../src/alerts/message.js';
import type { SourceConfig } from '../../src/sources/config.js';
import { canonicalDestination } from '../../src/alerts/destination.js';
import { CHAT_COMMANDS, runChatCommand, type ChatContext, type ChatReply } from '../../src/commands/chat/index.js';
import { conversationKey, pauseConversation, pauseTeam, resumeTeam, saveConversation, type TeamsReference } from '../../storage/teams.js';
import { cardActivity } from './cards.js';
import { ConnectorError, type InboundActivity, type LogSink, type Turn, type TurnHandler } from './platform.js';

export interface TeamsBotOptions {
  app: App;
  sources: readonly SourceConfig[];
  digestMaxNews?: number;
  /** Entra object ids of the people allowed to change subscriptions (TEAMS_ADMIN_USERS); empty: every member. */
  adminUsers?: readonly string[];
  /** MICROSOFT_APP_TENANT_ID: activities from other tenants are ignored. */
  tenantId?: string | null;
  /** Accept http service URLs on the loopback interface (the unauthenticated development mode and tests). */
  allowLoopbackServiceUrl?: boolean;
  log?: LogSink;
}

const DECODE: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The text of a Teams message as a command: other mentions as their names, HTML tags removed, entities decoded. */
export function commandText(raw: string): string {
  return raw
    .replace(/<at\b[^>]*>([\s\S]*?)<\/at>/gi, '$1')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, ' ')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return DECODE[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** Why a service URL is not acceptable, or null: https only (http on the loopback interface when allowed). */
export function serviceUrlProblem(text: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'carries credentials';
  if (url.protocol === 'https:') return null;
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && allowLoopback && loopback) return null;
  return `not https (${url.protocol.replace(':', '')}://${url.host})`;
}

function simple(title: string, subtitle: string | null, context: string[] = []): Message {
  return { title, severity: 'info', subtitle, links: [], sections: [], omitted: 0, context };
}

export const WELCOME_MESSAGE: Message = simple(
  'ExportWatch is here',
  'It watches China’s export-control lists (MOFCOM) and posts what changed. Mention @ExportWatch with a command — in a personal chat just type it.',
  [`Commands: ${CHAT_COMMANDS.join(', ')}.`, 'Start with `help`, `topics`, then `subscribe rare-earths` (or any topic or keyword).'],
);

function tenantOf(a: InboundActivity): string | undefined {
  return a.conversation?.tenantId ?? a.channelData?.tenant?.id;
}

function mentionsBot(list: InboundActivity['membersAdded'], bot: string): boolean {
  return (list ?? []).some((m) => m?.id === bot);
}

export function createTeamsBot(options: TeamsBotOptions): TurnHandler {
  const { app } = options;
  const log: LogSink = options.log ?? (() => undefined);
  const admins = options.adminUsers ?? [];

  function store(turn: Turn, extra: { installed?: boolean; resume: boolean; reference?: TeamsReference; channelName?: string | null } = { resume: true }) {
    const a = turn.activity;
    const reference = extra.reference ?? turn.reference();
    const teamId = a.channelData?.team?.id ? conversationKey(a.channelData.team.id) : null;
    const isChannel = reference.conversation.conversationType === 'channel';
    return saveConversation(
      app.db,
      {
        reference,
        teamId: isChannel ? teamId : null,
        teamName: isChannel ? (a.channelData?.team?.name ?? null) : null,
        channelName: isChannel ? (extra.channelName ?? null) : null,
        installed: extra.installed === true,
        resume: extra.resume,
      },
      app.now(),
    );
  }

  async function reply(turn: Turn, message: Message): Promise<void> {
    const { activity } = cardActivity(message);
    try {
      await turn.reply(activity);
    } catch (err) {
      // A ConnectorError says what the Bot Connector answered; anything else is unexpected but must not end the turn.
      const why = err instanceof ConnectorError ? err.message : `unexpected: ${(err as Error).message}`;
      log('warn', `teams: answer in ${conversationKey(turn.activity.conversation.id)} not sent: ${why}`);
    }
  }

  function removed(turn: Turn, reason: string): void {
    const a = turn.activity;
    const teamId = a.channelData?.team?.id;
    if (teamId && a.conversation.conversationType === 'channel') {
      const n = pauseTeam(app.db, teamId, reason, app.now());
      log('warn', `teams: ${reason} in team ${conversationKey(teamId)}: deliveries to its ${n} known channel(s) paused`);
    } else {
      pauseConversation(app.db, a.conversation.id, reason, app.now());
      log('warn', `teams: ${reason} in ${conversationKey(a.conversation.id)}: deliveries paused`);
    }
  }

  async function conversationUpdate(turn: Turn): Promise<void> {
    const a = turn.activity;
    const bot = a.recipient?.id;
    const event = a.channelData?.eventType ?? '';
    const teamId = a.channelData?.team?.id ?? null;
    if (mentionsBot(a.membersRemoved, bot) || event === 'teamDeleted' || event === 'teamHardDeleted' || event === 'teamArchived') {
      store(turn, { resume: false });
      removed(turn, event === 'teamDeleted' || event === 'teamHardDeleted' ? 'team deleted' : event === 'teamArchived' ? 'team archived' : 'app removed');
      return;
    }
    if (mentionsBot(a.membersAdded, bot)) {
      const saved = store(turn, { installed: true, resume: true });
      if (teamId) resumeTeam(app.db, teamId, app.now());
      log('info', `teams: installed in ${saved.conversationId}${teamId ? ` (team ${conversationKey(teamId)})` : ''}`);
      await reply(turn, WELCOME_MESSAGE);
      return;
    }
    store(turn, { resume: true });
    if (teamId && event !== 'channelDeleted') resumeTeam(app.db, teamId, app.now());
    const channel = a.channelData?.channel;
    if (!channel?.id) return;
    if (event === 'channelCreated' || event === 'channelRenamed' || event === 'channelRestored') {
      const base = turn.reference();
      store(turn, { resume: true, channelName: channel.name ?? null, reference: { ...base, conversation: { ...base.conversation, id: channel.id } } });
    } else if (event === 'channelDeleted') {
      pauseConversation(app.db, channel.id, 'channel deleted', app.now());
      log('warn', `teams: channel ${conversationKey(channel.id)} deleted: deliveries paused`);
    }
  }

  async function installationUpdate(turn: Turn): Promise<void> {
    const action = turn.activity.action ?? '';
    if (action.startsWith('remove')) {
      store(turn, { resume: false });
      removed(turn, 'app removed');
      return;
    }
    store(turn, { installed: action.startsWith('add'), resume: true });
    const teamId = turn.activity.channelData?.team?.id;
    if (teamId) resumeTeam(app.db, teamId, app.now());
  }

  async function message(turn: Turn): Promise<void> {
    const a = turn.activity;
    const saved = store(turn, { resume: true });
    const teamId = a.channelData?.team?.id;
    if (teamId && a.conversation.conversationType === 'channel') resumeTeam(app.db, teamId, app.now());
    const text = commandText(turn.textWithoutMention());
    let ctx: ChatContext;
    try {
      const aad = a.from?.aadObjectId ?? '';
      ctx = {
        app,
        platform: 'teams',
        destination: canonicalDestination(`teams:${saved.conversationId}`),
        user: {
          id: aad || a.from?.id || 'unknown',
          ...(a.from?.name ? { name: a.from.name } : {}),
          // Teams delivers messages only from the conversation's members.
          isMember: true,
          isAdmin: aad !== '' && admins.includes(aad.toLowerCase()),
        },
        sources: options.sources,
        ...(options.digestMaxNews !== undefined ? { digestMaxNews: options.digestMaxNews } : {}),
        adminOnly: admins.length > 0,
      };
    } catch {
      await reply(turn, simple('ExportWatch cannot be used in this conversation', null));
      return;
    }
    let answer: ChatReply;
    try {
      answer = runChatCommand(ctx, text);
    } catch (err) {
      log('error', `teams: command ${text.split(' ')[0] || 'help'} failed in ${saved.conversationId}: ${(err as Error).message}`);
      await reply(turn, simple('Sorry, that did not work', 'The error was logged; please try again later.'));
      return;
    }
    await reply(turn, answer.message);
  }

  return async (turn: Turn) => {
    const a = turn.activity;
    try {
      if (a.channelId !== 'msteams') {
        log('debug', `teams: ignored a ${a.type} activity from channel ${String(a.channelId).slice(0, 40)}`);
        return;
      }
      const tenant = tenantOf(a);
      if (options.tenantId && tenant && tenant.toLowerCase() !== options.tenantId.toLowerCase()) {
        log('warn', `teams: ignored a ${a.type} activity from tenant ${tenant.slice(0, 60)} (not MICROSOFT_APP_TENANT_ID)`);
        return;
      }
      if (!a.conversation?.id || !a.recipient?.id) return;
      const problem = serviceUrlProblem(a.serviceUrl ?? '', options.allowLoopbackServiceUrl === true);
      if (problem) {
        log('warn', `teams: ignored a ${a.type} activity: service URL ${problem}`);
        return;
      }
      switch (a.type) {
        case 'message':
          return await message(turn);
        case 'conversationUpdate':
          return await conversationUpdate(turn);
        case 'installationUpdate':
          return await installationUpdate(turn);
        default:
          // Reactions, typing, invokes…: nothing to do, but the conversation is alive and its service URL current.
          store(turn, { resume: true });
      }
    } catch (err) {
      log('error', `teams: ${a.type} activity failed: ${(err as Error).message}`);
    }
  };
}
