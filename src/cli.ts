/**
 * `gridsync <command>`: one small module per command group under src/cli/, loaded on demand so
 * `gridsync mapping validate` does not start a database driver.
 */
import { ConfigError } from './config/env.ts';

const USAGE = `usage: gridsync <command> [options]

commands:
  serve                              run intake (HTTP) and the sync worker on the configured store
  mapping validate [files…]          check mapping files; every problem at once, as file:line:column
  mapping plan [--tenant T | files…] [--json]
                                     compare mappings with the live CRM schema (read only)
  mapping apply [--tenant T] [--yes] create the objects, fields and options a mapping needs
  mapping schema [--write|--check]   print, write or check mappings/mapping.schema.json
  submit --tenant T --file F [--url U] [--kind grid|signals]
                                     sign a grid (or a signal batch) with the tenant's secret and post it
  migrate                            apply store migrations and exit
  sync --tenant T [--once]           queue a tenant sync now, or run one here and exit with its outcome
  grids show --tenant T ID           a grid's status and its sync jobs
  grids list --tenant T [--state S] [--since TIME]
                                     a tenant's grids: pending, failed, dead or synced
  deadletters list [--tenant T] [--since TIME]
                                     work that will not reach the CRM without someone acting, with the mapping line
  deadletters replay (GRID_ID… | --tenant T | --since TIME [--until TIME]) [--preview]
                                     queue dead letters again with fresh attempts
  signals import FILE [--tenant T] [--format ndjson|csv]
                                     backfill a signal history through the webhook's validation and storage
  backup --to FILE                   a consistent copy of the store while serve runs (restore: README, Recover)

every command takes --help; exit codes: 0 ok, 1 something failed, 2 usage or configuration
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve-command.ts')).serveCommand,
  mapping: async () => (await import('./cli/mapping-commands.ts')).mappingCommand,
  submit: async () => (await import('./cli/submit-command.ts')).submitCommand,
  migrate: async () => (await import('./cli/migrate-command.ts')).migrateCommand,
  sync: async () => (await import('./cli/sync-command.ts')).syncCommand,
  grids: async () => (await import('./cli/grids-command.ts')).gridsCommand,
  deadletters: async () => (await import('./cli/deadletters-command.ts')).deadlettersCommand,
  signals: async () => (await import('./cli/signals-command.ts')).signalsCommand,
  backup: async () => (await import('./cli/backup-command.ts')).backupCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`gridsync: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest);
  } catch (thrown) {
    // Configuration mistakes are the operator's to fix: say what is wrong, without a stack trace.
    if (thrown instanceof ConfigError) {
      process.stderr.write(`gridsync ${name}: ${thrown.message}\n`);
      return 2;
    }
    throw thrown;
  }
}

process.exitCode = await main(process.argv.slice(2));
