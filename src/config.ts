// Configuration from the environment and command-line overrides, validated at start-up.
// Secrets are never logged; errors name the variable, not its value.
import { inspect } from 'node:util';
import { z } from 'zod';
import { ClockError, clockFromEnv, type SimulatedClock } from './clock.js';

export const DEFAULT_DATABASE_PATH = './data/exportwatch.db';
export const DEFAULT_SOURCES_FILE = './config/sources.yaml';
export const DEFAULT_USER_AGENT = 'ExportWatch/0.1 (open-source export-control monitor; +https://github.com/exportwatch/exportwatch)';

const blankIsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankIsUnset, z.string().trim().max(4096).optional());
const int = (min: number, max: number, fallback: number) => z.preprocess(blankIsUnset, z.coerce.number().int().min(min).max(max).default(fallback));

const envSchema = z.object({
  DATABASE_PATH: optionalText,
  SOURCES_FILE: optionalText,
  PORT: int(0, 65535, 3000),
  HTTP_USER_AGENT: z.preprocess(blankIsUnset, z.string().trim().min(8).max(300).default(DEFAULT_USER_AGENT)),
  HTTP_DELAY_MS: int(0, 600_000, 2000),
  HTTP_TIMEOUT_MS: int(1000, 600_000, 30_000),
  HTTP_RETRIES: int(0, 10, 3),
  QUARANTINE_SHARE: z.preprocess(blankIsUnset, z.coerce.number().min(0).max(1).default(0.1)),
  SOURCE_FAILURE_THRESHOLD: int(1, 1000, 3),
  OPERATOR_DESTINATIONS: z.preprocess(blankIsUnset, z.string().max(4000).default('console:operator')),
  ALERTS_FALLBACK_DESTINATION: z.preprocess(blankIsUnset, z.string().max(2000).default('console:alerts')),
  WEBHOOK_SECRET: optionalText,
  URL_ALLOWLIST: z.preprocess(blankIsUnset, z.string().max(4000).default('')),
  DELIVERY_RETRY_BASE_MS: int(1, 3_600_000, 5000),
  DELIVERY_MAX_AGE_HOURS: int(1, 24 * 30, 24),
  NEWS_DEDUPE_DAYS: int(1, 365, 30),
  DIGEST_MAX_NEWS: int(1, 100, 10),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_TOKEN_ENCRYPTION_KEY: optionalText,
  SLACK_ADMIN_USERS: optionalText,
  SLACK_API_URL: optionalText,
  SLACK_TIMEOUT_MS: int(1000, 120_000, 10_000),
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TENANT_ID: optionalText,
  MICROSOFT_APP_TYPE: optionalText,
  TEAMS_ALLOW_UNAUTHENTICATED: optionalText,
  TEAMS_ADMIN_USERS: optionalText,
  TEAMS_TIMEOUT_MS: int(1000, 120_000, 15_000),
  NODE_ENV: optionalText,
  POLL_TICK_SECONDS: int(1, 60, 15),
  EXPORTWATCH_NOW: optionalText,
  EXPORTWATCH_CLOCK_RATE: optionalText,
  EXPORTWATCH_CLOCK_ANCHOR: optionalText,
});

export interface Config {
  databasePath: string;
  sourcesFile: string;
  port: number;
  http: {
    userAgent: string;
    perHostDelayMs: number;
    timeoutMs: number;
    retries: number;
    /** URL_ALLOWLIST: non-public hosts, addresses or CIDRs that feed URLs, webhooks and Workflows may reach. */
    urlAllowlist?: string;
  };
  quarantineShare: number;
  failureThreshold: number;
  /** Destinations of operator alerts (source health, quarantine, failed deliveries). */
  operatorDestinations: string[];
  /** Where alerts go while nobody has subscribed; null when set to `none`. */
  fallbackDestination: string | null;
  delivery: { retryBaseMs: number; maxAgeMs: number };
  newsDedupeDays: number;
  digestMaxNews: number;
  /** Whether a webhook secret is configured (the secret itself stays in the environment and is never logged). */
  webhookConfigured: boolean;
  /** The Slack app (adapters/slack), or null when no SLACK_* variable is set. */
  slack: SlackConfig | null;
  /** The Teams bot (adapters/teams), or null when neither MICROSOFT_APP_* nor TEAMS_ALLOW_UNAUTHENTICATED=true is set. */
  teams: TeamsConfig | null;
  /** POLL_TICK_SECONDS: how often `serve` looks for due sources and digests (each source keeps its own interval). */
  pollTickSeconds: number;
  /** EXPORTWATCH_NOW (tests only): the simulated clock, or null for the real one. */
  clock: SimulatedClock | null;
}

