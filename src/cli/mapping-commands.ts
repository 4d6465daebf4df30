/**
 * `gridsync mapping validate [files…]` and `gridsync mapping schema [--write|--check]`: the commands RevOps
 * and CI run on mapping files. Exit codes: 0 all good, 1 problems found (or a stale schema), 2 usage error.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ConfigError, loadConfig } from '../config/env.ts';
import { MAPPING_SCHEMA_FILE_NAME, renderMappingJsonSchema } from '../mapping/json-schema.ts';
import { isMappingFileName, loadMappingFile } from '../mapping/load-mapping-file.ts';
import { formatMappingError, type MappingError } from '../mapping/mapping-errors.ts';
import { applyCommand, defaultPlanIo, planCommand } from './mapping-plan-command.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { formatMappingWarning, mappingWarnings, type MappingWarning } from '../mapping/mapping-warnings.ts';

const USAGE = `usage:
  gridsync mapping validate [files…] [--json]
      Check mapping files; every problem at once, as file:line:column. Without files: every *.yaml in
      GRIDSYNC_MAPPINGS_DIR (default ./mappings).
  gridsync mapping plan [--tenant T | files…] [--json]
      Compare each mapping with its live CRM schema (read only): what is missing or would fail, with the
      mapping's file:line:column and a fix. Exit 0 the CRM can take it, 1 something would fail, 2 usage or
      connection errors (docs/setup-tenant.md).
  gridsync mapping apply [--tenant T | file] [--yes]
      Show the plan, ask, then create what is missing and safe to create (objects, fields, options,
      associations, Salesforce field access); never deletes, narrows or changes a type.
  gridsync mapping schema [--write | --check] [--file PATH]
      Print the JSON Schema of mapping files; --write updates mappings/mapping.schema.json, --check exits 1
      when it is out of date.
`;

/** The committed schema, next to the example mappings of this checkout. */
const COMMITTED_SCHEMA = fileURLToPath(
  new URL(`../../mappings/${MAPPING_SCHEMA_FILE_NAME}`, import.meta.url),
);

type Out = (text: string) => void;
const stdout: Out = (text) => process.stdout.write(text);
const stderr: Out = (text) => process.stderr.write(text);

export async function mappingCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  // Every subcommand takes --help (parseArgs would call it an unknown option): the usage covers them all.
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout(USAGE);
    return 0;
  }
  try {
    switch (subcommand) {
      case 'validate':
        return await validateCommand(rest);
      case 'schema':
        return await schemaCommand(rest);
      case 'plan':
        return await planCommand(rest, defaultPlanIo(defaultFiles));
      case 'apply':
        return await applyCommand(rest, defaultPlanIo(defaultFiles));
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        stdout(USAGE);
        return subcommand === undefined ? 2 : 0;
      default:
        stderr(`gridsync mapping: unknown subcommand "${subcommand}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    // parseArgs throws on unknown options; config problems are the user's to fix, not a crash.
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr(`gridsync mapping: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const files = positionals.length > 0 ? positionals : await defaultFiles();
  if (typeof files === 'string') {
    stderr(`${files}\n`);
    return 1;
  }

  const results = files.map((file) => ({ file, result: loadMappingFile(file) }));
  const problems: MappingError[] = results.flatMap(({ result }) => (result.ok ? [] : result.error));
  if (values.json) {
    const report = results.map(({ file, result }) =>
      result.ok
        ? {
            file,
            valid: true,
            tenant: result.value.mapping.tenant,
            crm: result.value.mapping.crm.type,
            ...withWarnings(result.value),
          }
        : { file, valid: false, problems: result.error },
    );
    stdout(`${JSON.stringify({ valid: problems.length === 0, files: report }, null, 2)}\n`);
    return problems.length === 0 ? 0 : 1;
  }

  for (const { file, result } of results) {
    if (result.ok) {
      stdout(`ok  ${file}  (tenant ${result.value.mapping.tenant}, ${result.value.mapping.crm.type})\n`);
      for (const warning of mappingWarnings(result.value)) stdout(`${formatMappingWarning(warning)}\n`);
    } else stdout(`${result.error.map(formatMappingError).join('\n')}\n`);
  }
  if (problems.length === 0) return 0;
  const broken = results.filter(({ result }) => !result.ok).length;
  stdout(`\n${plural(problems.length, 'problem')} in ${broken} of ${plural(files.length, 'file')}\n`);
  return 1;
}

/** A valid file's warnings, in the --json report only when there are some. */
function withWarnings(loaded: LoadedMapping): { warnings?: MappingWarning[] } {
  const warnings = mappingWarnings(loaded);
  return warnings.length > 0 ? { warnings } : {};
}

/** Every mapping file in the configured directory, or a message saying why there are none. */
async function defaultFiles(): Promise<string[] | string> {
  const dir = loadConfig().GRIDSYNC_MAPPINGS_DIR;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return `gridsync mapping: cannot read the mappings directory ${dir} (set GRIDSYNC_MAPPINGS_DIR or name files)`;
  }
  const files = names
    .filter(isMappingFileName)
    .sort()
    .map((name) => join(dir, name));
  return files.length > 0 ? files : `gridsync mapping: no mapping files (*.yaml) in ${dir}`;
}

async function schemaCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      write: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      file: { type: 'string' },
    },
  });
  if (values.write && values.check) {
    stderr(`gridsync mapping schema: choose --write or --check, not both\n\n${USAGE}`);
    return 2;
  }
  const expected = renderMappingJsonSchema();
  if (!values.write && !values.check) {
    stdout(expected);
    return 0;
  }
  const file = values.file ?? COMMITTED_SCHEMA;
  const shown = relative(process.cwd(), file) || file;
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (values.check) {
    if (current === expected) {
      stdout(`${shown} is up to date\n`);
      return 0;
    }
    const why = current === undefined ? 'is missing' : 'is out of date with src/mapping/mapping-schema.ts';
    stderr(`${shown} ${why}; fix: npm run mappings:schema\n`);
    return 1;
  }
  if (current === expected) {
    stdout(`${shown} is up to date\n`);
    return 0;
  }
  await writeFile(file, expected);
  stdout(`wrote ${shown}\n`);
  return 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
