// The Slack app (Bolt 5): `/exportwatch` slash command, the "Share in channel" button, the App Home tab, and the
// uninstall events; served on /slack/events of the service's own HTTP server (HTTP mode), or over Socket Mode.
//
// HTTP mode: every request to /slack/events is verified here (signature, a timestamp within five minutes in either
// direction, and a signature not used before: no replays) and answered 401 otherwise, logged without its body; the
// verified body is parsed once and handed to Bolt's processEvent with Bolt's own ack (HTTPResponseAck), as its
// HTTPReceiver would after verifying the same bytes again. /slack/install and /slack/oauth_redirect run Bolt's OAuth
// installer (through the HTTPReceiver) when OAuth is configured.
// A command is acknowledged at once (Slack wants an answer within 3 s) with an empty 200; the work happens after the
// ack, one command per pass of the event loop and not while requests are still arriving (turns.ts: a burst is
// acknowledged before it is worked through), and the answer is posted to the command's response_url (respond.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App as BoltApp,
  HTTPModuleFunctions,
  HTTPReceiver,
  HTTPResponseAck,
  LogLevel,
  type BlockAction,
  type BufferedIncomingMessage,
  type ButtonAction,
  type Logger,
} from '@slack/bolt';
import type { App } from '../../src/app.js';
import type { SlackConfig } from '../../src/config.js';
import type { SourceConfig } from '../../src/sources/config.js';
import { canonicalDestination } from '../../src/alerts/destination.js';
import { commandNamed, runChatCommand, type ChatCommandName, type ChatContext, type ChatReply } from '../../src/commands/chat/index.js';
import { listSubscriptions } from '../../storage/subscriptions.js';
import { createInstallationStore, latestChangeEvents, pauseWorkspace, resumeWorkspace, subscribedChannels } from '../../storage/slack.js';
import { OPEN_LINK_ACTION_ID, renderHome, renderNotice, renderReply, SHARE_ACTION_ID, type HomeChannel, type SlackPayload } from './blocks.js';
import { clientOptions, createLogger, redact, slackErrorCode, type LogSink, type WebClient } from './client.js';
import { userMention } from './escape.js';
import { createResponseUrlPoster } from './respond.js';
import { createTurns } from './turns.js';
import { readBody, ReplayGuard, verifySlackRequest } from './verify.js';

/** The bot scopes the app asks for (also in slack/manifest.yaml). */
export const BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'channels:read', 'groups:read', 'im:read', 'mpim:read'];
export const EVENTS_PATH = '/slack/events';
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';
/** Longest text a "Share in channel" button carries (commands are bounded to 500 characters by the grammar). */
const MAX_SHARED_TEXT = 1000;
const MAX_BODY_BYTES = 1024 * 1024;
/** Commands that only read: their answers may be shared in the channel (run again there). */
const READ_ONLY_COMMANDS: ReadonlySet<ChatCommandName> = new Set(['check', 'item', 'recent', 'subscriptions', 'digest', 'topics', 'status', 'help']);
/** Commands that change the channel's subscriptions. */
const CHANGING_COMMANDS: ReadonlySet<string> = new Set(['subscribe', 'unsubscribe', 'mute']);
/** Channels whose membership the App Home checks for one user. */
const HOME_CHANNEL_LIMIT = 25;

export interface CommandInfo {
  text: string;
  teamId: string;
  channelId: string;
  userId: string;
}

export interface SlackServiceOptions {
  app: App;
  config: SlackConfig;
  sources: readonly SourceConfig[];
  digestMaxNews?: number;
  /** Where log lines go (redacted; never a request body). Default: standard error. */
  log?: LogSink;
  logLevel?: LogLevel;
  /** Test hooks: `beforeCommand` runs after the ack, at the command's turn, before its database work. */
  hooks?: { beforeCommand?: (info: CommandInfo) => void | Promise<void> };
  /** Clock for request verification (default Date.now). */
  nowMs?: () => number;
  /** How long a channel-membership answer is reused (default 60 s). */
  membershipCacheMs?: number;
}

