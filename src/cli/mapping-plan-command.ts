/**
 * `gridsync mapping plan [--tenant T | files…] [--json]` and `gridsync mapping apply [--tenant T | file]
 * [--yes]`: compare mappings with their live CRM schema, and create what is missing and safe to create.
 * Exit codes: 0 the CRM can take every mapping, 1 something would fail (apply: something is left for a
 * person), 2 usage, an invalid mapping, or no connection to the CRM. plan only reads.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';

import { loadConfig } from '../config/env.ts';
import { secretFromEnvironment, type SecretLookup } from '../config/secrets.ts';
import { applyCrmChanges } from '../crm/apply-crm-schema.ts';
import { CrmError } from '../crm/crm-errors.ts';
import { readCrmSchema } from '../crm/read-crm-schema.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { loadMappingFile } from '../mapping/load-mapping-file.ts';
import { formatMappingError } from '../mapping/mapping-errors.ts';
import { describeChange, planChanges } from '../schema-plan/apply-changes.ts';
import {
  formatLocationOf,
  formatPlan,
  type PlanResult,
  planMapping,
  toJson,
} from '../schema-plan/plan-result.ts';

type Out = (text: string) => void;

export interface PlanCommandIo {
  stdout: Out;
  stderr: Out;
  secrets: SecretLookup;
  /** Answers the apply prompt; absent: read a line from stdin. */
  confirm?: (question: string) => Promise<boolean>;
  defaultFiles: () => Promise<string[] | string>;
  /** Where the CRM adapters log; by default warnings and errors on stderr. */
  logger?: Logger;
}

function logger(io: PlanCommandIo): Logger {
  // Logs go to stderr so `--json` on stdout stays parseable.
  return (
    io.logger ?? createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', destination: process.stderr })
  );
}

type Planned =
  { ok: true; loaded: LoadedMapping; result: PlanResult } | { ok: false; file: string; message: string };

async function planFile(file: string, io: PlanCommandIo): Promise<Planned> {
  const loaded = loadMappingFile(file);
  if (!loaded.ok) {
    return {
      ok: false,
      file,
      message: `${loaded.error.map(formatMappingError).join('\n')}\n(fix the mapping first: gridsync mapping validate)`,
    };
  }
  const mapping = loaded.value.mapping;
  try {
    const read = await readCrmSchema(mapping, io.secrets, logger(io));
    if (!read.ok) {
      return {
        ok: false,
        file,
        message: `${file}: cannot read tenant ${mapping.tenant}'s ${mapping.crm.type} schema: ${read.reason}`,
      };
    }
    return { ok: true, loaded: loaded.value, result: planMapping(loaded.value, read.schema) };
  } catch (error) {
    if (error instanceof CrmError) {
      return {
        ok: false,
        file,
        message: `${file}: ${mapping.crm.type} did not answer the schema reads: ${error.message}`,
      };
    }
    throw error;
  }
}

async function filesFrom(
  tenant: string | undefined,
  positionals: string[],
  io: PlanCommandIo,
): Promise<string[] | string> {
  if (tenant !== undefined) {
    if (positionals.length > 0) return 'name files or --tenant, not both';
    return [join(loadConfig().GRIDSYNC_MAPPINGS_DIR, `${tenant}.yaml`)];
  }
  return positionals.length > 0 ? positionals : io.defaultFiles();
}

export async function planCommand(args: string[], io: PlanCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const files = await filesFrom(values.tenant, positionals, io);
  if (typeof files === 'string') {
    io.stderr(`gridsync mapping plan: ${files}\n`);
    return 2;
  }
  const planned: Planned[] = [];
  for (const file of files) planned.push(await planFile(file, io));
  const code = planned.some((p) => !p.ok) ? 2 : planned.some((p) => p.ok && !p.result.ok) ? 1 : 0;
  if (values.json) {
    const report = planned.map((p) =>
      p.ok ? toJson(p.result) : { file: p.file, ok: false, error: p.message },
    );
    io.stdout(`${JSON.stringify({ ok: code === 0, plans: report }, null, 2)}\n`);
    return code;
  }
  for (const p of planned) {
    if (p.ok) io.stdout(formatPlan(p.result));
    else io.stderr(`${p.message}\n`);
  }
  return code;
}

async function askOnStdin(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function applyCommand(args: string[], io: PlanCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, yes: { type: 'boolean', default: false } },
  });
  const files = await filesFrom(values.tenant, positionals, io);
  if (typeof files === 'string' || files.length !== 1) {
    io.stderr(
      `gridsync mapping apply: ${typeof files === 'string' ? files : 'apply one tenant at a time: --tenant T or one file'}\n`,
    );
    return 2;
  }
  const planned = await planFile(files[0]!, io);
  if (!planned.ok) {
    io.stderr(`${planned.message}\n`);
    return 2;
  }
  io.stdout(formatPlan(planned.result));
  const { changes, manual } = planChanges(planned.loaded.mapping, planned.result.findings);
  if (changes.length === 0) {
    io.stdout(
      manual.length === 0
        ? '\nnothing to apply\n'
        : '\nnothing apply can change; the findings above need a person\n',
    );
    return manual.some((f) => f.severity === 'error') ? 1 : 0;
  }
  io.stdout(`\napply will:\n${changes.map((c) => `  - ${describeChange(c)}`).join('\n')}\n`);
  if (manual.length > 0) {
    io.stdout(
      `and leave for a person (apply never changes a type, narrows or deletes):\n${manual.map((f) => `  - ${formatLocationOf(f)} ${f.object}${f.field ? `.${f.field}` : ''}: ${f.fix}`).join('\n')}\n`,
    );
  }
  const confirmed = values.yes || (await (io.confirm ?? askOnStdin)('\ncreate these in the CRM? [y/N] '));
  if (!confirmed) {
    io.stdout('nothing changed\n');
    return 1;
  }
  try {
    const outcome = await applyCrmChanges(planned.loaded.mapping, io.secrets, logger(io), changes);
    io.stdout(`\n${outcome.steps.map((s) => `  done: ${s.done}`).join('\n')}\n`);
    if (outcome.humanSteps.length > 0) {
      io.stdout(
        `\nwhat ${planned.loaded.mapping.crm.type === 'salesforce' ? 'Salesforce' : 'HubSpot'} needs a person for:\n${outcome.humanSteps.map((s) => `  - ${s}`).join('\n')}\n`,
      );
    }
  } catch (error) {
    if (error instanceof CrmError) {
      io.stderr(`gridsync mapping apply: the CRM refused a change: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const after = await planFile(files[0]!, io);
  if (!after.ok) {
    io.stderr(`${after.message}\n`);
    return 2;
  }
  io.stdout(`\nplan after apply:\n${formatPlan(after.result)}`);
  return after.result.ok ? 0 : 1;
}

export function defaultPlanIo(defaultFiles: () => Promise<string[] | string>): PlanCommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    secrets: secretFromEnvironment(),
    defaultFiles,
  };
}
