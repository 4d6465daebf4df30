/**
 * `onTooLong: fail` (docs/mapping.md): a grid whose value is longer than its field is refused whole. Its sync
 * is failed on the status with the field, its length, the limit and the mapping line; nothing of it reaches
 * the CRM (not its record, not its deal fields, no task); the other grids of the same batch are delivered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { taskMarker } from '../../src/ae-task/task-marker.ts';
import { listDeadLetters } from '../../src/sync/dead-letters.ts';
import { startHarness } from '../support/gridsync-harness.ts';
import { startSalesforceHarness } from '../support/salesforce-harness.ts';
import { ledgerlineGrid, qualifyingSignals, seedLedgerline } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

const startHarnessPerTest = closedAfterEach(startHarness);
const startSalesforcePerTest = closedAfterEach(startSalesforceHarness);

describe('onTooLong: fail', () => {
  it('refuses the record, says why with the mapping line, and delivers its batch-mates', async () => {
    const h = await startHarnessPerTest({
      startWorker: false,
      mapping: [[['grid', 'fields', 'gridsync_title', 'onTooLong'], 'fail']],
    });
    const { dealId } = seedLedgerline(h.fake);
    await h.postSignals(qualifyingSignals());
    const longName = `Ledgerline ${'Holdings '.repeat(26)}`.trim();
    const refused = ledgerlineGrid({
      gridId: 'grid-too-long',
      account: { domain: 'ledgerline.example', name: longName },
      deal: { crmId: dealId },
    });
    const mates = [1, 2].map((n) => ledgerlineGrid({ gridId: `grid-fits-${n}` }));
    for (const grid of [refused, ...mates]) expect((await h.postGrid(grid)).status).toBe(202);
    h.gridsync.runner.start();
    await h.settle();

    const records = h.fake.store.records('p_sales_grid');
    expect(records.map((r) => r.properties['gridsync_grid_id']).sort()).toEqual([
      'grid-fits-1',
      'grid-fits-2',
    ]);
    // One upsert carried the batch-mates; the refused grid's deal fields and task were not written either.
    expect(h.fake.callCount(/batch\/upsert/)).toBe(1);
    expect(h.fake.store.get('deals', dealId)?.properties['gridsync_grid_summary']).toBeUndefined();
    const tasks = h.fake.store.records('tasks');
    expect(tasks).toHaveLength(2); // the batch-mates' tasks, not the refused grid's
    expect(
      tasks.some((t) => t.properties['hs_task_body']?.includes(taskMarker('acme', refused.gridId))),
    ).toBe(false);

    const status = await h.status(refused.gridId);
    const titleLength = `${longName} · ${refused.context.event}`.length;
    const written = readFileSync(join(h.dir, 'mappings', 'acme.yaml'), 'utf8').split('\n');
    const line = written.findIndex((l) => l.trim().startsWith('gridsync_title:')) + 1;
    expect(status).toMatchObject({
      sync: {
        state: 'failed',
        targets: {
          gridRecord: {
            state: 'failed',
            error: expect.stringContaining(
              `gridsync_title is ${titleLength} characters, the field holds 255; the mapping says onTooLong: fail`,
            ),
          },
        },
      },
      task: { state: 'not_created' },
    });
    // No retry can make the value fit: a dead letter at once, which the operator lists and replays (issue 15).
    const letters = await listDeadLetters(h.gridsync.store);
    expect(letters.map((l) => [l.subject, l.attempts])).toEqual([[refused.gridId, 1]]);
    expect(letters[0]?.mappingLines).toEqual([
      {
        field: 'gridsync_title',
        location: expect.stringMatching(new RegExp(`acme\\.yaml:${line}:\\d+$`)) as string,
        path: 'grid.fields.gridsync_title',
      },
    ]);
    const error = (status['sync'] as { targets: { gridRecord: { error: string } } }).targets.gridRecord.error;
    expect(error).toMatch(new RegExp(`acme\\.yaml:${line}:\\d+ grid\\.fields\\.gridsync_title`));
    for (const mate of mates) {
      expect(await h.status(mate.gridId)).toMatchObject({ sync: { state: 'synced' } });
    }
  });

  it('does the same on Salesforce: no collection carries the refused record, its batch-mates are upserted', async () => {
    const h = await startSalesforcePerTest({ startWorker: false });
    const longSender = `${'advocate.'.repeat(28)}devrel@vendor.example`; // Submitted_By__c: maxLength 255, fail
    const refused = ledgerlineGrid({ gridId: 'grid-sf-too-long', submittedBy: longSender });
    const mates = [1, 2].map((n) => ledgerlineGrid({ gridId: `grid-sf-fits-${n}` }));
    for (const grid of [refused, ...mates]) expect((await h.postGrid(grid)).status).toBe(202);
    h.gridsync.runner.start();
    await h.settle();

    const records = h.fake.org.records('Sales_Grid__c');
    expect(records.map((r) => r.values['Grid_Id__c']).sort()).toEqual(['grid-sf-fits-1', 'grid-sf-fits-2']);
    const upserts = h.fake.requests.filter((r) =>
      r.route.startsWith('PATCH /composite/sobjects/Sales_Grid__c'),
    );
    expect(upserts).toHaveLength(1);
    expect(JSON.stringify(upserts[0]?.body)).not.toContain(refused.gridId);

    const error = (await h.status(refused.gridId))['sync'] as {
      state: string;
      targets: { gridRecord: { error: string } };
    };
    expect(error.state).toBe('failed');
    expect(error.targets.gridRecord.error).toMatch(
      new RegExp(
        `^Submitted_By__c is ${longSender.length} characters, the field holds 255; the mapping says onTooLong: fail: nothing of this grid was written \\(.*globex\\.yaml:\\d+:\\d+ grid\\.fields\\.Submitted_By__c\\)$`,
      ),
    );
    for (const mate of mates) {
      expect(await h.status(mate.gridId)).toMatchObject({ sync: { state: 'synced' } });
    }
  });
});
