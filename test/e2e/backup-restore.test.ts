/**
 * The README's "Recover → Backups", as an operator lives it: `gridsync serve` runs against the HubSpot
 * stand-in while its CRM is away, so grids wait as pending jobs; `gridsync backup --to FILE` (another process)
 * copies the store while grids keep arriving; the store is lost; the backup is restored the way the README
 * says; a new `gridsync serve` on it carries on: every grid in the backup reaches the CRM once, with its task.
 * SQLite always; PostgreSQL (pg_dump / pg_restore against a database of its own) with
 * GRIDSYNC_TEST_DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { type ChildGridsync, postSigned, startChildGridsync } from '../support/child-gridsync.ts';
import { FAKE_TOKEN, writeTenantMapping } from '../support/gridsync-harness.ts';
import { runGridsync } from '../support/run-gridsync.ts';
import { randomWebhookSecret } from '../support/sign-request.ts';
import { testDatabaseUrl } from '../support/temp-store.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';

const secret = randomWebhookSecret();
let dir: string;
let fake: HubSpotFake;
let serve: ChildGridsync | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-backup-'));
  fake = await HubSpotFake.start({ uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] } });
  writeTenantMapping(dir, fake.url);
});

afterEach(async () => {
  await serve?.kill('SIGTERM');
  serve = undefined;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function envFor(databaseUrl: string): Record<string, string> {
  return {
    GRIDSYNC_DATABASE_URL: databaseUrl,
    GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
    ACME_WEBHOOK_SECRET: secret,
    ACME_STATUS_TOKEN: 'status-token',
    ACME_HUBSPOT_TOKEN: FAKE_TOKEN,
    // A job the backup caught running is taken over once its lease runs out: the shortest lease keeps it quick.
    GRIDSYNC_LEASE_SECONDS: '5',
  };
}

async function post(path: string, body: unknown): Promise<void> {
  expect((await postSigned(serve!, secret, path, body)).status).toBe(202);
}

async function waitFor(probe: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const gridIdsOf = (records: { properties: Record<string, string | undefined> }[]) =>
  records.map((r) => r.properties['gridsync_grid_id']).sort();

/**
 * The walk, for either store: returns the grid ids acknowledged before the backup began (they must be in it)
 * after checking the restored store delivered exactly what the backup holds.
 */
