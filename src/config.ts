// Configuration from the environment and command-line overrides, validated at start-up.
// Secrets (none yet) are never logged; errors name the variable, not its value.
import { z } from 'zod';

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
});

export interface Config {
  databasePath: string;
  sourcesFile: string;
  port: number;
  http: { userAgent: string; perHostDelayMs: number; timeoutMs: number; retries: number };
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
}

export class ConfigError extends Error {}

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
    http: { userAgent: e.HTTP_USER_AGENT, perHostDelayMs: e.HTTP_DELAY_MS, timeoutMs: e.HTTP_TIMEOUT_MS, retries: e.HTTP_RETRIES },
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
  };
}
