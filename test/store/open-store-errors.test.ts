import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { StoreError } from '../../src/store/store-errors.ts';

describe('openStore refusals', () => {
  let folder: string | undefined;
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('says which SQLite file it could not open, as a StoreError', async () => {
    folder = mkdtempSync(join(tmpdir(), 'gridsync-open-'));
    const notADatabase = join(folder, 'notes.txt');
    writeFileSync(notADatabase, 'this is not a SQLite database, just text long enough to have a header page');
    const failure = openStore(notADatabase);
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toThrow(`SQLite store ${notADatabase}`);
  });

  it('refuses a malformed PostgreSQL URL without repeating it (it may hold a password)', async () => {
    const failure = openStore('postgres://gridsync:s3cret@[bad-host/gridsync');
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });
});
