/**
 * The grid status document as published in docs/grid-status.schema.json, checked against real answers of a
 * running gridsync (intake, worker, HubSpot stand-in) in every state a user meets: pending before the worker
 * ran, synced with a task whose deal owner was skipped, text cut to fit (warnings), a draft (blockedBy), a
 * record the CRM refused (failed, with the mapping line), an outage (retrying, then delivered).
 */
import { describe, expect, it } from 'vitest';

import { expectDocumentedGridStatus, GRID_STATUS_SCHEMA } from '../support/grid-status-schema.ts';
import { startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);

type Json = Record<string, unknown>;
const at = (body: Json, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Json | undefined)?.[key], body);

describe('the grid status document', () => {
  it('matches the published JSON Schema in every state, and the schema describes every field', async () => {
    const h = await startHarnessPerTest({
      startWorker: false,
      mapping: [[['sync', 'maxAttempts'], 2]],
      runner: { breaker: { baseMs: 20, capMs: 100 } },
    });
    const { dealId } = seedLedgerline(h.fake);
    h.fake.addOwner({ id: '500', archived: true, email: 'gone@vendor.example' });
    const seen: Json[] = [];
    const check = async (gridId: string): Promise<Json> => {
      const body = await h.status(gridId);
      expectDocumentedGridStatus(body);
      seen.push(body);
      return body;
    };

    const first = ledgerlineGrid({ gridId: 'grid-status-owner', deal: { crmId: dealId } });
    await h.postGrid(first);
    expect(at(await check(first.gridId), 'sync.state')).toBe('pending');

    await h.postSignals(qualifyingSignals());
    const long = ledgerlineGrid({
      gridId: 'grid-status-long-event',
      account: { domain: 'ledgerline.example', name: `Ledgerline ${'Holdings '.repeat(26)}` },
    });
    const draft = ledgerlineGrid({ gridId: 'grid-status-draft', requiredCapabilities: undefined });
    await h.postGrid(long);
    await h.postGrid(draft);
    h.gridsync.runner.start();
    await h.settle();
    const owner = await check(first.gridId);
    expect(owner).toMatchObject({ sync: { state: 'synced', mode: 'live' }, task: { state: 'created' } });
    expect(at(owner, 'task.details.owner.skipped')).toEqual([
      expect.objectContaining({ step: 'deal_owner' }),
    ]);
    expect(at(await check(long.gridId), 'sync.warnings')).toEqual([
      expect.stringContaining('gridsync_title'),
    ]);
    expect(at(await check(draft.gridId), 'task.blockedBy')).toEqual(['grid_incomplete']);

    h.fake.rejectProperty('p_sales_grid', 'gridsync_event', '207');
    const refused = ledgerlineGrid({ gridId: 'grid-status-refused', context: { event: 'KubeCon' } });
    await h.postGrid(refused);
    await h.settle();
    const failed = await check(refused.gridId);
    expect(failed).toMatchObject({ sync: { state: 'failed', targets: { gridRecord: { state: 'failed' } } } });
    expect(at(failed, 'sync.targets.gridRecord.error')).toMatch(/mappings\/acme\.yaml:\d+:\d+/);

    h.fake.failFor(60_000);
    const outage = ledgerlineGrid({ gridId: 'grid-status-outage', context: { event: 'DevOpsDays' } });
    await h.postGrid(outage);
    await expect
      .poll(async () => at(await h.status(outage.gridId), 'sync.retrying'), { timeout: 10_000 })
      .toBeDefined();
    expect(at(await check(outage.gridId), 'sync.state')).toBe('pending');
    h.fake.failFor(0);
    // Once HubSpot is back the grid is written (and refused alone: gridsync_event is still rejected).
    await expect
      .poll(async () => at(await h.status(outage.gridId), 'sync.retrying'), { timeout: 20_000 })
      .toBeUndefined();
    // Refused for good once it got through: a dead letter at once (issue 15), naming the mapping line.
    expect(at(await check(outage.gridId), 'sync.deadLetter')).toMatchObject({
      lastError: expect.stringMatching(/gridsync_event.*acme\.yaml:\d+:\d+/) as string,
    });

    // Every field the issue names was seen in a real answer and is described by the schema.
    for (const path of [
      'sync.mode',
      'sync.targets.gridRecord.crmId',
      'sync.warnings',
      'sync.retrying',
      'task.blockedBy',
      'task.details.owner.skipped',
      'qualification.verdict.criteria',
      'qualification.aggregate.activeUsers',
    ]) {
      expect(
        seen.some((body) => at(body, path) !== undefined),
        path,
      ).toBe(true);
    }
    const described = JSON.stringify(GRID_STATUS_SCHEMA);
    for (const state of ['retrying', 'dry_run', 'not_created', 'creating', 'blockedBy', 'skipped']) {
      expect(described).toContain(state);
    }
  }, 60_000);
});