async function backupAndRestore(
  databaseUrl: string,
  store: {
    /** Grid ids the backup file holds. */
    gridsIn: (backup: string) => Promise<string[]>;
    /** Stand-in for the disaster and the README's restore steps. */
    restore: (backup: string) => Promise<void>;
  },
): Promise<void> {
  const env = envFor(databaseUrl);
  const { dealId } = seedLedgerline(fake);
  serve = await startChildGridsync(env, 60_000);
  await post('signals', { signals: qualifyingSignals() });
  // HubSpot goes away: the grids wait in the store as pending jobs. (Just now, so the breaker's pause, which
  // the restored jobs' due times carry, is still short.)
  fake.failFor(10 * 60_000);
  const before = ['grid-before-1', 'grid-before-2', 'grid-before-3'];
  for (const gridId of before) await post('grids', ledgerlineGrid({ gridId, deal: { crmId: dealId } }));

  // The backup runs while grids keep arriving and the worker keeps trying.
  const backup = join(dir, 'backup', 'gridsync.backup');
  const during = (async () => {
    for (let n = 1; n <= 5; n += 1) {
      await post('grids', ledgerlineGrid({ gridId: `grid-during-${n}`, deal: { crmId: dealId } }));
    }
  })();
  const run = await runGridsync(['backup', '--to', backup], env);
  await during;
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^backed up .+ to .+gridsync\.backup \(/);
  const held = await store.gridsIn(backup);
  expect(held).toEqual(expect.arrayContaining(before));
  expect(fake.store.records('p_sales_grid')).toHaveLength(0);

  // A second backup to the same name is refused: a backup never overwrites.
  const again = await runGridsync(['backup', '--to', backup], env);
  expect(again.status).toBe(2);
  expect(again.stderr).toContain('exists');

  await serve.kill('SIGTERM');
  serve = undefined;
  await store.restore(backup);

  // HubSpot is back; gridsync starts on the restored store and carries on with the pending jobs.
  fake.failNext(0);
  serve = await startChildGridsync(env, 60_000);
  await waitFor(
    () =>
      fake.store.records('p_sales_grid').length >= held.length &&
      fake.store.records('tasks').length >= held.length,
    'the restored grids to reach HubSpot',
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // nothing more arrives
  expect(gridIdsOf(fake.store.records('p_sales_grid'))).toEqual([...held].sort());
  expect(fake.store.records('tasks')).toHaveLength(held.length);
}

describe('backup and restore while gridsync serve runs', () => {
  it('SQLite: a checked copy, put back in place of the lost store, carries on', async () => {
    const database = join(dir, 'data', 'gridsync.db');
    await backupAndRestore(database, {
      gridsIn: (backup) => {
        const copy = new DatabaseSync(backup, { readOnly: true });
        try {
          expect(copy.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
          expect(existsSync(`${backup}-wal`)).toBe(false);
          const rows = copy.prepare('SELECT grid_id FROM grids').all() as { grid_id: string }[];
          return Promise.resolve(rows.map((r) => r.grid_id).sort());
        } finally {
          copy.close();
        }
      },
      restore: (backup) => {
        // The disaster: the store is gone. The README's steps: put the backup in place of the file, with no
        // -wal or -shm of the old store beside it, then start gridsync.
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
        copyFileSync(backup, database);
        return Promise.resolve();
      },
    });
  }, 180_000);

  const adminUrl = testDatabaseUrl();
  it.skipIf(adminUrl === undefined)(
    'PostgreSQL: a pg_dump archive, pg_restore-d into an empty database, carries on',
    async () => {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      const name = `gs_backup_${randomBytes(4).toString('hex')}`;
      const url = new URL(adminUrl as string);
      url.pathname = `/${name}`;
      const drop = () => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      try {
        await admin.query(`CREATE DATABASE ${name}`);
        await backupAndRestore(url.toString(), {
          gridsIn: (backup) => {
            const listing = spawnSync('pg_restore', ['--list', backup], { encoding: 'utf8' });
            expect(listing.status, listing.stderr).toBe(0);
            expect(listing.stdout).toContain('TABLE DATA public jobs');
            // Read what it holds by restoring it into a scratch database.
            return readGridIds(admin, url, backup, `${name}_peek`);
          },
          restore: async (backup) => {
            await drop();
            await admin.query(`CREATE DATABASE ${name}`);
            const restored = spawnSync('pg_restore', ['--dbname', url.toString(), backup], {
              encoding: 'utf8',
            });
            expect(restored.status, restored.stderr).toBe(0);
          },
        });
      } finally {
        await serve?.kill('SIGTERM');
        serve = undefined;
        await drop();
        await admin.end();
      }
    },
    180_000,
  );
});

async function readGridIds(admin: pg.Client, url: URL, backup: string, scratch: string): Promise<string[]> {
  await admin.query(`CREATE DATABASE ${scratch}`);
  try {
    const at = new URL(url);
    at.pathname = `/${scratch}`;
    const restored = spawnSync('pg_restore', ['--dbname', at.toString(), backup], { encoding: 'utf8' });
    expect(restored.status, restored.stderr).toBe(0);
    const client = new pg.Client({ connectionString: at.toString() });
    await client.connect();
    try {
      const { rows } = await client.query<{ grid_id: string }>('SELECT grid_id FROM grids ORDER BY grid_id');
      return rows.map((r) => r.grid_id).sort();
    } finally {
      await client.end();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  }
}
