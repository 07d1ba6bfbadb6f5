// The Slack adapter: the outbox's delivery adapter (from the environment, for adapters/registry.ts) and the Bolt app
// (`startSlackService`, wired into `exportwatch serve`).
import { LogLevel } from '@slack/bolt';
import { DEFAULT_DATABASE_PATH, loadSlackConfig, type SlackConfig } from '../../src/config.js';
import type { DeliveryAdapter } from '../../src/alerts/types.js';
import { openDatabase, type Db } from '../../storage/db.js';
import { createLogger, type LogSink } from './client.js';
import { createSlackDeliveryAdapter } from './delivery.js';

export { startSlackService, type SlackService, type SlackServiceOptions, type CommandInfo, BOT_SCOPES } from './app.js';
export { renderMessage, renderReply, renderHome, layoutOf, SLACK_LIMITS, type SlackPayload, type RenderedMessage } from './blocks.js';
export { createSlackDeliveryAdapter, type SlackDeliveryOptions } from './delivery.js';
export { toDeliveryError, redact } from './client.js';

export interface SlackAdapterContext {
  env: NodeJS.ProcessEnv;
  /** The open store; otherwise DATABASE_PATH (or the default) is opened on the first Slack send. */
  db?: Db;
  threadSpacingMs?: number;
  pausedRetryMs?: number;
  log?: LogSink;
}

const stderrSink: LogSink = (level, message) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
};

/** The delivery adapter for `slack:` destinations, or undefined when Slack is not configured. */
export function createSlackAdapterFromEnv(ctx: SlackAdapterContext): DeliveryAdapter | undefined {
  const config: SlackConfig | null = loadSlackConfig(ctx.env);
  if (config === null) return undefined;
  let db: Db | undefined = ctx.db;
  const secrets = [config.botToken?.reveal(), config.signingSecret?.reveal(), config.oauth?.clientSecret.reveal()].filter((s): s is string => !!s);
  return createSlackDeliveryAdapter({
    config,
    db: () => (db ??= openDatabase(ctx.env.DATABASE_PATH?.trim() || DEFAULT_DATABASE_PATH)),
    logger: createLogger(ctx.log ?? stderrSink, secrets, LogLevel.WARN),
    ...(ctx.threadSpacingMs !== undefined ? { threadSpacingMs: ctx.threadSpacingMs } : {}),
    ...(ctx.pausedRetryMs !== undefined ? { pausedRetryMs: ctx.pausedRetryMs } : {}),
  });
}
