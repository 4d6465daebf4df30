import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, parseMigrationFileName, pendingMigrations } from './migrations.ts';

const folders: string[] = [];
function folderWith(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-migrations-'));
  folders.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return pathToFileURL(`${dir}/`);
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('parseMigrationFileName', () => {
  it('reads the number and the name', () => {
    expect(parseMigrationFileName('012-add-index.sql')).toEqual({ version: 12, name: 'add-index' });
  });

  it('rejects names outside the scheme', () => {
    expect(parseMigrationFileName('1-init.sql')).toBeUndefined();
    expect(parseMigrationFileName('001_init.sql')).toBeUndefined();
  });
});

describe('loadMigrations', () => {
  it('loads the files in numeric order with their SQL', () => {
    const folder = folderWith({ '002-b.sql': 'select 2;', '001-a.sql': 'select 1;', 'README.md': 'ignored' });
    expect(loadMigrations(folder)).toEqual([
      { version: 1, name: 'a', sql: 'select 1;' },
      { version: 2, name: 'b', sql: 'select 2;' },
    ]);
  });

  it('refuses a gap in the numbering', () => {
    expect(() => loadMigrations(folderWith({ '001-a.sql': '', '003-c.sql': '' }))).toThrow(
      /without gaps or repeats/,
    );
  });

  it('refuses a file named outside the scheme', () => {
    expect(() => loadMigrations(folderWith({ '001-Init.sql': '' }))).toThrow(/NNN-lower-case-words/);
  });
});

describe('pendingMigrations', () => {
  it('keeps only migrations not yet applied', () => {
    const all = [1, 2, 3].map((version) => ({ version, name: `m${version}`, sql: '' }));
    expect(pendingMigrations(all, [1, 3]).map((m) => m.version)).toEqual([2]);
  });
});
