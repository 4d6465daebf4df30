/**
 * `gridsync migrate`: applies the store's pending migrations on GRIDSYNC_DATABASE_URL and says what it did.
 * `gridsync serve` migrates at start-up too; this command is for deploys that migrate in a step of their own.
 * Exit codes: 0 done (or nothing to do), 1 the store failed, 2 usage or configuration error.
 */
import { loadConfig } from '../config/env.ts';
import { applyStoreMigrations } from '../store/open-store.ts';
import { EXIT, parseCommand, runCommand } from './cli-support.ts';

const USAGE = `usage: gridsync migrate
  Apply pending store migrations on GRIDSYNC_DATABASE_URL (default ./data/gridsync.db; a SQLite path or a
  postgres:// URL), print what was applied, and exit. Safe to run from several replicas at once.

exit codes: 0 done (or nothing to do); 1 the store failed; 2 usage or configuration
`;

export function migrateCommand(args: string[]): Promise<number> {
  return runCommand('migrate', USAGE, async () => {
    if (!parseCommand(args, {}, USAGE)) return EXIT.ok;
    const { where, applied } = await applyStoreMigrations(loadConfig().GRIDSYNC_DATABASE_URL);
    process.stdout.write(
      applied.length === 0
        ? `gridsync migrate: ${where} is up to date; nothing to apply.\n`
        : `gridsync migrate: ${where}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:\n${applied.map((m) => `  ${m}\n`).join('')}`,
    );
    return EXIT.ok;
  });
}
