/**
 * What `npm start` shows a newcomer: the example tenants in dry-run mode (no CRM credentials), and mapping edits
 * taking effect while gridsync runs. Uses the committed mappings/ and their development secrets.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/env.ts';
import type { SecretLookup } from '../../src/config/secrets.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { type Gridsync, startGridsync } from '../../src/main.ts';
import type { GridSyncState } from '../../src/domain/sync-state.ts';
import { expectDocumentedGridStatus } from '../support/grid-status-schema.ts';
import { signRequest } from '../support/sign-request.ts';
import { ledgerlineGrid } from '../support/fixtures.ts';
import { waitFor } from '../support/wait-for.ts';

const devSecrets = parseEnv(readFileSync('mappings/examples.dev.env', 'utf8'));
const secrets: SecretLookup = (ref) => ('env' in ref ? devSecrets[ref.env] : undefined);
let dir: string;
let gridsync: Gridsync;
let logLines: Record<string, unknown>[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-dry-'));
  cpSync('mappings', join(dir, 'mappings'), { recursive: true });
  logLines = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      GRIDSYNC_DATABASE_URL: join(dir, 'g.db'),
      GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
    },
    join(dir, 'none.env'),
  );
  gridsync = await startGridsync({
    config,
    logger,
    secrets,
    runnerOptions: { coalesceMs: 10, idlePollMs: 100 },
  });
});

afterEach(async () => {
  await gridsync.close();
  rmSync(dir, { recursive: true, force: true });
});

async function submit(tenant: string, grid: unknown): Promise<Response> {
  const signed = signRequest({ secret: devSecrets[`${tenant.toUpperCase()}_WEBHOOK_SECRET`]!, body: grid });
  return fetch(`${gridsync.url}/v1/tenants/${tenant}/grids`, {
    method: 'POST',
    headers: { ...signed.headers, 'content-type': 'application/json' },
    body: signed.payload,
  });
}

async function syncState(tenant: string, gridId: string): Promise<GridSyncState> {
  const response = await fetch(`${gridsync.url}/v1/tenants/${tenant}/grids/${gridId}`, {
    headers: { authorization: `Bearer ${devSecrets[`${tenant.toUpperCase()}_STATUS_TOKEN`]!}` },
  });
  const body = (await response.json()) as { sync: GridSyncState };
  expectDocumentedGridStatus(body); // dry-run answers, plannedWrites included, are documented too
  return body.sync;
}

describe('the example tenants out of the box', () => {
  it.each(['acme', 'globex'])(
    '%s runs in dry-run mode and shows the writes it would make',
    async (tenant) => {
      const grid = ledgerlineGrid();
      expect((await submit(tenant, grid)).status).toBe(202);
      await gridsync.runner.drain();
      const sync = await syncState(tenant, grid.gridId);
      expect(sync.mode).toBe('dry_run');
      expect(sync.targets.gridRecord.state).toBe('dry_run');
      const upsert = (sync.plannedWrites as { op: string; properties?: Record<string, string> }[])[0];
      expect(upsert?.op).toBe('upsert');
      expect(Object.values(upsert?.properties ?? {})).toContain(grid.beforeScenario);
      expect(sync.task?.state).toBe('not_eligible');
    },
  );

  it('shows what the deal rule would do for a grid that names no deal (find, or open one)', async () => {
    const grid = ledgerlineGrid({ gridId: 'grid-by-deal-rule', deal: undefined });
    for (const tenant of ['acme', 'globex']) expect((await submit(tenant, grid)).status).toBe(202);
    await gridsync.runner.drain();
    const dealWrites = async (tenant: string) =>
      (
        (await syncState(tenant, grid.gridId)).plannedWrites as {
          op: string;
          object: string;
          when?: string;
        }[]
      )
        .filter((w) => w.object === 'deal' || w.object.endsWith('→ deal'))
        .map((w) => [w.op, w.when === undefined ? 'always' : 'when']);
    // acme (whenNone: wait): the deal's fields and link, once one of its open deals exists.
    expect(await dealWrites('acme')).toEqual([
      ['update', 'when'],
      ['link', 'when'],
    ]);
    // globex (whenNone: create): the opportunity gridsync opens when none counts, then its fields and link.
    expect(await dealWrites('globex')).toEqual([
      ['create', 'when'],
      ['update', 'always'],
      ['link', 'always'],
    ]);
  });

  it('shows a grid refused by onTooLong: fail as failed, with nothing planned for it', async () => {
    const grid = ledgerlineGrid({ submittedBy: `${'advocate.'.repeat(28)}devrel@vendor.example` });
    expect((await submit('globex', grid)).status).toBe(202);
    await gridsync.runner.drain();
    const sync = await syncState('globex', grid.gridId);
    expect(sync).toMatchObject({ mode: 'dry_run', plannedWrites: [], task: { state: 'blocked' } });
    expect(sync.targets.gridRecord).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^Submitted_By__c is 273 characters, the field holds 255/),
    });
  });
});

describe('mapping edits while gridsync runs', () => {
  it('applies a valid edit within seconds, and keeps the last good mapping through a broken one', async () => {
    const file = join(dir, 'mappings', 'acme.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('gridsync_before_scenario:', 'gridsync_where_they_are:'));
    await waitFor(() => logLines.some((l) => String(l['msg']).includes('reloaded')), 10_000);

    const first = ledgerlineGrid({ gridId: 'grid-after-edit' });
    await submit('acme', first);
    await gridsync.runner.drain();
    const planned = (await syncState('acme', first.gridId)).plannedWrites as {
      properties?: Record<string, string>;
    }[];
    expect(planned[0]?.properties).toHaveProperty('gridsync_where_they_are');

    writeFileSync(file, original.replace("schedule: '*/10 * * * *'", "schedule: 'every ten minutes'"));
    await waitFor(
      () => logLines.some((l) => l['level'] === 40 && JSON.stringify(l).includes('acme.yaml:')),
      10_000,
    );
    const second = ledgerlineGrid({ gridId: 'grid-after-broken-edit' });
    expect((await submit('acme', second)).status).toBe(202);
    await gridsync.runner.drain();
    const still = (await syncState('acme', second.gridId)).plannedWrites as {
      properties?: Record<string, string>;
    }[];
    expect(still[0]?.properties).toHaveProperty('gridsync_where_they_are');
    expect(gridsync.scheduler.schedules().get('acme')).toBe('*/10 * * * *');
  });
});
