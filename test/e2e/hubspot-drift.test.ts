/**
 * Issue 11's drift acceptance on HubSpot, through gridsync serve's composition with the worker running: after
 * `mapping apply` a grid syncs; an admin then archives a property the mapping writes; within one drift-check
 * period the log (once), /readyz and the tenant status name it with its mapping line, and the next grid that
 * would write it fails early with the plan's message instead of being sent for a CRM 400.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyCommand } from '../../src/cli/mapping-plan-command.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import {
  acmeCrmSecrets,
  type Harness,
  startHarness,
  writeTenantMapping,
} from '../support/gridsync-harness.ts';
import { capturingLogger } from '../support/loggers.ts';
import { lineOf, planIo } from '../support/plan-command.ts';
import { ledgerlineGrid, seedLedgerline } from '../support/fixtures.ts';

const UPSERT = 'POST /crm/objects/2026-03/p_sales_grid/batch/upsert';
// 0.36 s between checks: "one drift-check period" in test time.
const EDITS: [string[], unknown][] = [[['sync', 'schemaCheckHours'], 0.0001]];

let harness: Harness | undefined;
let fake: HubSpotFake | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  harness = undefined;
  fake = undefined;
});

async function waitFor(test: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await test()); i += 1) await new Promise((r) => setTimeout(r, 50));
}

describe('drift on HubSpot while gridsync runs', () => {
  it('names an archived property on the log, /readyz and the tenant status, and fails the next grid early', async () => {
    fake = await HubSpotFake.start();
    dir = mkdtempSync(join(tmpdir(), 'gridsync-hs-drift-'));
    const file = writeTenantMapping(dir, fake.url, EDITS);
    expect(await applyCommand([file, '--yes'], planIo(file, acmeCrmSecrets))).toBe(0);
    const { dealId } = seedLedgerline(fake);

    const { logger, text } = capturingLogger('info');
    harness = await startHarness({
      fakeInstance: fake,
      dir,
      mapping: EDITS,
      schemaWatch: { tickMs: 50 },
      logger,
    });
    const h = harness;
    const readyz = async () =>
      (await (await fetch(`${h.gridsync.url}/readyz`)).json()) as {
        schema: Record<string, { state: string; drift: { field?: string; location?: { line: number } }[] }>;
      };
    const tenantStatus = async () =>
      (await (
        await fetch(`${h.gridsync.url}/v1/tenants/acme/status`, {
          headers: { authorization: `Bearer ${h.statusToken}` },
        })
      ).json()) as {
        schema: {
          state: string;
          findings: { field?: string; message: string; location?: { line: number } }[];
        };
      };

    // The check after start-up comes out clean, and a grid syncs live on the object apply created.
    await waitFor(async () => (await readyz()).schema['acme']?.state === 'ok');
    expect((await readyz()).schema['acme']?.state).toBe('ok');
    const first = ledgerlineGrid({ deal: { crmId: dealId } });
    expect((await h.postGrid(first)).status).toBe(202);
    await h.settle();
    expect(fake.store.records('p_sales_grid')).toHaveLength(1);

    // An admin archives a property the mapping writes.
    const grid = fake.schemas.schemas[0]!;
    fake.schemas.archiveProperty(grid.objectTypeId, 'gridsync_before_scenario');
    await waitFor(async () => (await readyz()).schema['acme']?.state === 'drift');
    const line = lineOf(file, 'gridsync_before_scenario:');
    expect((await readyz()).schema['acme']?.drift).toEqual([
      expect.objectContaining({
        field: 'gridsync_before_scenario',
        location: expect.objectContaining({ line }),
      }),
    ]);
    const status = await tenantStatus();
    expect(status.schema.state).toBe('drift');
    expect(status.schema.findings).toEqual([
      expect.objectContaining({
        field: 'gridsync_before_scenario',
        message: 'p_sales_grid has no property gridsync_before_scenario',
        location: expect.objectContaining({ line }),
      }),
    ]);
    // Several checks ran since; the finding is logged once, with its mapping line.
    await new Promise((r) => setTimeout(r, 800));
    const drifted = text()
      .split('\n')
      .filter((l) => l.includes('schema drift: p_sales_grid has no property gridsync_before_scenario'));
    expect(drifted).toHaveLength(1);
    expect(drifted[0]).toContain(`acme.yaml:${line}:`);

    // The next grid would write the archived property: it fails with the plan's words, nothing is sent for it.
    const upserts = fake.callCount(UPSERT);
    const second = ledgerlineGrid({ gridId: 'grid-2026-12-02-ledgerline-ken', deal: { crmId: dealId } });
    expect((await h.postGrid(second)).status).toBe(202);
    await h.settle();
    const gridStatus = JSON.stringify(await h.status(second.gridId));
    expect(gridStatus).toContain('schema drift');
    expect(gridStatus).toContain('gridsync_before_scenario');
    expect(fake.callCount(UPSERT)).toBe(upserts);
    expect(fake.requests.filter((r) => r.status === 400)).toEqual([]);
    expect(fake.store.records('p_sales_grid')).toHaveLength(1);
  });
});
