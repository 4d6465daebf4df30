/**
 * Issue 15's dead-letter acceptance, as an operator lives it: `gridsync serve` runs in its own process against
 * the HubSpot stand-in, a mapping mistake (a property the portal lacks) makes the CRM refuse a grid, the
 * CLI (other processes, same store) lists it with the mapping line, the mapping is fixed, `replay --preview`
 * lists it, `replay` delivers it, once. The same for a grid the mapping itself refuses (`onTooLong: fail`):
 * nothing of it reached the CRM, and it waits as a dead letter, not as a silently failed grid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { DeadLetter } from '../../src/sync/dead-letters.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { type ChildGridsync, postSigned, startChildGridsync } from '../support/child-gridsync.ts';
import { FAKE_TOKEN, writeTenantMapping } from '../support/gridsync-harness.ts';
import { runGridsync } from '../support/run-gridsync.ts';
import { randomWebhookSecret } from '../support/sign-request.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';

const secret = randomWebhookSecret();
const TYPO = 'gridsync_regoin';
let dir: string;
let fake: HubSpotFake;
let serve: ChildGridsync | undefined;
let env: Record<string, string>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-deadletters-'));
  fake = await HubSpotFake.start({ uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] } });
  env = {
    GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'),
    GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
    ACME_WEBHOOK_SECRET: secret,
    ACME_STATUS_TOKEN: 'status-token',
    ACME_HUBSPOT_TOKEN: FAKE_TOKEN,
  };
});

afterEach(async () => {
  await serve?.kill('SIGTERM');
  serve = undefined;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown): Promise<void> {
  expect((await postSigned(serve!, secret, path, body)).status).toBe(202);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function deadLetters(): Promise<DeadLetter[]> {
  const run = await runGridsync(['deadletters', 'list', '--tenant', 'acme', '--json'], env);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as DeadLetter[];
}

interface Mistake {
  /** The mapping edits that make the grid fail, and the CRM stand-in's part in it. */
  mapping: [path: (string | number)[], value: unknown][];
  prepare?: () => void;
  grid: (dealId: string) => ReturnType<typeof ledgerlineGrid>;
  field: string;
}

/**
 * The whole walk: the grid dies at its first attempt (retrying cannot help), is listed with its mapping line,
 * the mapping is fixed, the preview lists it, replay delivers it once.
 */
async function walk(mistake: Mistake): Promise<void> {
  writeTenantMapping(dir, fake.url, mistake.mapping);
  mistake.prepare?.();
  const { dealId } = seedLedgerline(fake);
  serve = await startChildGridsync(env);
  await post('signals', { signals: qualifyingSignals() });
  const grid = mistake.grid(dealId);
  await post('grids', grid);

  const [letter] = await waitFor(async () => {
    const letters = await deadLetters();
    return letters.length > 0 ? letters : undefined;
  }, 'the dead letter');
  expect(letter).toMatchObject({ tenant: 'acme', kind: 'grid.sync', subject: grid.gridId, attempts: 1 });
  expect(letter?.mappingLines).toEqual([
    {
      field: mistake.field,
      location: expect.stringMatching(/acme\.yaml:\d+:\d+$/) as string,
      path: `grid.fields.${mistake.field}`,
    },
  ]);
  const human = await runGridsync(['deadletters', 'list'], env);
  expect(human.stdout).toContain(`acme grid.sync ${grid.gridId}`);
  expect(human.stdout).toMatch(
    new RegExp(`mapping line: \\S+acme\\.yaml:\\d+:\\d+ grid\\.fields\\.${mistake.field}`),
  );
  const shown = await runGridsync(['grids', 'list', '--tenant', 'acme', '--state', 'dead', '--json'], env);
  expect((JSON.parse(shown.stdout) as { gridId: string }[]).map((g) => g.gridId)).toEqual([grid.gridId]);
  expect(fake.store.records('p_sales_grid')).toHaveLength(0);

  // RevOps fixes the mapping; the running serve reloads it.
  const reloadsBefore = serve.logs.filter((l) => String(l['msg']).startsWith('mapping ')).length;
  writeTenantMapping(dir, fake.url);
  await waitFor(
    () =>
      Promise.resolve(
        serve!.logs.filter((l) => String(l['msg']).startsWith('mapping ')).length > reloadsBefore
          ? true
          : undefined,
      ),
    'the mapping reload',
  );

  const preview = await runGridsync(['deadletters', 'replay', grid.gridId, '--preview'], env);
  expect(preview.status).toBe(0);
  expect(preview.stdout).toContain(`acme grid.sync ${grid.gridId}`);
  expect(preview.stdout).toContain('would be replayed');
  expect(await deadLetters()).toHaveLength(1); // the preview changed nothing

  const replay = await runGridsync(['deadletters', 'replay', grid.gridId], env);
  expect(replay.status, replay.stderr).toBe(0);
  expect(replay.stdout).toMatch(/replayed 1 dead letter/);
  const synced = await waitFor(async () => {
    const run = await runGridsync(['grids', 'show', '--tenant', 'acme', grid.gridId, '--json'], env);
    const body = JSON.parse(run.stdout) as { state: string; status: { task: { state: string } } };
    return body.state === 'synced' && body.status.task.state === 'created' ? body : undefined;
  }, 'the replayed grid to sync');
  expect(synced.state).toBe('synced');
  expect(await deadLetters()).toEqual([]);
  // The refusal is history now: the human view does not show it as the job's error.
  const view = await runGridsync(['grids', 'show', '--tenant', 'acme', grid.gridId], env);
  expect(view.stdout).toMatch(/: synced\n/);
  expect(view.stdout).not.toMatch(/ succeeded, [^\n]* run at \S+: /);
  expect(view.stdout).not.toMatch(/dead letter|retrying/);

  // Once: one record, one task; a second replay finds nothing to do.
  expect(fake.store.records('p_sales_grid')).toHaveLength(1);
  expect(fake.store.records('tasks')).toHaveLength(1);
  const again = await runGridsync(['deadletters', 'replay', '--tenant', 'acme'], env);
  expect(again.stdout).toBe('nothing to replay\n');
  expect(fake.store.records('p_sales_grid')).toHaveLength(1);
  expect(fake.store.records('tasks')).toHaveLength(1);
}

describe('dead letters through a running gridsync serve', () => {
  it('a grid refused for a mapping mistake is listed with its mapping line, and replayed once after the fix', async () => {
    await walk({
      mapping: [[['grid', 'fields', TYPO], { from: 'grid.account.name' }]],
      prepare: () => fake.rejectProperty('p_sales_grid', TYPO, '400'),
      grid: (dealId) => ledgerlineGrid({ deal: { crmId: dealId } }),
      field: TYPO,
    });
  }, 120_000);

  it('a grid refused by onTooLong: fail is a dead letter with its mapping line, delivered once after the fix', async () => {
    // The record's title (account name · event) is longer than its 255 characters; the fixed mapping truncates.
    const longName = `Ledgerline ${'Holdings '.repeat(26)}`.trim();
    await walk({
      mapping: [[['grid', 'fields', 'gridsync_title', 'onTooLong'], 'fail']],
      grid: (dealId) =>
        ledgerlineGrid({
          account: { domain: 'ledgerline.example', name: longName },
          deal: { crmId: dealId },
        }),
      field: 'gridsync_title',
    });
  }, 120_000);
});
