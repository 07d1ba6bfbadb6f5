// Outbound delivery adapters, one line per platform: a new chat platform is a folder under adapters/ plus a line here.
// A platform without a configured adapter maps to undefined; the outbox keeps its deliveries pending (and fails them
// after the maximum age) rather than dropping them.
import type { DeliveryAdapter, Platform } from '../src/alerts/types.js';
import type { LookupAll } from '../src/alerts/url-guard.js';
import type { Db } from '../storage/db.js';
import { createConsoleDeliveryAdapter } from './console/adapter.js';
import type { SlackAdapterContext } from './slack/index.js';
import type { TeamsAdapterContext } from './teams/index.js';
import { loadSlackConfig, loadTeamsConfig } from '../src/config.js';
import { DeliveryError } from '../src/alerts/types.js';
import { createWorkflowAdapter, type WorkflowAdapterOptions } from './teams-workflow/index.js';
import { createWebhookAdapter } from './webhook/index.js';

export interface AdapterContext {
  /** WEBHOOK_SECRET, URL_ALLOWLIST… */
  env: NodeJS.ProcessEnv;
  /** Where the console adapter prints. */
  stdout?: NodeJS.WritableStream;
  userAgent?: string;
  /** DNS lookup for the URL guard (tests). */
  lookup?: LookupAll;
  /** The open store (Slack installations and paused workspaces); without it the Slack adapter opens DATABASE_PATH. */
  db?: Db;
  /** Slack adapter settings besides the environment (tests: no spacing between thread replies, a log sink). */
  slack?: Omit<SlackAdapterContext, 'env' | 'db'>;
  /** Teams bot adapter settings besides the environment (tests: a log sink, loopback service URLs). */
  teams?: Omit<TeamsAdapterContext, 'env' | 'db'>;
  /** Workflows webhook settings besides the environment (tests: the receiver's certificate authority). */
  teamsWorkflow?: Pick<WorkflowAdapterOptions, 'ca' | 'timeoutMs' | 'maxBytes'>;
}

export type AdapterMap = Record<Platform, DeliveryAdapter | undefined>;

/**
 * An adapter whose module (Bolt, botbuilder: about a second to load) is imported on its first send, so commands and
 * a service without that platform start fast. The configuration is still checked up front.
 */
function lazyAdapter(platform: Platform, load: () => Promise<DeliveryAdapter | undefined>): DeliveryAdapter {
  let adapter: Promise<DeliveryAdapter | undefined> | undefined;
  return {
    platform,
    async send(destination, message, meta) {
      const loaded = await (adapter ??= load());
      if (!loaded) throw new DeliveryError(missingAdapterReason(platform), true);
      return loaded.send(destination, message, meta);
    },
  };
}

const FACTORIES: Record<Platform, (ctx: AdapterContext) => DeliveryAdapter | undefined> = {
  console: (ctx) => createConsoleDeliveryAdapter(ctx.stdout),
  webhook: (ctx) => {
    const secret = ctx.env.WEBHOOK_SECRET?.trim();
    if (!secret) return undefined;
    return createWebhookAdapter({
      secret,
      allowlist: ctx.env.URL_ALLOWLIST ?? '',
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
      ...(ctx.lookup ? { lookup: ctx.lookup } : {}),
    });
  },
  // SLACK_BOT_TOKEN or SLACK_CLIENT_ID…: chat.postMessage with the workspace's token (adapters/slack).
  slack: (ctx) =>
    loadSlackConfig(ctx.env) === null
      ? undefined
      : lazyAdapter('slack', async () =>
          (await import('./slack/index.js')).createSlackAdapterFromEnv({ env: ctx.env, ...(ctx.db ? { db: ctx.db } : {}), ...ctx.slack }),
        ),
  // MICROSOFT_APP_ID… (or the development mode): proactive Adaptive Cards into stored conversations (adapters/teams).
  teams: (ctx) =>
    loadTeamsConfig(ctx.env) === null
      ? undefined
      : lazyAdapter('teams', async () =>
          (await import('./teams/index.js')).createTeamsAdapterFromEnv({ env: ctx.env, ...(ctx.db ? { db: ctx.db } : {}), ...ctx.teams }),
        ),
  // Always available: the Workflows webhook URL is the destination's own credential (adapters/teams-workflow).
  'teams-workflow': (ctx) =>
    createWorkflowAdapter({
      allowlist: ctx.env.URL_ALLOWLIST ?? '',
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
      ...(ctx.lookup ? { lookup: ctx.lookup } : {}),
      ...ctx.teamsWorkflow,
    }),
};

/** The platform → adapter map the outbox worker sends through. */
export function createAdapters(ctx: AdapterContext): AdapterMap {
  return {
    console: FACTORIES.console(ctx),
    webhook: FACTORIES.webhook(ctx),
    slack: FACTORIES.slack(ctx),
    teams: FACTORIES.teams(ctx),
    'teams-workflow': FACTORIES['teams-workflow'](ctx),
  };
}

/** Why a platform has no adapter, for error messages and `status`. */
export function missingAdapterReason(platform: Platform): string {
  switch (platform) {
    case 'webhook':
      return 'the webhook adapter needs WEBHOOK_SECRET';
    case 'console':
      return 'no console adapter';
    case 'teams':
      return 'the Teams bot needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID';
    default:
      return `no ${platform} adapter is configured`;
  }
}
