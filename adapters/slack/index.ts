// The Slack adapter: the outbox's delivery adapter (from the environment, for adapters/registry.ts) and the Bolt app
// (`startSlackService`, wired into `exportwatch serve`).
import Database from 'better-sqlite3';
import { LogLevel } from '@slack/bolt';
import { DEFAULT_DATABASE_PATH, loadSlackConfig, type SlackConfig } from '../../src/config.js';
import type { DeliveryAdapter } from '../../src/alerts/types.js';
import type { Db } from '../../storage/db.js';
import { createLogger, type LogSink } from './client.js';
import { createSlackDeliveryAdapter } from './delivery.js';

export { startSlackService, type SlackService, type SlackServiceOptions, type CommandInfo, BOT_SCOPES } from './app.js';
export { renderMessage, renderReply, renderHome, layoutOf, SLACK_LIMITS, type SlackPayload, type RenderedMessage } from './blocks.js';
export { createSlackDeliveryAdapter, type SlackDeliveryOptions } from './delivery.js';
export { toDeliveryError, redact } from './client.js';

export interface SlackAdapterContext {
  env: NodeJS.ProcessEnv;
  /** The open store; otherwise DATABASE_PATH (or the default) is opened read-only on the first Slack send. */
  db?: Db;
  threadSpacingMs?: number;
  pausedRetryMs?: number;
  log?: LogSink;
}

const stderrSink: LogSink = (level, message) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
};

/** The adapter only reads installations: a missing file is an error (retried by the outbox), never a new empty store. */
function openReadOnly(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The delivery adapter for `slack:` destinations, or undefined when Slack is not configured. */
export function createSlackAdapterFromEnv(ctx: SlackAdapterContext): DeliveryAdapter | undefined {
  const config: SlackConfig | null = loadSlackConfig(ctx.env);
  if (config === null) return undefined;
  let db: Db | undefined = ctx.db;
  const secrets = [config.botToken?.reveal(), config.signingSecret?.reveal(), config.oauth?.clientSecret.reveal()].filter((s): s is string => !!s);
  return createSlackDeliveryAdapter({
    config,
    db: () => (db ??= openReadOnly(ctx.env.DATABASE_PATH?.trim() || DEFAULT_DATABASE_PATH)),
    logger: createLogger(ctx.log ?? stderrSink, secrets, LogLevel.WARN),
    ...(ctx.threadSpacingMs !== undefined ? { threadSpacingMs: ctx.threadSpacingMs } : {}),
    ...(ctx.pausedRetryMs !== undefined ? { pausedRetryMs: ctx.pausedRetryMs } : {}),
  });
}
