/**
 * Acceptance: a copy of an example with an unknown key, a value of the wrong type, an invalid cron
 * expression and a missing required key exits 1 and prints four errors, each with file:line:column.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { loadMappingFile } from '../../src/mapping/load-mapping-file.ts';
import { problemLines, REPO_ROOT, runCli } from './run-cli.ts';

const BROKEN = 'test/fixtures/mappings/broken/acme.yaml';
const text = readFileSync(`${REPO_ROOT}${BROKEN}`, 'utf8');

/** The 1-based line that starts with `start` (indentation included). */
function lineOf(start: string): number {
  const index = text.split('\n').findIndex((line) => line.startsWith(start));
  if (index < 0) throw new Error(`test setup: no line starts with "${start}" in ${BROKEN}`);
  return index + 1;
}

describe('a copy of acme.yaml with four mistakes', () => {
  it('loads as exactly four problems, each at the line of its mistake', () => {
    const result = loadMappingFile(BROKEN, text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((e) => ({ code: e.code, path: e.path, line: e.line }))).toEqual([
      { code: 'invalid_format', path: 'schedule', line: lineOf("schedule: '*/10 * * *'") },
      { code: 'missing_key', path: 'grid.externalIdField', line: lineOf('grid:') },
      { code: 'unknown_key', path: 'scoring.halfLifeDay', line: lineOf('  halfLifeDay:') },
      { code: 'wrong_type', path: 'task.dueInDays', line: lineOf('  dueInDays: two') },
    ]);
    for (const error of result.error) expect(error.column).toBeGreaterThan(0);
  });

  it('makes `gridsync mapping validate` exit 1 and print the four problems as file:line:column', () => {
    const run = runCli(['mapping', 'validate', BROKEN]);
    expect(run.status).toBe(1);
    const lines = problemLines(run.stdout);
    expect(lines).toHaveLength(4);
    expect(lines.map((line) => line.split('  ')[0])).toEqual([
      `${BROKEN}:${lineOf("schedule: '*/10 * * *'")}:11`,
      `${BROKEN}:${lineOf('grid:')}:1`,
      `${BROKEN}:${lineOf('  halfLifeDay:')}:3`,
      `${BROKEN}:${lineOf('  dueInDays: two')}:14`,
    ]);
    expect(run.stdout).toContain('scoring.halfLifeDay: unknown key "halfLifeDay"');
    expect(run.stdout).toContain('hint: did you mean "halfLifeDays"?');
    expect(run.stdout).toContain('task.dueInDays: wrong type: found the text "two" (expected a number)');
    expect(run.stdout).toContain('4 problems in 1 of 1 file');
  });
});

describe('the example tenants', () => {
  it('make `gridsync mapping validate mappings/*.yaml` exit 0 with one line per file', () => {
    const run = runCli(['mapping', 'validate', 'mappings/acme.yaml', 'mappings/globex.yaml']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'ok  mappings/acme.yaml  (tenant acme, hubspot)',
      'ok  mappings/globex.yaml  (tenant globex, salesforce)',
    ]);
  });
});
