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
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve-command.ts')).serveCommand,
  mapping: async () => (await import('./cli/mapping-commands.ts')).mappingCommand,
  submit: async () => (await import('./cli/submit-command.ts')).submitCommand,
  migrate: async () => (await import('./cli/migrate-command.ts')).migrateCommand,
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
