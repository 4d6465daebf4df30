/**
 * What the operator commands share: argument parsing with `--help`, the exit codes (0 ok, 1 something failed,
 * 2 usage or configuration), times given as ISO dates or "how long ago", and the store and mappings of the
 * configured deployment, opened from any process while `gridsync serve` runs elsewhere.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { type Config, ConfigError, loadConfig } from '../config/env.ts';
import { secretFromEnvironment, type SecretLookup } from '../config/secrets.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { createMappingRegistry, type MappingRegistry } from '../mapping/mapping-registry.ts';
import { openStore } from '../store/open-store.ts';
import { StoreError } from '../store/store-errors.ts';
import type { Store } from '../store/store.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with --help/-h added; a parse failure becomes a UsageError. Returns undefined after --help. */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  usage: string,
  allowPositionals = false,
):
  | {
      values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
      positionals: string[];
    }
  | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    process.stdout.write(usage);
    return undefined;
  }
  return parsed;
}

/**
 * A command with actions (`grids show|list`): the action, then parseCommand on what follows it; undefined
 * after `--help` in either place. `positionals` says which actions take positional arguments.
 */
export function parseActionCommand<A extends string, O extends Options>(
  args: string[],
  actions: readonly A[],
  options: O,
  usage: string,
  positionals: (action: A) => boolean = () => false,
) {
  const read = readAction(args, actions, usage);
  if (!read) return undefined;
  const parsed = parseCommand(read.rest, options, usage, positionals(read.action));
  return parsed && { action: read.action, values: parsed.values, positionals: parsed.positionals };
}

/**
 * The first argument of a command with actions: the action and what follows it, or undefined after `--help`.
 * A missing or unknown action is a UsageError naming the ones there are.
 */
function readAction<A extends string>(
  args: string[],
  actions: readonly A[],
  usage: string,
): { action: A; rest: string[] } | undefined {
  const [action, ...rest] = args;
  if (action === '--help' || action === '-h') {
    process.stdout.write(usage);
    return undefined;
  }
  if (action === undefined) throw new UsageError(`say ${actions.join(' or ')}`);
  if (!(actions as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}"`);
  return { action: action as A, rest };
}

/**
 * Runs a command body and turns the failures operators cause or meet into exit codes with one clear line:
 * usage mistakes and configuration (2), an unreachable store (1). Anything else is a bug and is thrown.
 */
export async function runCommand(name: string, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gridsync ${name}: ${error.message}\n\n${usage}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`gridsync ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof StoreError) {
      process.stderr.write(`gridsync ${name}: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** The options of the commands that list from the store (grids list, deadletters list). */
export const LISTING_OPTIONS = {
  tenant: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `2026-11-20T16:00:00Z`, `2026-11-20`, or how long ago: `30m`, `2h`, `7d`. */
export function parseTime(value: string, flag: string, now = new Date()): Date {
  const relative = RELATIVE.exec(value.trim());
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit]);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new UsageError(
    `${flag} "${value}" is not a time: give an ISO date (2026-11-20T16:00:00Z) or an age (30m, 2h, 7d)`,
  );
}

export function optionalTime(value: string | undefined, flag: string): Date | undefined {
  return value === undefined ? undefined : parseTime(value, flag);
}

export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a whole number of at least 1, not "${value}"`);
  }
  return n;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface Deployment {
  config: Config;
  store: Store;
  logger: Logger;
  close(): Promise<void>;
}

/** The configured store (migrated), as `gridsync serve` opens it. Log lines go to stderr, warnings only. */
export async function openDeployment(): Promise<Deployment> {
  const config = loadConfig();
  const logger = createLogger({
    level: process.env['LOG_LEVEL'] === undefined ? 'warn' : config.LOG_LEVEL,
    destination: process.stderr,
  });
  const store = await openStore(config.GRIDSYNC_DATABASE_URL, { logger });
  return { config, store, logger, close: () => store.close() };
}

/** The tenants' mappings, loaded once (no watching): broken files are reported to stderr by the registry. */
export async function loadMappings(
  deployment: Deployment,
  secrets: SecretLookup = secretFromEnvironment(),
): Promise<MappingRegistry> {
  return createMappingRegistry({
    dir: deployment.config.GRIDSYNC_MAPPINGS_DIR,
    logger: deployment.logger,
    secrets,
    watch: false,
  });
}

/** The tenant's mapping, or a configuration error naming what to fix. */
export function requireTenant(mappings: MappingRegistry, tenant: string, dir: string) {
  const loaded = mappings.get(tenant);
  if (!loaded) {
    const known = mappings.tenants();
    throw new ConfigError(
      `no valid mapping for tenant "${tenant}" in ${dir}${known.length > 0 ? ` (loaded: ${known.join(', ')})` : ''}: check ${dir}/${tenant}.yaml with gridsync mapping validate`,
    );
  }
  return loaded;
}