/** A secret value: printed, logged or serialised as `[redacted]`; `reveal()` gives the value to the code that needs it. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

/**
 * The Slack app's settings. One way to authorise (a bot token for one workspace, or OAuth for many) and one way to
 * receive (HTTP on /slack/events with the signing secret, or Socket Mode with an app-level token).
 */
export interface SlackConfig {
  /** `http`: /slack/events on the service's port; `socket`: Socket Mode (SLACK_APP_TOKEN), no public URL needed. */
  mode: 'http' | 'socket';
  /** `single`: SLACK_BOT_TOKEN for one workspace; `oauth`: installations stored in SQLite (SLACK_CLIENT_ID…). */
  auth: 'single' | 'oauth';
  signingSecret: Secret | null;
  botToken: Secret | null;
  appToken: Secret | null;
  oauth: { clientId: string; clientSecret: Secret; stateSecret: Secret } | null;
  /** 32-byte AES-256-GCM key for the stored installation tokens (OAuth mode). */
  tokenEncryptionKey: Buffer | null;
  /** User ids allowed to change subscriptions (besides being channel members); empty: every channel member. */
  adminUsers: string[];
  /** Web API base URL, always ending in `/` (default https://slack.com/api/). */
  apiUrl: string;
  /** Timeout of each Web API call in milliseconds. */
  timeoutMs: number;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export class ConfigError extends Error {}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;

/** SLACK_TOKEN_ENCRYPTION_KEY: 32 bytes written as 64 hex digits or base64 (44 characters). */
export function parseEncryptionKey(text: string): Buffer {
  const t = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key === null || key.length !== 32) {
    throw new ConfigError(
      'invalid configuration: SLACK_TOKEN_ENCRYPTION_KEY must be 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
    );
  }
  return key;
}

type Env = z.infer<typeof envSchema>;

