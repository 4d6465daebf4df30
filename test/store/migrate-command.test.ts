import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrateCommand } from '../../src/cli/migrate-command.ts';

describe('gridsync migrate', () => {
  let folder: string;
  let output: string[];
  let previousUrl: string | undefined;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'gridsync-migrate-'));
    output = [];
    previousUrl = process.env['GRIDSYNC_DATABASE_URL'];
    const capture = (text: string | Uint8Array) => {
      output.push(String(text));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    if (previousUrl === undefined) delete process.env['GRIDSYNC_DATABASE_URL'];
    else process.env['GRIDSYNC_DATABASE_URL'] = previousUrl;
    rmSync(folder, { recursive: true, force: true });
  });

  it('applies the migrations once and then reports there is nothing left to apply', async () => {
    process.env['GRIDSYNC_DATABASE_URL'] = join(folder, 'nested', 'gridsync.db');
    expect(await migrateCommand([])).toBe(0);
    expect(output.join('')).toMatch(
      /applied 8 migrations:\n {2}001-init\n {2}002-due-accounts-and-awaiting-grids\n {2}003-dead-letters\n {2}004-succeeded-by-tenant\n {2}005-signal-pages\n {2}006-retention\n {2}007-deal-watch\n {2}008-fair-claims/,
    );
    output.length = 0;
    expect(await migrateCommand([])).toBe(0);
    expect(output.join('')).toMatch(/is up to date; nothing to apply/);
  });

  it('exits 1 with the reason, and without the password, when the database cannot be reached', async () => {
    process.env['GRIDSYNC_DATABASE_URL'] = 'postgres://gridsync:s3cret@127.0.0.1:1/nowhere';
    expect(await migrateCommand([])).toBe(1);
    expect(output.join('')).toMatch(/127\.0\.0\.1:1\/nowhere.*ECONNREFUSED/);
    expect(output.join('')).not.toContain('s3cret');
  });

  it('exits 2 on an unknown option', async () => {
    expect(await migrateCommand(['--force'])).toBe(2);
    expect(output.join('')).toMatch(/usage: gridsync migrate/);
  });
});
