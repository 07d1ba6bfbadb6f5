// The Teams adapter: the bot on /api/messages (`startTeamsService`, wired into `exportwatch serve`) and the outbox's
// `teams` delivery adapter (from the environment, for adapters/registry.ts). Everything botbuilder-specific is in
// bot-framework.ts behind platform.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../../src/app.js';
import { DEFAULT_DATABASE_PATH, loadTeamsConfig, type TeamsConfig } from '../../src/config.js';
import type { DeliveryAdapter } from '../../src/alerts/types.js';
import type { SourceConfig } from '../../src/sources/config.js';
import { openDatabase, type Db } from '../../storage/db.js';
import { createBotFrameworkPlatform, MESSAGES_PATH, type BotFrameworkOptions } from './bot-framework.js';
import { createTeamsBot } from './bot.js';
import { createTeamsDeliveryAdapter } from './delivery.js';
import type { BotPlatform, LogSink } from './platform.js';

export { MESSAGES_PATH } from './bot-framework.js';
export { createTeamsBot, commandText, serviceUrlProblem, WELCOME_MESSAGE } from './bot.js';
export { createTeamsDeliveryAdapter } from './delivery.js';
export * from './cards.js';
export { ConnectorError, type BotPlatform, type LogSink, type Turn, type InboundActivity, type OutboundActivity } from './platform.js';

/** Test hooks: keys and tokens on 127.0.0.1 instead of Microsoft's, http service URLs on the loopback interface. */
export type TeamsTesting = NonNullable<BotFrameworkOptions['testing']> & { allowLoopbackServiceUrl?: boolean };

const stderrSink: LogSink = (level, message) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
};

function platformFor(config: TeamsConfig, log: LogSink, testing?: TeamsTesting): BotPlatform {
  return createBotFrameworkPlatform({
    appId: config.appId,
    appPassword: config.appPassword?.reveal() ?? null,
    tenantId: config.tenantId,
    appType: config.appType,
    timeoutMs: config.timeoutMs,
    log,
    ...(testing ? { testing } : {}),
  });
}

export interface TeamsAdapterContext {
  env: NodeJS.ProcessEnv;
  /** The open store; otherwise DATABASE_PATH (or the default) is opened on the first Teams send. */
  db?: Db;
  pausedRetryMs?: number;
  log?: LogSink;
  testing?: TeamsTesting;
}

/** The delivery adapter for `teams:` destinations, or undefined when the Teams bot is not configured. */
export function createTeamsAdapterFromEnv(ctx: TeamsAdapterContext): DeliveryAdapter | undefined {
  const config = loadTeamsConfig(ctx.env);
  if (config === null) return undefined;
  const log = ctx.log ?? stderrSink;
  let db: Db | undefined = ctx.db;
  let platform: BotPlatform | undefined;
  return createTeamsDeliveryAdapter({
    platform: () => (platform ??= platformFor(config, log, ctx.testing)),
    db: () => (db ??= openDatabase(ctx.env.DATABASE_PATH?.trim() || DEFAULT_DATABASE_PATH)),
    allowLoopbackServiceUrl: !config.authenticated || ctx.testing?.allowLoopbackServiceUrl === true,
    log,
    ...(ctx.pausedRetryMs !== undefined ? { pausedRetryMs: ctx.pausedRetryMs } : {}),
  });
}

export interface TeamsServiceOptions {
  app: App;
  config: TeamsConfig;
  sources: readonly SourceConfig[];
  digestMaxNews?: number;
  /** Where log lines go (never a request body or a secret). Default: standard error. */
  log?: LogSink;
  testing?: TeamsTesting;
}

export interface TeamsService {
  /** False in the development mode without MICROSOFT_APP_ID. */
  authenticated: boolean;
  /** Serves POST /api/messages on the service's HTTP server; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  stop(): Promise<void>;
}

const defaultSink: LogSink = (level, message) => {
  if (level !== 'debug') process.stderr.write(`${level === 'info' ? '' : `${level}: `}${message}\n`);
};

export function startTeamsService(options: TeamsServiceOptions): TeamsService {
  const { config } = options;
  const log = options.log ?? defaultSink;
  const platform = platformFor(config, log, options.testing);
  const bot = createTeamsBot({
    app: options.app,
    sources: options.sources,
    ...(options.digestMaxNews !== undefined ? { digestMaxNews: options.digestMaxNews } : {}),
    adminUsers: config.adminUsers,
    tenantId: config.tenantId,
    allowLoopbackServiceUrl: !config.authenticated || options.testing?.allowLoopbackServiceUrl === true,
    log,
  });
  if (!config.authenticated) log('warn', 'teams: MICROSOFT_APP_ID is empty: /api/messages accepts unauthenticated requests (development only)');
  return {
    authenticated: platform.authenticated,
    handle(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== MESSAGES_PATH) return false;
      platform.handle(req, res, bot);
      return true;
    },
    async stop() {
      // Nothing to close: the platform holds no sockets of its own.
    },
  };
}