function slackConfig(e: Env): SlackConfig | null {
  const names = [
    'SLACK_SIGNING_SECRET',
    'SLACK_BOT_TOKEN',
    'SLACK_APP_TOKEN',
    'SLACK_CLIENT_ID',
    'SLACK_CLIENT_SECRET',
    'SLACK_STATE_SECRET',
    'SLACK_TOKEN_ENCRYPTION_KEY',
  ] as const;
  const set = names.filter((n) => e[n] !== undefined);
  if (set.length === 0) return null;
  const fail = (why: string): never => {
    throw new ConfigError(`invalid Slack configuration: ${why} (see "Set up in Slack" in the README)`);
  };
  if (e.SLACK_BOT_TOKEN !== undefined && !/^xoxb-[\x21-\x7e]+$/.test(e.SLACK_BOT_TOKEN)) fail('SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)');
  if (e.SLACK_APP_TOKEN !== undefined && !/^xapp-[\x21-\x7e]+$/.test(e.SLACK_APP_TOKEN))
    fail('SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)');
  const oauthNames = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
  const oauthSet = oauthNames.filter((n) => e[n] !== undefined);
  if (oauthSet.length > 0 && oauthSet.length < oauthNames.length) {
    fail(`OAuth install needs all of ${oauthNames.join(', ')}; missing ${oauthNames.filter((n) => e[n] === undefined).join(', ')}`);
  }
  const oauth = oauthSet.length === oauthNames.length;
  if (oauth && e.SLACK_BOT_TOKEN !== undefined) {
    fail('set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth, many workspaces), not both');
  }
  if (!oauth && e.SLACK_BOT_TOKEN === undefined) {
    fail('a bot token is needed: set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth install)');
  }
  if (oauth && e.SLACK_TOKEN_ENCRYPTION_KEY === undefined) fail('OAuth install stores tokens encrypted: set SLACK_TOKEN_ENCRYPTION_KEY');
  if (e.SLACK_STATE_SECRET !== undefined && e.SLACK_STATE_SECRET.length < 16) fail('SLACK_STATE_SECRET must be at least 16 characters');
  const socket = e.SLACK_APP_TOKEN !== undefined;
  if (socket && oauth) fail('Socket Mode (SLACK_APP_TOKEN) runs one workspace with SLACK_BOT_TOKEN; the OAuth install needs HTTP mode');
  if (!socket && e.SLACK_SIGNING_SECRET === undefined) {
    fail('HTTP mode (/slack/events) needs SLACK_SIGNING_SECRET; for Socket Mode set SLACK_APP_TOKEN instead');
  }
  const adminUsers = (e.SLACK_ADMIN_USERS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const badUser = adminUsers.find((u) => !SLACK_USER_ID.test(u));
  if (badUser !== undefined) fail(`SLACK_ADMIN_USERS must list Slack user ids such as U0123ABCD, comma-separated; "${badUser.slice(0, 40)}" is not one`);
  let apiUrl = DEFAULT_SLACK_API_URL;
  if (e.SLACK_API_URL !== undefined) {
    let url: URL;
    try {
      url = new URL(e.SLACK_API_URL);
    } catch {
      return fail('SLACK_API_URL must be an http(s) URL such as https://slack.com/api/');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('SLACK_API_URL must be an http(s) URL such as https://slack.com/api/');
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
      fail('SLACK_API_URL must not carry credentials, a query or a fragment');
    // The Web API client appends the method name: keep the trailing slash.
    apiUrl = url.href.endsWith('/') ? url.href : `${url.href}/`;
  }
  return {
    mode: socket ? 'socket' : 'http',
    auth: oauth ? 'oauth' : 'single',
    signingSecret: e.SLACK_SIGNING_SECRET !== undefined ? new Secret(e.SLACK_SIGNING_SECRET) : null,
    botToken: e.SLACK_BOT_TOKEN !== undefined ? new Secret(e.SLACK_BOT_TOKEN) : null,
    appToken: e.SLACK_APP_TOKEN !== undefined ? new Secret(e.SLACK_APP_TOKEN) : null,
    oauth: oauth ? { clientId: e.SLACK_CLIENT_ID!, clientSecret: new Secret(e.SLACK_CLIENT_SECRET!), stateSecret: new Secret(e.SLACK_STATE_SECRET!) } : null,
    tokenEncryptionKey: e.SLACK_TOKEN_ENCRYPTION_KEY !== undefined ? parseEncryptionKey(e.SLACK_TOKEN_ENCRYPTION_KEY) : null,
    adminUsers,
    apiUrl,
    timeoutMs: e.SLACK_TIMEOUT_MS,
  };
}

/** The Slack settings alone (for the delivery adapter, which sees only the environment); throws ConfigError. */
export function loadSlackConfig(env: NodeJS.ProcessEnv): SlackConfig | null {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  return slackConfig(parsed.data);
}

/**
 * The Teams bot's settings (Azure Bot registration). An empty app id turns off all authentication in botbuilder, inbound
 * and outbound: allowed only with TEAMS_ALLOW_UNAUTHENTICATED=true and NODE_ENV other than production.
 */
export interface TeamsConfig {
  /** MICROSOFT_APP_ID; empty only in the unauthenticated development mode. */
  appId: string;
  appPassword: Secret | null;
  tenantId: string | null;
  appType: 'SingleTenant' | 'UserAssignedMSI';
  /** False in the development mode: /api/messages then accepts any request. */
  authenticated: boolean;
  /** Entra object ids (lower case) allowed to change subscriptions; empty: every member of the conversation. */
  adminUsers: string[];
  /** Timeout of each Bot Connector call in milliseconds. */
  timeoutMs: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function teamsConfig(e: Env): TeamsConfig | null {
  const fail = (why: string): never => {
    throw new ConfigError(`invalid Teams configuration: ${why} (see "Set up in Teams" in the README)`);
  };
  const flag = e.TEAMS_ALLOW_UNAUTHENTICATED?.toLowerCase();
  if (flag !== undefined && flag !== 'true' && flag !== 'false') fail('TEAMS_ALLOW_UNAUTHENTICATED must be true or false');
  const allowUnauthenticated = flag === 'true';
  const appId = e.MICROSOFT_APP_ID;
  const others = (['MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID', 'MICROSOFT_APP_TYPE', 'TEAMS_ADMIN_USERS'] as const).filter((n) => e[n] !== undefined);
  if (appId === undefined && others.length === 0 && !allowUnauthenticated) return null;
  const adminUsers = (e.TEAMS_ADMIN_USERS ?? '')
    .split(',')
    .map((u) => u.trim().toLowerCase())
    .filter((u) => u !== '');
  const badUser = adminUsers.find((u) => !GUID.test(u));
  if (badUser !== undefined) fail(`TEAMS_ADMIN_USERS must list Entra object ids (GUIDs), comma-separated; "${badUser.slice(0, 40)}" is not one`);
  if (appId === undefined) {
    if (!allowUnauthenticated) {
      fail(
        `MICROSOFT_APP_ID is empty (${others.join(', ')} set): without it botbuilder accepts unauthenticated requests. Set MICROSOFT_APP_ID from the Azure Bot registration, or for local development only TEAMS_ALLOW_UNAUTHENTICATED=true`,
      );
    }
    if (e.NODE_ENV?.toLowerCase() === 'production') {
      fail(
        'refusing to start: MICROSOFT_APP_ID is empty with NODE_ENV=production, which would accept unauthenticated requests on /api/messages; set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (TEAMS_ALLOW_UNAUTHENTICATED=true is for local development only)',
      );
    }
    const stray = others.filter((n) => n !== 'TEAMS_ADMIN_USERS');
    if (stray.length > 0) fail(`${stray.join(', ')} set but MICROSOFT_APP_ID is empty`);
    return { appId: '', appPassword: null, tenantId: null, appType: 'SingleTenant', authenticated: false, adminUsers, timeoutMs: e.TEAMS_TIMEOUT_MS };
  }
  if (!GUID.test(appId)) fail("MICROSOFT_APP_ID must be the bot's Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000");
  const type = (e.MICROSOFT_APP_TYPE ?? 'SingleTenant').toLowerCase();
  if (type === 'multitenant')
    fail('MICROSOFT_APP_TYPE MultiTenant is not supported (Azure no longer creates multi-tenant bots): use SingleTenant or UserAssignedMSI');
  if (type !== 'singletenant' && type !== 'userassignedmsi') fail('MICROSOFT_APP_TYPE must be SingleTenant or UserAssignedMSI');
  const appType = type === 'singletenant' ? 'SingleTenant' : 'UserAssignedMSI';
  if (e.MICROSOFT_APP_TENANT_ID === undefined) fail(`${appType} needs MICROSOFT_APP_TENANT_ID (the Directory (tenant) ID of the app registration)`);
  if (!GUID.test(e.MICROSOFT_APP_TENANT_ID!)) fail('MICROSOFT_APP_TENANT_ID must be the Directory (tenant) ID, a GUID');
  if (appType === 'SingleTenant' && e.MICROSOFT_APP_PASSWORD === undefined)
    fail('SingleTenant needs MICROSOFT_APP_PASSWORD (a client secret of the app registration)');
  if (appType === 'UserAssignedMSI' && e.MICROSOFT_APP_PASSWORD !== undefined)
    fail('UserAssignedMSI uses the managed identity: leave MICROSOFT_APP_PASSWORD unset');
  return {
    appId,
    appPassword: e.MICROSOFT_APP_PASSWORD !== undefined ? new Secret(e.MICROSOFT_APP_PASSWORD) : null,
    tenantId: e.MICROSOFT_APP_TENANT_ID!,
    appType,
    authenticated: true,
    adminUsers,
    timeoutMs: e.TEAMS_TIMEOUT_MS,
  };
}

/** The Teams settings alone (for the delivery adapter, which sees only the environment); throws ConfigError. */
export function loadTeamsConfig(env: NodeJS.ProcessEnv): TeamsConfig | null {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  return teamsConfig(parsed.data);
}

/** Reads the configuration: `--db` wins over `DATABASE_PATH`, which wins over `./data/exportwatch.db`. */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: { db?: string | undefined; sources?: string | undefined } = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  return {
    databasePath: overrides.db?.trim() || e.DATABASE_PATH || DEFAULT_DATABASE_PATH,
    sourcesFile: overrides.sources?.trim() || e.SOURCES_FILE || DEFAULT_SOURCES_FILE,
    port: e.PORT,
    http: {
      userAgent: e.HTTP_USER_AGENT,
      perHostDelayMs: e.HTTP_DELAY_MS,
      timeoutMs: e.HTTP_TIMEOUT_MS,
      retries: e.HTTP_RETRIES,
      urlAllowlist: e.URL_ALLOWLIST,
    },
    quarantineShare: e.QUARANTINE_SHARE,
    failureThreshold: e.SOURCE_FAILURE_THRESHOLD,
    operatorDestinations: e.OPERATOR_DESTINATIONS.split(',')
      .map((d) => d.trim())
      .filter((d) => d !== '' && d !== 'none'),
    fallbackDestination: e.ALERTS_FALLBACK_DESTINATION.trim() === 'none' ? null : e.ALERTS_FALLBACK_DESTINATION.trim(),
    delivery: { retryBaseMs: e.DELIVERY_RETRY_BASE_MS, maxAgeMs: e.DELIVERY_MAX_AGE_HOURS * 3_600_000 },
    newsDedupeDays: e.NEWS_DEDUPE_DAYS,
    digestMaxNews: e.DIGEST_MAX_NEWS,
    webhookConfigured: e.WEBHOOK_SECRET !== undefined,
    slack: slackConfig(e),
    teams: teamsConfig(e),
    pollTickSeconds: e.POLL_TICK_SECONDS,
    clock: simulatedClock(e),
  };
}

function simulatedClock(e: Env): SimulatedClock | null {
  try {
    return clockFromEnv({
      EXPORTWATCH_NOW: e.EXPORTWATCH_NOW,
      EXPORTWATCH_CLOCK_RATE: e.EXPORTWATCH_CLOCK_RATE,
      EXPORTWATCH_CLOCK_ANCHOR: e.EXPORTWATCH_CLOCK_ANCHOR,
      NODE_ENV: e.NODE_ENV,
    });
  } catch (err) {
    if (err instanceof ClockError) throw new ConfigError(`invalid configuration: ${err.message}`);
    throw err;
  }
}
