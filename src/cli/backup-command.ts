/**
 * `gridsync backup --to FILE`: a consistent copy of the configured store while `gridsync serve` runs
 * (src/store/backup-store.ts says how, per adapter). Restoring is the README's Recover section.
 */
import { loadConfig } from '../config/env.ts';
import { BackupRefused, type BackupReport, backupStore } from '../store/backup-store.ts';
import { describeStoreLocation, parseStoreUrl } from '../store/open-store.ts';
import { EXIT, parseCommand, printJson, runCommand, UsageError } from './cli-support.ts';

const USAGE = `usage: gridsync backup --to FILE [--json]

  Copy the configured store (GRIDSYNC_DATABASE_URL) to FILE, consistently, while gridsync serve keeps running.
  SQLite: a checked database file (VACUUM INTO, then PRAGMA integrity_check); restore it by putting it in place
  of the store's file while gridsync is stopped. PostgreSQL: a pg_dump custom-format archive (pg_dump must be on
  the PATH); restore it with pg_restore into an empty database. See the README, "Recover".

  --to     the backup file; it must not exist yet (a backup never overwrites)
  --json   print the summary as JSON

exit codes: 0 backup written and checked; 1 the store or the copy failed; 2 usage or configuration
            (FILE exists, pg_dump missing)
`;

export function backupCommand(args: string[]): Promise<number> {
  return runCommand('backup', USAGE, async () => {
    const parsed = parseCommand(args, { to: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
    if (!parsed) return EXIT.ok;
    const to = parsed.values.to;
    if (to === undefined || to.trim() === '') throw new UsageError('--to FILE is required');
    const url = loadConfig().GRIDSYNC_DATABASE_URL;
    let report: BackupReport;
    try {
      report = await backupStore(url, to);
    } catch (error) {
      if (!(error instanceof BackupRefused)) throw error;
      process.stderr.write(`gridsync backup: ${error.message}\n`);
      return EXIT.usage;
    }
    if (parsed.values.json === true) printJson(report);
    else process.stdout.write(describeBackup(describeStoreLocation(parseStoreUrl(url)), report));
    return EXIT.ok;
  });
}

function describeBackup(from: string, report: BackupReport): string {
  const size = `${(report.bytes / 1024 / 1024).toFixed(1)} MiB`;
  const head = `backed up ${from} to ${report.to} (${size} in ${report.seconds.toFixed(1)} s)`;
  const held = report.contents;
  if (!held) return `${head}\n`;
  return `${head}: ${held.grids} grid(s), ${held.signals} signal(s), ${held.unfinishedJobs} job(s) to do, ${held.deadJobs} dead; integrity check ok\n`;
}
