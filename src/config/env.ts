/**
 * The only reader of process.env (secrets aside, see secrets.ts). Validated once, every problem listed at
 * once, then frozen.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  GRIDSYNC_DATABASE_URL: z
    .string()
    .min(1)
    .default('./data/gridsync.db')
    .describe('A SQLite file path (or sqlite:path) or a postgres:// URL.'),
  GRIDSYNC_MAPPINGS_DIR: z.string().min(1).default('./mappings'),
  GRIDSYNC_PUBLIC_URL: z
    .url()
    .optional()
    .describe('Base of the status URLs in 202 answers; defaults to http://localhost:PORT.'),
  GRIDSYNC_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  GRIDSYNC_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  GRIDSYNC_METRICS_TOKEN: z
    .string()
    .min(16, 'use at least 16 characters')
    .optional()
    .describe('When set, GET /metrics needs Authorization: Bearer <this token>.'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = Readonly<z.infer<typeof envSchema>>;

/** Every variable gridsync reads (secrets aside: those are the ones the mappings name). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads `.env` when present (Node's own loader), then validates. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = '.env'): Config {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
