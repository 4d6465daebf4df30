/**
 * `gridsync migrate`: applies the store's pending migrations on GRIDSYNC_DATABASE_URL and says what it did.
 * `gridsync serve` migrates at start-up too; this command is for deploys that migrate in a step of their own.
 * Exit codes: 0 done (or nothing to do), 1 the store failed, 2 usage or configuration error.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.ts';
import { applyStoreMigrations } from '../store/open-store.ts';
import { StoreError } from '../store/store-errors.ts';

const USAGE = `usage: gridsync migrate
  Apply pending store migrations on GRIDSYNC_DATABASE_URL (default ./data/gridsync.db; a SQLite path or a
  postgres:// URL), print what was applied, and exit. Safe to run from several replicas at once.
`;

export async function migrateCommand(args: string[]): Promise<number> {
  let url: string;
  try {
    const { values } = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    url = loadConfig().GRIDSYNC_DATABASE_URL;
  } catch (error) {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`gridsync migrate: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }

  try {
    const { where, applied } = await applyStoreMigrations(url);
    process.stdout.write(
      applied.length === 0
        ? `gridsync migrate: ${where} is up to date; nothing to apply.\n`
        : `gridsync migrate: ${where}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:\n${applied.map((m) => `  ${m}\n`).join('')}`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    process.stderr.write(`gridsync migrate: ${error.message}\n`);
    return 1;
  }
}