export interface SlackService {
  mode: 'http' | 'socket';
  /** The workspace of SLACK_BOT_TOKEN (after start), null with OAuth. */
  teamId: string | null;
  bolt: BoltApp;
  /** Serves /slack/* on the service's HTTP server; false when the request is not Slack's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  stop(): Promise<void>;
}

const defaultSink: LogSink = (level, message) => {
  if (level !== 'debug') process.stderr.write(`${level === 'info' ? '' : `${level}: `}${message}\n`);
};

function firstWord(text: string): string {
  return text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

function readOnly(text: string): boolean {
  const name = commandNamed(firstWord(text));
  return name !== null && READ_ONLY_COMMANDS.has(name);
}

interface Membership {
  known: boolean;
  member: boolean;
  error?: string;
}

/** Creates the Bolt app, checks the token (auth.test) or the OAuth settings, and connects Socket Mode. */
export async function startSlackService(options: SlackServiceOptions): Promise<SlackService> {
  const { app, config } = options;
  const sink = options.log ?? defaultSink;
  const secrets = [
    config.signingSecret?.reveal(),
    config.botToken?.reveal(),
    config.appToken?.reveal(),
    config.oauth?.clientSecret.reveal(),
    config.oauth?.stateSecret.reveal(),
  ].filter((s): s is string => typeof s === 'string');
  const logger: Logger = createLogger(sink, secrets, options.logLevel ?? LogLevel.INFO);
  const log = (level: 'info' | 'warn' | 'error', text: string): void => sink(level, redact(`slack: ${text}`, secrets));
  const nowMs = options.nowMs ?? (() => Date.now());
  const cacheMs = options.membershipCacheMs ?? 60_000;
  const webOptions = clientOptions({ apiUrl: config.apiUrl, timeoutMs: config.timeoutMs, retries: 2, logger });

  let receiver: HTTPReceiver | null = null;
  let bolt: BoltApp;
  if (config.mode === 'socket') {
    bolt = new BoltApp({
      token: config.botToken!.reveal(),
      appToken: config.appToken!.reveal(),
      socketMode: true,
      logger,
      clientOptions: webOptions,
      deferInitialization: true,
      // No conversation store: nothing here keeps state per conversation, and the default (in memory) one creates and
      // throws away an Error for every request from a conversation it holds nothing for.
      convoStore: false,
    });
  } else {
    const oauth = config.auth === 'oauth' && config.oauth && config.tokenEncryptionKey;
    const store = oauth ? createInstallationStore(app.db, config.tokenEncryptionKey!, () => app.now()) : undefined;
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret!.reveal(),
      endpoints: EVENTS_PATH,
      logger,
      processBeforeResponse: false,
      ...(oauth
        ? {
            clientId: config.oauth!.clientId,
            clientSecret: config.oauth!.clientSecret.reveal(),
            stateSecret: config.oauth!.stateSecret.reveal(),
            scopes: BOT_SCOPES,
            installationStore: {
              ...store!,
              storeInstallation: async (installation) => {
                await store!.storeInstallation(installation);
                log('info', `installed in workspace ${installation.team?.id ?? installation.enterprise?.id ?? '?'}`);
              },
            },
            installerOptions: {
              installPath: INSTALL_PATH,
              redirectUriPath: REDIRECT_PATH,
              directInstall: false,
              stateVerification: true,
              clientOptions: webOptions,
            },
          }
        : {}),
    });
    bolt = new BoltApp({
      receiver,
      ...(config.auth === 'single' ? { token: config.botToken!.reveal() } : {}),
      logger,
      clientOptions: webOptions,
      deferInitialization: true,
      // No conversation store: nothing here keeps state per conversation, and the default (in memory) one creates and
      // throws away an Error for every request from a conversation it holds nothing for.
      convoStore: false,
    });
  }

  // ---- who may change subscriptions --------------------------------------------------------------------------
  const membership = new Map<string, { at: number; value: Membership }>();
  // Commands arriving together from one channel and user share one lookup in flight.
  const pending = new Map<string, Promise<Membership>>();
  function isMember(client: WebClient, channel: string, user: string): Promise<Membership> {
    const key = `${channel}/${user}`;
    const cached = membership.get(key);
    if (cached && nowMs() - cached.at < cacheMs) return Promise.resolve(cached.value);
    const inFlight = pending.get(key);
    if (inFlight) return inFlight;
    const lookup = lookUpMembership(client, channel, user, key).finally(() => pending.delete(key));
    pending.set(key, lookup);
    return lookup;
  }
  async function lookUpMembership(client: WebClient, channel: string, user: string, key: string): Promise<Membership> {
    let value: Membership;
    try {
      let cursor: string | undefined;
      let member = false;
      for (let page = 0; page < 10 && !member; page++) {
        const r = await client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) });
        member = (r.members ?? []).includes(user);
        cursor = r.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      value = { known: true, member };
    } catch (err) {
      value = { known: false, member: false, error: slackErrorCode(err) ?? 'no answer from Slack' };
      // A direct message with the app: conversations.info names the other person.
      try {
        const info = await client.conversations.info({ channel });
        const ch = info.channel as { is_im?: boolean; user?: string } | undefined;
        if (ch?.is_im) value = { known: true, member: ch.user === user };
      } catch {
        // keep the first answer
      }
    }
    if (value.known) membership.set(key, { at: nowMs(), value });
    if (membership.size > 5000) membership.clear();
    return value;
  }

  function chatContext(teamId: string, channelId: string, user: { id: string; name?: string }, member: boolean): ChatContext {
    return {
      app,
      platform: 'slack',
      destination: canonicalDestination(`slack:${teamId}/${channelId}`),
      user: { id: user.id, ...(user.name ? { name: user.name } : {}), isMember: member, isAdmin: config.adminUsers.includes(user.id) },
      sources: options.sources,
      ...(options.digestMaxNews !== undefined ? { digestMaxNews: options.digestMaxNews } : {}),
      adminOnly: config.adminUsers.length > 0,
    };
  }

  const postAnswer = createResponseUrlPoster({ timeoutMs: config.timeoutMs });
  /** Posts an answer to a response_url; a failure (an expired URL, a timeout) is logged, without the URL. */
  async function safeRespond(
    responseUrl: string | undefined,
    message: SlackPayload & { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean },
  ): Promise<void> {
    try {
      if (!responseUrl) throw new Error('the request has no response_url');
      await postAnswer(responseUrl, message);
    } catch (err) {
      log('warn', `could not answer through response_url: ${(err as Error).message}`);
    }
  }
  /** Commands' and buttons' work after their ack: one per pass of the event loop, in arrival order, requests first. */
  const turns = createTurns();

  // ---- /exportwatch --------------------------------------------------------------------------------------------
  bolt.command(/^\/exportwatch/, async ({ command, ack, client }) => {
    await ack();
    const respondTo = command.response_url;
    const text = command.text ?? '';
    const info: CommandInfo = { text, teamId: command.team_id, channelId: command.channel_id, userId: command.user_id };
    try {
      const member = await isMember(client, command.channel_id, command.user_id);
      // The database work (better-sqlite3 is synchronous) and rendering wait for their turn: requests that arrived
      // meanwhile are read, verified and acknowledged first.
      await turns.next();
      await options.hooks?.beforeCommand?.(info);
      let ctx: ChatContext;
      try {
        ctx = chatContext(command.team_id, command.channel_id, { id: command.user_id, name: command.user_name }, member.member);
      } catch {
        await safeRespond(respondTo, { response_type: 'ephemeral', ...renderNotice('ExportWatch cannot be used in this conversation.') });
        return;
      }
      const reply: ChatReply = runChatCommand(ctx, text);
      if (!member.known && CHANGING_COMMANDS.has(reply.command)) {
        await safeRespond(respondTo, {
          response_type: 'ephemeral',
          ...renderNotice(
            `Could not check that you are a member of this channel (Slack answered ${member.error}). Invite the app to the channel with /invite @ExportWatch and try again.`,
          ),
        });
        return;
      }
      const shareable = reply.shareable && text.length <= MAX_SHARED_TEXT && readOnly(text);
      const payload = renderReply(reply.message, { shareValue: shareable ? JSON.stringify({ t: text }) : null });
      await safeRespond(respondTo, { response_type: reply.visibility, ...payload });
    } catch (err) {
      log('error', `/exportwatch ${firstWord(text) || 'help'} failed in ${info.teamId}/${info.channelId}: ${(err as Error).message}`);
      await safeRespond(respondTo, { response_type: 'ephemeral', ...renderNotice('Sorry, that did not work. The error was logged; please try again later.') });
    }
  });

  // ---- "Share in channel": the same read-only command, run again and posted in the channel --------------------
  bolt.action<BlockAction<ButtonAction>>(SHARE_ACTION_ID, async ({ ack, body, action }) => {
    await ack();
    await turns.next();
    const respondTo = body.response_url;
    let text = '';
    try {
      const parsed = JSON.parse(action.value ?? '{}') as { t?: unknown };
      text = typeof parsed.t === 'string' ? parsed.t : '';
    } catch {
      text = '';
    }
    const teamId = body.team?.id ?? body.user.team_id;
    const channelId = body.channel?.id;
    if (!teamId || !channelId || text.length > MAX_SHARED_TEXT || !readOnly(text)) {
      await safeRespond(respondTo, { response_type: 'ephemeral', replace_original: false, ...renderNotice('This answer cannot be shared.') });
      return;
    }
    try {
      const reply = runChatCommand(chatContext(teamId, channelId, { id: body.user.id, name: body.user.name }, false), text);
      if (!reply.shareable) {
        await safeRespond(respondTo, { response_type: 'ephemeral', replace_original: false, ...renderNotice('This answer cannot be shared.') });
        return;
      }
      const payload = renderReply(reply.message, { sharedBy: userMention(body.user.id) });
      await safeRespond(respondTo, { response_type: 'in_channel', replace_original: false, ...payload });
    } catch (err) {
      log('error', `sharing failed in ${teamId}/${channelId}: ${(err as Error).message}`);
    }
  });
  // The "Open official text" button is a link; Slack still sends the click, which needs an ack.
  bolt.action(OPEN_LINK_ACTION_ID, async ({ ack }) => {
    await ack();
  });

  // ---- App Home -------------------------------------------------------------------------------------------------
  bolt.event('app_home_opened', async ({ event, body, client, context }) => {
    if (event.tab !== 'home') return;
    const teamId = context.teamId ?? (body as { team_id?: string }).team_id;
    if (!teamId) return;
    try {
      const channels: HomeChannel[] = [];
      const all = subscribedChannels(app.db, teamId);
      for (const channelId of all.slice(0, HOME_CHANNEL_LIMIT)) {
        const m = await isMember(client, channelId, event.user);
        if (!m.member) continue;
        channels.push({ channelId, subscriptions: listSubscriptions(app.db, { destination: `slack:${teamId}/${channelId}` }) });
      }
      const view = renderHome({
        channels,
        uncheckedChannels: Math.max(0, all.length - HOME_CHANNEL_LIMIT),
        latest: latestChangeEvents(app.db, 5),
        now: app.now(),
      });
      await client.views.publish({ user_id: event.user, view });
    } catch (err) {
      log('warn', `App Home for ${teamId} not published: ${(err as Error).message}`);
    }
  });

  // ---- uninstall: tokens removed, deliveries paused ---------------------------------------------------------
  bolt.event('app_uninstalled', async ({ body }) => {
    const teamId = (body as { team_id?: string }).team_id;
    if (!teamId) return;
    pauseWorkspace(app.db, teamId, 'app uninstalled', app.now());
    membership.clear();
    log('warn', `uninstalled from workspace ${teamId}: tokens removed, deliveries paused`);
  });
  bolt.event('tokens_revoked', async ({ event, body }) => {
    const teamId = (body as { team_id?: string }).team_id;
    if (!teamId || (event.tokens.bot ?? []).length === 0) return;
    pauseWorkspace(app.db, teamId, 'bot token revoked', app.now());
    log('warn', `bot token revoked in workspace ${teamId}: tokens removed, deliveries paused`);
  });

  bolt.error(async (err) => {
    log('error', `Bolt: ${err.message}`);
  });

  // ---- start ----------------------------------------------------------------------------------------------------
  let teamId: string | null = null;
  try {
    await bolt.init();
    if (config.auth === 'single') {
      const who = await bolt.client.auth.test({ token: config.botToken!.reveal() });
      teamId = who.team_id ?? null;
      if (teamId && resumeWorkspace(app.db, teamId, app.now())) log('info', `workspace ${teamId} resumed: the bot token works again`);
    }
    if (config.mode === 'socket') await bolt.start();
  } catch (err) {
    const code = slackErrorCode(err);
    throw new Error(
      code
        ? `Slack refused the bot token (${code}): check SLACK_BOT_TOKEN${config.mode === 'socket' ? ' and SLACK_APP_TOKEN' : ''}, or reinstall the app`
        : `cannot reach Slack at ${config.apiUrl}: ${redact((err as Error).message, secrets)}`,
    );
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (receiver === null) return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const oauthPath = config.auth === 'oauth' && (path === INSTALL_PATH || path === REDIRECT_PATH);
    if (path !== EVENTS_PATH && !oauthPath) return false;
    if (oauthPath) {
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
        return true;
      }
      dispatch(req, res);
      return true;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return true;
    }
    turns.arrived();
    void events(req, res);
    return true;
  }

  function dispatch(req: IncomingMessage, res: ServerResponse): void {
    try {
      receiver!.requestListener(req, res);
    } catch (err) {
      log('warn', `${req.method} ${new URL(req.url ?? '/', 'http://localhost').pathname}: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(404).end();
    }
  }

  const replays = new ReplayGuard();

  async function events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (err) {
      const tooLarge = (err as { code?: string }).code === 'too-large';
      log('warn', `rejected POST ${EVENTS_PATH} from ${req.socket.remoteAddress ?? '?'}: ${tooLarge ? 'body over 1 MiB' : 'body not readable'}`);
      if (!res.headersSent) res.writeHead(tooLarge ? 413 : 400, { connection: 'close' }).end();
      return;
    }
    const verdict = verifySlackRequest(config.signingSecret!.reveal(), req, body, nowMs());
    if (!verdict.ok) {
      // Logged without the body (it may hold a response_url or user text).
      log('warn', `rejected POST ${EVENTS_PATH} from ${req.socket.remoteAddress ?? '?'}: ${verdict.reason}`);
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    if (!replays.firstUse(req, nowMs())) {
      log('warn', `rejected POST ${EVENTS_PATH} from ${req.socket.remoteAddress ?? '?'}: replay of an already used signature`);
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    await deliver(Object.assign(req, { rawBody: body }) as BufferedIncomingMessage, res);
  }

  /**
   * What Bolt's HTTPReceiver does with a request once it has verified it (same parsing, same ack, same error answers),
   * without verifying it a second time: the signature, timestamp and replay checks above are stricter than Bolt's.
   */
  async function deliver(req: BufferedIncomingMessage, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(req) as Record<string, unknown>;
    } catch (err) {
      log('warn', `malformed POST ${EVENTS_PATH} from ${req.socket.remoteAddress ?? '?'}: ${(err as Error).message}`);
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    if (body === null || typeof body !== 'object') {
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    if (body.ssl_check === '1') {
      HTTPModuleFunctions.buildSSLCheckResponse(res);
      return;
    }
    if (body.type === 'url_verification') {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
      return;
    }
    const ack = new HTTPResponseAck({ logger, processBeforeResponse: false, httpRequest: req, httpRequestBody: body, httpResponse: res });
    try {
      await bolt.processEvent({
        body,
        ack: ack.bind(),
        retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
        retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
        customProperties: {},
      });
    } catch (error) {
      const acknowledged = await HTTPModuleFunctions.defaultProcessEventErrorHandler({
        error: error as Error,
        logger,
        request: req,
        response: res,
        storedResponse: ack.storedResponse,
      });
      if (acknowledged) ack.ack();
    }
  }

  return {
    mode: config.mode,
    teamId,
    bolt,
    handle,
    async stop() {
      if (config.mode === 'socket') await bolt.stop();
    },
  };
}
