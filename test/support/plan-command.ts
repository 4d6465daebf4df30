/** `gridsync mapping plan` / `apply` as tests call them: the command's io kept for the test to read. */
import { readFileSync } from 'node:fs';

import type { PlanCommandIo } from '../../src/cli/mapping-plan-command.ts';
import type { SecretLookup } from '../../src/config/secrets.ts';
import { silentLogger } from './loggers.ts';

export type CapturedPlanIo = PlanCommandIo & { out: string[]; err: string[] };

/** An io whose stdout and stderr land in `out` and `err`, with `file` as the only mapping file. */
export function planIo(file: string, secrets: SecretLookup): CapturedPlanIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    secrets,
    defaultFiles: () => Promise.resolve([file]),
    logger: silentLogger(),
  };
}

/** The line of the first line of `file` containing `text`, 1-based, as plan reports it. */
export function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

/** A finding of `plan --json`, with the members the tests read. */
export interface PlanFinding {
  code: string;
  field: string | null;
  object: string;
  action: string;
  location: { line: number; column: number } | null;
  missingOptions?: string[];
}

/** What `plan --json` printed to `io`. */
export function planReport(io: CapturedPlanIo): { ok: boolean; plans: { findings: PlanFinding[] }[] } {
  return JSON.parse(io.out.join('')) as { ok: boolean; plans: { findings: PlanFinding[] }[] };
}
