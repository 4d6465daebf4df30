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
  GRIDSYNC_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .min(0)
    .max(600)
    .default(10)
    .describe('How long SIGTERM lets the batches in flight finish before their CRM requests are cut short.'),
  GRIDSYNC_METRICS_TOKEN: z
    .string()
    .min(16, 'use at least 16 characters')
    .optional()
    .describe('When set, GET /metrics needs Authorization: Bearer <this token>.'),
  GRIDSYNC_RETENTION_SWEEP_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_080)
    .default(60)
    .describe('How often the worker prunes what gridsync no longer reads (src/worker/retention.ts).'),
  GRIDSYNC_RETENTION_SIGNAL_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_650)
    .optional()
    .describe(
      "Keep signals this long; never less than the tenant's longest scoring or qualification window.",
    ),
  GRIDSYNC_RETENTION_JOB_DAYS: z.coerce.number().int().min(1).max(3_650).default(7),
  GRIDSYNC_RETENTION_DELIVERY_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(87_600)
    .default(24)
    .describe('Stored webhook answers; a repeat is replayed only within the 5-minute signature window.'),
  GRIDSYNC_RETENTION_GRID_VERSION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
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
