/**
 * Issue 15: every command takes `--help` (exit 0, its usage on stdout, nothing started or opened) and refuses
 * an unknown option with exit 2 and its usage. `gridsync serve --help` used to start serving, and
 * `gridsync mapping plan --help` called --help an unknown option. In process (the command functions
 * src/cli.ts dispatches to), so the whole list costs milliseconds, not a Node start each.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { backupCommand } from '../../src/cli/backup-command.ts';
import { deadlettersCommand } from '../../src/cli/deadletters-command.ts';
import { gridsCommand } from '../../src/cli/grids-command.ts';
import { mappingCommand } from '../../src/cli/mapping-commands.ts';
import { migrateCommand } from '../../src/cli/migrate-command.ts';
import { serveCommand } from '../../src/cli/serve-command.ts';
import { signalsCommand } from '../../src/cli/signals-command.ts';
import { submitCommand } from '../../src/cli/submit-command.ts';
import { syncCommand } from '../../src/cli/sync-command.ts';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: [name: string, command: Command, action: string[]][] = [
  ['serve', serveCommand, []],
  ['mapping validate', mappingCommand, ['validate']],
  ['mapping plan', mappingCommand, ['plan']],
  ['mapping apply', mappingCommand, ['apply']],
  ['mapping schema', mappingCommand, ['schema']],
  ['submit', submitCommand, []],
  ['migrate', migrateCommand, []],
  ['sync', syncCommand, []],
  ['grids show', gridsCommand, ['show']],
  ['grids list', gridsCommand, ['list']],
  ['deadletters list', deadlettersCommand, ['list']],
  ['deadletters replay', deadlettersCommand, ['replay']],
  ['signals import', signalsCommand, ['import']],
  ['backup', backupCommand, []],
];

let dir: string;
let stdout: string[];
let stderr: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-help-'));
  vi.stubEnv('GRIDSYNC_DATABASE_URL', join(dir, 'gridsync.db'));
  vi.stubEnv('GRIDSYNC_MAPPINGS_DIR', 'mappings');
  stdout = [];
  stderr = [];
  const into = (lines: string[]) => (text: string | Uint8Array) => lines.push(String(text)) > 0;
  vi.spyOn(process.stdout, 'write').mockImplementation(into(stdout));
  vi.spyOn(process.stderr, 'write').mockImplementation(into(stderr));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('every command', () => {
  it.each(COMMANDS)('%s answers --help with its usage, exit 0', async (_name, command, action) => {
    expect(await command([...action, '--help'])).toBe(0);
    expect(stdout.join('')).toMatch(/^usage:/);
    expect(existsSync(join(dir, 'gridsync.db'))).toBe(false); // nothing was started or opened
  });

  it.each(COMMANDS)('%s refuses an unknown option with its usage, exit 2', async (_name, command, action) => {
    expect(await command([...action, '--no-such-option'])).toBe(2);
    expect(stderr.join('')).toMatch(/no-such-option[\s\S]*usage:/);
  });
});
