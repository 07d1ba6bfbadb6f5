// Configuration from the environment and command-line overrides, validated at start-up.
import { z } from 'zod';

export const DEFAULT_DATABASE_PATH = './data/exportwatch.db';

const envSchema = z.object({
  DATABASE_PATH: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1, 'DATABASE_PATH is blank').max(4096).optional()),
});

export interface Config {
  databasePath: string;
}

export class ConfigError extends Error {}

/** Reads the configuration: `--db` wins over `DATABASE_PATH`, which wins over `./data/exportwatch.db`. */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: { db?: string | undefined } = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  const db = overrides.db?.trim();
  return {
    databasePath: db || parsed.data.DATABASE_PATH || DEFAULT_DATABASE_PATH,
  };
}
